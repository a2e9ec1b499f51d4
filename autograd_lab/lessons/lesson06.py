"""Lesson 06 (stop tracking): checkers for an untracked copy and for an in-place update step."""

import autograd_lab
from autograd_lab.lessons.checking import ExerciseError, call, close, not_attempted, passed
from autograd_lab.tensor import Tensor


def check_frozen_copy(frozen_copy):
    """Exercise: `frozen_copy(t)`, the same numbers as `t`, not tracked, not sharing memory."""
    name = "frozen_copy"
    hint = "detach() stops tracking but shares memory; add clone() for memory of its own"
    if not_attempted(name, frozen_copy):
        return None
    leaf = autograd_lab.tensor([1.0, -2.0, 3.0], requires_grad=True)
    for tensor in (leaf, leaf * 2):
        before = tensor.detach().clone()
        copy = call(name, frozen_copy, (tensor,), hint)
        if not isinstance(copy, Tensor) or not close(copy, before):
            raise ExerciseError(name, "the copy should hold the same numbers as the input",
                                input=before, expected=before, received=copy, hint=hint)
        if copy.requires_grad:
            raise ExerciseError(name, "the copy is still tracked (requires_grad=True)",
                                input=before, hint=hint)
        copy.add_(1)
        if not close(tensor, before):
            raise ExerciseError(name, "changing the copy changed the input: they share memory",
                                input=before, expected=before, received=tensor.detach(),
                                hint=hint)
    return passed(name)


def check_sgd_step(sgd_step):
    """Exercise: `sgd_step(w, lr)` moves the leaf `w` against `w.grad`, in place, then clears
    the gradient."""
    name = "sgd_step"
    hint = ("inside `with alt.no_grad():` (alt is autograd_lab) write `w -= lr * w.grad` "
            "(in place: w must "
            "stay the same leaf), then `w.grad.zero_()` (or w.grad = None)")
    if not_attempted(name, sgd_step):
        return None
    w = autograd_lab.tensor([1.0, -2.0, 3.0], requires_grad=True)
    (w * w).sum().backward()
    before = w.detach().clone()
    expected = before - 0.1 * w.grad
    call(name, sgd_step, (w, 0.1), hint)
    if not (w.is_leaf and w.requires_grad):
        raise ExerciseError(name, "w should still be a leaf that requires grad",
                            received=w, hint=hint)
    if not close(w.detach(), expected):
        problem = ("w did not change (w = w - ... makes a new tensor; change w itself)"
                   if close(w.detach(), before) else "w moved to the wrong place")
        raise ExerciseError(name, problem, input=before, expected=expected,
                            received=w.detach(), hint=hint)
    if w.grad is not None and bool((w.grad != 0).any()):
        raise ExerciseError(name, "w.grad still holds the old gradient: it would be added to "
                            "the next one", expected=autograd_lab.zeros(3), received=w.grad,
                            hint=hint)
    return passed(name)
