"""Lesson 04 (backward in depth): checkers for a Jacobian built from backward calls and for a
second derivative."""

import autograd_lab
from autograd_lab.lessons.checking import Formula, check


def _jacobian(f, x):
    x = x.detach().requires_grad_()
    y = f(x)
    result = autograd_lab.zeros(y.numel(), x.numel())
    for i in range(y.numel()):
        one_hot = autograd_lab.zeros(y.numel())
        one_hot[i] = 1.0
        (result[i],) = autograd_lab.autograd.grad(y, x, one_hot, retain_graph=True)
    return result


def check_jacobian(jacobian):
    """Exercise: `jacobian(f, x)` for a vector function of a vector, shape (len(f(x)), len(x))."""
    autograd_lab.manual_seed(5)
    weights = autograd_lab.randn(2, 3)
    cases = [(Formula("f(x) = x * x", lambda x: x * x), autograd_lab.tensor([1.0, 2.0, 3.0])),
             (Formula(f"f(x) = W.mv(x) with W = {weights}", weights.mv), autograd_lab.randn(3)),
             (Formula("f(x) = x.exp() * x.sum()", lambda x: x.exp() * x.sum()),
              autograd_lab.randn(4))]
    return check("jacobian", jacobian, cases,
                 hint="row i of the Jacobian is vᵀJ with v the i-th one-hot vector: "
                      "y.backward(v, retain_graph=True) puts it in x.grad; copy it (clone()) and "
                      "zero x.grad before the next row; the result has shape (y.numel(), "
                      "x.numel())",
                 reference=_jacobian)


def _second_derivative(f, x):
    x = x.detach().requires_grad_()
    (first,) = autograd_lab.autograd.grad(f(x), x, create_graph=True)
    (second,) = autograd_lab.autograd.grad(first, x)
    return second


def check_second_derivative(second_derivative):
    """Exercise: `second_derivative(f, x)`, d²f/dx² at a scalar x, with create_graph=True."""
    cases = [(Formula("f(x) = x ** 3", lambda x: x ** 3), autograd_lab.tensor(2.0)),
             (Formula("f(x) = x.exp() * x", lambda x: x.exp() * x), autograd_lab.tensor(0.5)),
             (Formula("f(x) = x ** 4 - 3 * x ** 2", lambda x: x ** 4 - 3 * x ** 2),
              autograd_lab.tensor(-1.5))]
    return check("second_derivative", second_derivative, cases,
                 hint="differentiate twice: the first backward needs create_graph=True so that "
                      "its result has a graph of its own, e.g. "
                      "(g,) = alt.autograd.grad(f(x), x, create_graph=True), "
                      "then differentiate g again",
                 reference=_second_derivative)
