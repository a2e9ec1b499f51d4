"""Element-wise functions of one tensor: exp, log, sqrt, sin, tanh, sigmoid, relu, clamp, ...

Each output element depends on the input element at the same place only, so each backward is
the incoming gradient times the derivative, element by element, written with Tensor ops so that
`create_graph=True` can differentiate it. Where the derivative is a function of the output
(exp, sqrt, tanh, sigmoid, 1/x, relu), the op saves its output, as PyTorch does: the input may
then change in place after the op, the output may not.
"""

import numpy as np

from autograd_lab.autograd.function import Function
from autograd_lab.backend import array_module
from autograd_lab.ops.base import broadcast_shapes, export
from autograd_lab.tensor import Tensor


def _float_data(x):
    """The input's array, as float32 if it holds integers (`alt.sqrt(int_tensor)` is float)."""
    return x._data if x._data.dtype.kind == "f" else x._data.astype(np.float32)


class Exp(Function):
    """y = exp(x)  ->  dy/dx = exp(x) = y"""

    node_name = "ExpBackward0"
    computes_on_arrays = True
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        return array_module(x._data).exp(_float_data(x))

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * y


class Log(Function):
    """y = log(x)  ->  dy/dx = 1 / x   (log(0) = -inf, log(-1) = nan, as in PyTorch)"""

    node_name = "LogBackward0"
    computes_on_arrays = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return array_module(x._data).log(_float_data(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / x


class Sqrt(Function):
    """y = √x  ->  dy/dx = 1 / (2√x) = 1 / (2y)   (inf at 0)"""

    node_name = "SqrtBackward0"
    computes_on_arrays = True
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        return array_module(x._data).sqrt(_float_data(x))

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad / (2 * y)


class Sin(Function):
    """y = sin(x)  ->  dy/dx = cos(x)"""

    node_name = "SinBackward0"
    computes_on_arrays = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return array_module(x._data).sin(_float_data(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.cos()


class Cos(Function):
    """y = cos(x)  ->  dy/dx = -sin(x)"""

    node_name = "CosBackward0"
    computes_on_arrays = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return array_module(x._data).cos(_float_data(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * -x.sin()


class Tanh(Function):
    """y = tanh(x)  ->  dy/dx = 1 - tanh(x)² = 1 - y²"""

    node_name = "TanhBackward0"
    computes_on_arrays = True
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        return array_module(x._data).tanh(_float_data(x))

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * (1 - y * y)


class Sigmoid(Function):
    """y = σ(x) = 1 / (1 + exp(-x))  ->  dy/dx = σ(x) (1 - σ(x)) = y (1 - y)"""

    node_name = "SigmoidBackward0"
    computes_on_arrays = True
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        data = _float_data(x)
        return 1 / (1 + array_module(data).exp(-data))  # exp(-x) = inf gives 0, not a warning

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * y * (1 - y)


class Abs(Function):
    """y = |x|  ->  dy/dx = sign(x)   (0 at x == 0, as in PyTorch)"""

    node_name = "AbsBackward0"
    computes_on_arrays = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return array_module(x._data).abs(x._data)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.sign()


class Sign(Function):
    """y = sign(x) in {-1, 0, 1}  ->  dy/dx = 0 (flat everywhere it is defined)

    sign(nan) is 0, as in PyTorch (so the gradient of |x| at nan is 0). The gradient is zeros
    that need no gradient themselves, even for an inf or nan incoming gradient.
    """

    node_name = "SignBackward0"
    computes_on_arrays = True

    @staticmethod
    def forward(ctx, x):
        return array_module(x._data).nan_to_num(array_module(x._data).sign(x._data), nan=0)

    @staticmethod
    def backward(ctx, grad):
        return Tensor._zeros(grad.shape, grad.dtype, grad.device)


class Reciprocal(Function):
    """y = 1 / x  ->  dy/dx = -1 / x² = -y²"""

    node_name = "ReciprocalBackward0"
    computes_on_arrays = True
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        return 1 / _float_data(x)

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return -grad * (y * y)


class Relu(Function):
    """y = max(x, 0)  ->  dy/dx = 1 where y > 0, else 0 (0 at x == 0, as in PyTorch)"""

    node_name = "ReluBackward0"
    computes_on_arrays = True
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        xp = array_module(x._data)  # x where x < 0 is False: -0.0 stays -0.0, as in PyTorch
        return xp.where(x._data < 0, 0, x._data).astype(x._data.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return ReluGrad.apply(grad, y)


class ReluGrad(Function):
    """relu's backward as an op of its own: z = 0 where y <= 0, else grad

    ->  dz/dgrad = 0 where y <= 0, else 1;  dz/dy = 0. Recording y as an input (with a zero
    gradient) is what makes the gradient of relu differentiable under `create_graph=True`:
    its own gradient is zeros, not an error, as in PyTorch.
    """

    node_name = "ThresholdBackwardBackward0"
    computes_on_arrays = True

    @staticmethod
    def forward(ctx, grad, y):
        ctx.save_for_backward(y)
        return array_module(grad._data).where(y._data <= 0, 0, grad._data).astype(
            grad._data.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return ReluGrad.apply(grad, y), Tensor._zeros(y.shape, y.dtype, y.device)


class Clamp(Function):
    """y = min(max(x, min), max) for numbers  ->  dy/dx = 1 where min <= x <= max, else 0

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
        if ctx.min is None:
            inside = x <= ctx.max
        elif ctx.max is None:
            inside = x >= ctx.min
        else:
            inside = (x >= ctx.min) & (x <= ctx.max)
        return grad.masked_fill(~inside, 0)


class ClampTensor(Function):
    """y = min(max(x, lo), hi) for tensor bounds  ->  the gradient goes to whichever of x, lo,
    hi is the result: x where lo <= x <= hi, lo where x < lo, hi where x > hi."""

    node_name = "ClampBackward0"
    computes_on_arrays = True

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x, lo, hi)
        xp = array_module(x._data)
        out = x._data if lo is None else xp.maximum(x._data, lo._data)
        return out if hi is None else xp.minimum(out, hi._data)

    @staticmethod
    def backward(ctx, grad):
        x, lo, hi = ctx.saved_tensors
        inside = x == x  # all True (False at NaN, like the comparisons below)
        if lo is not None:
            inside = inside & (x >= lo)
        if hi is not None:
            inside = inside & (x <= hi)
        needs = ctx.needs_input_grad  # ~(x < lo) rather than x >= lo: a NaN x sends lo 0
        return (grad.masked_fill(~inside, 0),
                grad.masked_fill(~(x < lo), 0) if lo is not None and needs[1] else None,
                grad.masked_fill(~(x > hi), 0) if hi is not None and needs[2] else None)


def _unary(name, function_class, doc):
    def op(input):
        return function_class.apply(input)

    op.__name__, op.__doc__ = name, doc
    return export(name)(op)


exp = _unary("exp", Exp, "e to the power of each element.")
log = _unary("log", Log, "Natural logarithm of each element.")
sqrt = _unary("sqrt", Sqrt, "Square root of each element.")
sin = _unary("sin", Sin, "Sine of each element (radians).")
cos = _unary("cos", Cos, "Cosine of each element (radians).")
tanh = _unary("tanh", Tanh, "Hyperbolic tangent of each element.")
sigmoid = _unary("sigmoid", Sigmoid, "The logistic function 1 / (1 + exp(-x)) of each element.")
abs = _unary("abs", Abs, "Absolute value of each element.")
sign = _unary("sign", Sign, "-1, 0 or 1: the sign of each element.")
reciprocal = _unary("reciprocal", Reciprocal, "1 / each element.")
relu = _unary("relu", Relu, "max(x, 0) element-wise.")
Tensor.__abs__ = abs


@export("square")
def square(input):
    """Each element squared: `input ** 2` (a PowBackward0 node, as in PyTorch)."""
    return input ** 2


@export("clamp", "clip")
def clamp(input, min=None, max=None):
    """Limit every element to [min, max]; either bound may be None (`x.clamp(min=0)` is ReLU).

    The bounds are numbers, or tensors that broadcast against `input`.
    """
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        bounds = [b if isinstance(b, Tensor) or b is None else
                  Tensor._from_array(array_module(input._data).asarray(b, input._data.dtype))
                  for b in (min, max)]
        for bound in bounds:
            if bound is not None:
                broadcast_shapes(input.shape, bound.shape)
        return ClampTensor.apply(input, *bounds)
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
