"""Checkers for lesson 08 (custom Functions): the backward of the sigmoid and of tanh.

The learner writes a `Function` subclass whose `backward` is a stub. A checker compares the
gradient it returns with the exact derivative on fixed inputs, then runs `gradcheck`.
"""

import numpy as np

import autograd_lab
from autograd_lab.autograd.gradcheck import GradcheckError
from autograd_lab.lessons.checking import ExerciseError, close, not_attempted, passed

_POINTS = [-4.0, -1.5, -0.3, 0.0, 0.8, 2.5]


def check_sigmoid(Sigmoid):
    """Check a `Sigmoid` Function whose backward returns grad_output · σ(x) · (1 - σ(x))."""
    return _check_backward(
        "Sigmoid.backward", Sigmoid,
        derivative=lambda x: _sigmoid(x) * (1 - _sigmoid(x)),
        hint="forward saved y = σ(x); dσ/dx = y * (1 - y), and backward must multiply it by "
             "grad_output: return grad_output * y * (1 - y)",
    )


def check_tanh(Tanh):
    """Check a `Tanh` Function whose backward returns grad_output · (1 - tanh²(x))."""
    return _check_backward(
        "Tanh.backward", Tanh,
        derivative=lambda x: 1 - np.tanh(x) ** 2,
        hint="forward saved y = tanh(x); dtanh/dx = 1 - y², and backward must multiply it by "
             "grad_output: return grad_output * (1 - y * y)",
    )


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _check_backward(name, function, derivative, hint):
    """Compare `function`'s backward with `derivative` (numpy) and with finite differences."""
    if not_attempted(name, function.backward):
        return None
    points = np.array(_POINTS)
    upstream = np.linspace(0.5, 2.0, len(_POINTS))  # a grad_output that is not all ones
    x = autograd_lab.tensor(points, dtype=autograd_lab.float64, requires_grad=True)
    try:
        y = function.apply(x)
        (received,) = autograd_lab.autograd.grad(
            y, x, autograd_lab.tensor(upstream, dtype=autograd_lab.float64))
    except Exception as error:
        raise ExerciseError(name, f"backward raised {type(error).__name__}: {error}",
                            input=x.detach(), hint=hint) from error
    expected = autograd_lab.tensor(upstream * derivative(points), dtype=autograd_lab.float64)
    if not close(received, expected, rtol=1e-6, atol=1e-8):
        raise ExerciseError(
            name, "the gradient with respect to x is not right yet (grad_output was "
            f"{np.array2string(upstream, precision=2, separator=', ')})",
            input=x.detach(), expected=expected, received=received, hint=hint)
    sample = autograd_lab.tensor(np.random.default_rng(8).standard_normal((2, 3)),
                                 requires_grad=True)  # float64, and the learner's seed untouched
    try:
        autograd_lab.autograd.gradcheck(function.apply, (sample,))
    except GradcheckError as error:
        raise ExerciseError(name, f"gradcheck disagrees with backward:\n{error}",
                            hint=hint) from error
    return passed(f"{name} (and gradcheck)")
