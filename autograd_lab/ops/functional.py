"""Softmax and the losses built on it: softmax, log_softmax, nll_loss, cross_entropy, mse_loss.

`softmax` and `log_softmax` subtract the row maximum before `exp`, so large inputs do not
overflow. `cross_entropy` is `nll_loss(log_softmax(x))`, exactly the two nodes PyTorch shows.
"""

import warnings

from autograd_lab.backend import array_module
from autograd_lab.ops.base import binary_arrays, export, scalar_type_name
from autograd_lab.ops.layout import row_major
from autograd_lab.ops.op import Op
from autograd_lab.tensor import _dim_index


def _float_input(x, name):
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"{name}_lastdim_kernel_impl\" not implemented for "
                                  f"'{scalar_type_name(x)}'")
    return x


def _minus_max(data, axis):
    """x - max(x) along axis: softmax does not change, and exp can no longer overflow."""
    return data - data.max(axis=axis, keepdims=True) if data.size else data


class Softmax(Op):
    """y_i = exp(x_i) / Σ_j exp(x_j) along dim  ->  dx = y * (g - Σ_j g_j y_j)

    Backward needs only the output y, which is what is saved, as in PyTorch.
    """

    saves_output = True

    def forward(self, x, dim):
        data = _float_input(x, "softmax")
        self.axis = dim if data.ndim else None  # a 0-d tensor is its own slice
        xp = array_module(data)
        e = xp.exp(_minus_max(data, self.axis))
        return row_major(e / e.sum(axis=self.axis, keepdims=True))  # as PyTorch lays it out

    def backward(self, xp, saved, grad):
        (y,) = saved
        return y * (grad - xp.sum(grad * y, axis=self.axis, keepdims=True))


class LogSoftmax(Op):
    """y_i = x_i - log Σ_j exp(x_j) along dim  ->  dx = g - exp(y) * Σ_j g_j

    (exp(y) is softmax(x); backward needs only the output y, which is what is saved.)
    """

    saves_output = True

    def forward(self, x, dim):
        data = _float_input(x, "log_softmax")
        xp = array_module(data)
        self.axis = dim if data.ndim else None  # a 0-d tensor is its own slice
        shifted = _minus_max(data, self.axis)
        result = shifted - xp.log(xp.exp(shifted).sum(axis=self.axis, keepdims=True))
        return row_major(result)  # whatever x's layout, as in PyTorch

    def backward(self, xp, saved, grad):
        (y,) = saved
        return grad - xp.exp(y) * xp.sum(grad, axis=self.axis, keepdims=True)


class NllLoss(Op):
    """loss_n = -w[t_n] * x[n, t_n]  ->  dloss_n/dx[n, t_n] = -w[t_n], 0 for the other classes

    The mean is Σ loss_n / Σ w[t_n] (over targets that are not `ignore_index`). The loss is
    linear in x, so forward saves those constant derivatives (the slopes) and backward only
    scales them by the incoming gradient.
    """

    def forward(self, x, target, weight=None, ignore_index=-100, reduction="mean"):
        xp = array_module(x)
        class_dim = 0 if x.ndim == 1 else 1
        valid = target != ignore_index
        labels = xp.where(valid, target, 0)
        outside = (labels < 0) | (labels >= x.shape[class_dim])
        if outside.any():
            raise IndexError(f"Target {int(labels[outside].reshape(-1)[0])} is out of bounds.")
        weights = valid.astype(x.dtype)
        if weight is not None:
            weights = weights * weight.astype(x.dtype)[labels]
        picked = xp.expand_dims(labels, class_dim)
        losses = -weights * xp.take_along_axis(x, picked, class_dim).squeeze(class_dim)
        scale = weights.sum() if reduction == "mean" else 1
        trailing = (1,) * (x.ndim - 1 - class_dim)
        classes = xp.arange(x.shape[class_dim]).reshape((-1,) + trailing)
        slopes = (classes == picked) * xp.expand_dims(-weights / scale, class_dim)
        slopes = slopes.astype(x.dtype, copy=False)
        self.save_for_backward(x, target, weight, slopes)  # the first three as PyTorch keeps
        self.unsqueeze = class_dim if reduction == "none" and x.ndim > 1 else None
        return losses if reduction == "none" else losses.sum() / scale

    def backward(self, xp, saved, grad):
        *_, slopes = saved  # (x, target and weight were checked to be unchanged)
        if self.unsqueeze is not None:
            grad = xp.expand_dims(grad, self.unsqueeze)
        return grad * slopes, None, None


