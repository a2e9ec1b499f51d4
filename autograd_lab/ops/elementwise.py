"""Element-wise functions of one tensor: exp, log, sqrt, sin, tanh, sigmoid, relu, clamp, ...

Each output element depends on the input element at the same place only, so each backward is
the incoming gradient times the derivative, element by element, written once over `xp`
(numpy's names, see `ops.op`) so that `create_graph=True` can differentiate it. Where the
derivative is a function of the output (exp, sqrt, tanh, sigmoid, 1/x, relu), the op saves its
output, as PyTorch does: the input may then change in place after the op, the output may not.
"""

import numpy as np

from autograd_lab.backend import array_module
from autograd_lab.ops.base import broadcast_shapes, export
from autograd_lab.ops.op import Op
from autograd_lab.tensor import Tensor


def _float_data(x):
    """The array `x`, as float32 if it holds integers (`alt.sqrt(int_tensor)` is float)."""
    return x if x.dtype.kind == "f" else x.astype(np.float32)


class Exp(Op):
    """y = exp(x)  ->  dy/dx = exp(x) = y"""

    saves_output = True

    def forward(self, x):
        return array_module(x).exp(_float_data(x))

    def backward(self, xp, saved, grad):
        (y,) = saved
        return grad * y


class Log(Op):
    """y = log(x)  ->  dy/dx = 1 / x   (log(0) = -inf, log(-1) = nan, as in PyTorch)"""

    def forward(self, x):
        self.save_for_backward(x)
        return array_module(x).log(_float_data(x))

    def backward(self, xp, saved, grad):
        (x,) = saved
        return grad / x


class Sqrt(Op):
    """y = √x  ->  dy/dx = 1 / (2√x) = 1 / (2y)   (inf at 0)"""

    saves_output = True

    def forward(self, x):
        return array_module(x).sqrt(_float_data(x))

    def backward(self, xp, saved, grad):
        (y,) = saved
        return grad / (2 * y)


class Sin(Op):
    """y = sin(x)  ->  dy/dx = cos(x)"""

    def forward(self, x):
        self.save_for_backward(x)
        return array_module(x).sin(_float_data(x))

    def backward(self, xp, saved, grad):
        (x,) = saved
        return grad * xp.cos(x)


class Cos(Op):
    """y = cos(x)  ->  dy/dx = -sin(x)"""

    def forward(self, x):
        self.save_for_backward(x)
        return array_module(x).cos(_float_data(x))

    def backward(self, xp, saved, grad):
        (x,) = saved
        return grad * -xp.sin(x)


class Tanh(Op):
    """y = tanh(x)  ->  dy/dx = 1 - tanh(x)² = 1 - y²"""

    saves_output = True

    def forward(self, x):
        return array_module(x).tanh(_float_data(x))

    def backward(self, xp, saved, grad):
        (y,) = saved
        return grad * (1 - y * y)


class Sigmoid(Op):
    """y = σ(x) = 1 / (1 + exp(-x))  ->  dy/dx = σ(x) (1 - σ(x)) = y (1 - y)"""

    saves_output = True

    def forward(self, x):
        data = _float_data(x)
        return 1 / (1 + array_module(data).exp(-data))  # exp(-x) = inf gives 0, not a warning

    def backward(self, xp, saved, grad):
        (y,) = saved
        return grad * y * (1 - y)


class Abs(Op):
    """y = |x|  ->  dy/dx = sign(x)   (0 at x == 0, as in PyTorch)

    The sign is `Sign`'s, which is 0 at nan where numpy's `sign` is nan: the gradient of |x|
    at nan is 0, as in PyTorch.
    """

    def forward(self, x):
        self.save_for_backward(x)
        return array_module(x).abs(x)

    def backward(self, xp, saved, grad):
        (x,) = saved
        return grad * Sign.run(xp, x)


