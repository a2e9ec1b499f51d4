"""`cumsum`: running totals along a dimension.

>>> import autograd_lab as alt
>>> alt.tensor([1.0, 2.0, 3.0]).cumsum(0)
tensor([1., 3., 6.])
"""

import numpy as np

from autograd_lab.autograd.function import Function
from autograd_lab.backend import array_module
from autograd_lab.ops.base import export
from autograd_lab.ops.layout import row_major
from autograd_lab.tensor import _dim_index


class Cumsum(Function):
    """yᵢ = x₀ + ... + xᵢ  ->  each xⱼ feeds every yᵢ with i >= j, so
    dx_j = g_j + ... + g_last: the running total of the gradient taken from the end,
    computed as sum(g) - cumsum(g) + g."""

    node_name = "CumsumBackward0"
    computes_on_arrays = True

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        data = x._data
        if data.dtype.kind in "biu":  # integers and booleans add up in int64, as in PyTorch
            data = data.astype(np.int64)
        if not data.ndim:
            return data.copy()
        return row_major(array_module(data).cumsum(data, axis=dim))  # as PyTorch lays it out

    @staticmethod
    def backward(ctx, grad):
        if grad.dim() == 0:
            return grad
        return grad.sum(ctx.dim, keepdim=True) - grad.cumsum(ctx.dim) + grad


@export("cumsum")
def cumsum(input, dim, *, dtype=None):
    """The running totals of `input` along `dim`."""
    if dtype is not None:
        input = input.to(dtype)
    return Cumsum.apply(input, dim=_dim_index(dim, input.dim()))
