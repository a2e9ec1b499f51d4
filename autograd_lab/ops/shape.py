"""Shape changes that keep every value: reshape/view, t, transpose, permute, expand, (un)squeeze,
and joining or cutting tensors: cat, stack, split, chunk, unbind.

Their backward only moves the gradient back into the input's shape (or cuts it into the
inputs' pieces). Most of them return views (the result shares storage with the input), like
PyTorch's.
"""

import math

import numpy as np

from autograd_lab.backend import array_module, as_strided
from autograd_lab.broadcasting import sum_to_shape
from autograd_lab.ops.base import export, exported, normalize_dims, scalar_type_name
from autograd_lab.ops.op import Op
from autograd_lab.tensor import Tensor, _dim_index


def _resolve_shape(shape, numel):
    """Fill in a -1 in `shape` and check the element count, with PyTorch's message."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    shape = tuple(int(s) for s in shape)
    unknown = [i for i, s in enumerate(shape) if s == -1]
    if len(unknown) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = math.prod(s for s in shape if s != -1)
    if unknown and known and numel % known == 0:
        shape = shape[:unknown[0]] + (numel // known,) + shape[unknown[0] + 1:]
    if math.prod(shape) != numel or (unknown and not known):
        raise RuntimeError(f"shape '[{', '.join(str(s) for s in shape)}]' is invalid for input "
                           f"of size {numel}")
    return shape


class View(Op):
    """y = x with another shape  ->  the gradient is reshaped back"""

    is_view = True

    def forward(self, x, shape):
        self.shape = x.shape
        return x.reshape(shape)

    def backward(self, xp, saved, grad):
        return xp.reshape(grad, self.shape)


class Transpose(Op):
    """y = x with dims d0 and d1 swapped  ->  the gradient is swapped back"""

    is_view = True

    def forward(self, x, dim0, dim1):
        self.dim0, self.dim1 = dim0, dim1
        if dim0 == dim1:  # nothing to swap (also a 0-d tensor's t()): a plain view
            return x.view()
        return array_module(x).swapaxes(x, dim0, dim1)

    def backward(self, xp, saved, grad):  # the same swap undoes it (also of a 0-d tensor)
        return Transpose.run(xp, grad, dim0=self.dim0, dim1=self.dim1)


class T(Transpose):
    """`x.t()`: a Transpose of dims 0 and 1, under its own name"""


class Permute(Op):
    """y = x with its dims reordered  ->  the gradient is put back in the old order"""

    is_view = True

    def forward(self, x, dims):
        self.inverse = tuple(sorted(range(len(dims)), key=lambda i: dims[i]))
        return x.transpose(dims)

    def backward(self, xp, saved, grad):
        return xp.transpose(grad, self.inverse)


class Expand(Op):
    """y = x repeated along dims of size 1 (no copy)  ->  the gradient is summed back"""

    is_view = True

    def forward(self, x, shape):
        self.shape = x.shape  # a step of 0 makes every index of a dim show the same memory cell
        extra = len(shape) - x.ndim
        steps, below = [], x.itemsize  # PyTorch's strides: 0 only where a dim repeats
        for dim in reversed(range(len(shape))):
            size, step = (x.shape[dim - extra], x.strides[dim - extra]) if (
                dim >= extra) else (1, below)
            steps.insert(0, 0 if size != shape[dim] else step)
            below = shape[dim] * steps[0]
        return as_strided(x, shape, tuple(steps))

    def backward(self, xp, saved, grad):
        return sum_to_shape(grad, self.shape)


class ReshapeAlias(View):
    """y = x in another shape, read through x's strides (reshape of a transposed or sliced x
    that needs no copy)  ->  the gradient is reshaped back"""


class UnsafeView(View):
    """y = a contiguous copy of x in another shape (what reshape does when x's elements are
    not laid out in order, e.g. after a transpose)  ->  the gradient is reshaped back"""

    is_view = False

    def forward(self, x, shape):
        self.shape = x.shape
        return array_module(x).ascontiguousarray(x).reshape(shape)


class Unsqueeze(View):
    """`x.unsqueeze(d)`: a view with a dim of size 1 put in at d"""


class Squeeze(View):
    """`x.squeeze()`: a view without the dims of size 1"""


class SqueezeDim(View):
    """`x.squeeze(d)`: a view without dim d, if its size is 1"""

    node_name = "SqueezeBackward1"


class SqueezeDims(View):
    """`x.squeeze((d0, d1))`: a view without those of the dims whose size is 1"""

    node_name = "SqueezeBackward2"


class Cat(Op):
    """y = the inputs joined along `dim`  ->  each input gets its own slice of the gradient"""

    def forward(self, *arrays, dim):
        self.dim, self.sizes = dim, [a.shape[dim] for a in arrays]
        dtype = _result_dtype(arrays)
        xp = array_module(arrays[0])
        return xp.concatenate([a.astype(dtype, copy=False) for a in arrays], axis=dim)

    def backward(self, xp, saved, grad):
        return SplitWithSizes.run(xp, grad, sizes=self.sizes, dim=self.dim)


class Stack(Op):
    """y = the inputs stacked along a new dim  ->  input i gets the gradient's slice i"""

    def forward(self, *arrays, dim):
        self.dim = dim
        dtype = _result_dtype(arrays)
        xp = array_module(arrays[0])
        return xp.stack([a.astype(dtype, copy=False) for a in arrays], axis=dim)

    def backward(self, xp, saved, grad):
        return Unbind.run(xp, grad, dim=self.dim)


