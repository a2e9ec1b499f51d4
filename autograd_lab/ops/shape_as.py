"""The `_as` forms of the shape ops, which take the shape from another tensor:
`x.expand_as(y)` is `x.expand(y.size())`, and likewise `view_as` and `reshape_as`.

>>> import autograd_lab as alt
>>> alt.tensor([[1.0], [2.0]]).expand_as(alt.zeros(2, 3))
tensor([[1., 1., 1.],
        [2., 2., 2.]])
"""

from autograd_lab.ops.base import export


@export("expand_as", function=False)
def expand_as(input, other):
    """`input` broadcast to the shape of `other` (a view: no data is copied)."""
    return input.expand(other.shape)


@export("view_as", function=False)
def view_as(input, other):
    """`input` viewed with the shape of `other` (they must hold as many elements)."""
    return input.view(other.shape)


@export("reshape_as", function=False)
def reshape_as(input, other):
    """`input` reshaped to the shape of `other` (a view when it can be, else a copy)."""
    return input.reshape(other.shape)
