"""Indexing: `x[...]` reads, `x[...] = v` writes, and `masked_fill`.

Reading `x[index]` sends the gradient back into the indexed places of a zero tensor; an index
that repeats a position adds the gradients up there (scatter-add). Writing `x[index] = v`
takes the gradient of `v` from those places and gives `x` zero there.

A basic index (ints, slices, None, `...`) is taken one dimension at a time, as PyTorch does,
so `x[0, 1:]` records a SelectBackward0 and then a SliceBackward0; all of them are views.
An index with tensors, lists or masks in it is one IndexBackward0 (a copy).
"""

import numpy as np

from autograd_lab import backend
from autograd_lab.ops.base import broadcast_shapes, export
from autograd_lab.ops.layout import dims_fastest_first, laid_out, row_major
from autograd_lab.ops.op import Op
from autograd_lab.ops.shape import unsqueeze
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


def is_basic(key):
    """True when the index only has ints, slices, None and `...` (the result is a view)."""
    parts = key if isinstance(key, tuple) else (key,)
    return all(p is None or p is Ellipsis or isinstance(p, slice)
               or (isinstance(p, int) and not isinstance(p, bool)) for p in parts)


def _check_bounds(shape, key):
    """Raise PyTorch's IndexError for an int index past the end of its dim."""
    parts = key if isinstance(key, tuple) else (key,)
    dim = 0
    for position, part in enumerate(parts):
        if part is Ellipsis:
            dim = len(shape) - sum(1 for p in parts if p is not None and p is not Ellipsis)
            dim += sum(1 for p in parts[:position] if p is not None)
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


def _check_mask(mask_shape, shape):
    """A boolean mask must match the leading dims of the tensor it indexes."""
    for i, (m, s) in enumerate(zip(mask_shape, shape)):
        if m != s:
            raise IndexError(f"The shape of the mask {list(mask_shape)} at index {i} does not "
                             f"match the shape of the indexed tensor {list(shape)} at index {i}")


class SavesTensorsOfSettings:
    """Mixed into an op whose settings hold tensors that its backward needs (the tensors of
    an index, a mask): forward saves their arrays, and here they are matched back to their
    tensors as inputs' arrays are, so that backward refuses them once changed in place.
    Forward names them in `self.setting_tensors`."""

    setting_tensors = ()

    def _keep_saved(self, inputs, output):
        super()._keep_saved(tuple(inputs) + tuple(self.setting_tensors), output)


class Index(SavesTensorsOfSettings, Op):
    """y = x[index]  ->  dx = zeros with the gradient added at the indexed places"""

    def forward(self, x, *, index):
        key = index_key(index)
        _check_bounds(x.shape, key)
        self.key, self.shape = key, x.shape
        if isinstance(key, type(x)) and key.dtype.kind == "b":
            _check_mask(key.shape, x.shape)
        if not is_basic(key):  # the index tensors behind self.key: saved, so checked and freed
            self.setting_tensors = _tensors_in(index)
            self.save_for_backward(*_index_arrays(index, key, backend.array_module(x)))
        try:
            result = x[key]
            if not is_basic(key):  # numpy may lay out a copy column-wise: lay it out as PyTorch
                xp = backend.array_module(result)
                order = _index_result_order(x, key, result.ndim)
                return laid_out(result, order, xp) if order else row_major(result)
            return result
        except IndexError as error:
            text = str(error).replace("array", "tensor").replace("axis", "dimension")
            if text.startswith("too many indices"):
                text = f"too many indices for tensor of dimension {x.ndim}"
            raise IndexError(text) from None

    def backward(self, xp, saved, grad):
        return IndexAdd.run(xp, grad, key=self.key, shape=self.shape)