class Split(Op):
    """(y_1, ..., y_k) = consecutive pieces of x along `dim`  ->  dx = the pieces' gradients
    joined back together (a piece that got no gradient contributes zeros)."""

    is_view = True

    def forward(self, x, sizes, dim):
        self.dim = dim
        starts = [0]
        for size in sizes:
            starts.append(starts[-1] + size)
        lead = (slice(None),) * dim
        return tuple(x[lead + (slice(a, b),)] for a, b in zip(starts, starts[1:]))

    def backward(self, xp, saved, *grads):
        return Cat.run(xp, *grads, dim=self.dim)


class SplitWithSizes(Split):
    """`x.split([2, 3])`: a Split into pieces of the listed sizes"""


class Unbind(Op):
    """(y_0, ..., y_k) = the slices of x along `dim`  ->  dx = their gradients stacked"""

    is_view = True

    def forward(self, x, dim):
        self.dim = dim
        lead = (slice(None),) * dim
        return tuple(x[lead + (i, ...)] for i in range(x.shape[dim]))  # `...`: a view

    def backward(self, xp, saved, *grads):
        return Stack.run(xp, *grads, dim=self.dim)


def _result_dtype(arrays):
    """The dtype joined tensors get: the widest float if any is float, as in PyTorch."""
    floats = [a.dtype for a in arrays if a.dtype.kind == "f"]
    if floats and len(floats) < len(arrays):
        return max(floats, key=lambda d: d.itemsize)
    return np.result_type(*[a.dtype for a in arrays])


@export("reshape")
def reshape(input, *sizes, shape=None):
    """The same values in another shape; one dimension may be -1 (inferred).

    `x.reshape(2, 3)`, `x.reshape((2, 3))` and `alt.reshape(x, shape=(2, 3))` all work.
    """
    shape = _resolve_shape(sizes if shape is None else (shape,), input.numel())
    if not _can_view(input, shape):  # the elements must be copied into order first
        return UnsafeView.apply(input, shape=shape)
    return (View if input.is_contiguous() else ReshapeAlias).apply(input, shape=shape)


@export("view", function=False)
def view(input, *shape):
    """Like reshape, but never a copy: the result always shares storage.

    Whether that is possible depends on the strides, not only on contiguity: a column
    `x[:, 0]` can be viewed as any shape with 2 elements, `x.t()` cannot be flattened.
    """
    shape = _resolve_shape(shape, input.numel())
    if not _can_view(input, shape):
        raise RuntimeError("view size is not compatible with input tensor's size and stride "
                           "(at least one dimension spans across two contiguous subspaces). "
                           "Use .reshape(...) instead.")
    return View.apply(input, shape=shape)


def _can_view(input, shape):
    """Can the elements be read in `shape` by stepping through memory, without copying?"""
    array = input._data
    if array.flags.c_contiguous or array.size == 0:
        return True
    return bool(array_module(array).may_share_memory(array.reshape(shape), array))


@export("t")
def t(input):
    """Transpose of a matrix (a vector or a scalar is returned as it is)."""
    if input.dim() > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{input.dim()}D")
    return T.apply(input, dim0=0, dim1=1 if input.dim() == 2 else 0)


@export("transpose", "swapaxes")
def transpose(input, dim0, dim1):
    """Swap two dimensions."""
    n = input.dim()
    return Transpose.apply(input, dim0=_dim_index(dim0, n), dim1=_dim_index(dim1, n))


@export("permute")
def permute(input, *order, dims=None):
    """Reorder the dimensions: `x.permute(2, 0, 1)` (or `dims=(2, 0, 1)`)."""
    dims = order if dims is None else tuple(dims)
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = tuple(dims[0])
    if len(dims) != input.dim():
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                           f"not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {input.dim()} is not equal to len(dims) = {len(dims)}")
    dims = tuple(_dim_index(d, input.dim()) for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims=dims)


