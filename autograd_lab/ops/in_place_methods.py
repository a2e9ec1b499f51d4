"""The in-place methods of Tensor: `add_`, `mul_`, `zero_`, `copy_`, `x[...] = v`, ...

Every in-place op computes its result out of place, as the ordinary op would, then copies
the values into the tensor and makes the new node its `grad_fn` (`_assign`, `_write`). The
version counter goes up, so nodes that saved the old values can tell. Changes through a view
become its base's history (`ops.inplace`).
"""

import numpy as np

from autograd_lab import backend
from autograd_lab.autograd import grad_mode
from autograd_lab.autograd.views import view_error
from autograd_lab.generator import random_source
from autograd_lab.ops.conversion import CopyFrom, Fill, Zero
from autograd_lab.ops.inplace import (
    check_write,
    redo_view,
    same_memory,
    set_item,
    write_through_view,
)
from autograd_lab.tensor import _TYPE_NAMES, Tensor, attach_methods


class _InPlaceMethods:
    """Attached to Tensor below."""

    def _follow_base(self):
        """Bring a view up to date with its base (lazily, as PyTorch does); return whether it
        requires grad.

        A view shows its base's storage: once the base, or another view of it, was changed in
        place, the view's values come from the base's new history, so its grad_fn is made again
        from the base.
        """
        base = self._base
        if self._view.version != self._version_cell[0] and (self._grad_fn is not None
                                                             or base._requires_grad):
            redo_view(self)
        return self._requires_grad or base._requires_grad

    # -- in-place changes --------------------------------------------------------------------

    def _check_inplace(self, records):
        """Refuse in-place changes that would hide history, as PyTorch does.

        `records`: will the change enter the graph (grad mode on, and this tensor or an
        operand requires grad)? Changing a leaf that requires grad would lose its values;
        the views that `views.ViewInfo.made_by` names cannot pass a change on to their base.
        """
        if not records:
            return
        if self._view is not None:
            if self._view.made_by is not None:
                raise view_error(self, "is being")
            if self._base._grad_fn is None and (self._requires_grad or self._base._requires_grad):
                raise RuntimeError("a view of a leaf Variable that requires grad is being used "
                                   "in an in-place operation.")
        elif self._requires_grad and self._grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                               "operation.")

    def _assign(self, compute, operand=None, may_overlap=False):
        """Change this tensor in place into `compute()`, the same op computed out of place.

        This is how every in-place op works here: check the change is allowed, compute
        `x + y` as usual, then copy the values into `x` and let `x` point at the new node.
        The version bump lets nodes that saved the old `x` notice. `operand` (the `y`) may
        not partly overlap `x` in memory, nor may two elements of `x` share a memory cell,
        unless `may_overlap` (`fill_` may fill an expanded tensor).
        """
        self._check_inplace(self._records_with(operand))
        if not may_overlap:
            check_write(self, operand)
        return self._write(compute())

    def _write(self, result):
        """Copy `result` into this tensor; written through a view, the change becomes the
        base's history (`ops.inplace`)."""
        records = result._grad_fn is not None
        self._check_inplace(records)
        if result.shape != self.shape:
            try:
                broadcast = np.broadcast_shapes(result.shape, self.shape)
            except ValueError:
                broadcast = None
            if broadcast != self.shape:
                raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the "
                                   f"broadcast shape {list(broadcast or result.shape)}")
        if result._data.dtype != self._data.dtype and not np.can_cast(
                result._data.dtype, self._data.dtype, casting="same_kind"):
            raise RuntimeError(f"result type {_TYPE_NAMES[result.dtype.name][:-6]} can't be "
                               f"cast to the desired output type "
                               f"{_TYPE_NAMES[self.dtype.name][:-6]}")
        if records:
            self._keep_old_values_for(result._grad_fn)
        backend.array_module(self._data).copyto(self._data, result._data, casting="unsafe")
        self._version_cell[0] += 1
        node = result._grad_fn
        if records and node.saves_output:  # exp_(), relu_(): the output it saved is self now
            node._saved = node._saved[:-1] + ((self.detach(), self._version, None),)
        if records and self._view is not None:
            write_through_view(self, result)
        elif records:
            self._set_history(node, result._output_nr)
        return self

    def _keep_old_values_for(self, node):
        """If `node` saved this tensor, give it a copy of the values about to be overwritten.

        `y.mul_(w)` computes `y * w`, whose node saved `y` to find the gradient of `w`;
        without the copy, backward would read the new values (and the version check fails).
        Only the first slot, where the node keeps `y` itself: in `y.mul_(y)` the other factor
        *is* the changed tensor, and backward raises, as in PyTorch.
        """
        slots = [type(entry) is tuple and entry[0] is self for entry in node._saved]
        if True not in slots:
            return
        first = slots.index(True)
        old = Tensor._from_array(self._data.copy(), self._device)
        old._grad_fn, old._output_nr = self._grad_fn, self._output_nr
        old._requires_grad = self._requires_grad
        node._saved = tuple((old, 0, old._grad_fn) if i == first else entry
                            for i, entry in enumerate(node._saved))

    def _write_in_place(self, ufunc_name, other):
        """Under no_grad, let the array library write `self <op> other` straight into self.

        Same values as `_assign`, without a temporary array as big as self and its copy: the
        update `w -= lr * w.grad` does this to every parameter on every step. Only the plain
        cases (a float tensor, and a Python number or a tensor of the same dtype and shape);
        returns False for the rest, which go through `_assign`.
        """
        if grad_mode._state.enabled or self._data.dtype.kind != "f":
            return False
        if isinstance(other, Tensor):
            if (other._device is not self._device or other._data.dtype != self._data.dtype
                    or other._data.shape != self._data.shape):
                return False
            check_write(self, other)
            other = other._data
        elif type(other) in (int, float):
            check_write(self)
        else:
            return False
        xp = backend.array_module(self._data)
        getattr(xp, ufunc_name)(self._data, other, out=self._data)
        self._version_cell[0] += 1
        return True

    def add_(self, other, alpha=1):
        if alpha == 1 and self._write_in_place("add", other):
            return self
        return self._assign(lambda: self.add(other, alpha=alpha), other)

    def sub_(self, other, alpha=1):
        if alpha == 1 and self._write_in_place("subtract", other):
            return self
        return self._assign(lambda: self.sub(other, alpha=alpha), other)

    def mul_(self, other):
        if self._write_in_place("multiply", other):
            return self
        return self._assign(lambda: self * other, other)

    def div_(self, other):
        if self._write_in_place("divide", other):
            return self
        return self._assign(lambda: self / other, other)

    def pow_(self, exponent):
        return self._assign(lambda: self ** exponent, exponent)

    def clamp_(self, min=None, max=None):
        return self._assign(lambda: self.clamp(min, max))

    def neg_(self):
        return self._assign(lambda: -self)

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_
    __ipow__ = pow_

    def exp_(self):
        return self._assign(self.exp)

    def log_(self):
        return self._assign(self.log)

    def relu_(self):
        return self._assign(self.relu)

    def sqrt_(self):
        return self._assign(self.sqrt)

    def abs_(self):
        return self._assign(self.abs)

    def sigmoid_(self):
        return self._assign(self.sigmoid)

    def tanh_(self):
        return self._assign(self.tanh)

    def masked_fill_(self, mask, value):
        return self._assign(lambda: self.masked_fill(mask, value), may_overlap=True)

    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        """Fill in place with samples from the uniform distribution on [a, b)."""
        return self._fill_random(lambda rng, shape: rng.uniform(a, b, shape), generator)

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        """Fill in place with samples from the normal distribution N(mean, std²)."""
        return self._fill_random(lambda rng, shape: rng.normal(mean, std, shape), generator)

    def _fill_random(self, draw, generator):
        def random_values():
            values = draw(random_source(generator, self._device), self._data.shape)
            return CopyFrom.apply(self, Tensor._from_array(values, self._device))

        return self._assign(random_values)

    def _records_with(self, operand):
        """Will an in-place change of this tensor by `operand` be recorded in the graph?"""
        return grad_mode._state.enabled and (self.requires_grad or (
            isinstance(operand, Tensor) and operand.requires_grad))

    def zero_(self):
        """Fill with zeros in place (`x.grad.zero_()` resets accumulated gradients)."""
        if self._records_with(None):
            return self._assign(lambda: Zero.apply(self, 0), may_overlap=True)
        return self.fill_(0)

    def fill_(self, value):
        """Fill with `value` in place (a tensor of any shape, even an expanded one)."""
        if self._records_with(value):
            return self._assign(lambda: Fill.apply(self, value), value, may_overlap=True)
        if isinstance(value, Tensor):
            value = value.item()
        self._data.fill(value)
        self._version_cell[0] += 1
        return self

    def copy_(self, source):
        """Copy values from `source` (broadcast to this shape) into this tensor, in place."""
        if not isinstance(source, Tensor):
            source = Tensor._from_array(np.asarray(source))
        if source.device is not self._device:
            source = source.to(self._device)
        return self._assign(lambda: CopyFrom.apply(self, source), source,
                            may_overlap=same_memory(self, source))  # PyTorch skips its checks

    def __setitem__(self, index, value):
        """`x[0, 1:] = y`, `x[mask] = 0`: in place, differentiable for non-leaf tensors."""
        set_item(self, index, value)


attach_methods(_InPlaceMethods)
