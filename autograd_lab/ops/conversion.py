"""Copies: `clone`, `to(dtype/device)`, `copy_`, `fill_`, `zero_`.

Each passes the gradient of the values it copies straight back; values that are overwritten
(the old values of `x` in `x.copy_(y)` or `x.zero_()`) get a gradient of zero.
"""

import numpy as np

from autograd_lab import backend, dtypes
from autograd_lab.ops.base import broadcast_shapes, export
from autograd_lab.ops.op import Op
from autograd_lab.tensor import _TYPE_NAMES, Tensor, attach_methods


class Clone(Op):
    """y = a copy of x  ->  dy/dx = 1"""

    def forward(self, x, *, order="K"):
        return x.copy(order=order)  # "K": in x's memory order, as PyTorch's clone keeps it

    def backward(self, xp, saved, grad):
        return grad


class ToCopy(Op):
    """y = x in another dtype or on another device  ->  the gradient goes back the same way"""

    def forward(self, x, dtype, device):
        self.source_dtype = dtypes.from_numpy_dtype(x.dtype)
        self.source_device = backend.device_of(x)
        self.converts = dtype.numpy != x.dtype or device != self.source_device
        moved = backend.move(x, device)
        return moved.astype(dtype.numpy, copy=moved is x)

    def backward(self, xp, saved, grad):
        if not self.converts:  # a plain copy (`to(copy=True)`): the gradient goes back as it is
            return grad
        return ToCopy.run(xp, grad, dtype=self.source_dtype, device=self.source_device)

    @classmethod
    def apply(cls, x, dtype, device):
        result = super().apply(x, dtype=dtype, device=device)
        result._device = device  # the one input lives elsewhere; the output lives here
        return result


class CopyFrom(Op):
    """y = values of `source` poured into x's shape and dtype  ->  dx = 0, dsource = grad
    (the engine gives it back in source's dtype and shape, as for any op that converted or
    broadcast an input)"""

    node_name = "CopyBackwards"

    def forward(self, x, source):
        shape = broadcast_shapes(x.shape, source.shape)
        if shape != x.shape:
            raise RuntimeError(f"output with shape {list(x.shape)} doesn't match the broadcast "
                               f"shape {list(shape)}")
        xp = backend.array_module(x)
        return xp.broadcast_to(source, x.shape).astype(x.dtype)

    def backward(self, xp, saved, grad):
        return xp.zeros_like(grad) if self.needs_input_grad[0] else None, grad


class Fill(Op):
    """y = x with every element set to `value`  ->  dx = 0, dvalue = the sum of grad"""

    version = 2

    def forward(self, x, value):
        if hasattr(value, "dtype") and not isinstance(value, np.generic):  # a tensor's array
            self.node_name = "FillBackward3"  # PyTorch's name when the value is a tensor
        xp = backend.array_module(x)
        return xp.full(x.shape, value, dtype=x.dtype)

    def backward(self, xp, saved, grad):
        return (xp.zeros_like(grad) if self.needs_input_grad[0] else None,
                xp.sum(grad) if self.needs_input_grad[1] else None)


class Zero(Fill):
    """y = x with every element set to 0  ->  dx = 0"""

    version = 0


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