class Sign(Op):
    """y = sign(x) in {-1, 0, 1}  ->  dy/dx = 0 (flat everywhere it is defined)

    sign(nan) is 0, as in PyTorch (so the gradient of |x| at nan is 0). The gradient is zeros
    that need no gradient themselves, even for an inf or nan incoming gradient.
    """

    def forward(self, x):
        xp = array_module(x)
        return xp.nan_to_num(xp.sign(x), nan=0)

    def backward(self, xp, saved, grad):
        return xp.zeros_like(grad)


class Reciprocal(Op):
    """y = 1 / x  ->  dy/dx = -1 / x² = -y²"""

    saves_output = True

    def forward(self, x):
        return 1 / _float_data(x)

    def backward(self, xp, saved, grad):
        (y,) = saved
        return -grad * (y * y)


class Relu(Op):
    """y = max(x, 0)  ->  dy/dx = 1 where y > 0, else 0 (0 at x == 0, as in PyTorch)"""

    saves_output = True

    def forward(self, x):
        xp = array_module(x)  # x where x < 0 is False: -0.0 stays -0.0, as in PyTorch
        return xp.where(x < 0, 0, x).astype(x.dtype, copy=False)

    def backward(self, xp, saved, grad):
        (y,) = saved
        return ReluGrad.run(xp, grad, y)


class ReluGrad(Op):
    """relu's backward as an op of its own: z = 0 where y <= 0, else grad

    ->  dz/dgrad = 0 where y <= 0, else 1;  dz/dy = 0. Recording y as an input (with a zero
    gradient) is what makes the gradient of relu differentiable under `create_graph=True`:
    its own gradient is zeros, not an error, as in PyTorch.
    """

    node_name = "ThresholdBackwardBackward0"

    def forward(self, grad, y):
        self.save_for_backward(y)
        return array_module(grad).where(y <= 0, 0, grad).astype(grad.dtype, copy=False)

    def backward(self, xp, saved, grad):
        (y,) = saved
        return ReluGrad.run(xp, grad, y), xp.zeros_like(y)


class Clamp(Op):
    """y = min(max(x, min), max) for numbers  ->  dy/dx = 1 where min <= x <= max, else 0

    At a bound itself the gradient is 1, as in PyTorch.
    """

    version = 1

    def forward(self, x, min=None, max=None):
        self.save_for_backward(x)
        self.min, self.max = min, max
        xp = array_module(x)
        dtype = x.dtype  # an integer tensor clamped to a float bound becomes float32
        if dtype.kind != "f" and (isinstance(min, float) or isinstance(max, float)):
            dtype = np.float32
        if max is None:  # one bound: a plain maximum (or minimum), cheaper than clip
            return xp.maximum(x, min).astype(dtype, copy=False)
        if min is None:
            return xp.minimum(x, max).astype(dtype, copy=False)
        return xp.clip(x, min, max).astype(dtype, copy=False)

    def backward(self, xp, saved, grad):
        (x,) = saved
        if self.min is None:
            inside = x <= self.max
        elif self.max is None:
            inside = x >= self.min
        else:
            inside = (x >= self.min) & (x <= self.max)
        return xp.where(inside, grad, 0)


class ClampTensor(Op):
    """y = min(max(x, lo), hi) for tensor bounds  ->  the gradient goes to whichever of x, lo,
    hi is the result: x where lo <= x <= hi, lo where x < lo, hi where x > hi."""

    node_name = "ClampBackward0"

    def forward(self, x, lo, hi):
        self.save_for_backward(x, lo, hi)
        xp = array_module(x)
        out = x if lo is None else xp.maximum(x, lo)
        return out if hi is None else xp.minimum(out, hi)

    def backward(self, xp, saved, grad):
        x, lo, hi = saved
        inside = x == x  # all True (False at NaN, like the comparisons below)
        if lo is not None:
            inside = inside & (x >= lo)
        if hi is not None:
            inside = inside & (x <= hi)
        needs = self.needs_input_grad  # where(x < lo), not where(x >= lo): a NaN x sends lo 0
        return (xp.where(inside, grad, 0),
                xp.where(x < lo, grad, 0) if lo is not None and needs[1] else None,
                xp.where(x > hi, grad, 0) if hi is not None and needs[2] else None)


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
