"""The arithmetic operators: `+ - * / **` and negation, with Python numbers on either side."""

import numpy as np

from autograd_lab.backend import array_module
from autograd_lab.ops.base import binary_arrays, export
from autograd_lab.ops.layout import row_major
from autograd_lab.ops.op import Op
from autograd_lab.tensor import Tensor


class Add(Op):
    """z = x + alpha * y  ->  dz/dx = 1, dz/dy = alpha"""

    def forward(self, x, y, alpha=1):
        self.alpha = alpha
        a, b = binary_arrays(x, y)
        return a + b if alpha == 1 else a + alpha * b

    def backward(self, xp, saved, grad):
        return grad, (grad if self.alpha == 1 else grad * self.alpha)


class Sub(Op):
    """z = x - alpha * y  ->  dz/dx = 1, dz/dy = -alpha"""

    def forward(self, x, y, alpha=1):
        self.alpha = alpha
        a, b = binary_arrays(x, y)
        return a - b if alpha == 1 else a - alpha * b

    def backward(self, xp, saved, grad):
        return grad, (-grad if self.alpha == 1 else grad * -self.alpha)


class Rsub(Op):
    """z = y - x, for `2 - x`  ->  dz/dx = -1"""

    version = 1

    def forward(self, x, y):
        a, b = binary_arrays(x, y)
        return b - a

    def backward(self, xp, saved, grad):
        return -grad, None


class Mul(Op):
    """z = x * y  ->  dz/dx = y, dz/dy = x"""

    def forward(self, x, y):
        # keep each factor only if the other one needs a gradient; a number is kept as it is
        needs_x, needs_y = self.needs_input_grad
        self.save_for_backward(x if needs_y else None, y if needs_x else None)
        a, b = binary_arrays(x, y)
        return a * b

    def backward(self, xp, saved, grad):
        x, y = saved
        return (grad * y if self.needs_input_grad[0] else None,
                grad * x if self.needs_input_grad[1] else None)


class Div(Op):
    """z = x / y  ->  dz/dx = 1 / y, dz/dy = -x / y²

    -x / y² is computed as (x / y) / y, as PyTorch does: its own derivative then never meets
    0 * inf (y * y would, at y = inf, under create_graph).
    """

    def forward(self, x, y):
        self.save_for_backward(x if self.needs_input_grad[1] else None, y)
        a, b = binary_arrays(x, y)
        if a.dtype.kind != "f" and not isinstance(b, float):  # integer / integer is float32
            a = a.astype(np.float32)
            b = b.astype(np.float32) if hasattr(b, "dtype") else b
        return a / b

    def backward(self, xp, saved, grad):
        x, y = saved
        return (grad / y if self.needs_input_grad[0] else None,
                -grad * (x / y / y) if self.needs_input_grad[1] else None)


class Neg(Op):
    """z = -x  ->  dz/dx = -1"""

    def forward(self, x):
        return -x

    def backward(self, xp, saved, grad):
        return -grad


class Pow(Op):
    """z = x ** p for a number p  ->  dz/dx = p * x ** (p - 1)  (zeros when p == 0)"""

    def forward(self, x, exponent):
        self.save_for_backward(x)
        a, self.exponent = binary_arrays(x, exponent)
        if a.dtype.kind in "iu" and isinstance(exponent, int) and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        if self.exponent in (0.5, -0.5):  # a square root, as PyTorch takes it: nan at -inf
            root = array_module(a).sqrt(a)
            return root if self.exponent > 0 else 1 / root
        return _power(a, self.exponent)

    def backward(self, xp, saved, grad):
        (x,) = saved
        p = self.exponent
        if p == 0:  # zeros even where grad is inf or nan, as in PyTorch
            return xp.zeros_like(grad)
        # PyTorch's formula, even for p = 2 (x ** 1, not x): the derivative of x ** 1 is x ** 0,
        # which still depends on x, so a third derivative is zeros rather than an error. The
        # power is this op again (not numpy's `**`), with PyTorch's answers at -inf and 0.
        return grad * (p * Pow.run(xp, x, exponent=p - 1))


