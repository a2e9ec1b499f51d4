"""Find the names a learner gave to tensors, so a drawing can say `x` instead of "a tensor".

In a notebook the names come from the kernel's namespace (IPython's `user_ns`); in a script,
from the globals and locals of the code that called `viz`. A tensor is matched by identity
(`is`), never by value. A model in the namespace lends its parameters' names: `model.0.weight`.
"""

import os
import sys
from collections import ChainMap

from autograd_lab.tensor import Tensor

_HERE = os.path.dirname(os.path.abspath(__file__))  # frames from here are viz's own


def notebook_namespace():
    """IPython's namespace for the learner's variables, or None outside IPython."""
    ipython_module = sys.modules.get("IPython")
    if ipython_module is None:
        return None
    shell = ipython_module.get_ipython()
    return getattr(shell, "user_ns", None)


def caller_namespace():
    """The variables of the first frame outside this package (its locals, then its globals).

    The globals stay live: a name assigned later is still found.
    """
    frame = sys._getframe(1)
    while frame is not None and os.path.dirname(frame.f_code.co_filename) == _HERE:
        frame = frame.f_back
    if frame is None:
        return {}
    if frame.f_locals is frame.f_globals:
        return frame.f_globals
    return ChainMap(frame.f_locals, frame.f_globals)


def learner_namespace():
    """The namespace to read names from: the notebook's if there is one, else the caller's."""
    namespace = notebook_namespace()
    return namespace if namespace is not None else caller_namespace()


def tensor_names(namespace=None, params=None):
    """Map `id(tensor)` to `(name, tensor)`.

    `params` (e.g. `dict(model.named_parameters())`) wins over names found in `namespace`.
    Names starting with `_` (IPython's `_`, `_1`, ...) are ignored.
    """
    names = {}
    for name, tensor in (params or {}).items():
        if isinstance(tensor, Tensor):
            names.setdefault(id(tensor), (str(name), tensor))
    for name, value in list((namespace or {}).items()):
        if not isinstance(name, str) or name.startswith("_"):
            continue
        if isinstance(value, Tensor):
            names.setdefault(id(value), (name, value))
        elif _is_module(value):
            for parameter_name, parameter in value.named_parameters():
                names.setdefault(id(parameter), (f"{name}.{parameter_name}", parameter))
    return names


def _is_module(value):
    """True for an `autograd_lab.nn.Module` (looked up only if nn has been imported)."""
    nn = sys.modules.get("autograd_lab.nn")
    module_class = getattr(nn, "Module", None)
    return module_class is not None and isinstance(value, module_class)


def resolve(names, params=None):
    """Turn draw's `names` argument into an `id -> (name, tensor)` map.

    `"auto"`: from the learner's namespace; a dict `{name: tensor}`: exactly those;
    None or False: none (parameters from `params` still count).
    """
    if isinstance(names, str) and names == "auto":
        return tensor_names(learner_namespace(), params)
    if isinstance(names, dict):
        return tensor_names(names, params)
    if names is None or names is False:
        return tensor_names(None, params)
    raise TypeError(f"names must be 'auto', a dict of name -> tensor, or None, got {names!r}")
