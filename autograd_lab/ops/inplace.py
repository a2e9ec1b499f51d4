"""In-place changes and views: how a change made through a view reaches its base's history.

`buf[1] += w` changes `buf` through the view `buf[1]`. As PyTorch does, autograd_lab then
gives the base a new node, `CopySlices` (the old base, with the view's elements replaced by
the new values), and the view a new `grad_fn`, `AsStridedBackward0` (the view made again
from the base's new history). Every other view of the same base follows lazily: its
`grad_fn` is made again from the base the next time it is used (`redo_view`).

The checks that come before any in-place write live here too: no two elements of the
written-to tensor may share one memory cell, and an operand may not half-overlap it.
"""

from autograd_lab import backend
from autograd_lab.autograd import grad_mode
from autograd_lab.autograd.views import view_error
from autograd_lab.ops import recorded
from autograd_lab.ops.indexing import (
    IndexPut,
    MaskedFill,
    basic_parts,
    false_like,
    index_key,
    is_basic,
)
from autograd_lab.ops.op import Op
from autograd_lab.tensor import Tensor


def _replay(base, steps):
    """The view that `steps` make of the array `base` (an array view, no copy), and the steps
    as nodes, their settings filled in by forward for their backward (view ops save nothing).
    """
    nodes, view = [], base
    for cls, settings in steps:
        node = cls.__new__(cls)
        node._saved = ()
        node.needs_input_grad = (True,)  # AsStrided asks each step for that gradient
        view = node.forward(view, **settings)
        nodes.append(node)
    return view, nodes


class AsStrided(Op):
    """y = the view that `steps` make of the base, made again after an in-place change
    ->  the gradient goes back through each step's own backward, last step first"""

    def forward(self, base, *, steps):
        view, self.nodes = _replay(base, steps)
        return view

    def backward(self, xp, saved, grad):
        for node in reversed(self.nodes):
            grads = node.differentiate((grad,), xp is recorded)
            grad = grads[0] if isinstance(grads, tuple) else grads
        return grad


class CopySlices(Op):
    """base' = base with the elements of its view replaced by `value` (an in-place change
    made through the view)  ->  dbase = grad with zeros in the view, dvalue = grad's view"""

    node_name = "CopySlices"

    def forward(self, base, value, *, steps):
        self.steps = steps
        return base  # the values are in place already: only the node is new

    def release(self):
        """As PyTorch's CopySlices, let go of the change once backward ran through it, though
        nothing was saved: a second backward through it is refused."""
        self._released = True

    def backward(self, xp, saved, grad):
        grad_base = grad_value = None
        if self.needs_input_grad[0]:
            inside = false_like(grad)
            _replay(inside, self.steps)[0][...] = True
            grad_base = MaskedFill.run(xp, grad, mask=inside, value=0)
        if self.needs_input_grad[1]:
            grad_value = AsStrided.run(xp, grad, steps=self.steps)
        return grad_base, grad_value


def write_through_view(view, result):
    """After `result` was written into `view`, give the base the history of that change."""
    base = view._base
    node = CopySlices.apply(base, result, steps=view._view.steps).grad_fn
    base._set_history(node, 0)  # the view itself is redone from the base when next used


def redo_view(view):
    """Make `view.grad_fn` again from its base's current history."""
    info = view._view
    if info.made_by is not None:
        raise view_error(view, "its base or another view of its base has been")
    info.version = view._version_cell[0]
    with grad_mode.enable_grad():
        redone = AsStrided.apply(view._base, steps=info.steps)
    if redone.grad_fn is not None:
        view._set_history(redone.grad_fn, 0)


