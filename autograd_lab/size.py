"""`Size`: the type of `x.shape` and `x.size()`, a tuple of ints that prints as PyTorch's does.

It is a plain tuple in every way that matters (`x.shape == (2, 3)`, `rows, cols = x.shape`,
`x.shape[0]`); only its printed form and `numel()` are added:

>>> import autograd_lab as alt
>>> alt.zeros(2, 3).shape
autograd_lab.Size([2, 3])
>>> alt.Size([2, 3]).numel()
6
"""

import operator
from functools import partial


class Size(tuple):
    """The sizes of a tensor's dimensions. Slicing it, or adding a tuple to it, gives a Size."""

    __slots__ = ()

    def __new__(cls, sizes=()):
        sizes = tuple(sizes)
        if all(type(size) is int for size in sizes):
            return super().__new__(cls, sizes)
        for i, size in enumerate(sizes):
            if not hasattr(size, "__index__"):
                raise TypeError(f"autograd_lab.Size() takes an iterable of 'int' (item {i} is "
                                f"'{type(size).__name__}')")
        return super().__new__(cls, map(operator.index, sizes))

    def numel(self):
        """The number of elements a tensor of this size holds (1 for the size of a scalar)."""
        count = 1
        for size in self:
            count *= size
        return count

    def __getitem__(self, index):
        item = tuple.__getitem__(self, index)
        return size_of(item) if type(index) is slice else item

    def __add__(self, other):
        return Size(super().__add__(other))

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self))

    def __mul__(self, times):
        return Size(super().__mul__(times))

    __rmul__ = __mul__

    def __repr__(self):
        return f"autograd_lab.Size({list(self)})"

    __str__ = __repr__

    def __reduce__(self):
        return (Size, (tuple(self),))


# `size_of(array.shape)`: a Size for a shape that holds ints already, without checking them
# (`x.shape` is read many times per operation; this keeps it as cheap as a tuple copy)
size_of = partial(tuple.__new__, Size)