class NllLoss2d(NllLoss):
    node_name = "NllLoss2DBackward0"


class MseLoss(Op):
    """loss = mean((x - y)²)  ->  dloss/dx = 2 (x - y) / n,  dloss/dy = -2 (x - y) / n"""

    def forward(self, x, y, reduction="mean"):
        self.save_for_backward(x, y)
        self.reduction = reduction
        a, b = binary_arrays(x, y)
        squares = (a - b) ** 2
        self.count = squares.size
        if reduction == "none":
            return squares
        return squares.mean() if reduction == "mean" else squares.sum()

    def backward(self, xp, saved, grad):
        x, y = saved
        slope = 2 * (x - y)
        if self.reduction == "mean":
            slope = slope / self.count
        grad_x = grad * slope
        return grad_x, -grad_x if self.needs_input_grad[1] else None


@export("softmax")
def softmax(input, dim, dtype=None):
    """exp(x) / sum(exp(x)) along `dim`: each slice becomes probabilities that sum to 1.

    >>> import autograd_lab as alt
    >>> alt.tensor([1.0, 2.0, 3.0]).softmax(0)
    tensor([0.0900, 0.2447, 0.6652])
    """
    if dtype is not None:
        input = input.to(dtype)
    return Softmax.apply(input, dim=_dim_index(dim, input.dim()))


@export("log_softmax")
def log_softmax(input, dim, dtype=None):
    """log(softmax(x)) along `dim`, computed without overflow (`x - logsumexp(x)`)."""
    if dtype is not None:
        input = input.to(dtype)
    return LogSoftmax.apply(input, dim=_dim_index(dim, input.dim()))


def _check_reduction(reduction):
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    """Negative log likelihood: `-input[n, target[n]]`, averaged (weighted) over n.

    `input` holds log-probabilities, shape (N, C), (C,) or (N, C, d1, ...); `target` holds
    class indices, shape (N,), () or (N, d1, ...). Targets equal to `ignore_index` count for
    nothing; `reduction` is "mean", "sum" or "none".
    """
    _check_reduction(reduction)
    if target._data.dtype.kind not in "iu":
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                           f"{scalar_type_name(target)}")
    if input.dim() > 1 and input.shape[0] != target.shape[0]:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                         f"batch_size ({target.shape[0]}).")
    kind = NllLoss2d if input.dim() > 2 else NllLoss
    return kind.apply(input, target, weight, ignore_index=ignore_index, reduction=reduction)


def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean",
                  label_smoothing=0.0):
    """Cross-entropy of logits `input` against class indices (or class probabilities).

    With class indices it is `nll_loss(log_softmax(input, class_dim), target)`.

    >>> import autograd_lab as alt
    >>> logits = alt.tensor([[2.0, 0.0, 0.0]], requires_grad=True)
    >>> cross_entropy(logits, alt.tensor([0]))
    tensor(0.2395, grad_fn=<NllLossBackward0>)
    """
    if label_smoothing != 0.0:
        raise NotImplementedError("cross_entropy: label_smoothing is not supported")
    class_dim = 0 if input.dim() == 1 else 1
    log_probabilities = log_softmax(input, class_dim)
    if target._data.dtype.kind == "f":  # class probabilities, same shape as input
        _check_reduction(reduction)
        if weight is not None:
            shape = (-1,) + (1,) * (input.dim() - class_dim - 1)
            log_probabilities = log_probabilities * weight.reshape(shape)
        losses = -(target * log_probabilities).sum(class_dim)
        if reduction == "none":
            return losses
        return losses.sum() / losses.numel() if reduction == "mean" else losses.sum()
    return nll_loss(log_probabilities, target, weight, ignore_index, reduction)


def mse_loss(input, target, reduction="mean"):
    """Mean squared error `mean((input - target)²)` ("sum" or "none" for the other reductions)."""
    _check_reduction(reduction)
    if input.shape != target.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the "
                      f"input size ({input.shape}). This will likely lead to incorrect "
                      "results due to broadcasting. Please ensure they have the same size.",
                      UserWarning, stacklevel=2)
    return MseLoss.apply(input, target, reduction=reduction)
