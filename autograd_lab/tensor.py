"""`Tensor`: an array plus what autograd needs to know about it.

A tensor holds its data (a numpy array on "cpu", a cupy array on "cuda") and, for autograd:
`requires_grad` (should gradients flow to it?), `grad_fn` (the node that made it, None for a
leaf), `grad` (filled in by `backward()` for leaves) and a version counter that in-place
operations bump, so that backward can tell when a tensor it saved was changed.

The arithmetic (`+`, `@`, `exp`, `sum`, ...) lives in `autograd_lab.ops`, one class per
operation; each op module attaches its methods to Tensor.
"""

import warnings
import weakref

import numpy as np

from autograd_lab import backend, dtypes
from autograd_lab._printing import tensor_repr
from autograd_lab.generator import random_source
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

    def _follow_base(self):
        """Bring a view up to date with its base (lazily, as PyTorch does); return whether it
        requires grad.

        A view shows its base's storage: once the base, or another view of it, was changed in
        place, the view's values come from the base's new history, so its grad_fn is made again
        from the base.
        """
        base = self._base
        if self._view.version != self._version_cell[0] and (self._grad_fn is not None
                                                             or base._requires_grad):
            redo_view(self)
        return self._requires_grad or base._requires_grad

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
                grad = grad if grad_mode.is_grad_enabled() else grad.detach()
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

    def _gradient_edge(self):
        """Where this tensor's gradient must go: `(grad_fn, output_nr)`, or its AccumulateGrad."""
        if self._view is not None:
            self._follow_base()
        if self._grad_fn is not None:
            return (self._grad_fn, self._output_nr)
        if self._view is not None and not self._requires_grad:
            return (None, 0)  # a view made under no_grad: PyTorch sends its gradient nowhere
        return (accumulate_grad_node(self), 0)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor with respect to the leaves that made it.

        - `gradient`: needed when the tensor is not a scalar; backward then computes the
          vector-Jacobian product `gradientᵀ · J`.
        - `retain_graph`: keep saved tensors so that backward can run through the graph again.
        - `create_graph`: record the backward pass itself, so gradients can be differentiated.
        - `inputs`: accumulate only into these tensors' `.grad`.
        """
        autograd_backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def __deepcopy__(self, memo):
        """`copy.deepcopy(t)`: a new leaf with its own copy of the values (and of `.grad`).

        Like PyTorch, only leaves can be copied: a copy of an intermediate result could not
        carry its history along.
        """
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.")
        if id(self) not in memo:
            result = Tensor._from_array(self._data.copy(), self._device)
            result._requires_grad = self._requires_grad
            if self._grad is not None:
                result._grad = self._grad.__deepcopy__(memo)
            memo[id(self)] = result
        return memo[id(self)]

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

    # -- leaving autograd_lab ----------------------------------------------------------------

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted "
                               "to Scalar")
        return self._data.reshape(()).item()

    def tolist(self):
        """The values as (nested) Python lists."""
        return backend.to_numpy(self._data).tolist()

    def numpy(self):
        """The numpy array behind the tensor (shared memory). Only for cpu tensors without grad."""
        if self._requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        if self._device.type != "cpu":
            raise TypeError(f"can't convert {self._device} device type tensor to numpy. Use "
                            "Tensor.cpu() to copy the tensor to host memory first.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        array = self.detach().numpy() if self._device.type == "cpu" else None
        if array is None:
            self.numpy()  # raises the message that says to call .cpu()
        return array if dtype is None else array.astype(dtype)

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()).item())

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self.item())

    def __format__(self, spec):
        if self._data.ndim == 0:
            return format(self.item(), spec)
        return format(repr(self), spec)

    # -- moving between devices and dtypes ---------------------------------------------------

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        """A new tensor from `data`, with this tensor's dtype and device unless told otherwise."""
        return creation.tensor(data, dtype=dtype or self.dtype, device=device or self._device,
                               requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        """Zeros of `size`, with this tensor's dtype and device unless told otherwise."""
        return creation.zeros(*size, dtype=dtype or self.dtype, device=device or self._device,
                              requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        """Ones of `size`, with this tensor's dtype and device unless told otherwise."""
        return creation.ones(*size, dtype=dtype or self.dtype, device=device or self._device,
                             requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        """`fill_value` everywhere, with this tensor's dtype and device unless told otherwise."""
        return creation.full(size, fill_value, dtype=dtype or self.dtype,
                             device=device or self._device, requires_grad=requires_grad)

    new_empty = new_zeros

    def to(self, *args, dtype=None, device=None, copy=False, non_blocking=False):
        """`x.to("cuda")`, `x.to(alt.float64)`, `x.to(other_tensor)`, or with keywords.

        `non_blocking` is accepted for code written for PyTorch; copies here always complete.
        """
        for arg in args:
            if isinstance(arg, Tensor):
                dtype, device = arg.dtype, arg.device
            elif isinstance(arg, dtypes.dtype):
                dtype = arg
            else:
                device = arg
        device = self._device if device is None else backend.as_device(device)
        dtype = self.dtype if dtype is None else dtypes.from_numpy_dtype(
            dtypes.to_numpy_dtype(dtype))
        if device is self._device and dtype is self.dtype and not copy:
            return self
        return ToCopy.apply(self, dtype, device)

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None, non_blocking=False):
        return self.to("cuda" if device is None else backend.as_device(
            device if not isinstance(device, int) else f"cuda:{device}"))

    def float(self):
        return self.to(dtypes.float32)

    def double(self):
        return self.to(dtypes.float64)

    def half(self):
        return self.to(dtypes.float16)

    def long(self):
        return self.to(dtypes.int64)

    def int(self):
        return self.to(dtypes.int32)

    def bool(self):
        return self.to(dtypes.bool)

    def type(self, dtype=None):
        if dtype is None:
            return f"autograd_lab.{_TYPE_NAMES.get(self.dtype.name, 'Tensor')}"
        return self.to(dtype)

    def type_as(self, other):
        return self.to(other.dtype)

    # -- in-place changes --------------------------------------------------------------------

    def _check_inplace(self, records):
        """Refuse in-place changes that would hide history, as PyTorch does.

        `records`: will the change enter the graph (grad mode on, and this tensor or an
        operand requires grad)? Changing a leaf that requires grad would lose its values;
        the views that `views.ViewInfo.made_by` names cannot pass a change on to their base.
        """
        if not records:
            return
        if self._view is not None:
            if self._view.made_by is not None:
                raise view_error(self, "is being")
            if self._base._grad_fn is None and (self._requires_grad or self._base._requires_grad):
                raise RuntimeError("a view of a leaf Variable that requires grad is being used "
                                   "in an in-place operation.")
        elif self._requires_grad and self._grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                               "operation.")

    def _assign(self, compute, operand=None, may_overlap=False):
        """Change this tensor in place into `compute()`, the same op computed out of place.

        This is how every in-place op works here: check the change is allowed, compute
        `x + y` as usual, then copy the values into `x` and let `x` point at the new node.
        The version bump lets nodes that saved the old `x` notice. `operand` (the `y`) may
        not partly overlap `x` in memory, nor may two elements of `x` share a memory cell,
        unless `may_overlap` (`fill_` may fill an expanded tensor).
        """
        self._check_inplace(self._records_with(operand))
        if not may_overlap:
            check_write(self, operand)
        return self._write(compute())

    def _write(self, result):
        """Copy `result` into this tensor; written through a view, the change becomes the
        base's history (`ops.inplace`)."""
        records = result._grad_fn is not None
        self._check_inplace(records)
        if result.shape != self.shape:
            try:
                broadcast = np.broadcast_shapes(result.shape, self.shape)
            except ValueError:
                broadcast = None
            if broadcast != self.shape:
                raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the "
                                   f"broadcast shape {list(broadcast or result.shape)}")
        if result._data.dtype != self._data.dtype and not np.can_cast(
                result._data.dtype, self._data.dtype, casting="same_kind"):
            raise RuntimeError(f"result type {_TYPE_NAMES[result.dtype.name][:-6]} can't be "
                               f"cast to the desired output type "
                               f"{_TYPE_NAMES[self.dtype.name][:-6]}")
        if records:
            self._keep_old_values_for(result._grad_fn)
        backend.array_module(self._data).copyto(self._data, result._data, casting="unsafe")
        self._version_cell[0] += 1
        node = result._grad_fn
        if records and node.saves_output:  # exp_(), relu_(): the output it saved is self now
            node._saved = node._saved[:-1] + ((self.detach(), self._version),)
        if records and self._view is not None:
            write_through_view(self, result)
        elif records:
            self._set_history(node, result._output_nr)
        return self

    def _keep_old_values_for(self, node):
        """If `node` saved this tensor, give it a copy of the values about to be overwritten.

        `y.mul_(w)` computes `y * w`, whose node saved `y` to find the gradient of `w`;
        without the copy, backward would read the new values (and the version check fails).
        Only the first slot, where the node keeps `y` itself: in `y.mul_(y)` the other factor
        *is* the changed tensor, and backward raises, as in PyTorch.
        """
        slots = [saved is self for saved, _ in node._saved]
        if True not in slots:
            return
        first = slots.index(True)
        old = Tensor._from_array(self._data.copy(), self._device)
        old._grad_fn, old._output_nr = self._grad_fn, self._output_nr
        old._requires_grad = self._requires_grad
        node._saved = tuple((old, 0) if i == first else entry
                            for i, entry in enumerate(node._saved))

    def _write_in_place(self, ufunc_name, other):
        """Under no_grad, let the array library write `self <op> other` straight into self.

        Same values as `_assign`, without a temporary array as big as self and its copy: the
        update `w -= lr * w.grad` does this to every parameter on every step. Only the plain
        cases (a float tensor, and a Python number or a tensor of the same dtype and shape);
        returns False for the rest, which go through `_assign`.
        """
        if grad_mode._state.enabled or self._data.dtype.kind != "f":
            return False
        if isinstance(other, Tensor):
            if (other._device is not self._device or other._data.dtype != self._data.dtype
                    or other._data.shape != self._data.shape):
                return False
            check_write(self, other)
            other = other._data
        elif type(other) in (int, float):
            check_write(self)
        else:
            return False
        xp = backend.array_module(self._data)
        getattr(xp, ufunc_name)(self._data, other, out=self._data)
        self._version_cell[0] += 1
        return True

    def add_(self, other, alpha=1):
        if alpha == 1 and self._write_in_place("add", other):
            return self
        return self._assign(lambda: self.add(other, alpha=alpha), other)

    def sub_(self, other, alpha=1):
        if alpha == 1 and self._write_in_place("subtract", other):
            return self
        return self._assign(lambda: self.sub(other, alpha=alpha), other)

    def mul_(self, other):
        if self._write_in_place("multiply", other):
            return self
        return self._assign(lambda: self * other, other)

    def div_(self, other):
        if self._write_in_place("divide", other):
            return self
        return self._assign(lambda: self / other, other)

    def pow_(self, exponent):
        return self._assign(lambda: self ** exponent, exponent)

    def clamp_(self, min=None, max=None):
        return self._assign(lambda: self.clamp(min, max))

    def neg_(self):
        return self._assign(lambda: -self)

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_
    __ipow__ = pow_

    def exp_(self):
        return self._assign(self.exp)

    def log_(self):
        return self._assign(self.log)

    def relu_(self):
        return self._assign(self.relu)

    def sqrt_(self):
        return self._assign(self.sqrt)

    def abs_(self):
        return self._assign(self.abs)

    def sigmoid_(self):
        return self._assign(self.sigmoid)

    def tanh_(self):
        return self._assign(self.tanh)

    def masked_fill_(self, mask, value):
        return self._assign(lambda: self.masked_fill(mask, value), may_overlap=True)

    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        """Fill in place with samples from the uniform distribution on [a, b)."""
        return self._fill_random(lambda rng, shape: rng.uniform(a, b, shape), generator)

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        """Fill in place with samples from the normal distribution N(mean, std²)."""
        return self._fill_random(lambda rng, shape: rng.normal(mean, std, shape), generator)

    def _fill_random(self, draw, generator):
        def random_values():
            values = draw(random_source(generator, self._device), self._data.shape)
            return CopyFrom.apply(self, Tensor._from_array(values, self._device))

        return self._assign(random_values)

    def _records_with(self, operand):
        """Will an in-place change of this tensor by `operand` be recorded in the graph?"""
        return grad_mode._state.enabled and (self.requires_grad or (
            isinstance(operand, Tensor) and operand.requires_grad))

    def zero_(self):
        """Fill with zeros in place (`x.grad.zero_()` resets accumulated gradients)."""
        if self._records_with(None):
            return self._assign(lambda: Zero.apply(self, 0), may_overlap=True)
        return self.fill_(0)

    def fill_(self, value):
        """Fill with `value` in place (a tensor of any shape, even an expanded one)."""
        if self._records_with(value):
            return self._assign(lambda: Fill.apply(self, value), value, may_overlap=True)
        if isinstance(value, Tensor):
            value = value.item()
        self._data.fill(value)
        self._version_cell[0] += 1
        return self

    def copy_(self, source):
        """Copy values from `source` (broadcast to this shape) into this tensor, in place."""
        if not isinstance(source, Tensor):
            source = Tensor._from_array(np.asarray(source))
        if source.device is not self._device:
            source = source.to(self._device)
        return self._assign(lambda: CopyFrom.apply(self, source), source,
                            may_overlap=same_memory(self, source))  # PyTorch skips its checks

    def __setitem__(self, index, value):
        """`x[0, 1:] = y`, `x[mask] = 0`: in place, differentiable for non-leaf tensors."""
        set_item(self, index, value)


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


# The autograd and ops modules build on Tensor, so they are imported once it exists.
from autograd_lab import creation  # noqa: E402
from autograd_lab.autograd import grad_mode  # noqa: E402
from autograd_lab.autograd.engine import autograd_backward  # noqa: E402
from autograd_lab.autograd.function import accumulate_grad_node  # noqa: E402
from autograd_lab.autograd.views import view_error  # noqa: E402
from autograd_lab.ops.conversion import CopyFrom, Fill, ToCopy, Zero  # noqa: E402
from autograd_lab.ops.inplace import (  # noqa: E402
    check_write,
    redo_view,
    same_memory,
    set_item,
    write_through_view,
)
