"""`Module`: the base class of every layer and model, which keeps track of their parameters.

A module is a Python object with a `forward` method. Assigning a `Parameter` or another module
to one of its attributes registers it, so that the model can list all its weights
(`parameters()`), reset their gradients (`zero_grad()`), save and load them (`state_dict()`),
switch between training and evaluation (`train()`, `eval()`) and print itself as a tree.

>>> import autograd_lab as alt
>>> class TwoLayerNet(alt.nn.Module):
...     def __init__(self):
...         super().__init__()
...         self.hidden = alt.nn.Linear(3, 4)
...         self.out = alt.nn.Linear(4, 1)
...     def forward(self, x):
...         return self.out(self.hidden(x).clamp(min=0))
>>> model = TwoLayerNet()
>>> [name for name, _ in model.named_parameters()]
['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
>>> model(alt.ones(2, 3)).shape
autograd_lab.Size([2, 1])

Walks over the module tree are loops over an explicit stack, never recursive calls.
"""

import itertools
from collections import OrderedDict, namedtuple

from autograd_lab import dtypes
from autograd_lab.autograd.grad_mode import no_grad
from autograd_lab.nn.parameter import Parameter, zero_grads
from autograd_lab.tensor import Tensor


class Module:
    """Base class for layers and models: subclass it, create layers in `__init__`, write
    `forward`, and call the module like a function (`model(x)` runs `model.forward(x)`)."""

    training: bool

    def __init__(self):
        # object.__setattr__ because our own __setattr__ needs these dicts to exist already
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent_buffers", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())

    def forward(self, *inputs):
        """What the module computes; every subclass defines it."""
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required '
                                  '"forward" function')

    def __call__(self, *inputs, **kwargs):
        """Run `forward`, with the forward hooks (if any) before and after it."""
        for hook in list(self._forward_pre_hooks.values()):
            changed = hook(self, inputs)
            if changed is not None:
                inputs = changed if isinstance(changed, tuple) else (changed,)
        output = self.forward(*inputs, **kwargs)
        for hook in list(self._forward_hooks.values()):
            changed = hook(self, inputs, output)
            if changed is not None:
                output = changed
        return output

    def register_forward_pre_hook(self, hook):
        """Call `hook(module, inputs)` before every forward; a returned value replaces the
        inputs. Returns a handle whose `remove()` takes the hook off again."""
        return _HookHandle(self._forward_pre_hooks, hook)

    def register_forward_hook(self, hook):
        """Call `hook(module, inputs, output)` after every forward (to look at activations);
        a returned value replaces the output. Returns a handle with `remove()`.

        >>> import autograd_lab as alt
        >>> layer = alt.nn.Linear(3, 2)
        >>> shapes = []
        >>> handle = layer.register_forward_hook(lambda m, inputs, out: shapes.append(out.shape))
        >>> _ = layer(alt.ones(4, 3))
        >>> handle.remove()
        >>> _ = layer(alt.ones(1, 3))
        >>> shapes
        [autograd_lab.Size([4, 2])]
        """
        return _HookHandle(self._forward_hooks, hook)

    # -- registering parameters, buffers and sub-modules ------------------------------------

    def __setattr__(self, name, value):
        """`self.w = Parameter(...)` and `self.layer = Linear(...)` register what they assign."""
        stores = self.__dict__
        if isinstance(value, (Parameter, Module)) and "_parameters" not in stores:
            kind = "parameters" if isinstance(value, Parameter) else "module"
            raise AttributeError(f"cannot assign {kind} before Module.__init__() call")
        if isinstance(value, Parameter):
            self._forget(name)
            self.register_parameter(name, value)
        elif isinstance(value, Module):
            self._forget(name)
            self._modules[name] = value
        elif "_parameters" in stores and name in self._parameters:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as parameter '{name}' "
                                "(autograd_lab.nn.Parameter or None expected)")
            self._parameters[name] = None
        elif "_modules" in stores and name in self._modules:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as child module '{name}' "
                                "(autograd_lab.nn.Module or None expected)")
            self._modules[name] = None
        elif "_buffers" in stores and name in self._buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{_typename(value)}' as buffer '{name}' "
                                "(autograd_lab.Tensor or None expected)")
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name):
        # Only called when ordinary lookup fails: registered things live in the three dicts.
        stores = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            if store in stores and name in stores[store]:
                return stores[store][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __dir__(self):
        # registered names too, so that tab completion in a notebook offers `model.weight`
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers)
                      | set(self._modules))

    def __delattr__(self, name):
        if not self._forget(name):
            object.__delattr__(self, name)

    def _forget(self, name):
        """Remove `name` from wherever it was registered; True if it was found."""
        found = False
        for store in (self.__dict__, self._parameters, self._buffers, self._modules):
            if name in store:
                del store[name]
                found = True
        self._non_persistent_buffers.discard(name)
        return found

    def register_parameter(self, name, param):
        """Add a parameter (a `Parameter` or None) under `name`; `self.name = param` does this."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        _check_name(self, name, "parameter", self._parameters)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                            "(autograd_lab.nn.Parameter or None required)")
        if param is not None and param.grad_fn is not None:
            raise ValueError(f"Cannot assign non-leaf Tensor to parameter '{name}'. Model "
                             "parameters must be created explicitly. To express "
                             f"'{name}' as a function of another Tensor, compute the value "
                             "in the forward() method.")
        self._parameters[name] = param

    def register_buffer(self, name, tensor, persistent=True):
        """Add a tensor that is state but not a parameter (no gradient, not in `parameters()`),
        such as running statistics; `persistent=False` leaves it out of `state_dict()`."""
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        _check_name(self, name, "buffer", self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{_typename(tensor)}' object to buffer '{name}' "
                            "(autograd_lab.Tensor or None required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers.discard(name)
        else:
            self._non_persistent_buffers.add(name)

    def add_module(self, name, module):
        """Add a child module under `name` (what `self.name = module` does)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        _check_name(self, name, "module", self._modules)
        self._modules[name] = module

    register_module = add_module

    # -- walking the module tree -------------------------------------------------------------

    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """`(name, module)` for this module and every module inside it, parents first.

        A module used in two places is listed once unless `remove_duplicate=False`.
        """
        memo = set() if memo is None else memo
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if remove_duplicate:
                if module in memo:
                    continue
                memo.add(module)
            yield name, module
            children = [(f"{name}.{key}" if name else key, child)
                        for key, child in module._modules.items() if child is not None]
            stack.extend(reversed(children))  # reversed: the first child comes off first

    def modules(self):
        """This module and every module inside it, parents first."""
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        """`(name, module)` for the direct sub-modules."""
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self):
        """The direct sub-modules."""
        for _, module in self.named_children():
            yield module

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """`(name, parameter)` pairs such as `("0.weight", ...)`; a shared parameter once."""
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        """Every learnable tensor of the model, the list an optimizer is given."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        """`(name, buffer)` pairs for the registered buffers."""
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        """Every registered buffer."""
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def _named_members(self, store, prefix, recurse, remove_duplicate):
        modules = (self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
                   if recurse else [(prefix, self)])
        seen = set()
        for module_name, module in modules:
            for name, member in getattr(module, store).items():
                if member is None or (remove_duplicate and member in seen):
                    continue
                seen.add(member)
                yield (f"{module_name}.{name}" if module_name else name), member

    def apply(self, fn):
        """Call `fn(module)` on every sub-module and then on this one; returns self.

        >>> import autograd_lab as alt
        >>> def init_weights(m):
        ...     if isinstance(m, alt.nn.Linear):
        ...         alt.nn.init.zeros_(m.bias)
        >>> net = alt.nn.Sequential(alt.nn.Linear(2, 2), alt.nn.ReLU()).apply(init_weights)
        >>> net[0].bias
        Parameter containing:
        tensor([0., 0.], requires_grad=True)
        """
        for module in _children_first(self):
            fn(module)
        return self

    # -- training ----------------------------------------------------------------------------

    def train(self, mode=True):
        """Put this module and all inside it in training mode (or evaluation mode if False).

        Only some layers behave differently (Dropout is the identity in evaluation mode).
        """
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for module in self.modules():
            module.training = mode
        return self

    def eval(self):
        """Evaluation mode: `train(False)`."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        """Switch gradient tracking of every parameter on or off (to freeze a part of a model)."""
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Reset the gradients of every parameter before the next `backward()`.

        By default `.grad` becomes None; `set_to_none=False` fills it with zeros instead.
        """
        zero_grads(self.parameters(), set_to_none)

    # -- saving and loading ------------------------------------------------------------------

    def state_dict(self, *, destination=None, prefix="", keep_vars=False):
        """An ordered dict from names (`"0.weight"`) to the tensors of parameters and buffers.

        The tensors share storage with the model (detached, unless `keep_vars=True`): copy them
        (`copy.deepcopy`) to keep a snapshot that later training does not change.
        """
        destination = OrderedDict() if destination is None else destination
        for module_name, module in self.named_modules(prefix=prefix.rstrip("."),
                                                      remove_duplicate=False):
            names = [(name, tensor) for name, tensor in module._parameters.items()]
            names += [(name, tensor) for name, tensor in module._buffers.items()
                      if name not in module._non_persistent_buffers]
            for name, tensor in names:
                if tensor is not None:
                    key = f"{module_name}.{name}" if module_name else name
                    destination[key] = tensor if keep_vars else tensor.detach()
        return destination

    def load_state_dict(self, state_dict, strict=True):
        """Copy values from `state_dict` into this model's parameters and buffers.

        With `strict=True` (the default) the keys must match exactly; a tensor whose shape
        differs is always an error. Returns the lists of missing and unexpected keys.
        """
        if not hasattr(state_dict, "items"):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        own = self.state_dict(keep_vars=True)
        missing = [key for key in own if key not in state_dict]
        unexpected = [key for key in state_dict if key not in own]
        errors = []
        with no_grad():
            for key, target in own.items():
                if key not in state_dict:
                    continue
                value = state_dict[key]
                if not isinstance(value, Tensor):
                    errors.append(f'While copying the parameter named "{key}", expected '
                                  "autograd_lab.Tensor or Tensor-like object from checkpoint "
                                  f"but received {type(value)}")
                elif value.shape != target.shape:
                    errors.append(f"size mismatch for {key}: copying a param with shape "
                                  f"{value.shape} from checkpoint, the shape in current model "
                                  f"is {target.shape}.")
                else:
                    target.copy_(value)
        if strict:
            if unexpected:
                listed = ", ".join(f'"{key}"' for key in unexpected)
                errors.insert(0, f"Unexpected key(s) in state_dict: {listed}. ")
            if missing:
                listed = ", ".join(f'"{key}"' for key in missing)
                errors.insert(0, f"Missing key(s) in state_dict: {listed}. ")
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                               + "\n\t".join(errors))
        return _IncompatibleKeys(missing, unexpected)

    # -- moving between devices and dtypes ---------------------------------------------------

    def to(self, *args, device=None, dtype=None):
        """Move every parameter and buffer to a device and/or floating dtype, in place.

        `model.to("cuda")`, `model.to(alt.float64)`, `model.to(some_tensor)`. The Parameter
        objects stay the same (only their data changes), so an optimizer built before still
        holds the model's parameters.
        """
        for arg in args:
            if isinstance(arg, Tensor):
                device, dtype = arg.device, arg.dtype
            elif isinstance(arg, dtypes.dtype):
                dtype = arg
            else:
                device = arg
        if dtype is not None and not dtype.is_floating_point:
            raise TypeError("nn.Module.to only accepts floating point or complex dtypes, but "
                            f"got desired dtype={dtype}")

        def convert(tensor):
            return tensor.to(device=device, dtype=dtype if tensor.is_floating_point() else None)

        return self._apply(convert)

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None):
        return self.to("cuda" if device is None else device)

    def float(self):
        return self.to(dtypes.float32)

    def double(self):
        return self.to(dtypes.float64)

    def half(self):
        return self.to(dtypes.float16)

    def _apply(self, fn):
        """Replace the data of every parameter (and its grad) and every buffer by `fn(data)`."""
        with no_grad():
            for module in self.modules():
                for param in module._parameters.values():
                    if param is None:
                        continue
                    param.data = fn(param)
                    if param.grad is not None:
                        param.grad = fn(param.grad)
                for name, buffer in module._buffers.items():
                    if buffer is not None:
                        module._buffers[name] = fn(buffer)
        return self

    # -- printing ----------------------------------------------------------------------------

    def extra_repr(self):
        """The settings shown between the parentheses, e.g. `in_features=2, out_features=3`."""
        return ""

    def _get_name(self):
        return type(self).__name__

    def __repr__(self):
        """The module as a tree, the way PyTorch prints it.

        Children are printed before their parents (an explicit loop, no recursion), and each
        parent indents the text of its children by two spaces.
        """
        text = {}
        for module in _children_first(self):
            if type(module).__repr__ is not Module.__repr__ and module is not self:
                text[module] = repr(module)  # a subclass that prints itself its own way
                continue
            children = [(name, "None" if child is None else text[child])
                        for name, child in module._modules.items()]
            text[module] = module._repr_with_children(children)
        return text[self]

    def _repr_with_children(self, children):
        """`Name(extra)` or, with children, one `(name): child` line each, indented."""
        extra = self.extra_repr()
        lines = extra.split("\n") if extra else []
        lines += [_indent(f"({name}): {child}") for name, child in children]
        if not lines:
            return f"{self._get_name()}()"
        if len(lines) == 1 and not children:
            return f"{self._get_name()}({lines[0]})"
        return f"{self._get_name()}(\n  " + "\n  ".join(lines) + "\n)"