def _power(a, b):
    """`a ** b` elementwise, with C's answer (which PyTorch gives) of inf for -inf to a
    positive power that is not a whole number, where numpy says nan."""
    result = a ** b
    if a.dtype.kind != "f" or (isinstance(b, (int, float)) and float(b).is_integer()):
        return result  # numpy and C agree for whole powers (the common x ** 2)
    xp = array_module(a)
    return xp.where((a == -xp.inf) & (b > 0) & (b != xp.floor(b)), xp.inf, result)


class PowTensor(Op):
    """z = x ** y for tensors  ->  dz/dx = y * x ** (y - 1), dz/dy = x ** y * log(x) = z log(x)

    As in PyTorch, dz/dx is 0 where y == 0 (also at 0 ** 0), and dz/dy is 0 where x == 0 and
    y >= 0 (where z log(x) would be 0 * -inf = nan).
    """

    node_name = "PowBackward1"
    saves_output = True

    def forward(self, x, y):
        self.save_for_backward(x, y)
        return _power(*binary_arrays(x, y))

    def backward(self, xp, saved, grad):
        x, y, z = saved
        grad_x = grad_y = None
        if self.needs_input_grad[0]:
            grad_x = xp.where(y == 0, 0, grad * y * PowTensor.run(xp, x, y - 1))
        if self.needs_input_grad[1]:
            grad_y = grad * xp.where((x == 0) & (y >= 0), 0, z * xp.log(x))
        return grad_x, grad_y


class RPow(Op):
    """z = base ** x for a number base  ->  dz/dx = base ** x * log(base) = z log(base)

    As in PyTorch: for base 0 the gradient is 0 where x >= 0 (0 ** x is flat there), and a
    negative base gives nan (its log is not a real number).
    """

    node_name = "PowBackward2"
    saves_output = True

    def forward(self, x, base):
        self.save_for_backward(x)
        self.base = base
        a, b = binary_arrays(x, base)
        return row_major(b ** a)  # as PyTorch lays it out

    def backward(self, xp, saved, grad):
        x, z = saved
        slope = z * np.log(self.base)  # numpy's log: -inf at 0 and nan below, where math raises
        return grad * (xp.where(x >= 0, 0, slope) if self.base == 0 else slope), None


@export("add", "__add__", "__radd__")
def add(input, other, *, alpha=1):
    """`input + alpha * other`, broadcasting shapes."""
    return Add.apply(input, other, alpha=alpha)


@export("sub", "subtract", "__sub__")
def sub(input, other, *, alpha=1):
    """`input - alpha * other`, broadcasting shapes."""
    return Sub.apply(input, other, alpha=alpha)


subtract = sub


@export("__rsub__")
def rsub(input, other):
    """`other - input` (what `2 - x` calls)."""
    return Rsub.apply(input, other)


@export("mul", "multiply", "__mul__", "__rmul__")
def mul(input, other):
    """Element-wise product, broadcasting shapes."""
    return Mul.apply(input, other)


multiply = mul


@export("div", "divide", "true_divide", "__truediv__")
def div(input, other):
    """Element-wise quotient, broadcasting shapes."""
    return Div.apply(input, other)


divide = true_divide = div


@export("__rtruediv__")
def rdiv(input, other):
    """`other / input` (what `1 / x` calls): `other * x.reciprocal()`, as in PyTorch."""
    return input.reciprocal() * other


@export("neg", "negative", "__neg__")
def neg(input):
    """`-input`."""
    return Neg.apply(input)


negative = neg


@export("pow", "__pow__")
def pow(input, exponent):
    """`input ** exponent` for a number or a tensor exponent; `alt.pow(2, x)` for a number base."""
    if not isinstance(input, Tensor):
        return RPow.apply(exponent, input)
    if isinstance(exponent, Tensor):
        return PowTensor.apply(input, exponent)
    return Pow.apply(input, exponent=exponent)


@export("__rpow__")
def rpow(input, base):
    """`base ** input` (what `2 ** x` calls)."""
    return RPow.apply(input, base)
