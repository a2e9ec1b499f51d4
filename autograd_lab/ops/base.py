"""What every op module shares: exporting functions, unwrapping inputs, checking shapes."""

import numpy as np

from autograd_lab.tensor import Tensor

exported = {}  # name -> function, re-exported as autograd_lab.<name>


def export(*method_names):
    """Make the decorated function `autograd_lab.<name>` and a Tensor method under each name.

    `@export("add", "__add__", "__radd__")` over `def add(input, other)` gives
    `autograd_lab.add(x, y)`, `x.add(y)`, `x + y` and `2 + x`.
    """

    def attach(function):
        exported[function.__name__] = function
        for name in method_names:
            setattr(Tensor, name, function)
        return function

    return attach


def array_of(value):
    """The array behind a tensor; Python numbers pass through unchanged."""
    return value._data if isinstance(value, Tensor) else value


def binary_arrays(x, y):
    """The arrays of two operands, promoted as PyTorch does before an element-wise op.

    Shapes must broadcast; an integer tensor meeting a float (tensor or Python number) becomes
    that float type (float32 for a Python float), where numpy would pick float64; a 0-d float
    tensor meeting a float tensor with dimensions takes that tensor's float type.
    """
    a, b = array_of(x), array_of(y)
    if isinstance(x, Tensor) and isinstance(y, Tensor):
        if a.shape != b.shape:
            broadcast_shapes(a.shape, b.shape)
        if a.dtype != b.dtype:
            if a.dtype.kind != "f" and b.dtype.kind == "f":
                a = a.astype(b.dtype)
            elif b.dtype.kind != "f" and a.dtype.kind == "f":
                b = b.astype(a.dtype)
            elif b.ndim == 0 and a.ndim:  # a 0-d float acts like a number: float32 stays
                b = b.astype(a.dtype)
            elif a.ndim == 0 and b.ndim:
                a = a.astype(b.dtype)
    elif isinstance(y, float) and a.dtype.kind != "f":
        a = a.astype(np.float32)
    elif isinstance(x, float) and b.dtype.kind != "f":
        b = b.astype(np.float32)
    return a, b


def broadcast_shapes(a, b):
    """The shape two shapes broadcast to, or PyTorch's error naming the sizes that clash."""
    result = []
    for i in range(1, max(len(a), len(b)) + 1):
        size_a = a[-i] if i <= len(a) else 1
        size_b = b[-i] if i <= len(b) else 1
        if size_a != size_b and size_a != 1 and size_b != 1:
            raise RuntimeError(
                f"The size of tensor a ({size_a}) must match the size of tensor b ({size_b}) "
                f"at non-singleton dimension {max(len(a), len(b)) - i}"
            )
        result.append(max(size_a, size_b) if size_a != 0 and size_b != 0 else 0)
    return tuple(reversed(result))


def normalize_dims(dim, ndim):
    """`dim` (int, negative int, tuple or None) as a sorted tuple of non-negative dims."""
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    low, high = -max(ndim, 1), max(ndim, 1) - 1
    result = []
    for d in dims:
        if not low <= d <= high:
            raise IndexError(f"Dimension out of range (expected to be in range of [{low}, "
                             f"{high}], but got {d})")
        d = d % max(ndim, 1)
        if d in result:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        result.append(d)
    return tuple(sorted(result))
