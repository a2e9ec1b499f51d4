"""Reductions: sum and mean over all elements or over chosen dims (`dim`, `keepdim`)."""

from autograd_lab.autograd.function import Function
from autograd_lab.ops.base import export, normalize_dims


def _kept_shape(shape, dims):
    """The shape a reduction has with `keepdim=True`: reduced dims become 1."""
    return tuple(1 if i in dims else size for i, size in enumerate(shape))


class Sum(Function):
    """y = sum of x over dims  ->  dy/dx = 1 for every element: the gradient is copied back"""

    node_name = "SumBackward1"
    computes_on_arrays = True

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        ctx.dims = normalize_dims(dim, x.dim())
        ctx.shape = x.shape
        return x._data.sum(axis=ctx.dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(_kept_shape(ctx.shape, ctx.dims)).expand(ctx.shape)


class SumAll(Sum):
    node_name = "SumBackward0"


class Mean(Function):
    """y = mean of x over dims  ->  dy/dx = 1 / n for each of the n elements averaged"""

    node_name = "MeanBackward1"
    computes_on_arrays = True

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        if x._data.dtype.kind != "f":
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating "
                f"point or complex dtype. Got: {x.dtype.name.capitalize()}"
            )
        ctx.dims = normalize_dims(dim, x.dim())
        ctx.shape = x.shape
        return x._data.mean(axis=ctx.dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        count = 1
        for d in ctx.dims:
            count *= ctx.shape[d]
        return grad.reshape(_kept_shape(ctx.shape, ctx.dims)).expand(ctx.shape) / count


class MeanAll(Mean):
    node_name = "MeanBackward0"


@export("sum")
def sum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum of all elements, or over `dim` (an int or a tuple of ints)."""
    if dtype is not None:
        input = input.to(dtype)
    if dim is None:
        return SumAll.apply(input)
    return Sum.apply(input, dim=dim, keepdim=keepdim)


@export("mean")
def mean(input, dim=None, keepdim=False, *, dtype=None):
    """Mean of all elements, or over `dim` (an int or a tuple of ints)."""
    if dtype is not None:
        input = input.to(dtype)
    if dim is None:
        return MeanAll.apply(input)
    return Mean.apply(input, dim=dim, keepdim=keepdim)
