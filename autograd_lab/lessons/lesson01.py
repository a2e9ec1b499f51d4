"""Lesson 01 (numpy backprop): checkers for the hand-written backward pieces, in numpy."""

import numpy as np

from autograd_lab.lessons.checking import check


def _cases(*shapes, seed=1):
    rng = np.random.default_rng(seed)
    return tuple(rng.standard_normal(shape).astype(np.float32) for shape in shapes)


def check_loss_grad(loss_grad):
    """Exercise: the gradient of `loss = ((y_pred - y) ** 2).sum()` with respect to `y_pred`."""
    return check("loss_grad", loss_grad, [_cases((4, 3), (4, 3)), _cases((2, 10), (2, 10), seed=2)],
                 hint="d/dy_pred of (y_pred - y)**2 is 2 * (y_pred - y), element by element; "
                      "the sum only adds the pieces up",
                 reference=lambda y_pred, y: 2.0 * (y_pred - y))


def check_matmul_backward(matmul_backward):
    """Exercise: given `y = x @ w` and `grad_y`, return `(grad_x, grad_w)`."""
    return check("matmul_backward", matmul_backward,
                 [_cases((4, 3), (3, 2), (4, 2)), _cases((5, 6), (6, 1), (5, 1), seed=2)],
                 hint="each gradient has the shape of its variable: grad_x = grad_y @ w.T "
                      "(shape of x), grad_w = x.T @ grad_y (shape of w)",
                 reference=lambda x, w, grad_y: (grad_y @ w.T, x.T @ grad_y))


def check_relu_backward(relu_backward):
    """Exercise: given `h_relu = maximum(h, 0)` and `grad_h_relu`, return `grad_h`."""
    return check("relu_backward", relu_backward,
                 [_cases((4, 5), (4, 5)), _cases((3, 3), (3, 3), seed=2)],
                 hint="the gradient passes where h > 0 and is 0 where h < 0; copy "
                      "grad_h_relu first (grad_h = grad_h_relu.copy()), then zero it where h < 0",
                 reference=lambda grad_h_relu, h: np.where(h < 0, 0.0, grad_h_relu))
