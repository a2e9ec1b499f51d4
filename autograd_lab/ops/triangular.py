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

from autograd_lab.backend import array_module
from autograd_lab.ops.base import export
from autograd_lab.ops.op import Op


class Tril(Op):
    """y = x where column <= row + diagonal, else 0  ->  dx = tril(grad): the kept elements
    pass their gradient through, the zeroed ones get none."""

    keep = "tril"  # numpy's name for what this op keeps

    def forward(self, x, *, diagonal):
        self.diagonal = diagonal
        if x.ndim < 2:
            raise RuntimeError(f"{self.keep}: input tensor must have at least 2 dimensions")
        return getattr(array_module(x), self.keep)(x, diagonal)

    def backward(self, xp, saved, grad):
        return getattr(xp, self.keep)(grad, self.diagonal)


class Triu(Tril):
    """y = x where column >= row + diagonal, else 0  ->  dx = triu(grad)"""

    keep = "triu"


@export("tril")
def tril(input, diagonal=0):
    """The lower triangle of `input` (the last two dims), zeros above it."""
    return Tril.apply(input, diagonal=diagonal)


@export("triu")
def triu(input, diagonal=0):
    """The upper triangle of `input` (the last two dims), zeros below it."""
    return Triu.apply(input, diagonal=diagonal)
