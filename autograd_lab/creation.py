"""Making tensors: from data (`tensor`, `from_numpy`), filled (`zeros`, `ones`, `full`, `eye`,
ranges) and random (`randn`, `rand`, `randint`, seeded by `manual_seed` or drawn from a
`Generator` of your own)."""


import numpy as np

from autograd_lab import backend, dtypes
from autograd_lab.generator import default_generator, random_source
from autograd_lab.tensor import Tensor, _to_array, attach_methods


def _sizes(size, keyword=None, function=None):
    """`zeros(2, 3)`, `zeros((2, 3))` and `zeros(size=(2, 3))` all mean shape (2, 3)."""
    if keyword is not None:
        if size:
            raise TypeError(f"{function}() got multiple values for argument 'size'")
        size = (keyword,)
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        return tuple(size[0])
    return tuple(size)


def _numpy_dtype(dtype, default=np.float32):
    return np.dtype(default) if dtype is None else dtypes.to_numpy_dtype(dtype)


def _finish(array, device, requires_grad):
    """Put a numpy array on its device and set requires_grad (with PyTorch's checks)."""
    device = backend.as_device(device)
    if device.type != "cpu":
        array = backend.move(array, device)
    return _with_requires_grad(Tensor._from_array(array, device), requires_grad)


def _with_requires_grad(result, requires_grad):
    """Set requires_grad on a new tensor; only floating point tensors can have gradients."""
    if requires_grad:
        if result._data.dtype.kind != "f":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        result._requires_grad = True
    return result


def _inferred_dtype(data):
    """PyTorch's choice for Python data: floats -> float32, ints -> int64, bools -> bool."""
    try:
        array = np.asarray(data)
    except ValueError:  # numpy's "inhomogeneous shape"
        raise ValueError("expected sequences of the same length at every dim: nested lists "
                         "must form a rectangle to become a tensor") from None
    if array.dtype.kind in "US":
        raise TypeError("new(): invalid data type 'str'")
    if array.dtype.kind == "f" and not isinstance(data, np.ndarray):
        return np.float32
    if array.dtype.kind == "f" and array.dtype == np.float16:
        return np.float16
    if array.dtype.kind in "iu" and not isinstance(data, np.ndarray):
        return np.int64
    if array.dtype.kind == "O":
        raise RuntimeError(f"Could not infer dtype of {type(data).__name__}")
    return array.dtype


