"""Lesson 06 (stop tracking): checkers for an in-place update step and for an untracked copy."""

import autograd_lab
from autograd_lab.lessons.checking import Exercise, Lesson, call, not_attempted, passed
from autograd_lab.lessons.results import close
from autograd_lab.lessons.solutions import lesson06 as solutions
from autograd_lab.tensor import Tensor

LESSON = Lesson("lesson06", [
    Exercise("sgd_step", solution=solutions.sgd_step,
             nudge="w must stay the same leaf: change its numbers in place, without autograd "
                   "recording the change, then clear its gradient",
             stronger_hint="inside a `with alt.no_grad():` block, subtract lr times the gradient "
                           "from w with an in-place operator (-=; `w = ...` only gives the name "
                           "to a new tensor); after the block, zero the gradient with zero_() or "
                           "set w.grad to None"),
    Exercise("frozen_copy", solution=solutions.frozen_copy,
             nudge="two things are asked: the copy must not be tracked, and it must have memory "
                   "of its own",
             stronger_hint="detach() stops the tracking but shares memory with t; clone() gives "
                           "memory of its own"),
])
hint = LESSON.hint
show_solution = LESSON.show_solution


def check_sgd_step(sgd_step):
    """Exercise: `sgd_step(w, lr)` moves the leaf `w` against `w.grad`, in place, then clears
    the gradient."""
    exercise = LESSON["sgd_step"]
    if not_attempted(exercise.name, sgd_step):
        return None
    w = autograd_lab.tensor([1.0, -2.0, 3.0], requires_grad=True)
    (w * w).sum().backward()
    before = w.detach().clone()
    shown = f"w = {before} (a leaf), w.grad = {w.grad}, lr = 0.1"
    expected = before - 0.1 * w.grad
    call(exercise, sgd_step, (w, 0.1), input=shown)
    if not (w.is_leaf and w.requires_grad):
        raise exercise.wrong("w should still be a leaf that requires grad", input=shown,
                             received=w)
    if not close(w.detach(), expected):
        problem = ("w did not change (w = w - ... makes a new tensor; change w itself)"
                   if close(w.detach(), before) else "w moved to the wrong place")
        raise exercise.wrong(problem, input=shown, expected=expected, received=w.detach())
    if w.grad is not None and bool((w.grad != 0).any()):
        raise exercise.wrong("w.grad still holds the old gradient: it would be added to the "
                             "next one", input=shown, expected=autograd_lab.zeros(3),
                             received=w.grad)
    return passed(exercise.name)


def check_frozen_copy(frozen_copy):
    """Exercise: `frozen_copy(t)`, the same numbers as `t`, not tracked, not sharing memory."""
    exercise = LESSON["frozen_copy"]
    if not_attempted(exercise.name, frozen_copy):
        return None
    leaf = autograd_lab.tensor([1.0, -2.0, 3.0], requires_grad=True)
    for tensor, shown in ((leaf, f"t = {leaf} (a leaf)"),
                          (leaf * 2, f"t = {leaf} * 2 (a computed tensor)")):
        before = tensor.detach().clone()
        copy = call(exercise, frozen_copy, (tensor,), input=shown)
        if not isinstance(copy, Tensor) or not close(copy, before):
            raise exercise.wrong("the copy should be a tensor holding the same numbers as t",
                                 input=shown, expected=before, received=copy)
        if copy.requires_grad:
            raise exercise.wrong("the copy is still tracked (requires_grad=True)", input=shown)
        copy.add_(1)
        if not close(tensor, before):
            raise exercise.wrong("changing the copy changed t: they share memory", input=shown,
                                 expected=before, received=tensor.detach())
    return passed(exercise.name)
