"""Lesson 03 (autograd, first steps): checkers for a gradient by hand and one by autograd."""

import autograd_lab
from autograd_lab.lessons.checking import Formula, check


def _autograd_derivative(f, x):
    x = x.detach().requires_grad_()
    f(x).sum().backward()
    return x.grad


def _inputs():
    autograd_lab.manual_seed(3)
    return [(autograd_lab.ones(2, 2),), (autograd_lab.randn(3),), (autograd_lab.randn(2, 3),)]


def check_hand_gradient(hand_gradient):
    """Exercise: d(out)/dx for `out = (3 * (x + 2) ** 2).mean()`, derived by hand (any shape)."""
    return check("hand_gradient", hand_gradient, _inputs(),
                 hint="out = (1/n) Σ 3 (x_i + 2)², so ∂out/∂x_i = 6 (x_i + 2) / n, where n is "
                      "the number of elements (x.numel()); for x = ones(2, 2) that is 4.5",
                 reference=lambda x: _autograd_derivative(
                     lambda t: (3 * (t + 2) ** 2).mean(), x))


FUNCTIONS = [Formula("f(x) = x ** 3 + 2 * x", lambda x: x ** 3 + 2 * x),
             Formula("f(x) = x.exp() * x", lambda x: x.exp() * x),
             Formula("f(x) = (x * x).log()", lambda x: (x * x).log())]


def check_derivative(derivative):
    """Exercise: `derivative(f, x)`, the derivative of an element-wise `f` at every point of x,
    computed with autograd."""
    autograd_lab.manual_seed(4)
    points = autograd_lab.randn(5)
    cases = [(f, points) for f in FUNCTIONS]
    return check("derivative", derivative, cases,
                 hint="make a leaf that requires grad (x = x.detach().requires_grad_()), "
                      "compute f(x).sum(), call .backward() on it and return x.grad; the sum "
                      "is a scalar whose gradient holds every df(x_i)/dx_i",
                 reference=_autograd_derivative)