def tensor(data, dtype=None, device=None, requires_grad=False):
    """A new tensor holding a copy of `data` (a number, nested lists, an array or a tensor).

    >>> import autograd_lab as alt
    >>> alt.tensor([[1., 2.], [3., 4.]])
    tensor([[1., 2.],
            [3., 4.]])
    """
    data = _to_array(data)
    if not isinstance(data, np.ndarray):
        data = backend.to_numpy(data) if hasattr(data, "__cuda_array_interface__") else data
    numpy_dtype = _numpy_dtype(dtype, _inferred_dtype(data))
    return _finish(np.array(data, dtype=numpy_dtype), device, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Like `tensor`, but shares memory with a numpy array or tensor when it can."""
    if isinstance(data, Tensor):
        return data.to(dtype=dtype, device=device) if (dtype or device) else data
    if isinstance(data, np.ndarray) and dtype is None and backend.as_device(device).type == "cpu":
        return Tensor._from_array(data, backend.CPU)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(array):
    """A cpu tensor sharing memory with a numpy array: changing one changes the other."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    dtypes.from_numpy_dtype(array.dtype)  # refuses dtypes autograd_lab has not got
    return Tensor._from_array(array, backend.CPU)


def zeros(*sizes, size=None, dtype=None, device=None, requires_grad=False):
    """A tensor of zeros: `zeros(2, 3)`."""
    shape = _sizes(sizes, size, "zeros")
    return _finish(np.zeros(shape, _numpy_dtype(dtype)), device, requires_grad)


def ones(*sizes, size=None, dtype=None, device=None, requires_grad=False):
    """A tensor of ones: `ones(2, 2, requires_grad=True)`."""
    shape = _sizes(sizes, size, "ones")
    return _finish(np.ones(shape, _numpy_dtype(dtype)), device, requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    """A tensor of `size` filled with `fill_value` (its dtype follows the value, as in PyTorch)."""
    default = np.float32 if isinstance(fill_value, float) else _inferred_dtype(fill_value)
    array = np.full(_sizes((size,)), fill_value, _numpy_dtype(dtype, default))
    return _finish(array, device, requires_grad)


def empty(*sizes, size=None, dtype=None, device=None, requires_grad=False):
    """A tensor whose values are whatever memory held (here: zeros, to stay reproducible)."""
    return zeros(*sizes, size=size, dtype=dtype, device=device, requires_grad=requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    """The identity matrix, n x n (or n x m)."""
    return _finish(np.eye(n, m, dtype=_numpy_dtype(dtype)), device, requires_grad)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False):
    """`start, start + step, ...` below `end` (`arange(5)` is 0..4); ints give int64."""
    if end is None:
        start, end = 0, start
    is_float = any(isinstance(v, float) for v in (start, end, step))
    default = np.float32 if is_float else np.int64
    return _finish(np.arange(start, end, step, dtype=_numpy_dtype(dtype, default)), device,
                   requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    """`steps` evenly spaced values from `start` to `end`, both included."""
    return _finish(np.linspace(start, end, steps, dtype=_numpy_dtype(dtype)), device,
                   requires_grad)


def _in_layout_of(result, input):
    """`result` laid out in memory in `input`'s order, as PyTorch's `*_like` lay it out.

    `ones_like(x.t())` gets the strides of `x.t()` (gaps and repeats left out): that decides
    whether `.view()` works on it, and on the gradients it flows into.
    """
    if result.device is not input.device or result.numel() == 0:
        return result
    array = backend.module_for(result.device).empty_like(input._data, dtype=result._data.dtype)
    array[...] = result._data
    result._data = array
    return result


def _like(maker):
    def like(input, dtype=None, device=None, requires_grad=False, **kwargs):
        return _in_layout_of(maker(*input.shape, dtype=dtype or input.dtype,
                                   device=device or input.device, requires_grad=requires_grad,
                                   **kwargs), input)

    like.__name__ = maker.__name__ + "_like"
    like.__doc__ = f"`{maker.__name__}` with the shape (and dtype, device) of `input`."
    return like


zeros_like = _like(zeros)
ones_like = _like(ones)
empty_like = _like(empty)


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False):
    """`full` with the shape (and dtype, device) of `input`."""
    return _in_layout_of(full(input.shape, fill_value, dtype=dtype or input.dtype,
                              device=device or input.device, requires_grad=requires_grad),
                         input)


# -- random tensors ------------------------------------------------------------------------------

def manual_seed(seed):
    """Seed the random generators, so that `randn` & co. repeat the same numbers; returns
    `default_generator`, the stream they draw from."""
    return default_generator.manual_seed(seed)


def initial_seed():
    """The seed the default stream last started from."""
    return default_generator.initial_seed()


def seed():
    """Seed the default stream from the operating system's entropy; returns the seed."""
    return default_generator.seed()


def _random(draw, size, dtype, device, requires_grad, default=np.float32, generator=None):
    device = backend.as_device(device)
    numpy_dtype = _numpy_dtype(dtype, default)
    source = random_source(generator, device)
    array = draw(source, _sizes(size)).astype(numpy_dtype, copy=False)
    return _with_requires_grad(Tensor._from_array(array, device), requires_grad)


def randn(*sizes, size=None, generator=None, dtype=None, device=None, requires_grad=False):
    """Samples from the standard normal distribution N(0, 1)."""
    return _random(lambda rng, shape: rng.standard_normal(shape, dtype=np.float32)
                   if _numpy_dtype(dtype) == np.float32 else rng.standard_normal(shape),
                   (_sizes(sizes, size, "randn"),), dtype, device, requires_grad,
                   generator=generator)


def rand(*sizes, size=None, generator=None, dtype=None, device=None, requires_grad=False):
    """Samples from the uniform distribution on [0, 1)."""
    return _random(lambda rng, shape: rng.random(shape), (_sizes(sizes, size, "rand"),), dtype,
                   device, requires_grad, generator=generator)


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False):
    """Random integers in [low, high) (`randint(10, (3,))` draws from 0..9)."""
    if isinstance(high, (tuple, list)) and size is None:  # randint(high, size)
        low, high, size = 0, low, high
    if size is None:
        raise TypeError("randint() missing required argument 'size'")
    if high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} "
                           f">= to={high}")
    return _random(lambda rng, shape: rng.integers(low, high, shape), (size,), dtype, device,
                   requires_grad, default=np.int64, generator=generator)


def randn_like(input, dtype=None, device=None, requires_grad=False):
    """`randn` with the shape (and dtype, device) of `input`."""
    return randn(*input.shape, dtype=dtype or input.dtype, device=device or input.device,
                 requires_grad=requires_grad)


def rand_like(input, dtype=None, device=None, requires_grad=False):
    """`rand` with the shape (and dtype, device) of `input`."""
    return rand(*input.shape, dtype=dtype or input.dtype, device=device or input.device,
                requires_grad=requires_grad)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    """A random permutation of 0..n-1."""
    return _random(lambda rng, shape: rng.permutation(n), (n,), dtype, device, requires_grad,
                   default=np.int64, generator=generator)


class _NewTensorMethods:
    """`x.new_zeros(...)` and friends: tensors like `x` (its dtype and device), made here."""

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        """A new tensor from `data`, with this tensor's dtype and device unless told otherwise."""
        return tensor(data, dtype=dtype or self.dtype, device=device or self._device,
                               requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        """Zeros of `size`, with this tensor's dtype and device unless told otherwise."""
        return zeros(*size, dtype=dtype or self.dtype, device=device or self._device,
                              requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        """Ones of `size`, with this tensor's dtype and device unless told otherwise."""
        return ones(*size, dtype=dtype or self.dtype, device=device or self._device,
                             requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        """`fill_value` everywhere, with this tensor's dtype and device unless told otherwise."""
        return full(size, fill_value, dtype=dtype or self.dtype,
                             device=device or self._device, requires_grad=requires_grad)

    new_empty = new_zeros


attach_methods(_NewTensorMethods)
