"""Lesson 02 (tensors by hand): checkers for the hand-written backward, with tensors."""

import autograd_lab
from autograd_lab.lessons.checking import Exercise, Lesson, check
from autograd_lab.lessons.data import two_layer_data
from autograd_lab.lessons.solutions import lesson02 as solutions

LESSON = Lesson("lesson02", [
    Exercise("relu_backward", solution=solutions.relu_backward,
             nudge="as in lesson 01, with tensors: the gradient passes where h > 0 and is 0 "
                   "where h < 0; grad_h_relu itself stays untouched, and the result is a tensor",
             stronger_hint="numpy's .copy() is .clone() for a tensor: clone grad_h_relu, then "
                           "set to 0 the entries picked by a boolean mask made from h (numpy "
                           "functions such as np.where would give back a numpy array)"),
    Exercise("two_layer_grads", solution=solutions.two_layer_grads,
             nudge="return three things, (loss, grad_w1, grad_w2): the loss as a Python number, "
                   "each gradient with the shape of its weight; follow lesson 01's "
                   "forward_backward line by line",
             stronger_hint="translate with the table: x.dot(w) is x.mm(w), np.maximum(h, 0) is "
                           "h.clamp(min=0), .T is .t(), .copy() is .clone(); .item() turns the "
                           "loss into a number. Forward first (h, h_relu, y_pred), then back "
                           "from the loss's gradient to grad_w2, through the ReLU, to grad_w1"),
])
hint = LESSON.hint
show_solution = LESSON.show_solution


def check_relu_backward(relu_backward):
    """Exercise: `grad_h` from `grad_h_relu` and `h`, with tensors, leaving the input unchanged."""
    autograd_lab.manual_seed(1)
    cases = [(autograd_lab.randn(4, 5), autograd_lab.randn(4, 5)),
             (autograd_lab.randn(3, 3), autograd_lab.randn(3, 3))]
    return check(LESSON["relu_backward"], relu_backward, cases, keeps_inputs=True)


def check_two_layer_grads(two_layer_grads):
    """Exercise: the loss and the gradients of both weights of the two-layer net, with tensors."""
    small = two_layer_data(N=8, D_in=20, H=6, D_out=3, seed=3, backend="autograd_lab")
    full = two_layer_data(backend="autograd_lab")
    return check(LESSON["two_layer_grads"], two_layer_grads, [small, full],
                 parts=("loss", "grad_w1", "grad_w2"))
