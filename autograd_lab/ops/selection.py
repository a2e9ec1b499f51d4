"""Element-wise choices between two inputs: `where`, `maximum`, `minimum`.

The output takes each element from one input or the other, so the gradient of each element
goes back to the input it came from. Where both inputs are equal (a tie in maximum/minimum),
PyTorch gives each half of the gradient, and so does this module; where one is nan (so is the
output), each gets all of it.
"""

import numpy as np

from autograd_lab.backend import array_module
from autograd_lab.ops.base import (
    array_of,
    binary_arrays,
    broadcast_shapes,
    export,
    scalar_type_name,
)
from autograd_lab.ops.op import Op
from autograd_lab.tensor import Tensor


class Where(Op):
    """z = x where condition else y  ->  dz/dx = 1 where condition, dz/dy = 1 elsewhere"""

    def forward(self, condition, x, y):
        self.save_for_backward(condition)
        a, b = binary_arrays(x, y)
        return array_module(condition).where(condition, a, b)

    def backward(self, xp, saved, grad):
        # zeros filled in, not grad * mask: an inf gradient on the side not taken must give 0
        (condition,) = saved
        needs = self.needs_input_grad
        return (None,
                xp.where(condition, grad, 0) if needs[1] else None,
                xp.where(condition, 0, grad) if needs[2] else None)


class Maximum(Op):
    """z = max(x, y) element-wise  ->  dz/dx = 0 where x < y, 1/2 where x == y, else 1"""

    def forward(self, x, y):
        self.save_for_backward(x, y)
        a, b = binary_arrays(x, y)
        return array_module(a).maximum(a, b)

    def backward(self, xp, saved, grad):
        x, y = saved
        return _split(xp, grad, x, y, x < y), _split(xp, grad, x, y, x > y)


class Minimum(Op):
    """z = min(x, y) element-wise  ->  dz/dx = 0 where x > y, 1/2 where x == y, else 1"""

    def forward(self, x, y):
        self.save_for_backward(x, y)
        a, b = binary_arrays(x, y)
        return array_module(a).minimum(a, b)

    def backward(self, xp, saved, grad):
        x, y = saved
        return _split(xp, grad, x, y, x > y), _split(xp, grad, x, y, x < y)


def _split(xp, grad, x, y, lost):
    """One side's share of the gradient: half on a tie, none where it `lost`, else all of it
    (also where x or y is nan). Zeros are filled in, never multiplied: an inf gradient stays
    out of the side that lost."""
    return xp.where(lost, 0, xp.where(x == y, grad / 2, grad))


@export("where")
def where(condition, input=None, other=None):
    """`input` where `condition` is True, else `other` (tensors or numbers, broadcast).

    With only a condition, the indices of its True elements, one index tensor per dim.
    """
    xp = array_module(condition._data)
    if input is None and other is None:
        return tuple(Tensor._from_array(i, condition.device)
                     for i in xp.nonzero(condition._data))
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        input = Tensor._from_array(xp.asarray(input, dtype="float32" if isinstance(
            input, float) or isinstance(other, float) else None))
    if condition._data.dtype.kind != "b":
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {scalar_type_name(condition)}")
    broadcast_shapes(broadcast_shapes(condition.shape, np.shape(array_of(input))),
                     np.shape(array_of(other)))  # PyTorch's error when shapes do not fit
    return Where.apply(condition, input, other)


@export("maximum")
def maximum(input, other):
    """The larger of the two tensors, element by element (shapes broadcast)."""
    return Maximum.apply(input, other)


@export("minimum")
def minimum(input, other):
    """The smaller of the two tensors, element by element (shapes broadcast)."""
    return Minimum.apply(input, other)
