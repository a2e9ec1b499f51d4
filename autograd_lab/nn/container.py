"""Modules that hold other modules: `Sequential` (a chain) and `ModuleList` (a list).

>>> import autograd_lab as alt
>>> model = alt.nn.Sequential(alt.nn.Linear(1000, 100), alt.nn.ReLU(), alt.nn.Linear(100, 10))
>>> model
Sequential(
  (0): Linear(in_features=1000, out_features=100, bias=True)
  (1): ReLU()
  (2): Linear(in_features=100, out_features=10, bias=True)
)
>>> model[0]
Linear(in_features=1000, out_features=100, bias=True)
"""

import operator
from collections import OrderedDict

from autograd_lab.nn.module import Module, _indent


def _position(index, length):
    """A list position from a possibly negative int, with PyTorch's IndexError."""
    index = operator.index(index)
    if not -length <= index < length:
        raise IndexError(f"index {index} is out of range")
    return index % length


class Sequential(Module):
    """Runs its modules one after the other: the output of each is the input of the next.

    Give the modules as arguments (named "0", "1", ...) or as an `OrderedDict` of names.
    """

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(args):
                self.add_module(str(i), module)

    def forward(self, input):
        for module in self._modules.values():
            input = module(input)
        return input

    def __getitem__(self, index):
        items = list(self._modules.items())
        if isinstance(index, slice):
            return type(self)(OrderedDict(items[index]))
        return items[_position(index, len(items))][1]

    def __setitem__(self, index, module):
        key = list(self._modules)[_position(index, len(self._modules))]
        self.add_module(key, module)

    def __delitem__(self, index):
        keys = list(self._modules)
        for key in (keys[index] if isinstance(index, slice)
                    else [keys[_position(index, len(keys))]]):
            del self._modules[key]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module):
        """Add a module at the end of the chain."""
        self.add_module(str(len(self)), module)
        return self


class ModuleList(Module):
    """A Python list of modules whose parameters the parent module can see.

    A plain list attribute would hide its layers from `parameters()` (and so from the
    optimizer); a ModuleList registers each under its position ("0", "1", ...).
    It has no `forward`: the parent decides how to use the layers.
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return type(self)(list(self._modules.values())[index])
        return self._modules[str(_position(index, len(self)))]

    def __setitem__(self, index, module):
        self.add_module(str(_position(index, len(self))), module)

    def __delitem__(self, index):
        modules = list(self._modules.values())
        del modules[index]
        self._modules.clear()
        self.extend(modules)  # renumber: positions stay 0, 1, 2, ...

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __iadd__(self, modules):
        return self.extend(modules)

    def append(self, module):
        """Add a module at the end."""
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules):
        """Add each module of an iterable at the end."""
        for module in modules:
            self.append(module)
        return self

    def insert(self, index, module):
        """Insert a module before position `index`."""
        modules = list(self._modules.values())
        modules.insert(index, module)
        self._modules.clear()
        self.extend(modules)

    def _repr_with_children(self, children):
        """Like every module, except that a run of identical children prints once:
        `(0-2): 3 x Linear(...)`."""
        if not children:
            return f"{self._get_name()}()"
        runs = []  # [first, last, text]
        for position, (_, text) in enumerate(children):
            if runs and runs[-1][2] == text:
                runs[-1][1] = position
            else:
                runs.append([position, position, text])
        lines = [_indent(f"({first}): {text}" if first == last else
                         f"({first}-{last}): {last - first + 1} x {text}")
                 for first, last, text in runs]
        return f"{self._get_name()}(\n  " + "\n  ".join(lines) + "\n)"
