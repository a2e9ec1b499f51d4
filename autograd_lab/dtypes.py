"""The dtypes a Tensor can hold, named as in PyTorch (`float32`, `int64`, `bool`, ...)."""

import numpy as np


class dtype:
    """A tensor element type: a PyTorch-style name wrapped around a numpy dtype.

    >>> import autograd_lab as alt
    >>> alt.float32.is_floating_point
    True
    """

    __slots__ = ("name", "numpy", "is_floating_point", "itemsize")

    def __init__(self, name, numpy_dtype):
        self.name = name
        self.numpy = np.dtype(numpy_dtype)
        self.is_floating_point = self.numpy.kind == "f"
        self.itemsize = self.numpy.itemsize

    def __repr__(self):
        return f"autograd_lab.{self.name}"

    def __reduce__(self):
        return (from_numpy_dtype, (self.numpy,))


float16 = half = dtype("float16", np.float16)
float32 = float = dtype("float32", np.float32)
float64 = double = dtype("float64", np.float64)
uint8 = dtype("uint8", np.uint8)
int8 = dtype("int8", np.int8)
int16 = short = dtype("int16", np.int16)
int32 = int = dtype("int32", np.int32)
int64 = long = dtype("int64", np.int64)
bool = dtype("bool", np.bool_)

_ALL = (float16, float32, float64, uint8, int8, int16, int32, int64, bool)
_BY_NUMPY = {d.numpy: d for d in _ALL}


def from_numpy_dtype(numpy_dtype):
    """The autograd_lab dtype for a numpy dtype, e.g. `np.float64 -> autograd_lab.float64`."""
    try:
        return _BY_NUMPY[np.dtype(numpy_dtype)]
    except KeyError:
        raise TypeError(f"autograd_lab has no dtype for numpy's {np.dtype(numpy_dtype)}") from None


def to_numpy_dtype(any_dtype):
    """Accept an autograd_lab dtype, a numpy dtype or a Python type; return a numpy dtype.

    Python's `float` means float64 and `int` means int64, as in PyTorch and numpy.
    """
    if isinstance(any_dtype, dtype):
        return any_dtype.numpy
    return from_numpy_dtype(any_dtype).numpy
