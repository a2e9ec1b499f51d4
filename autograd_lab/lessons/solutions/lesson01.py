"""Lesson 01: the backward pass in numpy, one piece at a time."""


def loss_grad(y_pred, y):
    return 2.0 * (y_pred - y)


def matmul_backward(x, w, grad_y):
    grad_x = grad_y @ w.T  # (N, M) @ (M, D): the shape of x
    grad_w = x.T @ grad_y  # (D, N) @ (N, M): the shape of w
    return grad_x, grad_w


def relu_backward(grad_h_relu, h):
    grad_h = grad_h_relu.copy()
    grad_h[h < 0] = 0
    return grad_h
