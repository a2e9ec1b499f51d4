"""Reductions: sum, mean, prod, var, std, norm, max/min, amax/amin, argmax/argmin.

Their results are laid out row-major whatever the input's layout, as PyTorch lays them out.

Each reduces over all elements or over `dim` (an int, a negative int or a tuple), keeping the
reduced dims as size 1 with `keepdim=True`. Backward first reshapes the gradient to that kept
shape, so that it broadcasts against the input again (`_kept`).
"""

import collections
import math
import warnings

from autograd_lab.backend import array_module
from autograd_lab.ops.base import export, normalize_dims, scalar_type_name
from autograd_lab.ops.layout import row_major
from autograd_lab.ops.op import Op
from autograd_lab.ops.shape import Expand
from autograd_lab.tensor import Tensor


def _kept_shape(shape, dims):
    """The shape a reduction has with `keepdim=True`: reduced dims become 1."""
    return tuple(1 if i in dims else size for i, size in enumerate(shape))


def _kept(xp, grad, op):
    """The gradient of a reduction, reshaped to broadcast against the reduced input."""
    return xp.reshape(grad, _kept_shape(op.shape, op.dims))


def _reducing(op, x, dim):
    """Remember the input shape and the reduced dims on the op; return the dims."""
    op.shape = x.shape
    op.dims = normalize_dims(dim, x.ndim)
    return op.dims


def _count(shape, dims):
    return math.prod(shape[d] for d in dims)


class Sum(Op):
    """y = Σ x over dims  ->  dy/dx = 1 for every element: the gradient is copied back"""

    version = 1

    def forward(self, x, dim=None, keepdim=False):
        return row_major(x.sum(axis=_reducing(self, x, dim), keepdims=keepdim))

    def backward(self, xp, saved, grad):
        return Expand.run(xp, _kept(xp, grad, self), shape=self.shape)  # a writeable view


class SumAll(Sum):
    node_name = "SumBackward0"


class Mean(Op):
    """y = mean of x over dims  ->  dy/dx = 1 / n for each of the n elements averaged"""

    version = 1

    def forward(self, x, dim=None, keepdim=False):
        if x.dtype.kind != "f":
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating "
                f"point or complex dtype. Got: {scalar_type_name(x)}"
            )
        return row_major(x.mean(axis=_reducing(self, x, dim), keepdims=keepdim))

    def backward(self, xp, saved, grad):
        return xp.broadcast_to(_kept(xp, grad, self), self.shape) / _count(self.shape, self.dims)


class MeanAll(Mean):
    node_name = "MeanBackward0"


class Prod(Op):
    """y = Π x over dims  ->  dy/dx_i = product of the other elements

    That is y / x_i when no element is 0. When some element is 0 that division would give
    NaN, so backward multiplies the others out instead (`_product_of_others`); forward then
    also keeps the identity pattern that method needs.
    """

    version = 1
    saves_output = True

    def forward(self, x, dim=None, keepdim=False):
        dims = _reducing(self, x, dim)
        self.has_zero = self.needs_input_grad[0] and bool((x == 0).any())
        if self.has_zero:
            n = x.shape[dims[0]] if len(dims) == 1 else x.size
            self.save_for_backward(x, array_module(x).eye(n, dtype=bool))
        else:
            self.save_for_backward(x)
        return row_major(x.prod(axis=dims, keepdims=keepdim))

    def backward(self, xp, saved, grad):
        if not self.has_zero:
            x, y = saved
            return _kept(xp, grad, self) * _kept(xp, y, self) / x
        x, diagonal, _ = saved
        return _kept(xp, grad, self) * _product_of_others(xp, x, diagonal, self.dims)


class ProdAll(Prod):
    node_name = "ProdBackward0"


def _product_of_others(xp, x, diagonal, dims):
    """For each element, the product of the other elements over `dims`.

    The n reduced elements are laid out n times, as the rows of an n x n matrix whose
    diagonal is set to 1; row i then multiplies out to the product of all but element i.
    This costs n² but never divides, so zeros are fine (also for second derivatives).
    """
    moved = xp.swapaxes(x, dims[0], -1) if len(dims) == 1 else xp.reshape(x, (-1,))
    n = moved.shape[-1]
    rows = xp.broadcast_to(xp.expand_dims(moved, -2), tuple(moved.shape[:-1]) + (n, n))
    others = xp.prod(xp.where(diagonal, 1, rows), axis=-1)
    return xp.swapaxes(others, dims[0], -1) if len(dims) == 1 else xp.reshape(others, x.shape)


