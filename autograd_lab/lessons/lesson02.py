"""Lesson 02 (tensors by hand): checkers for the hand-written backward, with tensors."""

import autograd_lab
from autograd_lab.lessons.checking import ExerciseError, call, check, not_attempted
from autograd_lab.lessons.data import two_layer_data

RELU_HINT = ("clone grad_h_relu (grad_h = grad_h_relu.clone()), then zero it where h < 0 "
             "with a boolean mask: grad_h[h < 0] = 0")


def _relu_reference(grad_h_relu, h):
    grad_h = grad_h_relu.clone()
    grad_h[h < 0] = 0
    return grad_h


def check_relu_backward(relu_backward):
    """Exercise: `grad_h` from `grad_h_relu` and `h`, with tensors, leaving the input unchanged."""
    name = "relu_backward"
    if not_attempted(name, relu_backward):
        return None
    autograd_lab.manual_seed(1)
    grad_h_relu, h = autograd_lab.randn(4, 5), autograd_lab.randn(4, 5)
    before = grad_h_relu.clone()
    call(name, relu_backward, (grad_h_relu, h), RELU_HINT)
    if not autograd_lab.equal(grad_h_relu, before):
        raise ExerciseError(name, "grad_h_relu was changed in place", input=(before, h),
                            expected=before, received=grad_h_relu,
                            hint="other code may still need grad_h_relu: work on a clone()")
    return check(name, relu_backward, [(grad_h_relu, h)], hint=RELU_HINT,
                 reference=_relu_reference)


def _two_layer_reference(x, y, w1, w2):
    h = x.mm(w1)
    h_relu = h.clamp(min=0)
    y_pred = h_relu.mm(w2)
    loss = (y_pred - y).pow(2).sum().item()
    grad_y_pred = 2.0 * (y_pred - y)
    grad_w2 = h_relu.t().mm(grad_y_pred)
    grad_h = grad_y_pred.mm(w2.t()).clone()
    grad_h[h < 0] = 0
    return loss, x.t().mm(grad_h), grad_w2


def check_two_layer_grads(two_layer_grads):
    """Exercise: the loss and the gradients of both weights of the two-layer net, with tensors."""
    small = two_layer_data(N=8, D_in=20, H=6, D_out=3, seed=3, backend="autograd_lab")
    full = two_layer_data(backend="autograd_lab")
    return check("two_layer_grads", two_layer_grads, [small, full],
                 hint="return (loss, grad_w1, grad_w2): the loss as a number (.item()), "
                      "the gradients with the shapes of w1 and w2; follow the numpy version "
                      "line by line with mm, clamp(min=0), t() and clone()",
                 reference=_two_layer_reference)
