"""Memory layout of a computed result, chosen as PyTorch chooses it.

The values do not depend on it, but `.view()` does: it works only where the strides allow. For
an op that reads several tensors (operands), PyTorch orders the result's dims from the fastest
changing in memory to the slowest by asking the operands, in order: of two dims, the one with
the smaller stride goes first, as the first operand that has a say decides (an operand has no
say about a dim it repeats, stride 0; of equal strides, the smaller dim goes first).
"""


def dims_fastest_first(shape, operand_strides):
    """The result's dims, fastest changing first, for operands with these strides (one tuple per
    operand, each as long as `shape`)."""

    def should_swap(dim0, dim1):  # > 0: dim1 changes faster than dim0 and belongs before it
        for strides in operand_strides:
            stride0, stride1 = strides[dim0], strides[dim1]
            if stride0 == 0 or stride1 == 0:
                continue
            if stride0 != stride1:
                return 1 if stride0 > stride1 else -1
            if shape[dim0] > shape[dim1]:
                return 1
        return 0

    order = list(reversed(range(len(shape))))  # row-major unless an operand says otherwise
    for i in range(1, len(order)):  # insertion sort, which keeps undecided pairs as they are
        moving = i
        for before in range(i - 1, -1, -1):
            comparison = should_swap(order[before], order[moving])
            if comparison > 0:
                order[before], order[moving] = order[moving], order[before]
                moving = before
            elif comparison < 0:
                break
    return order


def row_major(array):
    """`array`, copied into row-major order unless it is laid out so already."""
    return array if array.flags.c_contiguous else array.copy(order="C")


def laid_out(array, order, xp):
    """A copy of `array` whose dims lie in memory in `order` (fastest first)."""
    slowest_first = list(reversed(order))
    buffer = xp.empty([array.shape[d] for d in slowest_first], dtype=array.dtype)
    result = buffer.transpose([slowest_first.index(d) for d in range(array.ndim)])
    result[...] = array
    return result
