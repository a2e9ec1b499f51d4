"""More element-wise functions of one tensor, written like those in `elementwise.py`: the
hyperbolic sine and cosine, and the base-10 logarithm (`lossi.append(loss.log10().item())`
plots a loss curve on a log scale)."""

import math

import numpy as np

from autograd_lab.backend import array_module
from autograd_lab.ops.elementwise import _float_data, _unary
from autograd_lab.ops.op import Op


class Sinh(Op):
    """y = sinh(x) = (eˣ - e⁻ˣ) / 2  ->  dy/dx = cosh(x)"""

    def forward(self, x):
        self.save_for_backward(x)
        return array_module(x).sinh(_float_data(x))

    def backward(self, xp, saved, grad):
        (x,) = saved
        return grad * xp.cosh(x)


class Cosh(Op):
    """y = cosh(x) = (eˣ + e⁻ˣ) / 2  ->  dy/dx = sinh(x)"""

    def forward(self, x):
        self.save_for_backward(x)
        return array_module(x).cosh(_float_data(x))

    def backward(self, xp, saved, grad):
        (x,) = saved
        return grad * xp.sinh(x)


class Log10(Op):
    """y = log₁₀(x) = ln(x) / ln(10)  ->  dy/dx = 1 / (x ln 10)"""

    def forward(self, x):
        self.save_for_backward(x)
        data = _float_data(x)  # float32's own log10 misses exact powers: log10(100) = 2.0000002
        return array_module(data).log10(data.astype(np.float64)).astype(data.dtype, copy=False)

    def backward(self, xp, saved, grad):
        (x,) = saved
        return grad / (x * math.log(10))


sinh = _unary("sinh", Sinh, "Hyperbolic sine of each element.")
cosh = _unary("cosh", Cosh, "Hyperbolic cosine of each element.")
log10 = _unary("log10", Log10, "Base-10 logarithm of each element.")
