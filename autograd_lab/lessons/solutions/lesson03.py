"""Lesson 03: a gradient by hand, and any derivative by autograd."""


def hand_gradient(x):
    # out = (1/n) Σ 3 (x_i + 2)²  ->  ∂out/∂x_i = 6 (x_i + 2) / n
    return 6 * (x + 2) / x.numel()


def derivative(f, x):
    x = x.detach().requires_grad_()  # a leaf of our own, whatever x was
    f(x).sum().backward()  # ∂(Σ f(x_j))/∂x_i = f'(x_i)
    return x.grad
