"""numpy's names, recorded: what a built-in op's `backward` runs on under `create_graph=True`.

A derivative formula is written once over `xp` (see `ops.op`). In an ordinary backward pass
`xp` is numpy (or cupy) and the formula computes arrays. Here every name calls the autograd_lab
operation that computes the same thing, so the formula records a graph instead, and the
gradient it returns can be differentiated again. Arguments follow numpy (`axis`, `keepdims`).
"""

from autograd_lab.ops.base import exported


def abs(x):  # noqa: A001  (numpy's name)
    return x.abs()


def broadcast_to(x, shape):
    return x.expand(shape)


def cos(x):
    return x.cos()


def cosh(x):
    return x.cosh()


def cumsum(x, axis=None):
    """`np.cumsum`: running totals along `axis` (of the flattened x when None)."""
    return x.cumsum(axis) if axis is not None else x.reshape(-1).cumsum(0)


def exp(x):
    return x.exp()


def expand_dims(x, axis):
    return x.unsqueeze(axis)


def log(x):
    return x.log()


def matmul(a, b):
    return a.matmul(b)


def maximum(x, y):
    return exported["maximum"](x, y)


def mean(x, axis=None, keepdims=False):
    if axis is None:
        axis = tuple(range(x.dim()))
    return x.mean(dim=axis, keepdim=keepdims)


def minimum(x, y):
    return exported["minimum"](x, y)


def prod(x, axis=None):
    """`np.prod` over one `axis` (an int), or over all elements when None."""
    return x.prod(axis) if axis is not None else x.prod()


def reshape(x, shape):
    return x.reshape(shape)


def sign(x):
    return x.sign()


def sin(x):
    return x.sin()


def sinh(x):
    return x.sinh()


def sum(x, axis=None, keepdims=False):  # noqa: A001  (numpy's name)
    """`np.sum`: over `axis` (an int, a tuple or None for all), keeping reduced dims or not."""
    if axis is None and not keepdims:
        return x.sum()  # a sum of everything, recorded as PyTorch records it (SumBackward0)
    if axis is None:
        axis = tuple(range(x.dim()))
    return x.sum(dim=axis, keepdim=keepdims) if axis != () else x.clone()


def swapaxes(x, axis1, axis2):
    return x.transpose(axis1, axis2)


def transpose(x, axes=None):
    return x.permute(axes if axes is not None else tuple(reversed(range(x.dim()))))


def tril(m, k=0):
    return m.tril(k)


def triu(m, k=0):
    return m.triu(k)


def where(condition, x, y):
    return exported["where"](condition, x, y)


def zeros_like(x):
    return x.new_zeros(x.shape)
