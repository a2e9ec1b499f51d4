"""Lesson 04: a Jacobian from backward calls, and a second derivative."""

import autograd_lab as alt


def jacobian(f, x):
    x = x.detach().requires_grad_()
    y = f(x)
    rows = []
    for i in range(y.numel()):
        one_hot = alt.zeros(y.numel())
        one_hot[i] = 1.0
        y.backward(one_hot, retain_graph=True)  # x.grad = row i of J
        rows.append(x.grad.clone())
        x.grad.zero_()  # or the next row would add to this one
    return alt.stack(rows)


def second_derivative(f, x):
    x = x.detach().requires_grad_()
    (first,) = alt.autograd.grad(f(x), x, create_graph=True)  # f'(x), with a graph of its own
    (second,) = alt.autograd.grad(first, x)
    return second
