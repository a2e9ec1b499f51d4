"""Losses for yes/no targets: `binary_cross_entropy` of probabilities and
`binary_cross_entropy_with_logits` of raw scores (sigmoid and loss in one step, which stays
exact where sigmoid would round to 0 or 1).

For a target y in [0, 1] and a probability p the loss is -(y log p + (1 - y) log(1 - p)); with
a score x and p = σ(x) it is (1 - y) x + log(1 + e⁻ˣ). `weight` scales each element's loss,
`pos_weight` the part of positive targets (y = 1), and `reduction` is "mean", "sum" or "none".
"""

from autograd_lab.autograd.function import Function
from autograd_lab.autograd.grad_mode import is_grad_enabled
from autograd_lab.backend import array_module


def _reduce(losses, reduction):
    if reduction == "none":
        return losses
    return losses.mean() if reduction == "mean" else losses.sum()


def _scale(grad, ctx, like):
    """The incoming gradient spread over the elements (divided among them for "mean")."""
    return grad / like.numel() if ctx.reduction == "mean" else grad


class BinaryCrossEntropyWithLogits(Function):
    """loss = w [(1 - y) x + (1 + (pw - 1) y) softplus(-x)],  softplus(z) = log(1 + eᶻ)
    ->  dloss/dx = w [(pw y + 1 - y) σ(x) - pw y],  dloss/dy = w [(pw - 1) softplus(-x) - x]

    With pw = 1 (no `pos_weight`) the slope is the familiar w (σ(x) - y).
    """

    node_name = "BinaryCrossEntropyWithLogitsBackward0"
    computes_on_arrays = True

    @staticmethod
    def forward(ctx, x, y, weight=None, pos_weight=None, reduction="mean"):
        ctx.save_for_backward(x, y, weight, pos_weight)
        ctx.reduction = reduction
        xp, a, b = array_module(x._data), x._data, y._data
        softplus = xp.maximum(-a, 0) + xp.log1p(xp.exp(-xp.abs(a)))  # log(1 + e⁻ˣ), no overflow
        positive = 1 if pos_weight is None else 1 + (pos_weight._data - 1) * b
        losses = (1 - b) * a + positive * softplus
        if weight is not None:
            losses = losses * weight._data
        return xp.asarray(_reduce(losses, reduction))

    @staticmethod
    def backward(ctx, grad):
        x, y, weight, pos_weight = ctx.saved_tensors
        grad = _scale(grad, ctx, x)
        if weight is not None:
            grad = grad * weight
        if pos_weight is None:
            grad_x = grad * (x.sigmoid() - y)
        else:
            grad_x = grad * ((pos_weight * y + 1 - y) * x.sigmoid() - pos_weight * y)
        grad_y = None
        if ctx.needs_input_grad[1]:
            slope = -x
            if pos_weight is not None:
                softplus = (-x).clamp(min=0) + ((-x.abs()).exp() + 1).log()
                slope = slope + (pos_weight - 1) * softplus
            grad_y = grad * slope
        return grad_x, grad_y, None, None


class BinaryCrossEntropy(Function):
    """loss = -w [y log p + (1 - y) log(1 - p)]   (each log at least -100, as in PyTorch)
    ->  dloss/dp = w (p - y) / (p (1 - p)),  dloss/dy = w [log(1 - p) - log p]"""

    node_name = "BinaryCrossEntropyBackward0"
    computes_on_arrays = True

    @staticmethod
    def forward(ctx, p, y, weight=None, reduction="mean"):
        ctx.save_for_backward(p, y, weight)
        ctx.reduction = reduction
        xp, a, b = array_module(p._data), p._data, y._data
        losses = -(b * xp.maximum(xp.log(a), -100) + (1 - b) * xp.maximum(xp.log1p(-a), -100))
        if weight is not None:
            losses = losses * weight._data
        return xp.asarray(_reduce(losses, reduction))

    @staticmethod
    def backward(ctx, grad):
        p, y, weight = ctx.saved_tensors
        grad = _scale(grad, ctx, p)
        if weight is not None:
            grad = grad * weight
        grad_p = grad * (p - y) / (p * (1 - p)).clamp(min=1e-12)
        grad_y = grad * ((1 - p).log() - p.log()) if ctx.needs_input_grad[1] else None
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
