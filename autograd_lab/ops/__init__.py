"""The differentiable operations, one Function class each, grouped by kind.

Importing this package attaches every op to Tensor (`x.exp()`, `x + y`) and collects the
module-level functions (`autograd_lab.exp`) in `base.exported`.

Values, gradients, subgradient choices and `grad_fn` names follow PyTorch. Where the graph
differs on purpose, it is smaller:
- `matmul` with a 3-D (or higher) operand is one `BmmBackward0` node; PyTorch folds the
  batch into a bmm or mm and shows `UnsafeViewBackward0` and reshaping nodes around it.
  With a 1-D operand the vector is made a row or column and squeezed off again
  (`SqueezeBackward1` on top).
- An index mixing slices with lists or tensors (`x[1:, [0, 2]]`) is one `IndexBackward0`.
- Backward of exp, tanh, sigmoid and softmax recomputes them from the saved input instead of
  keeping the output, so changing the output in place afterwards is not an error here.
"""

import numpy as np

from autograd_lab.ops import (  # noqa: F401
    arithmetic,
    binary_cross_entropy,
    comparison,
    conversion,
    cumulative,
    elementwise,
    elementwise_more,
    embedding,
    functional,
    indexing,
    linalg,
    meshgrid,
    numpy_names,
    out_argument,
    reduction,
    selection,
    shape,
    shape_as,
    triangular,
)
from autograd_lab.ops.base import exported  # noqa: F401

# PyTorch computes log(0) = -inf, 0/0 = nan and exp(1000) = inf without a word; numpy warns
# (RuntimeWarning: divide by zero / invalid value / overflow). One process-wide decision here
# keeps the ops quiet at no cost per op: a `with np.errstate(...)` around every op would add
# about 1 µs to each, a third of a small op's total time. The price is that numpy code of
# your own is quiet about these too; `np.seterr(all="warn")` brings the warnings back.
np.seterr(divide="ignore", invalid="ignore", over="ignore")
