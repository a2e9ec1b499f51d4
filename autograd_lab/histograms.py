"""Counting values into bins: `histogram` (counts and the bin edges) and `histc` (counts only).

Learners use them to look inside a network, e.g. how many tanh outputs sit near ±1:

>>> import autograd_lab as alt
>>> counts, edges = alt.histogram(alt.tensor([1.0, 2.0, 1.0]), bins=4, range=(0.0, 3.0))
>>> counts
tensor([0., 2., 1., 0.])
>>> edges
tensor([0.0000, 0.7500, 1.5000, 2.2500, 3.0000])

Each bin holds the values from its left edge up to (not including) its right edge; the last
bin includes its right edge too. Counting has no gradient.
"""

import collections

from autograd_lab import backend
from autograd_lab.ops.base import scalar_type_name
from autograd_lab.tensor import Tensor


class HistogramResult(collections.namedtuple("histogram", ["hist", "bin_edges"])):
    """What `histogram` returns, like `torch.return_types.histogram`: `.hist`, `.bin_edges`."""

    __slots__ = ()

    def __repr__(self):
        return (f"autograd_lab.return_types.histogram(\nhist={self.hist!r},\n"
                f"bin_edges={self.bin_edges!r})")


def histogram(input, bins=100, *, range=None, weight=None, density=False):
    """Count the elements of `input` in `bins` equal bins over `range` (default: from the
    smallest to the largest element), or in the bins between the edges of a tensor `bins`.

    `weight` counts each element with its weight instead of 1; `density=True` scales the
    counts so that they integrate to 1 over the range.
    """
    if not input.is_floating_point():
        raise NotImplementedError(f"\"histogramdd\" not implemented for "
                                  f"'{scalar_type_name(input)}'")
    data = input._data.reshape(-1)
    if range is not None and range[0] > range[1]:
        raise RuntimeError(f"torch.histogramdd: min should not exceed max, but got min "
                           f"{range[0]:g} max {range[1]:g} for dimension 0")
    xp = backend.array_module(data)
    edges = bins._data if isinstance(bins, Tensor) else bins
    counts, edges = xp.histogram(data, bins=edges, range=range, density=density,
                                 weights=None if weight is None else weight._data.reshape(-1))
    return HistogramResult(_tensor(counts, input), _tensor(edges, input))


def histc(input, bins=100, min=0, max=0):
    """The counts of `bins` equal bins between `min` and `max`; elements outside are left out.
    With `min == max` (the default) the range is that of the elements themselves."""
    data = input._data.reshape(-1)
    if min == max and data.size:
        min, max = float(data.min()), float(data.max())
    if min == max:  # a range of width 0 is widened, as in PyTorch
        min, max = min - 1, max + 1
    counts, _ = backend.array_module(data).histogram(data, bins=bins, range=(min, max))
    return _tensor(counts, input)


def _tensor(array, like):
    return Tensor._from_array(array.astype(like._data.dtype, copy=False), like.device)