def set_item(tensor, index, value):
    """`tensor[index] = value`, the way PyTorch does it.

    An index of ints and slices picks a view, and the value is written into that view:
    `fill_` for a number, or for a 0-d tensor on the cpu written into a view with dims; else
    `copy_` of the value (leading dims of size 1 dropped, expanded to the view's shape). A
    recorded change then reaches `tensor` through `CopySlices`. An index with tensors or
    masks in it is one `IndexPut` instead.
    """
    if not is_basic(basic_parts(index)):
        tensor._check_inplace(tensor._records_with(value))
        if _fills_by_mask(index, value):
            value = value.reshape(())  # its one element fills every masked place
        elif _overlap(tensor, value):  # writing by index allows no other overlap at all
            raise RuntimeError(_OVERLAP)
        if tensor._records_with(value):
            return tensor._assign(lambda: IndexPut.apply(tensor, value, index=index), value,
                                  may_overlap=True)
        tensor._data[index_key(index)] = value._data if isinstance(value, Tensor) else value
        tensor._version_cell[0] += 1
        return tensor
    parts = basic_parts(index)
    whole = (sum(p is not Ellipsis for p in parts) <= tensor.dim()
             and all(p is Ellipsis or p == slice(None) for p in parts))
    region = tensor if whole else tensor[index]  # `x[...] = v`, `x[:] = v`: x itself, as PyTorch
    if not isinstance(value, Tensor) or (value.dim() == 0 and region.dim() > 0
                                         and value.device.type == "cpu"):
        check_write(region)
        return region.fill_(value)
    if value.shape != region.shape:
        shape = value.shape
        while shape and shape[0] == 1:
            shape = shape[1:]
        value = value.view(shape).expand(region.shape)
    return region.copy_(value)


def _fills_by_mask(index, value):
    """Whether PyTorch writes `x[index] = value` as `x.masked_fill_(mask, value.item())`: one
    boolean mask (not a 0-d one: that is made an index of 0 or 1 elements) and a one-element
    value, which it reads before writing (so it checks no overlap)."""
    parts = index if isinstance(index, tuple) else (index,)
    advanced = [part for part in parts if isinstance(part, (Tensor, list))]
    return (isinstance(value, Tensor) and value.numel() == 1 and len(advanced) == 1
            and isinstance(advanced[0], Tensor) and advanced[0]._data.dtype.kind == "b"
            and advanced[0].dim() > 0)


def same_memory(written, source):
    """Whether `source` is `written`'s very elements (`x.copy_(x)`, or a view laid out exactly
    as `x`): PyTorch's `copy_` has nothing to do then, and checks nothing."""
    if source is written:
        return True
    a, b = written._data, source._data
    return (source._version_cell is written._version_cell and a.shape == b.shape
            and a.strides == b.strides and a.dtype == b.dtype
            and backend.memory_start(a) == backend.memory_start(b))


def check_write(written, operand=None):
    """Refuse writes PyTorch refuses: into a tensor where several elements share one memory
    cell (after `expand`), or from an operand that partly overlaps the written-to memory
    (`x -= x[0]`; the same elements exactly, `x += x`, are fine)."""
    array = written._data
    if array.size > 1 and any(step == 0 and size > 1
                              for step, size in zip(array.strides, array.shape)):
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation.")
    if _overlap(written, operand) == "partly":
        raise RuntimeError(_OVERLAP)


_OVERLAP = ("unsupported operation: some elements of the input tensor and the written-to tensor "
            "refer to a single memory location. Please clone() the tensor before performing the "
            "operation.")


def _overlap(written, operand):
    """PyTorch's answer to "do these share memory?": "fully" (the same elements, as in
    `x += x`), "partly" (`x -= x[0]`, `x += x.t()`) or None. It only looks at dense layouts."""
    if not isinstance(operand, Tensor) or operand._version_cell is not written._version_cell:
        return None  # one version counter per storage: another counter, another storage
    if operand is written:
        return "fully"
    a, b = written._data, operand._data
    if a.size == 0 or b.size == 0 or not (_dense(a) and _dense(b)):
        return None  # PyTorch gives up on scattered layouts, and so allows the write
    start_a, start_b = backend.memory_start(a), backend.memory_start(b)
    end_a, end_b = start_a + a.nbytes, start_b + b.nbytes
    if (start_a, end_a) == (start_b, end_b):
        return "fully" if a.strides == b.strides else "partly"
    return "partly" if start_a < end_b and start_b < end_a else None


def _dense(array):
    """True when the elements fill one block of memory without gaps (in any dim order)."""
    expected = array.itemsize
    for step, size in sorted((s, n) for s, n in zip(array.strides, array.shape) if n != 1):
        if step != expected:
            return False
        expected *= size
    return True