class Var(Op):
    """y = Σ (x - mean)² / (n - correction)  ->  dy/dx = 2 (x - mean) / (n - correction)"""

    def forward(self, x, dim=None, correction=1, keepdim=False):
        if x.dtype.kind != "f":
            raise RuntimeError("std and var only support floating point and complex dtypes")
        self.save_for_backward(x)
        dims = _reducing(self, x, dim)
        self.correction = correction
        centered = x - x.mean(axis=dims, keepdims=True)
        squares = (centered * centered).sum(axis=dims, keepdims=keepdim)
        return squares / (_count(x.shape, dims) - correction)

    def backward(self, xp, saved, grad):
        (x,) = saved
        centered = x - xp.mean(x, axis=self.dims, keepdims=True)
        n = _count(self.shape, self.dims) - self.correction
        return _kept(xp, grad, self) * 2 * centered / n


class Std(Var):
    """y = √var(x)  ->  dy/dx = (x - mean) / ((n - correction) y)   (0 where y == 0)"""

    saves_output = True

    def forward(self, x, dim=None, correction=1, keepdim=False):
        variance = super().forward(x, dim, correction, keepdim)
        return array_module(variance).sqrt(variance)

    def backward(self, xp, saved, grad):
        x, std = saved
        std = _kept(xp, std, self)
        centered = x - xp.mean(x, axis=self.dims, keepdims=True)
        n = _count(self.shape, self.dims) - self.correction
        return xp.where(std == 0, 0, _kept(xp, grad, self) / std) * centered / n


class Norm(Op):
    """y = (Σ |x|^p)^(1/p) over dims  ->  dy/dx = sign(x) |x|^(p-1) / y^(p-1)

    For p = 2 that is x / y, for p = 1 it is sign(x). Where y == 0 (and, for p < 1, where
    x == 0) the factor that would divide by zero is taken as 0, in the order PyTorch takes it,
    so that an infinite incoming gradient gives the same nan and the same second derivative.
    """

    node_name = "LinalgVectorNormBackward0"
    saves_output = True

    def forward(self, x, p=2, dim=None, keepdim=False):
        self.save_for_backward(x)
        dims = _reducing(self, x, dim)
        self.p = p
        magnitude = array_module(x).abs(x)
        return ((magnitude ** p).sum(axis=dims, keepdims=keepdim)) ** (1 / p)

    def backward(self, xp, saved, grad):
        x, norm = saved
        p, grad, norm = self.p, _kept(xp, grad, self), _kept(xp, norm, self)
        if p == 1:
            return xp.sign(x) * grad
        if p == 2:
            return grad * xp.where(norm == 0, 0, x / norm)
        if p < 1:
            scaled = xp.sign(x) * xp.where(x == 0, 0, xp.abs(x) ** (p - 1))
            return scaled * grad * norm ** (1 - p)
        scaled = xp.sign(x) * xp.abs(x) ** (p - 1) if p < 2 else x * xp.abs(x) ** (p - 2)
        return scaled * xp.where(norm == 0, 0, grad / norm ** (p - 1))


class MaxAll(Op):
    """y = the largest element  ->  dy/dx = 1/k at each of the k elements equal to y, else 0

    Ties share the gradient evenly, as in PyTorch; when y is nan, the nan elements share it.
    Backward finds those elements from the saved input and output.
    """

    node_name = "MaxBackward1"
    saves_output = True
    pick, api_name = "max", "max"  # numpy's reduction, and the name errors use

    def forward(self, x, dim=None, keepdim=False):
        dims = _reducing(self, x, dim)
        _check_reducible(self.api_name, x.shape, dim, dims)
        self.save_for_backward(x)
        return row_major(getattr(x, self.pick)(axis=dims, keepdims=keepdim))

    def backward(self, xp, saved, grad):
        x, y = saved
        y = _kept(xp, y, self)
        chosen = (x == y) | ((x != x) & (y != y))
        share = _kept(xp, grad, self) / xp.sum(chosen, axis=self.dims, keepdims=True)
        return xp.where(~chosen, 0, xp.broadcast_to(share, self.shape))