@export("expand", function=False)
def expand(input, *sizes, size=None):
    """Repeat dims of size 1 without copying (-1 keeps a size): `x.expand(3, -1)`."""
    sizes = sizes if size is None else tuple(size)
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    extra = len(sizes) - input.dim()
    if extra < 0:
        raise RuntimeError(f"expand(torch.{scalar_type_name(input)}Tensor{{{list(input.shape)}}}, "
                           f"size={list(sizes)}):"
                           f" the number of sizes provided ({len(sizes)}) must be greater or "
                           f"equal to the number of dimensions in the tensor ({input.dim()})")
    shape = tuple(input.shape[i - extra] if s == -1 else s for i, s in enumerate(sizes))
    for i, size in enumerate(input.shape):
        if size != 1 and size != shape[i + extra]:
            raise RuntimeError(f"The expanded size of the tensor ({shape[i + extra]}) must match "
                               f"the existing size ({size}) at non-singleton dimension "
                               f"{i + extra}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                               f"{list(input.shape)}")
    return Expand.apply(input, shape=shape)


@export("unsqueeze")
def unsqueeze(input, dim):
    """Insert a dimension of size 1 at `dim`."""
    dim = _dim_index(dim, input.dim() + 1)
    return Unsqueeze.apply(input, shape=input.shape[:dim] + (1,) + input.shape[dim:])


@export("squeeze")
def squeeze(input, dim=None):
    """Remove dimensions of size 1 (all of them, or only `dim`, an int or a tuple)."""
    dims = normalize_dims(dim, input.dim())
    shape = tuple(s for i, s in enumerate(input.shape) if not (i in dims and s == 1))
    kind = Squeeze if dim is None else SqueezeDim if isinstance(dim, int) else SqueezeDims
    return kind.apply(input, shape=shape)


@export("flatten")
def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims `start_dim..end_dim` into one."""
    if input.dim() == 0:
        return input.reshape(1)
    start, end = _dim_index(start_dim, input.dim()), _dim_index(end_dim, input.dim())
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input  # nothing to merge: PyTorch returns the tensor itself
    shape = input.shape[:start] + (math.prod(input.shape[start:end + 1]),) + input.shape[end + 1:]
    return input.reshape(shape)


def _reversed_dims(tensor):
    """`x.T`: all dimensions in reverse order (the transpose, for a matrix)."""
    return tensor.permute(tuple(reversed(range(tensor.dim()))))


Tensor.T = property(_reversed_dims)


def _joined_dim(tensors, dim, name):
    """Check the list given to cat/stack and return `dim` as a non-negative index."""
    if isinstance(tensors, Tensor):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, "
                        "not Tensor")
    if len(tensors) == 0:
        if name == "cat":
            raise ValueError("torch.cat(): expected a non-empty list of Tensors")
        raise RuntimeError(f"{name} expects a non-empty TensorList")
    return _dim_index(dim, tensors[0].dim() + (name == "stack"))


def cat(tensors, dim=0):
    """Join tensors along an existing dim: sizes must match in every other dim.

    >>> import autograd_lab as alt
    >>> alt.cat([alt.zeros(1, 2), alt.ones(2, 2)]).shape
    autograd_lab.Size([3, 2])
    """
    dim = _joined_dim(tensors, dim, "cat")
    first = tensors[0]
    for number, t in enumerate(tensors):
        if t.dim() != first.dim():
            raise RuntimeError(f"Tensors must have same number of dimensions: got "
                               f"{first.dim()} and {t.dim()}")
        for d, (a, b) in enumerate(zip(first.shape, t.shape)):
            if d != dim and a != b:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {dim}. "
                                   f"Expected size {a} but got size {b} for tensor number "
                                   f"{number} in the list.")
    return Cat.apply(*tensors, dim=dim)




def stack(tensors, dim=0):
    """Stack equally shaped tensors along a new dim `dim`."""
    dim = _joined_dim(tensors, dim, "stack")
    for number, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(tensors[0].shape)} at entry 0 and {list(t.shape)} at "
                               f"entry {number}")
    return Stack.apply(*tensors, dim=dim)


# functions only: PyTorch has no x.cat or x.stack
exported.update(cat=cat, concat=cat, concatenate=cat, stack=stack)


@export("split")
def split(tensor, split_size_or_sections, dim=0):
    """Cut into pieces along `dim`: of `split_size` each (the last may be smaller), or of
    the listed sizes. The pieces are views of `tensor`."""
    dim = _dim_index(dim, tensor.dim())
    length = tensor.shape[dim]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        sizes = [min(size, length - start) for start in range(0, length, size)] or [0]
        return Split.apply(tensor, sizes=sizes, dim=dim)
    sizes = [int(s) for s in split_size_or_sections]
    if sum(sizes) != length:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {length} "
                           f"(input tensor's size at dimension {dim}), but got split_sizes="
                           f"{sizes}")
    return SplitWithSizes.apply(tensor, sizes=sizes, dim=dim)


@export("chunk")
def chunk(input, chunks, dim=0):
    """Cut into `chunks` pieces of equal size along `dim` (the last may be smaller)."""
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    length = input.shape[_dim_index(dim, input.dim())]
    return split(input, max(-(-length // chunks), 1), dim)


@export("unbind")
def unbind(input, dim=0):
    """The slices along `dim`, as a tuple of views: `a, b = x.unbind()` for a 2-row x."""
    return Unbind.apply(input, dim=_dim_index(dim, input.dim()))
