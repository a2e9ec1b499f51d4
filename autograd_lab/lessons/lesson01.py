"""Lesson 01 (numpy backprop): checkers for the hand-written backward pieces, in numpy."""

import numpy as np

from autograd_lab.lessons.checking import Exercise, Lesson, check
from autograd_lab.lessons.solutions import lesson01 as solutions

LESSON = Lesson("lesson01", [
    Exercise("loss_grad", solution=solutions.loss_grad,
             nudge="L is a sum with one term (y_pred - y)² per entry: the derivative with "
                   "respect to one entry of y_pred comes from its own term only",
             stronger_hint="the derivative of u² is 2u times the derivative of u; here u is the "
                           "entry's difference y_pred - y, whose derivative with respect to "
                           "y_pred is 1. The result has the shape of y_pred"),
    Exercise("matmul_backward", solution=solutions.matmul_backward,
             nudge="return the pair (grad_x, grad_w); each gradient has the shape of the "
                   "variable it belongs to: grad_x the shape of x, grad_w the shape of w",
             stronger_hint="each gradient is a matrix product of grad_y with the other factor "
                           "(grad_x uses w, grad_w uses x), one of them transposed with .T; write "
                           "the shapes down, x (N, D), w (D, M), grad_y (N, M): only one order "
                           "of the product gives each gradient its shape"),
    Exercise("relu_backward", solution=solutions.relu_backward,
             nudge="the gradient passes unchanged where h > 0 and is blocked (0) where h < 0; "
                   "grad_h_relu itself must stay as it was",
             stronger_hint="start from a copy of grad_h_relu (.copy(): a plain assignment is "
                           "the same array under a new name), then set to 0 the entries where h "
                           "is negative, with a boolean mask made from h"),
])
hint = LESSON.hint
show_solution = LESSON.show_solution


def _cases(*shapes, seed=1):
    rng = np.random.default_rng(seed)
    return tuple(rng.standard_normal(shape).astype(np.float32) for shape in shapes)


def check_loss_grad(loss_grad):
    """Exercise: the gradient of `loss = ((y_pred - y) ** 2).sum()` with respect to `y_pred`."""
    return check(LESSON["loss_grad"], loss_grad,
                 [_cases((4, 3), (4, 3)), _cases((2, 10), (2, 10), seed=2)])


def check_matmul_backward(matmul_backward):
    """Exercise: given `y = x @ w` and `grad_y`, return `(grad_x, grad_w)`."""
    return check(LESSON["matmul_backward"], matmul_backward,
                 [_cases((4, 3), (3, 2), (4, 2)), _cases((5, 6), (6, 1), (5, 1), seed=2)],
                 parts=("grad_x", "grad_w"))


def check_relu_backward(relu_backward):
    """Exercise: given `h_relu = maximum(h, 0)` and `grad_h_relu`, return `grad_h`, leaving
    `grad_h_relu` unchanged."""
    return check(LESSON["relu_backward"], relu_backward,
                 [_cases((4, 5), (4, 5)), _cases((3, 3), (3, 3), seed=2)], keeps_inputs=True)