class MinAll(MaxAll):
    node_name = "MinBackward1"
    pick, api_name = "min", "min"


class Amax(MaxAll):
    """y = the largest values over dims  ->  dy/dx = 1/k at the k elements equal to y, else 0

    PyTorch computes it as `grad / k * mask` here, so an inf or nan gradient (or a nan y, where
    k = 0) spreads nan over the other elements too; so does this op.
    """

    api_name = "amax"

    def backward(self, xp, saved, grad):
        x, y = saved
        chosen = x == _kept(xp, y, self)
        return _kept(xp, grad, self) / xp.sum(chosen, axis=self.dims, keepdims=True) * chosen


class Amin(Amax):
    pick, api_name = "min", "amin"


class MaxDim(Op):
    """(values, indices) = max of x along dim  ->  the gradient goes to the element picked

    Only the element whose index is returned gets it (the first of ties), as in PyTorch,
    which is why the indices are what is saved. Forward also keeps the positions 0..n-1
    along dim, to find each picked element by comparing its position with its index.
    """

    node_name = "MaxBackward0"
    pick, api_name = "argmax", "max"

    def forward(self, x, dim, keepdim=False):
        (d,) = _reducing(self, x, dim)
        _check_reducible(self.api_name, x.shape, dim, (d,))
        xp = array_module(x)
        indices = xp.expand_dims(getattr(x, self.pick)(axis=d), d)
        values = xp.take_along_axis(x, indices, axis=d)
        if not keepdim:
            values, indices = values.squeeze(d), indices.squeeze(d)
        positions = xp.arange(x.shape[d]).reshape((-1,) + (1,) * (x.ndim - d - 1))
        self.save_for_backward(indices, positions)
        return values, indices

    @classmethod
    def apply(cls, input, **settings):
        """`Op.apply`, then the indices output itself is what backward keeps (forward could
        save only its array): changing the indices in place is caught, as in PyTorch."""
        values, indices = super().apply(input, **settings)
        node = values.grad_fn
        if node is not None:
            node.keep_for_backward((indices, node.saved[1]))
        return values, indices

    def backward(self, xp, saved, grad, grad_indices):
        indices, positions = saved
        others = positions != xp.reshape(indices, _kept_shape(self.shape, self.dims))
        return xp.where(others, 0, xp.broadcast_to(_kept(xp, grad, self), self.shape))


class MinDim(MaxDim):
    node_name = "MinBackward0"
    pick, api_name = "argmin", "min"


def _check_reducible(name, shape, dim, dims):
    """Taking the max (or min) of nothing is an error, worded as in PyTorch."""
    if dim is None and 0 in shape:
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() "
                           "== 0. Specify the reduction dim with the 'dim' argument.")
    for d in dims:
        if shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


def _return_type(name):
    """A named pair like `torch.return_types.max`: `out.values`, `out.indices`, or unpack it."""

    class ReturnType(collections.namedtuple(name, ["values", "indices"])):
        __slots__ = ()

        def __repr__(self):
            return (f"autograd_lab.return_types.{name}(\nvalues={self.values!r},\n"
                    f"indices={self.indices!r})")

    ReturnType.__name__ = ReturnType.__qualname__ = name
    return ReturnType


_max_type, _min_type = _return_type("max"), _return_type("min")


@export("sum")
def sum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum of all elements, or over `dim` (an int or a tuple of ints)."""
    if dtype is not None:
        input = input.to(dtype)
    if dim is None:
        return SumAll.apply(input)
    return Sum.apply(input, dim=dim, keepdim=keepdim)


@export("mean")
def mean(input, dim=None, keepdim=False, *, dtype=None):
    """Mean of all elements, or over `dim` (an int or a tuple of ints)."""
    if dtype is not None:
        input = input.to(dtype)
    if dim is None:
        return MeanAll.apply(input)
    return Mean.apply(input, dim=dim, keepdim=keepdim)


@export("prod")
def prod(input, dim=None, keepdim=False, *, dtype=None):
    """Product of all elements, or along one `dim`."""
    if dtype is not None:
        input = input.to(dtype)
    if dim is None:
        return ProdAll.apply(input)
    if not isinstance(dim, int):
        raise TypeError("prod(): argument 'dim' must be int, not " + type(dim).__name__)
    return Prod.apply(input, dim=dim, keepdim=keepdim)


def _correction(input, dim, unbiased, correction, name):
    """The correction from torch's two spellings, with its warning when n - correction <= 0."""
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    if _count(input.shape, normalize_dims(dim, input.dim())) - correction <= 0:
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly "
                      "less than the reduction factor (input numel divided by output numel).",
                      UserWarning, stacklevel=3)
    return correction


