"""Checker for lesson 07 (the two-layer network with autograd): a training step of any depth.

`train_step(x, y, weights, learning_rate)` runs a ReLU network whose weight matrices are the
list `weights` (`h = relu(h @ w)` for all but the last, `h @ w` for the last), takes the
sum-of-squares loss, calls backward, updates every weight in place under `no_grad()` and zeroes
the gradients. The checker runs a few steps on a two-layer and a three-layer network next to a
reference and compares the losses, the weights and the gradients left behind.
"""

import numpy as np

import autograd_lab
from autograd_lab.lessons.checking import ExerciseError, close, not_attempted, passed

_LAYER_SIZES = [(12, 6, 3), (12, 6, 5, 3)]  # input, hidden..., output
_N = 8
_STEPS = 3
_LEARNING_RATE = 1e-3
_HINT = ("h = x; relu(h.mm(w)) for every weight but the last, then y_pred = h.mm(weights[-1]); "
         "loss = (y_pred - y).pow(2).sum(); loss.backward(); then, inside "
         "`with torch.no_grad():`, for each w: w -= learning_rate * w.grad and w.grad.zero_(); "
         "return loss.item()")


def check_train_step(train_step):
    """Run `train_step` for a few steps next to a reference, for two and three layers."""
    name = "train_step"
    if not_attempted(name, train_step):
        return None
    for seed, sizes in enumerate(_LAYER_SIZES):
        x, y, weights = _problem(sizes, seed)
        reference = [w.detach().clone() for w in weights]
        shown = (f"a {len(weights)}-layer network: x {tuple(x.shape)}, y {tuple(y.shape)}, "
                 f"weights {[tuple(w.shape) for w in weights]}, learning_rate 1e-3")
        for step in range(_STEPS):
            where = f"step {step + 1} of {shown}"
            try:
                received = train_step(x, y, weights, _LEARNING_RATE)
            except Exception as error:
                raise ExerciseError(name, f"{where}: calling it raised {type(error).__name__}: "
                                    f"{error}", hint=_HINT) from error
            expected = _reference_step(x, y, reference)
            if isinstance(received, autograd_lab.Tensor) or not _is_number(received):
                raise ExerciseError(name, f"{where}: return the loss as a Python number "
                                    "(loss.item())", expected=expected, received=received,
                                    hint=_HINT)
            if not np.isclose(received, expected, rtol=1e-4):
                raise ExerciseError(name, f"{where}: the loss returned is not right",
                                    expected=expected, received=received, hint=_HINT)
            for index, (weight, ref) in enumerate(zip(weights, reference)):
                _check_weight(name, where, f"weights[{index}]", weight, ref)
    return passed(name)


def _problem(sizes, seed):
    """Small random data and weights (float32) for a network with the given layer sizes."""
    rng = np.random.default_rng(70 + seed)
    x = autograd_lab.tensor(rng.standard_normal((_N, sizes[0]), dtype=np.float32))
    y = autograd_lab.tensor(rng.standard_normal((_N, sizes[-1]), dtype=np.float32))
    weights = [autograd_lab.tensor(rng.standard_normal((a, b), dtype=np.float32),
                                   requires_grad=True) for a, b in zip(sizes, sizes[1:])]
    return x, y, weights


def _check_weight(name, where, label, weight, reference):
    if not (weight.is_leaf and weight.requires_grad):
        raise ExerciseError(name, f"{where}: {label} is no longer a leaf that requires grad",
                            hint="update in place (-=) inside `with torch.no_grad():`, so "
                            "that autograd does not record it")
    if not close(weight.detach(), reference, rtol=1e-4, atol=1e-6):
        raise ExerciseError(name, f"{where}: {label} after the update is not right",
                            expected=reference, received=weight.detach(),
                            hint="update every weight of the list in place: `w -= ...` "
                            "(`w = w - ...` only renames a new tensor inside the function). "
                            + _HINT)
    if weight.grad is not None and bool((weight.grad != 0).any()):
        raise ExerciseError(name, f"{where}: {label}.grad was not zeroed after the update",
                            expected="zeros", received=weight.grad,
                            hint="call w.grad.zero_() after updating w: backward adds into "
                            ".grad")


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
