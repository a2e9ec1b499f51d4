"""What every op module shares: exporting functions, unwrapping inputs, checking shapes."""

import numpy as np

from autograd_lab.tensor import _TYPE_NAMES, Tensor

exported = {}  # name -> function, re-exported as autograd_lab.<name>


def export(*method_names, function=True):
    """Make the decorated function a Tensor method under each name, and `autograd_lab.<name>`
    under each name that is not a `__dunder__` (unless `function=False`: `x.view` has no
    `autograd_lab.view`, as in PyTorch).

    `@export("add", "__add__", "__radd__")` over `def add(input, other)` gives
    `autograd_lab.add(x, y)`, `x.add(y)`, `x + y` and `2 + x`.
    """

    def attach(op):
        for name in method_names:
            setattr(Tensor, name, op)
            if function and not name.startswith("__"):
                exported[name] = op
        return op

    return attach


def rewrap(name, wrap, methods=True):
    """Put `wrap(op)` in place of the op called `name`, both as `autograd_lab.<name>` and as
    `Tensor.<name>` (where it exists; not with `methods=False`): one wrapper where both were
    the same function."""
    wrapped = {}
    for found in (exported.get(name), vars(Tensor).get(name) if methods else None):
        if found is not None and id(found) not in wrapped:
            wrapped[id(found)] = wrap(found)
    if name in exported:
        exported[name] = wrapped[id(exported[name])]
    if methods and name in vars(Tensor):
        setattr(Tensor, name, wrapped[id(vars(Tensor)[name])])


def scalar_type_name(tensor):
    """The dtype as PyTorch's messages name it: Float, Double, Long, Bool, ..."""
    return _TYPE_NAMES[tensor.dtype.name][:-len("Tensor")]


def array_of(value):
    """The array behind a tensor; numbers pass through, numpy scalars as Python numbers (a
    numpy float64 scalar times a float32 tensor is float32, as in PyTorch, not float64)."""
    if type(value) is np.ndarray or type(value) is float:
        return value
    if isinstance(value, Tensor):
        return value._data
    return value.item() if isinstance(value, np.generic) else value


def binary_arrays(x, y):
    """The arrays of two operands, promoted as PyTorch does before an element-wise op.

    Shapes must broadcast. The operand of the lower kind (bool < integer < float) takes the
    other's dtype: an integer tensor meeting a float32 tensor becomes float32, and meeting a
    Python float it becomes float32 too, where numpy would pick float64. Between two floats
    (or two integers) a 0-d tensor acts like a number: float32 + 0-d float64 stays float32.
    """
    if type(y) is float and type(x) is np.ndarray:  # the most common case, `x * 0.5`, first
        return (x if x.dtype.kind == "f" else x.astype(np.float32)), y
    a, b = array_of(x), array_of(y)  # (the ops built on `Op` pass arrays already)
    if hasattr(a, "dtype") and hasattr(b, "dtype"):  # two tensors' arrays
        if a.shape != b.shape:
            broadcast_shapes(a.shape, b.shape)
        if a.dtype != b.dtype:
            kind_a, kind_b = _KINDS.get(a.dtype.kind, 1), _KINDS.get(b.dtype.kind, 1)
            if kind_a < kind_b or (kind_a == kind_b and a.ndim == 0 and b.ndim):
                a = a.astype(b.dtype)
            elif kind_b < kind_a or (b.ndim == 0 and a.ndim):
                b = b.astype(a.dtype)
    elif isinstance(b, float) and a.dtype.kind != "f":
        a = a.astype(np.float32)
    elif isinstance(a, float) and b.dtype.kind != "f":
        b = b.astype(np.float32)
    elif isinstance(b, int) and a.dtype.kind == "b":
        a = a.astype(np.int64)
    return a, b


_KINDS = {"b": 0, "i": 1, "u": 1, "f": 2}  # numpy dtype kind -> PyTorch's promotion category


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
    """`dim` (int, negative int, tuple or None) as a sorted tuple of non-negative dims.

    A 0-d tensor accepts dim 0 or -1, as in PyTorch, and has no dims to reduce: ().
    """
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
    return tuple(sorted(result)) if ndim else ()
