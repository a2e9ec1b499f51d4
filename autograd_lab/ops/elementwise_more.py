"""More element-wise functions of one tensor, written like those in `elementwise.py`: the
hyperbolic sine and cosine, and the base-10 logarithm (`lossi.append(loss.log10().item())`
plots a loss curve on a log scale)."""

import math

import numpy as np

from autograd_lab.autograd.function import Function
from autograd_lab.backend import array_module
from autograd_lab.ops.elementwise import _float_data, _unary


class Sinh(Function):
    """y = sinh(x) = (eˣ - e⁻ˣ) / 2  ->  dy/dx = cosh(x)"""

    node_name = "SinhBackward0"
    computes_on_arrays = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return array_module(x._data).sinh(_float_data(x._data))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.cosh()


class Cosh(Function):
    """y = cosh(x) = (eˣ + e⁻ˣ) / 2  ->  dy/dx = sinh(x)"""

    node_name = "CoshBackward0"
    computes_on_arrays = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return array_module(x._data).cosh(_float_data(x._data))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.sinh()


class Log10(Function):
    """y = log₁₀(x) = ln(x) / ln(10)  ->  dy/dx = 1 / (x ln 10)"""

    node_name = "Log10Backward0"
    computes_on_arrays = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        # float32's own log10 misses exact powers: log10(100) = 2.0000002
        data = _float_data(x._data)
        return array_module(data).log10(data.astype(np.float64)).astype(data.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (x * math.log(10))


sinh = _unary("sinh", Sinh, "Hyperbolic sine of each element.")
cosh = _unary("cosh", Cosh, "Hyperbolic cosine of each element.")
log10 = _unary("log10", Log10, "Base-10 logarithm of each element.")
