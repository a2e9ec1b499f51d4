"""Losses for yes/no targets: `binary_cross_entropy` of probabilities and
`binary_cross_entropy_with_logits` of raw scores (sigmoid and loss in one step, which stays
exact where sigmoid would round to 0 or 1).

For a target y in [0, 1] and a probability p the loss is -(y log p + (1 - y) log(1 - p)); with
a score x and p = σ(x) it is (1 - y) x + log(1 + e⁻ˣ). `weight` scales each element's loss,
`pos_weight` the part of positive targets (y = 1), and `reduction` is "mean", "sum" or "none".
"""

from autograd_lab.autograd.grad_mode import is_grad_enabled
from autograd_lab.backend import array_module
from autograd_lab.ops.elementwise import Sigmoid
from autograd_lab.ops.op import Op


def _reduce(losses, reduction):
    if reduction == "none":
        return losses
    return losses.mean() if reduction == "mean" else losses.sum()


def _scale(grad, op):
    """The incoming gradient spread over the elements (divided among them for "mean")."""
    return grad / op.count if op.reduction == "mean" else grad


def _clamp_below(xp, x, low):
    """max(x, low) with clamp's gradient: all of it where x == low, none where x < low."""
    return xp.where(x < low, low, x)


class BinaryCrossEntropyWithLogits(Op):
    """loss = w [(1 - y) x + (1 + (pw - 1) y) softplus(-x)],  softplus(z) = log(1 + eᶻ)
    ->  dloss/dx = w [(pw y + 1 - y) σ(x) - pw y],  dloss/dy = w [(pw - 1) softplus(-x) - x]

    With pw = 1 (no `pos_weight`) the slope is the familiar w (σ(x) - y).
    """

    def forward(self, x, y, weight=None, pos_weight=None, reduction="mean"):
        self.save_for_backward(x, y, weight, pos_weight)
        self.reduction, self.count = reduction, x.size
        xp = array_module(x)
        softplus = xp.maximum(-x, 0) + xp.log1p(xp.exp(-xp.abs(x)))  # log(1 + e⁻ˣ), no overflow
        positive = 1 if pos_weight is None else 1 + (pos_weight - 1) * y
        losses = (1 - y) * x + positive * softplus
        if weight is not None:
            losses = losses * weight
        return xp.asarray(_reduce(losses, reduction))

    def backward(self, xp, saved, grad):
        x, y, weight, pos_weight = saved
        grad = _scale(grad, self)
        if weight is not None:
            grad = grad * weight
        if pos_weight is None:
            grad_x = grad * (Sigmoid.run(xp, x) - y)
        else:
            grad_x = grad * ((pos_weight * y + 1 - y) * Sigmoid.run(xp, x) - pos_weight * y)
        grad_y = None
        if self.needs_input_grad[1]:
            slope = -x
            if pos_weight is not None:
                softplus = _clamp_below(xp, -x, 0) + xp.log(xp.exp(-xp.abs(x)) + 1)
                slope = slope + (pos_weight - 1) * softplus
            grad_y = grad * slope
        return grad_x, grad_y, None, None


class BinaryCrossEntropy(Op):
    """loss = -w [y log p + (1 - y) log(1 - p)]   (each log at least -100, as in PyTorch)
    ->  dloss/dp = w (p - y) / (p (1 - p)),  dloss/dy = w [log(1 - p) - log p]"""

    def forward(self, p, y, weight=None, reduction="mean"):
        self.save_for_backward(p, y, weight)
        self.reduction, self.count = reduction, p.size
        xp = array_module(p)
        losses = -(y * xp.maximum(xp.log(p), -100) + (1 - y) * xp.maximum(xp.log1p(-p), -100))
        if weight is not None:
            losses = losses * weight
        return xp.asarray(_reduce(losses, reduction))

    def backward(self, xp, saved, grad):
        p, y, weight = saved
        grad = _scale(grad, self)
        if weight is not None:
            grad = grad * weight
        grad_p = grad * (p - y) / _clamp_below(xp, p * (1 - p), 1e-12)
        grad_y = grad * (xp.log(1 - p) - xp.log(p)) if self.needs_input_grad[1] else None
        return grad_p, grad_y, None


def _check(name, input, target, reduction, message, **constants):
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if target.shape != input.shape:
        raise ValueError(message.format(target=target.shape, input=input.shape))
    for argument, value in constants.items():
        if value is not None and value.requires_grad and is_grad_enabled():
            raise RuntimeError(f"The function '{name}' is not differentiable with respect to "
                               f"argument '{argument}'. This input cannot have requires_grad "
                               "True.")


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean",
                                     pos_weight=None):
    """The binary cross-entropy of scores `input` (before the sigmoid) against `target`."""
    _check("binary_cross_entropy_with_logits", input, target, reduction,
           "Target size ({target}) must be the same as input size ({input})", weight=weight,
           pos_weight=pos_weight)
    return BinaryCrossEntropyWithLogits.apply(input, target, weight, pos_weight,
                                              reduction=reduction)


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """The binary cross-entropy of probabilities `input` (after a sigmoid) against `target`."""
    _check("binary_cross_entropy", input, target, reduction, "Using a target size ({target}) "
           "that is different to the input size ({input}) is deprecated. Please ensure they "
           "have the same size.", weight=weight)
    data = input._data
    if bool(((data < 0) | (data > 1)).any()):
        raise RuntimeError("all elements of input should be between 0 and 1")
    return BinaryCrossEntropy.apply(input, target, weight, reduction=reduction)
