"""Checker for lesson 07 (the two-layer network with autograd): one training step.

`train_step(x, y, w1, w2, learning_rate)` must do forward, loss, backward, an in-place update
under `no_grad()` and zero the gradients. The checker runs a few steps of it and of a reference
on small random data and compares losses, weights and the gradients left behind.
"""

import numpy as np

import autograd_lab
from autograd_lab.lessons.checking import ExerciseError, call, close, not_attempted, passed
from autograd_lab.lessons.data import two_layer_data

_SIZES = dict(N=8, D_in=12, H=6, D_out=3)
_STEPS = 3
_LEARNING_RATE = 1e-3
_HINT = ("loss = (x.mm(w1).clamp(min=0).mm(w2) - y).pow(2).sum(); loss.backward(); then, "
         "inside `with torch.no_grad():`, w1 -= learning_rate * w1.grad (same for w2) and "
         "w1.grad.zero_() (same for w2); return loss.item()")


def check_train_step(train_step):
    """Run `train_step` for a few steps next to a reference and compare what they leave."""
    name = "train_step"
    if not_attempted(name, train_step):
        return None
    x, y, w1, w2 = two_layer_data(**_SIZES, seed=7, backend="autograd_lab", requires_grad=True)
    ref_w1, ref_w2 = w1.detach().clone(), w2.detach().clone()
    shown = "x, y, w1, w2 of shapes (8, 12), (8, 3), (12, 6), (6, 3), learning_rate 1e-3"
    for step in range(_STEPS):
        received = call(name, train_step, (x, y, w1, w2, _LEARNING_RATE), _HINT)
        expected = _reference_step(x, y, ref_w1, ref_w2)
        where = f"at step {step + 1}"
        if isinstance(received, autograd_lab.Tensor) or not _is_number(received):
            raise ExerciseError(name, f"{where}: return the loss as a Python number "
                                "(loss.item())", input=shown, expected=expected,
                                received=received, hint=_HINT)
        if not np.isclose(received, expected, rtol=1e-4):
            raise ExerciseError(name, f"{where}: the loss returned is not right", input=shown,
                                expected=expected, received=received, hint=_HINT)
        for label, weight, reference in (("w1", w1, ref_w1), ("w2", w2, ref_w2)):
            _check_weight(name, where, label, weight, reference, shown)
    return passed(name)


def _check_weight(name, where, label, weight, reference, shown):
    if not (weight.is_leaf and weight.requires_grad):
        raise ExerciseError(name, f"{where}: {label} is no longer a leaf that requires grad",
                            input=shown, hint="update in place (-=) inside "
                            "`with torch.no_grad():`, so that autograd does not record it")
    if not close(weight.detach(), reference, rtol=1e-4, atol=1e-6):
        raise ExerciseError(name, f"{where}: {label} after the update is not right",
                            input=shown, expected=reference, received=weight.detach(),
                            hint="update the caller's tensor in place: `w1 -= ...`, not "
                            "`w1 = w1 - ...` (which only renames a new tensor inside "
                            "the function). " + _HINT)
    if weight.grad is not None and bool((weight.grad != 0).any()):
        raise ExerciseError(name, f"{where}: {label}.grad was not zeroed after the update",
                            input=shown, expected="zeros", received=weight.grad,
                            hint=f"call {label}.grad.zero_() after updating {label}: "
                            "backward adds into .grad")


def _reference_step(x, y, w1, w2):
    """One step of gradient descent by hand, in place on the plain tensors w1 and w2."""
    h = x.mm(w1)
    grad_y_pred = 2.0 * (h.clamp(min=0).mm(w2) - y)
    loss = (grad_y_pred * grad_y_pred).sum().item() / 4.0
    grad_w2 = h.clamp(min=0).t().mm(grad_y_pred)
    grad_w1 = x.t().mm(grad_y_pred.mm(w2.t()) * (h > 0))
    w1 -= _LEARNING_RATE * grad_w1
    w2 -= _LEARNING_RATE * grad_w2
    return loss


def _is_number(value):
    return isinstance(value, (int, float, np.floating)) and not isinstance(value, bool)
