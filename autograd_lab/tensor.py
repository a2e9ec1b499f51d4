"""`Tensor`: an array plus what autograd needs to know about it.

A tensor holds its data (a numpy array on "cpu", a cupy array on "cuda") and, for autograd:
`requires_grad` (should gradients flow to it?), `grad_fn` (the node that made it, None for a
leaf), `grad` (filled in by `backward()` for leaves) and a version counter that in-place
operations bump, so that backward can tell when a tensor it saved was changed.

The arithmetic (`+`, `@`, `exp`, `sum`, ...) lives in `autograd_lab.ops`, one class per
operation; each op module attaches its methods to Tensor, and so do the modules for in-place
changes (`ops.in_place_methods`), conversions (`ops.conversion`), `backward`
(`autograd.entry`) and values (`tensor_values`). This module imports none of them.
"""

import warnings
import weakref

import numpy as np

from autograd_lab import backend, dtypes
from autograd_lab._printing import tensor_repr
from autograd_lab.size import size_of


class Tensor:
    """A multi-dimensional array that can record the operations applied to it.

    >>> import autograd_lab as alt
    >>> x = alt.ones(2, 2, requires_grad=True)
    >>> y = x + 2
    >>> y
    tensor([[3., 3.],
            [3., 3.]], grad_fn=<AddBackward0>)
    """

    __slots__ = ("_data", "_requires_grad", "_grad_fn", "_grad", "_output_nr", "_version_cell",
                 "_grad_accumulator", "_retains_grad", "_hooks", "_base", "_view", "_device",
                 "__weakref__")
    __array_ufunc__ = None  # numpy_array * tensor calls Tensor.__rmul__ instead of numpy

    def __init__(self, *data_or_sizes):
        """`Tensor([1, 2])` copies data as float32; `Tensor(2, 3)` makes an uninitialised 2x3."""
        if len(data_or_sizes) == 1 and not isinstance(data_or_sizes[0], int):
            array = np.array(_to_array(data_or_sizes[0]), dtype=np.float32)
        else:
            array = np.empty(data_or_sizes, dtype=np.float32)
        self._init(array, backend.CPU)

    def _init(self, array, device):
        self._data = array
        self._requires_grad = False
        self._grad_fn = None
        self._grad = None
        self._output_nr = 0
        self._version_cell = [0]
        self._grad_accumulator = None
        self._retains_grad = None  # the hook that keeps .grad, once retain_grad() was called
        self._hooks = None
        self._base = None  # for a view: the tensor whose storage it shares
        self._view = None  # for a view: how it was made from `_base` (an `autograd.views.ViewInfo`)
        self._device = device

    @classmethod
    def _from_array(cls, array, device=None):
        """Wrap an array without copying it (what every op does with its result)."""
        tensor = object.__new__(Tensor)
        tensor._init(array, device or backend.device_of(array))
        return tensor

    @classmethod
    def _zeros(cls, shape, dtype, device):
        return cls._from_array(backend.module_for(device).zeros(shape, dtype.numpy), device)

    # -- autograd attributes -------------------------------------------------------------------

    @property
    def requires_grad(self):
        """Should operations on this tensor be recorded so that gradients can flow back to it?

        A view requires grad as soon as its base does.
        """
        return self._requires_grad or (self._view is not None and self._base._requires_grad)

    @requires_grad.setter
    def requires_grad(self, flag):
        if self._grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if flag and self._data.dtype.kind != "f":
            raise RuntimeError("only Tensors of floating point and complex dtype can require "
                               "gradients")
        self._requires_grad = bool(flag)

    def requires_grad_(self, requires_grad=True):
        """Set `requires_grad` in place, return self: `w = alt.randn(3).requires_grad_()`."""
        if requires_grad and self._grad_fn is not None:
            return self  # a non-leaf that requires grad already
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = requires_grad
        return self

    @property
    def grad_fn(self):
        """The node that made this tensor, where backward goes next (None for a leaf)."""
        if self._view is not None:
            self._follow_base()
        return self._grad_fn

    def _set_history(self, node, output_nr):
        """Make `node` this tensor's grad_fn after an in-place change; `.grad` follows it."""
        if self._retains_grad and self._grad_fn is not None:  # as in PyTorch
            self._grad_fn.tensor_hooks[self._output_nr].remove(self._retains_grad)
        self._grad_fn, self._output_nr, self._requires_grad = node, output_nr, True
        if self._retains_grad:
            self._add_node_hook(self._retains_grad)

    @property
    def is_leaf(self):
        """True for tensors the user made (no `grad_fn`); only leaves get `.grad` by default."""
        return self.grad_fn is None

    @property
    def grad(self):
        """The gradient accumulated by `backward()`; None until then, and for non-leaves."""
        if self._grad_fn is not None and not self._retains_grad and self._grad is None:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
                ".grad attribute won't be populated during autograd.backward(). If you indeed "
                "want the .grad field to be populated for a non-leaf Tensor, use .retain_grad() "
                "on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure "
                "you access the leaf Tensor instead.",
                UserWarning,
                stacklevel=2,
            )
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of "
                                f"type {type(value).__name__}")
            if value.shape != self.shape:
                raise RuntimeError(f"attempting to assign a gradient of size '{_size(value.shape)}'"
                                   f" to a tensor of size '{_size(self.shape)}'. Please ensure "
                                   "that the gradient and the tensor are the same size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(f"attempting to assign a gradient with dtype "
                                   f"'{value.dtype.name}' to a tensor with dtype "
                                   f"'{self.dtype.name}'. The gradient must match the tensor's "
                                   "dtype.")
        self._grad = value

    @property
    def retains_grad(self):
        """True when `retain_grad()` asked a non-leaf to keep its `.grad`."""
        return self._retains_grad is not None

    def retain_grad(self):
        """Keep `.grad` for this non-leaf tensor too when `backward()` runs."""
        no_grad_view = self._view is not None and self._view.made_by == "no_grad"
        if (self._grad_fn if no_grad_view else self.grad_fn) is None:  # as PyTorch: such a
            # view stays a leaf here, not brought up to date with a base changed in place
            if not self.requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        if self._retains_grad:
            return
        me = weakref.ref(self)

        def keep_grad(grad):
            tensor = me()
            if tensor is not None:
                tensor._grad = grad.clone() if tensor._grad is None else tensor._grad + grad

        self._retains_grad = keep_grad
        self._add_node_hook(keep_grad)

    def register_hook(self, hook):
        """Call `hook(grad)` when this tensor's gradient is computed; a returned tensor replaces it.

        Returns a handle whose `remove()` takes the hook off again.
        """
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            self._hooks = (self._hooks or []) + [hook]
            return _HookHandle(lambda: self._hooks.remove(hook))
        return _HookHandle(self._add_node_hook(hook))

    def _add_node_hook(self, hook):
        node, output_nr = self._grad_fn, self._output_nr
        if getattr(node, "tensor_hooks", None) is None:
            node.tensor_hooks = {}
        hooks = node.tensor_hooks.setdefault(output_nr, [])
        if self._retains_grad in hooks:  # .grad keeps what every other hook made of the grad
            hooks.insert(hooks.index(self._retains_grad), hook)
        else:
            hooks.append(hook)
        return lambda: node.tensor_hooks[output_nr].remove(hook)

    def detach(self):
        """A new tensor on the same storage, cut from the graph (`requires_grad=False`)."""
        out = Tensor._from_array(self._data, self._device)
        out._version_cell = self._version_cell  # same storage, same version counter
        return out

    def detach_(self):
        """Cut this tensor from the graph in place (it becomes a leaf).

        A view cannot be cut alone: it shares its base's storage, and so its base's history.
        """
        if self._base is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self._grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self):
        """The values without their history: a detached tensor sharing storage.

        Changes made through `.data` are invisible to autograd (no version bump), which is why
        modern code uses `with no_grad():` instead.
        """
        return Tensor._from_array(self._data, self._device)

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
        self._data = value._data
        self._device = backend.device_of(self._data)

    @property
    def _version(self):
        """How many in-place changes this tensor's storage has seen."""
        return self._version_cell[0]

    # -- description -------------------------------------------------------------------------

    @property
    def shape(self):
        """The size of each dimension, as a `Size` (a tuple that prints as PyTorch's)."""
        return size_of(self._data.shape)

    def size(self, dim=None):
        """`x.size()` is `x.shape`; `x.size(d)` the size of dimension `d` (negative d allowed)."""
        return size_of(self._data.shape) if dim is None else self._data.shape[
            _dim_index(dim, self.dim())]

    def dim(self):
        """The number of dimensions."""
        return self._data.ndim

    ndim = property(dim)

    def numel(self):
        """The number of elements."""
        return self._data.size

    nelement = numel

    def stride(self, dim=None):
        """Steps (in elements, not bytes) between neighbours along each dimension."""
        steps = tuple(step // self._data.itemsize for step in self._data.strides)
        return steps if dim is None else steps[_dim_index(dim, self.dim())]

    @property
    def output_nr(self):
        """Which output of its `grad_fn` this tensor is (0 for single-output operations)."""
        return self._output_nr

    @property
    def dtype(self):
        return dtypes.from_numpy_dtype(self._data.dtype)

    @property
    def device(self):
        return self._device

    @property
    def is_cuda(self):
        return self._device.type == "cuda"

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def element_size(self):
        return self._data.itemsize

    def is_contiguous(self):
        return bool(self._data.flags.c_contiguous)

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __repr__(self):
        return tensor_repr(
            backend.to_numpy(self._data),
            dtype_label=repr(self.dtype),
            device_label=None if self._device.type == "cpu" else str(self._device),
            grad_fn_name=self.grad_fn.name() if self.grad_fn is not None else None,
            requires_grad=self._requires_grad,
        )

    __hash__ = object.__hash__  # == compares element-wise, so hashing goes by identity

class _HookHandle:
    """What `register_hook` returns: call `remove()` to take the hook off again."""

    def __init__(self, remove):
        self._remove = remove

    def remove(self):
        try:
            self._remove()
        except ValueError:
            pass


_TYPE_NAMES = {"float16": "HalfTensor", "float32": "FloatTensor", "float64": "DoubleTensor",
               "uint8": "ByteTensor", "int8": "CharTensor", "int16": "ShortTensor",
               "int32": "IntTensor", "int64": "LongTensor", "bool": "BoolTensor"}


def _size(shape):
    return f"[{', '.join(str(s) for s in shape)}]"


def _dim_index(dim, ndim):
    """Turn a possibly negative dim into an index, with PyTorch's error when out of range."""
    low, high = -max(ndim, 1), max(ndim, 1) - 1
    if not low <= dim <= high:
        raise IndexError(f"Dimension out of range (expected to be in range of [{low}, {high}], "
                         f"but got {dim})")
    return dim % max(ndim, 1)


def _to_array(data):
    """The array behind a tensor; anything else (numbers, nested lists, arrays) as it is.

    numpy reads tensors nested in lists through `Tensor.__array__`, and lists stay lists so
    that `tensor()` can infer the dtype the way PyTorch does (Python floats -> float32).
    """
    return data._data if isinstance(data, Tensor) else data


def attach_methods(holder):
    """Copy the methods and properties of the class `holder` onto Tensor.

    This is how the modules above this one add their methods (`add_`, `to`, `new_zeros`, ...)
    without this module importing them.
    """
    for name, value in vars(holder).items():
        if callable(value) or isinstance(value, property):
            setattr(Tensor, name, value)
