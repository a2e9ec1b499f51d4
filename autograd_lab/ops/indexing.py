"""Indexing: `x[...]` reads, `x[...] = v` writes, and `masked_fill`.

Reading `x[index]` sends the gradient back into the indexed places of a zero tensor; an index
that repeats a position adds the gradients up there (scatter-add). Writing `x[index] = v`
takes the gradient of `v` from those places and gives `x` zero there.
"""

from autograd_lab import backend
from autograd_lab.autograd.function import Function
from autograd_lab.ops.base import export
from autograd_lab.tensor import Tensor


def index_key(index):
    """An index as numpy understands it: tensors inside it become their arrays."""
    if isinstance(index, Tensor):
        return _checked_index_array(index)
    if isinstance(index, tuple):
        return tuple(_checked_index_array(i) if isinstance(i, Tensor) else i for i in index)
    if isinstance(index, list) and any(isinstance(i, Tensor) for i in index):
        return [i._data if isinstance(i, Tensor) else i for i in index]
    return index


def _checked_index_array(tensor):
    if tensor._data.dtype.kind not in "iub":
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    return tensor._data


def _is_basic(key):
    """True when the index only has ints, slices, None and `...` (the result is a view)."""
    parts = key if isinstance(key, tuple) else (key,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, slice)) for p in parts)


def _check_bounds(shape, key):
    """Raise PyTorch's IndexError for an int index past the end of its dim."""
    parts = key if isinstance(key, tuple) else (key,)
    dim = 0
    for part in parts:
        if part is Ellipsis:
            dim = len(shape) - sum(1 for p in parts if p is not None and p is not Ellipsis)
            dim += sum(1 for p in parts[:parts.index(part)] if p is not None)
            continue
        if part is None:
            continue
        if isinstance(part, int) and not isinstance(part, bool):
            if dim >= len(shape):
                raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
            if not -shape[dim] <= part < shape[dim]:
                raise IndexError(f"index {part} is out of bounds for dimension {dim} with size "
                                 f"{shape[dim]}")
        dim += 1


class Index(Function):
    """y = x[index]  ->  dx = zeros with the gradient added at the indexed places"""

    node_name = "IndexBackward0"
    computes_on_arrays = True

    @staticmethod
    def forward(ctx, x, *, index):
        key = index_key(index)
        _check_bounds(x.shape, key)
        ctx.key, ctx.shape = key, x.shape
        try:
            return x._data[key]
        except IndexError as error:
            raise IndexError(str(error).replace("array", "tensor")) from None

    @staticmethod
    def backward(ctx, grad):
        return IndexAdd.apply(grad, key=ctx.key, shape=ctx.shape)


class Select(Index):
    node_name = "SelectBackward0"
    is_view = True


class Slice(Index):
    node_name = "SliceBackward0"
    is_view = True


class IndexAdd(Function):
    """y = zeros(shape) with x added at `key` (repeats add up)  ->  dx = grad[key]"""

    node_name = "IndexAddBackward0"
    computes_on_arrays = True

    @staticmethod
    def forward(ctx, x, *, key, shape):
        ctx.key = key
        xp = backend.array_module(x._data)
        out = xp.zeros(shape, dtype=x._data.dtype)
        if _is_basic(key):
            out[key] = x._data
        else:
            backend.scatter_add(out, key, x._data)
        return out

    @staticmethod
    def backward(ctx, grad):
        return Index.apply(grad, index=ctx.key)


class IndexPut(Function):
    """y = x with y[key] = v  ->  dx = grad with zeros at key,  dv = grad[key]"""

    node_name = "IndexPutBackward0"
    computes_on_arrays = True

    @staticmethod
    def forward(ctx, x, value, *, index):
        key = index_key(index)
        ctx.key = key
        out = x._data.copy()
        out[key] = value._data if isinstance(value, Tensor) else value
        return out

    @staticmethod
    def backward(ctx, grad):
        keep = Tensor._from_array(backend.array_module(grad._data).ones(grad.shape, bool))
        keep._data[ctx.key] = False
        grad_value = Index.apply(grad, index=ctx.key) if ctx.needs_input_grad[1] else None
        return grad * keep, grad_value


class MaskedFill(Function):
    """y = x with `value` where mask is True  ->  dx = grad where mask is False, else 0"""

    node_name = "MaskedFillBackward0"
    computes_on_arrays = True

    @staticmethod
    def forward(ctx, x, *, mask, value):
        ctx.mask = mask
        xp = backend.array_module(x._data)
        return xp.where(mask._data, xp.asarray(value, dtype=x._data.dtype), x._data)

    @staticmethod
    def backward(ctx, grad):
        return grad * ~ctx.mask


@export("__getitem__")
def getitem(input, index):
    """`x[index]`: ints, slices, `...`, None, integer tensors or lists, boolean masks."""
    key = index_key(index)
    if isinstance(key, int) and not isinstance(key, bool):
        return Select.apply(input, index=key)
    if _is_basic(key):
        return Slice.apply(input, index=key)
    return Index.apply(input, index=index)


@export("masked_fill")
def masked_fill(input, mask, value):
    """A copy of `input` with `value` wherever the boolean `mask` is True."""
    if isinstance(value, Tensor):
        value = value.item()
    return MaskedFill.apply(input, mask=mask, value=value)
