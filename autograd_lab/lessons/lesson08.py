"""Checkers for lesson 08 (custom Functions): the backward of the sigmoid and of tanh.

The learner writes a `Function` subclass whose `backward` is a stub. A checker compares the
gradient it returns with the exact derivative on fixed inputs, then runs `gradcheck`.
"""

import numpy as np

import autograd_lab
from autograd_lab.autograd.gradcheck import GradcheckError
from autograd_lab.lessons.checking import (
    Exercise,
    ExerciseError,
    Lesson,
    not_attempted,
    passed,
)
from autograd_lab.lessons.results import close, describe
from autograd_lab.lessons.solutions import lesson08 as solutions

_POINTS = [-4.0, -1.5, -0.3, 0.0, 0.8, 2.5]

LESSON = Lesson("lesson08", [
    Exercise("Sigmoid.backward", solution=solutions.Sigmoid,
             nudge="backward receives grad_output, the gradient of the loss with respect to "
                   "y, and must return the gradient with respect to x: the chain rule "
                   "multiplies grad_output by dσ/dx",
             stronger_hint="forward saved y = σ(x): ctx.saved_tensors gives it back (a tuple "
                           "of one tensor). Write dσ/dx = σ(x)(1 - σ(x)) with y in place of "
                           "σ(x), and multiply it by grad_output"),
    Exercise("Tanh.backward", solution=solutions.Tanh,
             nudge="backward must return grad_output times dtanh/dx, and forward saved the "
                   "output y = tanh(x), not x",
             stronger_hint="ctx.saved_tensors gives y back (a tuple of one tensor); dtanh/dx = "
                           "1 - tanh²(x), written with y in place of tanh(x), multiplied by "
                           "grad_output"),
])
hint = LESSON.hint
show_solution = LESSON.show_solution


def check_sigmoid(Sigmoid):
    """Check a `Sigmoid` Function whose backward returns grad_output · σ(x) · (1 - σ(x))."""
    return _check_backward(LESSON["Sigmoid.backward"], Sigmoid,
                           derivative=lambda x: _sigmoid(x) * (1 - _sigmoid(x)))


def check_tanh(Tanh):
    """Check a `Tanh` Function whose backward returns grad_output · (1 - tanh²(x))."""
    return _check_backward(LESSON["Tanh.backward"], Tanh,
                           derivative=lambda x: 1 - np.tanh(x) ** 2)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _check_backward(exercise, function, derivative):
    """Compare `function`'s backward with `derivative` (numpy) and with finite differences."""
    if not_attempted(exercise.name, function.backward):
        return None
    points = np.array(_POINTS)
    upstream = np.linspace(0.5, 2.0, len(_POINTS))  # a grad_output that is not all ones
    x = autograd_lab.tensor(points, dtype=autograd_lab.float64, requires_grad=True)
    shown = f"x = {describe(x.detach())}"
    grad_output = autograd_lab.tensor(upstream, dtype=autograd_lab.float64)
    try:
        y = function.apply(x)
        with autograd_lab.no_grad():  # as the engine calls it; y.grad_fn is backward's ctx
            returned = function.backward(y.grad_fn, grad_output.clone())
        if returned is None:
            raise exercise.wrong("backward returned None: is its `return` missing?",
                                 input=shown)
        (received,) = autograd_lab.autograd.grad(y, x, grad_output)
    except ExerciseError:
        raise
    except Exception as error:
        raise exercise.raised(error, input=shown) from None
    expected = autograd_lab.tensor(upstream * derivative(points), dtype=autograd_lab.float64)
    if not close(received, expected, rtol=1e-6, atol=1e-8):
        raise exercise.wrong(
            "the gradient with respect to x is not right yet (grad_output was "
            f"{np.array2string(upstream, precision=2, separator=', ')})",
            input=shown, expected=expected, received=received)
    sample = autograd_lab.tensor(np.random.default_rng(8).standard_normal((2, 3)),
                                 requires_grad=True)  # float64, and the learner's seed untouched
    try:
        autograd_lab.autograd.gradcheck(function.apply, (sample,))
    except GradcheckError as error:
        first_line = str(error).splitlines()[0]
        raise exercise.wrong(f"gradcheck disagrees with backward: {first_line}",
                             input=sample.detach()) from None
    return passed(f"{exercise.name} (and gradcheck)")
