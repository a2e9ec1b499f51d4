"""`cumsum`: running totals along a dimension.

>>> import autograd_lab as alt
>>> alt.tensor([1.0, 2.0, 3.0]).cumsum(0)
tensor([1., 3., 6.])
"""

import numpy as np

from autograd_lab.backend import array_module
from autograd_lab.ops.base import export
from autograd_lab.ops.layout import row_major
from autograd_lab.ops.op import Op
from autograd_lab.tensor import _dim_index


class Cumsum(Op):
    """yᵢ = x₀ + ... + xᵢ  ->  each xⱼ feeds every yᵢ with i >= j, so
    dx_j = g_j + ... + g_last: the running total of the gradient taken from the end,
    computed as sum(g) - cumsum(g) + g."""

    def forward(self, x, dim):
        self.dim, self.ndim = dim, x.ndim
        if x.dtype.kind in "biu":  # integers and booleans add up in int64, as in PyTorch
            x = x.astype(np.int64)
        if not x.ndim:
            return x.copy()
        return row_major(array_module(x).cumsum(x, axis=dim))  # as PyTorch lays it out

    def backward(self, xp, saved, grad):
        if self.ndim == 0:
            return grad
        return xp.sum(grad, axis=self.dim, keepdims=True) - xp.cumsum(grad, axis=self.dim) + grad


@export("cumsum")
def cumsum(input, dim, *, dtype=None):
    """The running totals of `input` along `dim`."""
    if dtype is not None:
        input = input.to(dtype)
    return Cumsum.apply(input, dim=_dim_index(dim, input.dim()))