def _index_result_order(data, key, ndim):
    """The order PyTorch lays `data[key]` out in (`layout.dims_fastest_first`); None for an
    index with a mask in it (then row-major).

    PyTorch first takes the ints, slices and None of the index (a view of `data`), then reads
    that view with the indexed dims repeated (stride 0) over the index tensors' dims, and the
    index tensors repeated over the other dims: those are the operands.
    """
    xp = backend.array_module(data)
    parts = list(key) if isinstance(key, tuple) else [key]
    if any(getattr(getattr(part, "dtype", None), "kind", None) == "b" for part in parts):
        return None
    ellipses = [i for i, part in enumerate(parts) if part is Ellipsis]
    if ellipses:
        filled = data.ndim - sum(1 for p in parts if p is not None and p is not Ellipsis)
        parts[ellipses[0]:ellipses[0] + 1] = [slice(None)] * filled
    basic, tensors = [], {}  # tensors: dim of the view -> index tensor
    for part in parts:
        if isinstance(part, list) or getattr(part, "ndim", 0) > 0:
            tensors[sum(1 for p in basic if not isinstance(p, int))] = xp.asarray(part)
            part = slice(None)
        basic.append(part)
    if not tensors:
        return None
    view = data[tuple(basic)]
    indexed = sorted(tensors)
    shape = np.broadcast_shapes(*(tensors[d].shape for d in indexed))
    together = indexed == list(range(indexed[0], indexed[-1] + 1))
    before = list(range(indexed[0])) if together else []
    after = [d for d in range(view.ndim) if d not in indexed and d not in before]
    if len(before) + len(shape) + len(after) != ndim:
        return None

    def around(strides_of_index_dims, strides_of=lambda d: 0):
        return ([strides_of(d) for d in before] + list(strides_of_index_dims)
                + [strides_of(d) for d in after])

    operands = [around([0] * len(shape), lambda d: view.strides[d])]
    operands += [around(xp.broadcast_to(tensors[d], shape).strides) for d in indexed]
    return dims_fastest_first([view.shape[d] for d in before] + list(shape)
                              + [view.shape[d] for d in after], operands)


def _index_arrays(index, key, xp):
    """The arrays of the tensors and lists in an advanced index, which its backward needs."""
    parts, key_parts = (index, key) if isinstance(index, tuple) else ((index,), (key,))
    return [key_part if isinstance(part, Tensor) else xp.asarray(key_part)
            for part, key_part in zip(parts, key_parts) if isinstance(part, (Tensor, list))]


def _tensors_in(index):
    """The tensors an index holds itself (not inside a list)."""
    return tuple(part for part in (index if isinstance(index, tuple) else (index,))
                 if isinstance(part, Tensor))


def false_like(grad):
    """An all-False boolean array shaped as `grad` (an array, or a Tensor under
    create_graph): a backward marks places in it, for `MaskedFill` to zero them."""
    array = grad._data if isinstance(grad, Tensor) else grad
    return backend.array_module(array).zeros(array.shape, dtype=bool)


class Select(Index):
    """y = x[..., i, ...] (one int at dim d)  ->  dx = zeros with the gradient at index i"""

    is_view = True

    def forward(self, x, *, index):
        # numpy answers x[i] of a vector with a scalar copy; a trailing `...` keeps a 0-d view
        key = index if isinstance(index, tuple) else (index,)
        if not any(part is Ellipsis for part in key):
            key = key + (Ellipsis,)
        return super().forward(x, index=key)


class Slice(Index):
    """y = x[..., a:b:s, ...] (one slice at dim d)  ->  dx = zeros with the gradient there"""

    is_view = True


class Alias(Op):
    """y = x[...] (the same elements, a new tensor)  ->  dx = grad"""

    is_view = True

    def forward(self, x):
        return x[...]

    def backward(self, xp, saved, grad):
        return grad


class IndexAdd(Op):
    """y = zeros(shape) with x added at `key` (repeats add up)  ->  dx = grad[key]"""

    def forward(self, x, *, key, shape):
        self.key = key
        out = backend.array_module(x).zeros(shape, dtype=x.dtype)
        if is_basic(key):
            out[key] = x
        else:
            backend.scatter_add(out, key, x)
        return out

    def backward(self, xp, saved, grad):
        return Index.run(xp, grad, index=self.key)


