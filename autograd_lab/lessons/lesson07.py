"""Checker for lesson 07 (the two-layer network with autograd): a training step of any depth.

`train_step(x, y, weights, learning_rate)` runs a ReLU network whose weight matrices are the
list `weights` (`h = relu(h @ w)` for all but the last, `h @ w` for the last), takes the
sum-of-squares loss, calls backward, updates every weight in place under `no_grad()` and zeroes
the gradients. The checker runs a few steps on a two-layer and a three-layer network next to a
reference and compares the losses, the weights and the gradients left behind.
"""

import numpy as np

import autograd_lab
from autograd_lab.lessons.checking import Exercise, Lesson, call, not_attempted, passed
from autograd_lab.lessons.results import close
from autograd_lab.lessons.solutions import lesson07 as solutions

_LAYER_SIZES = [(12, 6, 3), (12, 6, 5, 3)]  # input, hidden..., output
_N = 8
_STEPS = 3
_LEARNING_RATE = 1e-3
LESSON = Lesson("lesson07", [
    Exercise("train_step", solution=solutions.train_step,
             nudge="one step: forward through every weight of the list, the sum-of-squares "
                   "loss, backward, then update each weight in place under no_grad() and zero "
                   "its gradient; return the loss as a Python number",
             stronger_hint="every weight but the last is followed by a ReLU: loop over "
                           "weights[:-1], then weights[-1] gives y_pred. After backward, inside "
                           "`with torch.no_grad():` change each w with -= (`w = w - ...` makes a "
                           "new tensor) and zero w.grad; .item() turns the loss into a number"),
])
hint = LESSON.hint
show_solution = LESSON.show_solution


def check_train_step(train_step):
    """Run `train_step` for a few steps next to a reference, for two and three layers."""
    exercise = LESSON["train_step"]
    if not_attempted(exercise.name, train_step):
        return None
    for seed, sizes in enumerate(_LAYER_SIZES):
        x, y, weights = _problem(sizes, seed)
        reference = [w.detach().clone() for w in weights]
        shown = (f"a {len(weights)}-layer network: x {tuple(x.shape)}, y {tuple(y.shape)}, "
                 f"weights {[tuple(w.shape) for w in weights]}, learning_rate 1e-3")
        for step in range(_STEPS):
            where = f"step {step + 1} of {shown}"
            received = call(exercise, train_step, (x, y, weights, _LEARNING_RATE), input=where)
            expected = _reference_step(x, y, reference)
            if isinstance(received, autograd_lab.Tensor) or not _is_number(received):
                raise exercise.wrong("return the loss as a Python number (loss.item())",
                                     input=where, expected=expected, received=received)
            if not np.isclose(received, expected, rtol=1e-4):
                raise exercise.wrong("the loss returned is not right", input=where,
                                     expected=expected, received=received)
            for index, (weight, ref) in enumerate(zip(weights, reference)):
                _check_weight(exercise, where, f"weights[{index}]", weight, ref)
    return passed(exercise.name)


def _problem(sizes, seed):
    """Small random data and weights (float32) for a network with the given layer sizes."""
    rng = np.random.default_rng(70 + seed)
    x = autograd_lab.tensor(rng.standard_normal((_N, sizes[0]), dtype=np.float32))
    y = autograd_lab.tensor(rng.standard_normal((_N, sizes[-1]), dtype=np.float32))
    weights = [autograd_lab.tensor(rng.standard_normal((a, b), dtype=np.float32),
                                   requires_grad=True) for a, b in zip(sizes, sizes[1:])]
    return x, y, weights


def _check_weight(exercise, where, label, weight, reference):
    if not (weight.is_leaf and weight.requires_grad):
        raise exercise.wrong(f"{label} is no longer a leaf that requires grad", input=where,
                             advice="update in place (-=) inside `with torch.no_grad():`, so "
                             "that autograd does not record it")
    if not close(weight.detach(), reference, rtol=1e-4, atol=1e-6):
        raise exercise.wrong(f"{label} after the update is not right", input=where,
                             expected=reference, received=weight.detach(),
                             advice="update every weight of the list in place: `w -= ...` "
                             "(`w = w - ...` only renames a new tensor inside the function)")
    if weight.grad is not None and bool((weight.grad != 0).any()):
        raise exercise.wrong(f"{label}.grad was not zeroed after the update", input=where,
                             expected="all zeros", received=weight.grad,
                             advice="zero each gradient (zero_()) after updating its weight: "
                             "backward adds into .grad")


def _reference_step(x, y, weights):
    """One step of gradient descent on plain tensors: gradients from autograd.grad."""
    leaves = [w.detach().requires_grad_() for w in weights]
    h = x
    for w in leaves[:-1]:
        h = h.mm(w).clamp(min=0)
    loss = (h.mm(leaves[-1]) - y).pow(2).sum()
    grads = autograd_lab.autograd.grad(loss, leaves)
    for w, g in zip(weights, grads):
        w -= _LEARNING_RATE * g
    return loss.item()


def _is_number(value):
    return isinstance(value, (int, float, np.floating)) and not isinstance(value, bool)
