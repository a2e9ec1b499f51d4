"""Lesson 03 (autograd, first steps): checkers for a gradient by hand and one by autograd."""

import autograd_lab
from autograd_lab.lessons.checking import Exercise, Lesson, check
from autograd_lab.lessons.results import Formula
from autograd_lab.lessons.solutions import lesson03 as solutions

LESSON = Lesson("lesson03", [
    Exercise("hand_gradient", solution=solutions.hand_gradient,
             nudge="out is the mean of the terms 3 (x_i + 2)²: differentiate one term with "
                   "respect to its own x_i, then remember what taking the mean does; tensor "
                   "arithmetic only, no backward()",
             stronger_hint="by the chain rule, d/dx of 3 (x + 2)² is 3 · 2 · (x + 2); the mean "
                           "divides every term by n, the number of entries (x.numel()). For x = "
                           "ones(2, 2) every entry of the answer is 4.5"),
    Exercise("derivative", solution=solutions.derivative,
             nudge="let autograd do it: it needs a leaf that requires grad, and backward() "
                   "needs a single number to start from",
             stronger_hint="make a leaf of your own from x (detach(), then requires_grad_()), "
                           "apply f to it and add up the outputs into one number: the gradient "
                           "of that sum with respect to each x_i is f'(x_i), and backward() puts "
                           "it in the leaf's .grad"),
])
hint = LESSON.hint
show_solution = LESSON.show_solution


def _inputs():
    autograd_lab.manual_seed(3)
    return [(autograd_lab.ones(2, 2),), (autograd_lab.randn(3),), (autograd_lab.randn(2, 3),)]


def check_hand_gradient(hand_gradient):
    """Exercise: d(out)/dx for `out = (3 * (x + 2) ** 2).mean()`, derived by hand (any shape)."""
    return check(LESSON["hand_gradient"], hand_gradient, _inputs(), by_hand=True)


FUNCTIONS = [Formula("f(x) = x ** 3 + 2 * x", lambda x: x ** 3 + 2 * x),
             Formula("f(x) = x.exp() * x", lambda x: x.exp() * x),
             Formula("f(x) = (x * x).log()", lambda x: (x * x).log())]


def check_derivative(derivative):
    """Exercise: `derivative(f, x)`, the derivative of an element-wise `f` at every point of x,
    computed with autograd."""
    autograd_lab.manual_seed(4)
    points = autograd_lab.randn(5)
    return check(LESSON["derivative"], derivative, [(f, points) for f in FUNCTIONS])
