"""`tril` and `triu`: keep the lower (or upper) triangle of a matrix, zeros elsewhere.

A language model uses `tril` to let each position look only at the ones before it:

>>> import autograd_lab as alt
>>> alt.tril(alt.ones(3, 3))
tensor([[1., 0., 0.],
        [1., 1., 0.],
        [1., 1., 1.]])

`diagonal` moves the edge: 1 keeps one diagonal more above the main one, -1 one fewer.
Batches of matrices work too (the last two dimensions are the matrix).
"""

from autograd_lab.autograd.function import Function
from autograd_lab.backend import array_module
from autograd_lab.ops.base import export


class Tril(Function):
    """y = x where column <= row + diagonal, else 0  ->  dx = tril(grad): the kept elements
    pass their gradient through, the zeroed ones get none."""

    node_name = "TrilBackward0"
    computes_on_arrays = True
    keep = "tril"

    @classmethod
    def forward(cls, ctx, x, *, diagonal):
        ctx.diagonal = diagonal
        if x.dim() < 2:
            raise RuntimeError(f"{cls.keep}: input tensor must have at least 2 dimensions")
        return getattr(array_module(x._data), cls.keep)(x._data, diagonal)

    @classmethod
    def backward(cls, ctx, grad):
        return getattr(grad, cls.keep)(ctx.diagonal)


class Triu(Tril):
    """y = x where column >= row + diagonal, else 0  ->  dx = triu(grad)"""

    node_name = "TriuBackward0"
    keep = "triu"


@export("tril")
def tril(input, diagonal=0):
    """The lower triangle of `input` (the last two dims), zeros above it."""
    return Tril.apply(input, diagonal=diagonal)


@export("triu")
def triu(input, diagonal=0):
    """The upper triangle of `input` (the last two dims), zeros below it."""
    return Triu.apply(input, diagonal=diagonal)