@export("var")
def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance over all elements or `dim`; divides by n - correction (n - 1 by default).

    `unbiased=False` (or `correction=0`) divides by n.
    """
    if isinstance(dim, bool):  # x.var(False): the old positional `unbiased`
        dim, unbiased = None, dim
    correction = _correction(input, dim, unbiased, correction, "var")
    return Var.apply(input, dim=dim, correction=correction, keepdim=keepdim)


@export("std")
def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Standard deviation, the square root of `var` (same arguments)."""
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    correction = _correction(input, dim, unbiased, correction, "std")
    return Std.apply(input, dim=dim, correction=correction, keepdim=keepdim)


@export("norm")
def norm(input, p=2, dim=None, keepdim=False):
    """The p-norm (Σ |x|^p)^(1/p) of all elements, or over `dim`; p = 2 (or "fro") by default.

    >>> import autograd_lab as alt
    >>> alt.tensor([3.0, 4.0]).norm()
    tensor(5.)
    """
    if p == "fro":
        p = 2
    if not isinstance(p, (int, float)) or p in (0, float("inf"), -float("inf")) or p < 0:
        raise NotImplementedError(f"norm: p={p} is not supported; use a finite p > 0")
    return Norm.apply(input, p=p, dim=dim, keepdim=keepdim)


@export("max")
def max(input, dim=None, keepdim=False):
    """The largest element; along `dim`, the pair `(values, indices)`; with a tensor, maximum.

    >>> import autograd_lab as alt
    >>> alt.tensor([[1., 5.], [7., 2.]]).max(dim=1).indices
    tensor([1, 0])
    """
    if isinstance(dim, Tensor):
        return input.maximum(dim)
    if dim is None:
        return MaxAll.apply(input)
    return _max_type(*_along(MaxDim, input, dim, keepdim))


@export("min")
def min(input, dim=None, keepdim=False):
    """The smallest element; along `dim`, the pair `(values, indices)`; with a tensor, minimum."""
    if isinstance(dim, Tensor):
        return input.minimum(dim)
    if dim is None:
        return MinAll.apply(input)
    return _min_type(*_along(MinDim, input, dim, keepdim))


def _along(kind, input, dim, keepdim):
    """(values, indices) along `dim`; a 0-d tensor is its own value, at index 0."""
    if input.dim() == 0:
        normalize_dims(dim, 0)  # only 0 and -1 are allowed
        input, dim, keepdim = input.reshape(1), 0, False
    return kind.apply(input, dim=dim, keepdim=keepdim)


@export("amax")
def amax(input, dim=(), keepdim=False):
    """The largest values over `dim` (all dims when empty); ties share the gradient."""
    return Amax.apply(input, dim=dim if dim != () else None, keepdim=keepdim)


@export("amin")
def amin(input, dim=(), keepdim=False):
    """The smallest values over `dim` (all dims when empty); ties share the gradient."""
    return Amin.apply(input, dim=dim if dim != () else None, keepdim=keepdim)


@export("argmax")
def argmax(input, dim=None, keepdim=False):
    """The index of the largest element (of the flattened tensor when `dim` is None)."""
    return _arg(input, dim, keepdim, "argmax")


@export("argmin")
def argmin(input, dim=None, keepdim=False):
    """The index of the smallest element (of the flattened tensor when `dim` is None)."""
    return _arg(input, dim, keepdim, "argmin")


def _arg(input, dim, keepdim, pick):
    data = input._data
    if dim is None or data.ndim == 0:
        normalize_dims(dim, data.ndim)  # a 0-d tensor allows only dim 0 or -1
        found = getattr(data.reshape(-1), pick)()
        shape = (1,) * data.ndim if keepdim else ()
    else:
        (dim,) = normalize_dims(dim, input.dim())
        found = getattr(data, pick)(axis=dim, keepdims=keepdim)
        shape = found.shape
    return Tensor._from_array(array_module(data).asarray(found, dtype="int64").reshape(shape),
                              input.device)
