"""The differentiable operations, one Function class each, grouped by kind.

Importing this package attaches every op to Tensor (`x.exp()`, `x + y`) and collects the
module-level functions (`autograd_lab.exp`) in `base.exported`.

Values, gradients, subgradient choices and `grad_fn` names follow PyTorch. Where the graph
differs on purpose, it is smaller:
- `matmul` of a 3-D (or higher) operand with a matrix or a batch is one `BmmBackward0`
  node; PyTorch folds the batch into a bmm or mm and shows `UnsafeViewBackward0` and
  reshaping nodes around it. A vector times such a batch becomes a row, squeezed off again
  (`SqueezeBackward4`).
- An index mixing slices with lists or tensors (`x[1:, [0, 2]]`) is one `IndexBackward0`.
- An in-place change through a view (`y[0] *= 2`) gives the base a `CopySlices` node whose
  inputs are the base's old history and the op's own node (`MulBackward0`); PyTorch keeps the
  op inside `CopySlices`. The gradients are the same.

Each op saves for backward what PyTorch's saves (the output for exp, tanh, sigmoid, sqrt, relu,
softmax, ...; the mask, condition or indices for masked_fill, where and indexing), so the same
in-place changes are allowed or caught, and a second backward raises in the same places.
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
    in_place_methods,
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
