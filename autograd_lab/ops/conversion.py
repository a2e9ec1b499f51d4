"""Copies: `clone`, `to(dtype/device)`, `copy_` — each passes the gradient straight back."""

from autograd_lab import backend
from autograd_lab.autograd.function import Function
from autograd_lab.ops.base import export


class Clone(Function):
    """y = a copy of x  ->  dy/dx = 1"""

    node_name = "CloneBackward0"
    computes_on_arrays = True

    @staticmethod
    def forward(ctx, x):
        return x._data.copy()

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
        xp = backend.array_module(x._data)
        return xp.broadcast_to(source._data, x.shape).astype(x._data.dtype)

    @staticmethod
    def backward(ctx, grad):
        return None, grad.to(ctx.source_dtype)


@export("clone")
def clone(input):
    """A copy with its own storage; gradients flow back to `input`."""
    return Clone.apply(input)
