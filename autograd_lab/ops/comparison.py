"""Comparisons and logic: `== != < <= > >=`, `&`, `|`, `~`, `all`, `any` -> bool tensors.

They have no gradient (a step function is flat almost everywhere), so they are plain
functions, not Function classes, and their results never require grad.
"""

import numpy as np

from autograd_lab.backend import array_module
from autograd_lab.ops.base import binary_arrays, export
from autograd_lab.tensor import Tensor


def _compare(compute, name):
    def compare(input, other):
        if not isinstance(other, (Tensor, int, float, bool, np.generic)):
            return NotImplemented
        a, b = binary_arrays(input, other)
        return Tensor._from_array(compute(a, b), input.device)

    compare.__name__ = name  # the name `export` files it under: autograd_lab.eq, ...
    return compare


eq = export("eq", "__eq__")(_compare(np.equal, "eq"))
ne = export("ne", "__ne__")(_compare(np.not_equal, "ne"))
lt = export("lt", "less", "__lt__")(_compare(np.less, "lt"))
le = export("le", "less_equal", "__le__")(_compare(np.less_equal, "le"))
gt = export("gt", "greater", "__gt__")(_compare(np.greater, "gt"))
ge = export("ge", "greater_equal", "__ge__")(_compare(np.greater_equal, "ge"))


def _logical(compute, name):
    def combine(input, other):
        a, b = binary_arrays(input, other)
        if a.dtype.kind not in "biu" or getattr(b, "dtype", np.dtype(bool)).kind not in "biu":
            raise RuntimeError(f'"{name}_cpu" not implemented for \'Float\'')
        return Tensor._from_array(compute(a, b), input.device)

    combine.__name__ = name
    return combine


export("__and__", "__rand__")(_logical(np.bitwise_and, "bitwise_and"))
export("__or__", "__ror__")(_logical(np.bitwise_or, "bitwise_or"))
export("__xor__", "__rxor__")(_logical(np.bitwise_xor, "bitwise_xor"))


@export("logical_not", "__invert__")
def logical_not(input):
    """True where `input` is False (or zero)."""
    return Tensor._from_array(~input._data.astype(bool), input.device)


@export("all")
def all(input, dim=None, keepdim=False):
    """True if every element is true (non-zero), over all elements or along `dim`."""
    result = input._data.all(axis=dim, keepdims=keepdim)
    return Tensor._from_array(array_module(input._data).asarray(result), input.device)


@export("any")
def any(input, dim=None, keepdim=False):
    """True if some element is true (non-zero), over all elements or along `dim`."""
    result = input._data.any(axis=dim, keepdims=keepdim)
    return Tensor._from_array(array_module(input._data).asarray(result), input.device)


@export("equal")
def equal(input, other):
    """True if both tensors have the same shape and the same values."""
    return input.shape == other.shape and bool((input._data == other._data).all())


@export("allclose")
def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True if every element of `input` is close to the one of `other`."""
    xp = np if input.device.type == "cpu" else __import__("cupy")
    return bool(xp.allclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))
