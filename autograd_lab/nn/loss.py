"""Loss functions as modules: `MSELoss`, `CrossEntropyLoss`, `NLLLoss`, `BCELoss`,
`BCEWithLogitsLoss`.

A loss module remembers its settings (`reduction`, class weights) and calls the function of
the same name in `nn.functional`. `reduction` says how the per-sample losses are combined:
`"mean"` (the default), `"sum"`, or `"none"` (keep one loss per sample).

>>> import autograd_lab as alt
>>> loss_fn = alt.nn.MSELoss(reduction="sum")
>>> loss_fn(alt.tensor([1.0, 2.0]), alt.tensor([0.0, 0.0]))
tensor(5.)
"""

from autograd_lab.nn import functional as F
from autograd_lab.nn.module import Module

_REDUCTIONS = ("mean", "sum", "none")


class _Loss(Module):
    def __init__(self, reduction="mean"):
        super().__init__()
        if reduction not in _REDUCTIONS:
            raise ValueError(f"{reduction} is not a valid value for reduction")
        self.reduction = reduction


class MSELoss(_Loss):
    """Mean squared error: the average (or sum) of (input - target)²."""

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class NLLLoss(_Loss):
    """Negative log-likelihood of the target classes, given log-probabilities (N, C)."""

    def __init__(self, weight=None, ignore_index=-100, reduction="mean"):
        super().__init__(reduction)
        self.register_buffer("weight", weight)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, self.weight, self.ignore_index, self.reduction)


class CrossEntropyLoss(_Loss):
    """Cross-entropy of raw scores (logits) against class indices (or class probabilities):
    LogSoftmax followed by NLLLoss."""

    def __init__(self, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        super().__init__(reduction)
        self.register_buffer("weight", weight)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, self.weight, self.ignore_index, self.reduction,
                               self.label_smoothing)


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities (after a sigmoid) against targets in [0, 1]."""

    def __init__(self, weight=None, reduction="mean"):
        super().__init__(reduction)
        self.register_buffer("weight", weight)

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, self.weight, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of raw scores: a sigmoid and `BCELoss` in one exact step.
    `pos_weight` weighs the positive targets (one weight per class)."""

    def __init__(self, weight=None, reduction="mean", pos_weight=None):
        super().__init__(reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, self.weight, self.reduction,
                                                  self.pos_weight)
