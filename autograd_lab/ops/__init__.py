"""The differentiable operations, one Function class each, grouped by kind.

Importing this package attaches every op to Tensor (`x.exp()`, `x + y`) and collects the
module-level functions (`autograd_lab.exp`) in `base.exported`.
"""

from autograd_lab.ops import (  # noqa: F401
    arithmetic,
    comparison,
    conversion,
    elementwise,
    indexing,
    linalg,
    reduction,
    shape,
)
from autograd_lab.ops.base import exported  # noqa: F401