class IndexPut(SavesTensorsOfSettings, Op):
    """y = x with y[key] = v  ->  dx = grad with zeros at key,  dv = grad[key]"""

    def forward(self, x, value, *, index):
        key = index_key(index)
        self.key = key  # the index tensors behind it: saved, so checked and freed (as Index's)
        self.setting_tensors = _tensors_in(index)
        self.save_for_backward(*_index_arrays(index, key, backend.array_module(x)))
        out = x.copy()
        out[key] = value
        return out

    def backward(self, xp, saved, grad):
        grad_x = grad_value = None
        if self.needs_input_grad[0]:
            written = false_like(grad)
            written[self.key] = True
            grad_x = MaskedFill.run(xp, grad, mask=written, value=0)
        if self.needs_input_grad[1]:
            grad_value = Index.run(xp, grad, index=self.key)
        return grad_x, grad_value


class MaskedFill(SavesTensorsOfSettings, Op):
    """y = x with `value` where mask is True  ->  dx = grad where mask is False, else 0"""

    def forward(self, x, *, mask, value):
        if isinstance(mask, Tensor):  # (a backward passes the mask it made as an array)
            self.setting_tensors, mask = (mask,), mask._data
        self.save_for_backward(mask)
        xp = backend.array_module(x)
        filled = xp.where(mask, xp.asarray(value, dtype=x.dtype), x)
        return row_major(filled)  # PyTorch fills a row-major copy of x

    def backward(self, xp, saved, grad):
        (mask,) = saved
        return MaskedFill.run(xp, grad, mask=mask, value=0)


@export("__getitem__")
def getitem(input, index):
    """`x[index]`: ints, slices, `...`, None, integer tensors or lists, boolean masks."""
    parts = basic_parts(index)
    if not is_basic(parts):
        return Index.apply(input, index=index)
    consumed = sum(1 for p in parts if p is not None and p is not Ellipsis)
    if consumed > input.dim():
        raise IndexError(f"too many indices for tensor of dimension {input.dim()}")
    out, dim = input, 0
    for part in parts:
        if part is Ellipsis:
            dim += input.dim() - consumed
        elif part is None:
            out = unsqueeze(out, dim)
            dim += 1
        elif isinstance(part, int):
            out = _select(out, dim, part)
        elif part != slice(None) or len(parts) == 1:  # a lone `x[:]` is still a slice
            out = _slice(out, dim, part)
            dim += 1
        else:
            dim += 1
    return Alias.apply(input) if out is input else out


def basic_parts(index):
    """The parts of an index, with a 0-d integer tensor or a numpy integer read as an int."""
    parts = index if isinstance(index, tuple) else (index,)
    return tuple(int(p) if _is_scalar_index(p) else p for p in parts)


def _is_scalar_index(part):
    """A 0-d integer tensor (`x[alt.tensor(1)]`) or a numpy integer indexes like an int."""
    if isinstance(part, Tensor):
        return part.dim() == 0 and part._data.dtype.kind in "iu"
    return isinstance(part, np.integer)


def _select(tensor, dim, i):
    size = tensor.shape[dim]
    if not -size <= i < size:
        raise IndexError(f"index {i} is out of bounds for dimension {dim} with size {size}")
    return Select.apply(tensor, index=(slice(None),) * dim + (i,))


def _slice(tensor, dim, part):
    if part.step is not None and part.step <= 0:
        raise ValueError("step must be greater than zero")
    return Slice.apply(tensor, index=(slice(None),) * dim + (part,))


@export("masked_fill")
def masked_fill(input, mask, value):
    """A copy of `input` with `value` wherever the boolean `mask` is True."""
    if isinstance(value, Tensor):
        value = value.item()
    if mask.shape != input.shape:
        broadcast_shapes(mask.shape, input.shape)
    return MaskedFill.apply(input, mask=mask, value=value)
