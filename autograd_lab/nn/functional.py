"""`nn.functional`: the computations behind the layers and losses, as plain functions.

`nn.Linear` holds a weight and a bias and calls `F.linear(x, weight, bias)`; `nn.MSELoss()`
calls `F.mse_loss`. Use the functions directly when there is nothing to hold:

>>> import autograd_lab as alt
>>> import autograd_lab.nn.functional as F
>>> F.relu(alt.tensor([-1.0, 2.0]))
tensor([0., 2.])
>>> F.mse_loss(alt.tensor([1.0, 2.0]), alt.tensor([1.0, 4.0]))
tensor(2.)
"""

import warnings

from autograd_lab import backend
from autograd_lab.creation import arange, rand
from autograd_lab.tensor import Tensor

# -- layers ---------------------------------------------------------------------------------------


def linear(input, weight, bias=None):
    """y = x Wᵀ + b, with W of shape (out_features, in_features) and x of shape (..., in)."""
    output = input.matmul(weight.t())
    return output if bias is None else output + bias


def relu(input, inplace=False):
    """max(x, 0) element-wise."""
    return input.relu()


def sigmoid(input):
    """1 / (1 + e^(-x)): squashes any number into (0, 1)."""
    return 1 / (1 + (-input).exp())


def tanh(input):
    """(e^x - e^(-x)) / (e^x + e^(-x)): squashes any number into (-1, 1)."""
    return 2 * sigmoid(2 * input) - 1


def dropout(input, p=0.5, training=True, inplace=False):
    """During training, zero each element with probability `p` and scale the others by
    1 / (1 - p), so that the expected value stays the same. Outside training: the identity."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    keep = rand(input.shape, dtype=input.dtype, device=input.device) >= p
    return input * (keep.to(input.dtype) * (1.0 / (1.0 - p) if p < 1.0 else 0.0))


# -- probabilities ----------------------------------------------------------------------------


def _softmax_dim(name, ndim):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", UserWarning, stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, dtype=None):
    """e^x / sum(e^x) along `dim`: turns scores into probabilities that add up to 1."""
    if dim is None:
        dim = _softmax_dim("softmax", input.dim())
    if dtype is not None:
        input = input.to(dtype)
    return log_softmax(input, dim).exp()


def log_softmax(input, dim=None, dtype=None):
    """x - log(sum(e^x)) along `dim`: the logarithm of softmax, computed without overflow.

    Subtracting the largest value first changes nothing mathematically but keeps e^x <= 1.
    """
    if dim is None:
        dim = _softmax_dim("log_softmax", input.dim())
    if dtype is not None:
        input = input.to(dtype)
    shift = _amax(input, dim, keepdim=True)
    shifted = input - shift
    return shifted - shifted.exp().sum(dim, keepdim=True).log()


# -- losses -----------------------------------------------------------------------------------


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{reduction} is not a valid value for reduction")


def mse_loss(input, target, reduction="mean"):
    """The squared error (input - target)², averaged (`mean`), added up (`sum`) or kept."""
    if input.shape != target.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input "
                      f"size ({input.shape}). This will likely lead to incorrect results due "
                      "to broadcasting. Please ensure they have the same size.",
                      UserWarning, stacklevel=2)
    return _reduce((input - target) ** 2, reduction)


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    """Negative log-likelihood: -input[n, target[n]] for each sample n.

    `input` holds log-probabilities of shape (N, C) (or (C,) for one sample) and `target` the
    class index of each sample. `weight` (shape (C,)) weighs the classes; with `mean` the sum
    is divided by the total weight of the targets. Targets equal to `ignore_index` count zero.
    """
    if input.dim() not in (1, 2):
        raise ValueError(f"Expected 1 or 2 dimensions for input (got {input.dim()})")
    if target.dtype.is_floating_point:
        raise RuntimeError("expected target dtype to be Long or Byte, but got "
                           f"{target.dtype.name.capitalize()}")
    batched = input.dim() == 2
    if batched and target.shape != input.shape[:1]:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                         f"batch_size ({target.shape[0] if target.dim() else 1}).")
    classes = input.shape[-1]
    targets = target.reshape(-1)
    kept = targets != ignore_index
    safe_targets = targets * kept  # ignored entries point at class 0 and get weight 0
    out_of_range = (safe_targets < 0) | (safe_targets >= classes)
    if out_of_range.any():
        raise IndexError(f"Target {targets[out_of_range].tolist()[0]} is out of bounds.")
    rows = input.reshape(-1, classes)
    picked = rows[arange(rows.shape[0], device=input.device), safe_targets]
    sample_weight = kept.to(input.dtype)
    if weight is not None:
        sample_weight = sample_weight * weight[safe_targets]
    losses = -picked * sample_weight
    if reduction == "mean":
        return losses.sum() / sample_weight.sum()
    if reduction == "none" and not batched:
        return losses.reshape(())
    return _reduce(losses, reduction)


def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean"):
    """The classification loss for raw scores (logits): `nll_loss(log_softmax(input), target)`.

    `target` holds class indices, or, when it is a float tensor of the same shape as `input`,
    a probability for every class.
    """
    class_dim = 1 if input.dim() >= 2 else 0
    log_probs = log_softmax(input, class_dim)
    if target.dtype.is_floating_point:
        if target.shape != input.shape:
            raise RuntimeError(f"Expected floating point type target of the same shape as "
                               f"input, got {target.shape} and {input.shape}")
        if weight is not None:
            log_probs = log_probs * weight
        return _reduce(-(target * log_probs).sum(class_dim), reduction)
    return nll_loss(log_probs, target, weight, ignore_index, reduction)


def _amax(input, dim, keepdim=False):
    """The largest value along `dim` as a new tensor without history."""
    xp = backend.array_module(input._data)
    return Tensor._from_array(xp.max(input._data, axis=dim, keepdims=keepdim), input.device)
