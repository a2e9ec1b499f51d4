"""numpy's argument names, accepted where PyTorch accepts them: `axis=` for `dim=` and
`keepdims=` for `keepdim=`, so that `A.sum(axis=1, keepdims=True)` and `y_hat.argmax(axis=1)`
from numpy-flavoured textbooks run unchanged.

>>> import autograd_lab as alt
>>> A = alt.arange(6.0).reshape(2, 3)
>>> A.sum(axis=1, keepdims=True)
tensor([[ 3.],
        [12.]])

The ops keep PyTorch's names in their signatures; a thin wrapper, put around the functions
and methods listed here once when autograd_lab is imported, renames the two keywords
(`autograd_lab.sum` stays the very function `Tensor.sum` is).
"""

import functools

# the modules that define the ops wrapped below: those ops must exist before they are wrapped
from autograd_lab.ops import comparison, cumulative, functional, reduction, shape  # noqa: F401
from autograd_lab.ops.base import rewrap

REDUCTIONS = ["sum", "mean", "prod", "var", "std", "amax", "amin", "max", "min", "argmax",
              "argmin", "all", "any"]  # take axis= and keepdims=
ALONG_A_DIM = ["softmax", "log_softmax", "cat", "concat", "concatenate", "stack", "squeeze",
               "unsqueeze", "cumsum"]  # take axis=


def _renaming(op, numpy_name, torch_name):
    """`op`, also accepting `numpy_name=` as another spelling of `torch_name=`."""

    @functools.wraps(op)
    def op_with_numpy_names(*args, **kwargs):
        if numpy_name in kwargs:
            if torch_name in kwargs:
                raise TypeError(f"{op.__name__}() got multiple values for argument "
                                f"'{torch_name}'")
            kwargs[torch_name] = kwargs.pop(numpy_name)
        return op(*args, **kwargs)

    return op_with_numpy_names


def _accepting(renames):
    """The wrapper that adds every `(numpy_name, torch_name)` of `renames` to an op."""
    def wrap(op):
        for numpy_name, torch_name in renames:
            op = _renaming(op, numpy_name, torch_name)
        return op
    return wrap


for _name in REDUCTIONS:
    rewrap(_name, _accepting([("axis", "dim"), ("keepdims", "keepdim")]))
for _name in ALONG_A_DIM:
    rewrap(_name, _accepting([("axis", "dim")]))