class _HookHandle:
    """What the `register_*_hook` methods return: `remove()` takes the hook off again."""

    _ids = itertools.count()

    def __init__(self, hooks, hook):
        self.hooks, self.id = hooks, next(self._ids)
        hooks[self.id] = hook

    def remove(self):
        self.hooks.pop(self.id, None)


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What `load_state_dict` returns: the keys it did not find, and those it did not expect."""

    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()


def _children_first(root):
    """Every module under `root` (root included), each listed after all its children."""
    order, stack = [], [(root, False)]
    while stack:
        module, children_listed = stack.pop()
        if children_listed:
            order.append(module)
            continue
        stack.append((module, True))
        stack.extend((child, False) for child in reversed(list(module.children())))
    return order


def _indent(text, spaces=2):
    """Indent every line but the first (the first follows a `(name): ` label)."""
    return text.replace("\n", "\n" + " " * spaces)


def _check_name(module, name, kind, store):
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string. Got {_typename(name)}")
    if "." in name:
        raise KeyError(f'{kind} name can\'t contain "."')
    if name == "":
        raise KeyError(f'{kind} name can\'t be empty string ""')
    if name not in store and name in module.__dict__:
        raise KeyError(f"attribute '{name}' already exists")


def _typename(value):
    """`autograd_lab.FloatTensor` for a tensor, the class name for anything else."""
    return value.type() if isinstance(value, Tensor) else type(value).__name__
