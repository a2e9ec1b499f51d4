"""The `out=` argument of PyTorch's functions: `torch.mul(a, b, out=c)` writes the product
into an existing tensor `c` (and returns it), as PyTorch's tensors tutorial shows.

>>> import autograd_lab as alt
>>> c = alt.empty(2)
>>> alt.mul(alt.tensor([1.0, 2.0]), 3, out=c) is c
True
>>> c
tensor([3., 6.])

Writing into `out` cannot be differentiated, so PyTorch refuses `out=` when an argument
requires grad, and so does autograd_lab. A wrapper put once around the functions listed here
computes the result as usual and copies it into `out`. The methods (`x.mul(y)`) take no
`out=`, in PyTorch as here.
"""

import functools
import warnings

import numpy as np

from autograd_lab.autograd.grad_mode import is_grad_enabled, no_grad
from autograd_lab.backend import array_module

# the modules that define the functions wrapped below: they must exist before they are wrapped
from autograd_lab.ops import (  # noqa: F401
    arithmetic,
    comparison,
    cumulative,
    elementwise,
    elementwise_more,
    linalg,
    reduction,
    selection,
    shape,
)
from autograd_lab.ops.base import rewrap, scalar_type_name
from autograd_lab.tensor import Tensor

WITH_OUT = ["add", "sub", "mul", "div", "pow", "neg", "matmul", "mm", "bmm", "mv", "dot",
            "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "abs", "sinh", "cosh",
            "log10", "clamp", "maximum", "minimum", "sum", "mean", "prod", "cumsum", "cat",
            "stack"]


def _tensors_in(arguments):
    for argument in arguments:
        if isinstance(argument, Tensor):
            yield argument
        elif isinstance(argument, (list, tuple)):  # the tensors of cat and stack
            yield from (a for a in argument if isinstance(a, Tensor))


def _writing_into_out(op):
    """`op`, also accepting `out=`: the result is copied into `out`, which is returned."""

    @functools.wraps(op)
    def op_with_out(*args, out=None, **kwargs):
        if out is None:
            return op(*args, **kwargs)
        tensors = list(_tensors_in(list(args) + list(kwargs.values()) + [out]))
        if is_grad_enabled() and any(t.requires_grad for t in tensors):
            raise RuntimeError(f"{op.__name__}(): functions with out=... arguments don't "
                               "support automatic differentiation, but one of the arguments "
                               "requires grad.")
        result = op(*args, **kwargs)
        if not np.can_cast(result._data.dtype, out._data.dtype, casting="same_kind"):
            raise RuntimeError(f"result type {scalar_type_name(result)} can't be cast to the "
                               f"desired output type {scalar_type_name(out)}")
        if out.shape != result.shape:
            if out.numel():
                warnings.warn(f"An output with one or more elements was resized since it had "
                              f"shape {list(out.shape)}, which does not match the required "
                              f"output shape {list(result.shape)}. This behavior is "
                              "deprecated, and in a future PyTorch release outputs will not be "
                              "resized unless they have zero elements.", UserWarning,
                              stacklevel=2)
            out._data = array_module(out._data).empty(result.shape, out._data.dtype)
        with no_grad():
            out.copy_(result)
        return out

    return op_with_out


for _name in WITH_OUT:
    rewrap(_name, _writing_into_out, methods=False)  # `out=` is for functions, as in PyTorch
