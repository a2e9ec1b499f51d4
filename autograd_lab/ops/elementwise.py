"""Element-wise functions of one tensor: exp, log, relu, clamp, reciprocal, ..."""

from autograd_lab.autograd.function import Function
from autograd_lab.backend import array_module
from autograd_lab.ops.base import export
from autograd_lab.tensor import Tensor


class Exp(Function):
    """y = exp(x)  ->  dy/dx = exp(x)"""

    node_name = "ExpBackward0"
    computes_on_arrays = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return array_module(x._data).exp(x._data)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.exp()


class Log(Function):
    """y = log(x)  ->  dy/dx = 1 / x"""

    node_name = "LogBackward0"
    computes_on_arrays = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        xp = array_module(x._data)
        with _quiet(xp):
            return xp.log(x._data)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / x


class Reciprocal(Function):
    """y = 1 / x  ->  dy/dx = -1 / x²"""

    node_name = "ReciprocalBackward0"
    computes_on_arrays = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        data = x._data if x._data.dtype.kind == "f" else x._data.astype("float32")
        with _quiet(array_module(data)):
            return 1 / data

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return -grad / (x * x)


class Relu(Function):
    """y = max(x, 0)  ->  dy/dx = 1 where x > 0, else 0 (0 at x == 0, as in PyTorch)"""

    node_name = "ReluBackward0"
    computes_on_arrays = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return array_module(x._data).maximum(x._data, 0).astype(x._data.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x > 0)


class Clamp(Function):
    """y = min(max(x, min), max)  ->  dy/dx = 1 where min <= x <= max, else 0

    At a bound itself the gradient is 1, as in PyTorch.
    """

    node_name = "ClampBackward1"
    computes_on_arrays = True

    @staticmethod
    def forward(ctx, x, min=None, max=None):
        ctx.save_for_backward(x)
        ctx.min, ctx.max = min, max
        xp = array_module(x._data)
        return xp.clip(x._data, min, max).astype(x._data.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        inside = None
        if ctx.min is not None:
            inside = x >= ctx.min
        if ctx.max is not None:
            inside = (x <= ctx.max) if inside is None else inside & (x <= ctx.max)
        return grad * inside


class ClampMin(Clamp):
    node_name = "ClampMinBackward0"


class ClampMax(Clamp):
    node_name = "ClampMaxBackward0"


class _quiet:
    """Let log(0) be -inf and 1/0 be inf without numpy warnings, as in PyTorch."""

    def __init__(self, xp):
        self.xp = xp

    def __enter__(self):
        self.saved = self.xp.seterr(divide="ignore", invalid="ignore") if hasattr(
            self.xp, "seterr") else None

    def __exit__(self, *exc_info):
        if self.saved is not None:
            self.xp.seterr(**self.saved)


@export("exp")
def exp(input):
    """e to the power of each element."""
    return Exp.apply(input)


@export("log")
def log(input):
    """Natural logarithm of each element."""
    return Log.apply(input)


@export("reciprocal")
def reciprocal(input):
    """1 / each element."""
    return Reciprocal.apply(input)


@export("relu")
def relu(input):
    """max(x, 0) element-wise."""
    return Relu.apply(input)


@export("clamp", "clip")
def clamp(input, min=None, max=None):
    """Limit every element to [min, max]; either bound may be None (`x.clamp(min=0)` is ReLU)."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if max is None:
        return ClampMin.apply(input, min=min)
    if min is None:
        return ClampMax.apply(input, max=max)
    return Clamp.apply(input, min=min, max=max)


clip = clamp


@export("isnan")
def isnan(input):
    """True where an element is NaN (not a number)."""
    return Tensor._from_array(array_module(input._data).isnan(input._data), input.device)


@export("isinf")
def isinf(input):
    """True where an element is +inf or -inf."""
    return Tensor._from_array(array_module(input._data).isinf(input._data), input.device)


@export("isfinite")
def isfinite(input):
    """True where an element is neither NaN nor infinite."""
    return Tensor._from_array(array_module(input._data).isfinite(input._data), input.device)
