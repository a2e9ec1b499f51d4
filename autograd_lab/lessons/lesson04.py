"""Lesson 04 (backward in depth): checkers for a Jacobian built from backward calls and for a
second derivative."""

import autograd_lab
from autograd_lab.lessons.checking import Exercise, Lesson, check
from autograd_lab.lessons.results import Formula
from autograd_lab.lessons.solutions import lesson04 as solutions

LESSON = Lesson("lesson04", [
    Exercise("jacobian", solution=solutions.jacobian,
             nudge="one backward call per row of the Jacobian, each with a one-hot vector as "
                   "its gradient; the result has shape (number of outputs, number of inputs)",
             stronger_hint="x must be a leaf that requires grad; for row i, call backward on "
                           "the output with the i-th one-hot vector and retain_graph=True (the "
                           "graph is used again), keep a clone() of x.grad as the row, and zero "
                           "x.grad before the next row (gradients add up); alt.stack makes the "
                           "rows a matrix"),
    Exercise("second_derivative", solution=solutions.second_derivative,
             nudge="differentiate twice: the first derivative must itself be differentiable, "
                   "so it needs a graph of its own",
             stronger_hint="make x a leaf that requires grad; compute the first derivative "
                           "with create_graph=True (backward or alt.autograd.grad), then "
                           "differentiate that result with respect to x again. With backward, "
                           "clear x.grad in between, or the two derivatives add up"),
])
hint = LESSON.hint
show_solution = LESSON.show_solution


def check_jacobian(jacobian):
    """Exercise: `jacobian(f, x)` for a vector function of a vector, shape (len(f(x)), len(x))."""
    autograd_lab.manual_seed(5)
    weights = autograd_lab.randn(2, 3)
    cases = [(Formula("f(x) = x * x", lambda x: x * x), autograd_lab.tensor([1.0, 2.0, 3.0])),
             (Formula(f"f(x) = W.mv(x) with W = {weights}", weights.mv), autograd_lab.randn(3)),
             (Formula("f(x) = x.exp() * x.sum()", lambda x: x.exp() * x.sum()),
              autograd_lab.randn(4))]
    return check(LESSON["jacobian"], jacobian, cases)


def check_second_derivative(second_derivative):
    """Exercise: `second_derivative(f, x)`, d²f/dx² at a scalar x, with create_graph=True."""
    cases = [(Formula("f(x) = x ** 3", lambda x: x ** 3), autograd_lab.tensor(2.0)),
             (Formula("f(x) = x.exp() * x", lambda x: x.exp() * x), autograd_lab.tensor(0.5)),
             (Formula("f(x) = x ** 4 - 3 * x ** 2", lambda x: x ** 4 - 3 * x ** 2),
              autograd_lab.tensor(-1.5))]
    return check(LESSON["second_derivative"], second_derivative, cases)
