"""Lesson 02: the backward pass with tensors."""


def relu_backward(grad_h_relu, h):
    grad_h = grad_h_relu.clone()
    grad_h[h < 0] = 0
    return grad_h


def two_layer_grads(x, y, w1, w2):
    h = x.mm(w1)
    h_relu = h.clamp(min=0)
    y_pred = h_relu.mm(w2)
    loss = (y_pred - y).pow(2).sum().item()

    grad_y_pred = 2.0 * (y_pred - y)
    grad_w2 = h_relu.t().mm(grad_y_pred)
    grad_h_relu = grad_y_pred.mm(w2.t())
    grad_h = grad_h_relu.clone()
    grad_h[h < 0] = 0
    grad_w1 = x.t().mm(grad_h)
    return loss, grad_w1, grad_w2
