"""Copies: `clone`, `to(dtype/device)`, `copy_`, `fill_`, `zero_`.

Each passes the gradient of the values it copies straight back; values that are overwritten
(the old values of `x` in `x.copy_(y)` or `x.zero_()`) get a gradient of zero.
"""

from autograd_lab import backend, dtypes
from autograd_lab.autograd.function import Function
from autograd_lab.ops.base import array_of, broadcast_shapes, export
from autograd_lab.tensor import _TYPE_NAMES, Tensor, attach_methods


class Clone(Function):
    """y = a copy of x  ->  dy/dx = 1"""

    node_name = "CloneBackward0"
    computes_on_arrays = True

    @staticmethod
    def forward(ctx, x, *, order="K"):
        return x._data.copy(order=order)  # "K": in x's memory order, as PyTorch's clone keeps it

    @staticmethod
    def backward(ctx, grad):
        return grad


class ToCopy(Function):
    """y = x in another dtype or on another device  ->  the gradient goes back the same way"""

    node_name = "ToCopyBackward0"
    computes_on_arrays = True

    @staticmethod
    def forward(ctx, x, dtype, device):
        ctx.dtype, ctx.device = x.dtype, x.device
        moved = backend.move(x._data, device)
        return moved.astype(dtype.numpy, copy=moved is x._data)

    @staticmethod
    def backward(ctx, grad):
        return grad.to(dtype=ctx.dtype, device=ctx.device)

    @classmethod
    def apply(cls, x, dtype, device):
        result = super().apply(x, dtype=dtype, device=device)
        result._device = device  # the one input lives elsewhere; the output lives here
        return result


class CopyFrom(Function):
    """y = values of `source` poured into x's shape and dtype  ->  dx = 0, dsource = grad"""

    node_name = "CopyBackwards"
    computes_on_arrays = True

    @staticmethod
    def forward(ctx, x, source):
        ctx.source_dtype = source.dtype
        shape = broadcast_shapes(x.shape, source.shape)
        if shape != x.shape:
            raise RuntimeError(f"output with shape {list(x.shape)} doesn't match the broadcast "
                               f"shape {list(shape)}")
        xp = backend.array_module(x._data)
        return xp.broadcast_to(source._data, x.shape).astype(x._data.dtype)

    @staticmethod
    def backward(ctx, grad):
        return (grad.new_zeros(grad.shape) if ctx.needs_input_grad[0] else None,
                grad.to(ctx.source_dtype))


class Fill(Function):
    """y = x with every element set to `value`  ->  dx = 0, dvalue = the sum of grad"""

    node_name = "FillBackward2"
    computes_on_arrays = True

    @staticmethod
    def forward(ctx, x, value):
        if isinstance(value, Tensor):
            ctx.node_name = "FillBackward3"  # PyTorch's name when the value is a tensor
        xp = backend.array_module(x._data)
        return xp.full(x.shape, array_of(value), dtype=x._data.dtype)

    @staticmethod
    def backward(ctx, grad):
        return (grad.new_zeros(grad.shape) if ctx.needs_input_grad[0] else None,
                grad.sum() if ctx.needs_input_grad[1] else None)


class Zero(Fill):
    """y = x with every element set to 0  ->  dx = 0"""

    node_name = "ZeroBackward0"


@export("clone")
def clone(input):
    """A copy with its own storage; gradients flow back to `input`."""
    return Clone.apply(input)


@export("contiguous", function=False)
def contiguous(input):
    """`input` itself when its elements lie in row-major order, else a row-major copy."""
    return input if input.is_contiguous() else Clone.apply(input, order="C")


class _ConversionMethods:
    """`x.to(...)`, `x.float()`, `x.cuda()`, ...: copies to another dtype or device."""

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


attach_methods(_ConversionMethods)
