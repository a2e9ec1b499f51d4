"""Drawing samples from distributions: `normal` (Gaussian numbers with a chosen mean and
spread) and `multinomial` (indices drawn with the probabilities you give, as when a language
model picks its next character).

>>> import autograd_lab as alt
>>> g = alt.Generator().manual_seed(2147483647)
>>> p = alt.tensor([0.0, 0.0, 1.0])      # all the probability on index 2
>>> alt.multinomial(p, num_samples=1, replacement=True, generator=g).item()
2
>>> alt.normal(0.0, 1.0, size=(2, 3)).shape
autograd_lab.Size([2, 3])
"""

import numpy as np

from autograd_lab import backend
from autograd_lab.creation import (
    _finish,
    _numpy_dtype,
    _sizes,
    _with_requires_grad,
)
from autograd_lab.generator import random_source
from autograd_lab.ops.base import broadcast_shapes, scalar_type_name
from autograd_lab.ops.op import Op
from autograd_lab.tensor import Tensor


class NormalBackward1(Op):
    """z = mean + std * noise for a tensor `mean`. PyTorch treats a random draw as having no
    slope: dz/dmean = 0 (zeros, so that backward still reaches the inputs)."""

    node_name = "NormalBackward1"

    def forward(self, mean, std, values):
        return values

    def backward(self, xp, saved, grad):
        needs = self.needs_input_grad
        return (xp.zeros_like(grad) if needs[0] else None,
                xp.zeros_like(grad) if needs[1] else None, None)


class NormalBackward2(NormalBackward1):
    """The same for a tensor `std` (dz/dstd = 0)."""

    node_name = "NormalBackward2"


class NormalBackward3(NormalBackward1):
    """The same for tensors `mean` and `std`."""

    node_name = "NormalBackward3"


_NODES = {(True, False): NormalBackward1, (False, True): NormalBackward2,
          (True, True): NormalBackward3}


def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad=False):
    """Samples from N(mean, std²): `normal(0, 1, (n, 2))` draws an n x 2 tensor.

    `mean` and `std` may be numbers (then `size` gives the shape) or tensors (then each
    element has its own mean and spread, and the shapes broadcast).
    """
    tensors = [isinstance(v, Tensor) for v in (mean, std)]
    if not any(tensors):
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments - got "
                            "(float, float), but expected a size: normal(mean, std, size)")
        _check_std(std)
        device = backend.as_device(device)
        numbers = random_source(generator, device).standard_normal(_sizes((size,)))
        array = (numbers * std + mean).astype(_numpy_dtype(dtype), copy=False)
        return _with_requires_grad(Tensor._from_array(array, device), requires_grad)
    if size is not None:
        raise TypeError("normal() received an invalid combination of arguments: size= goes "
                        "with a float mean and std, not with tensors")
    like = mean if tensors[0] else std
    if not tensors[1]:
        _check_std(std)
    elif std._data.size and float(std._data.min()) < 0:
        _check_std(float(std._data.min()))
    shape = broadcast_shapes(mean.shape, std.shape) if all(tensors) else like.shape
    xp = backend.array_module(like._data)
    noise = random_source(generator, like.device).standard_normal(shape)
    values = (noise * _array(std) + _array(mean)).astype(like._data.dtype, copy=False)
    return _NODES[tuple(tensors)].apply(mean if tensors[0] else None,
                                        std if tensors[1] else None, xp.asarray(values))


def _array(value):
    return value._data if isinstance(value, Tensor) else value


def _check_std(std):
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """Draw `num_samples` indices, each index i with probability input[i] / input.sum().

    `input` holds non-negative weights (they need not add up to 1), one row per distribution
    for a 2-D input. Without replacement an index is drawn at most once per row.
    Returns int64 indices of shape (num_samples,) or (rows, num_samples).
    """
    weights = _checked_weights(input, num_samples, replacement)
    xp = backend.array_module(weights)
    source = random_source(generator, input.device)
    rows = weights.reshape(-1, weights.shape[-1]).astype(np.float64)
    if replacement:
        picks = _inverse_cdf(xp, rows, source.random((rows.shape[0], num_samples)))
    else:
        picks = _top_keys(xp, rows, source.random(rows.shape), num_samples)
    shape = weights.shape[:-1] + (num_samples,)
    return _finish(picks.reshape(shape).astype(np.int64), input.device, False)


def _inverse_cdf(xp, rows, uniform):
    """Each uniform number u picks the first index whose running total passes u * total."""
    totals = xp.cumsum(rows, axis=1)
    targets = uniform * totals[:, -1:]
    picks = xp.stack([xp.searchsorted(total, target, side="right")
                      for total, target in zip(totals, targets)])
    return xp.minimum(picks, rows.shape[1] - 1)


def _top_keys(xp, rows, uniform, num_samples):
    """Sampling without replacement: give each index the key log(w) - log(-log(u)) and keep
    the `num_samples` largest (the Gumbel top-k trick; each draw then follows the weights of
    what is left). Once the indices of positive weight run out, those of weight 0 follow in
    order, as in PyTorch."""
    keys = xp.log(rows) - xp.log(-xp.log(uniform))
    return xp.argsort(-keys, axis=1, kind="stable")[:, :num_samples]


def _checked_weights(input, num_samples, replacement):
    """The weights' array, after PyTorch's checks (with its messages)."""
    if input.dim() not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if not input.is_floating_point():
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{scalar_type_name(input)}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    categories = input.shape[-1]
    if not replacement and num_samples > categories:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    weights = input._data
    xp = backend.array_module(weights)
    if not bool(xp.isfinite(weights).all()) or bool((weights < 0).any()):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    rows = weights.reshape(-1, categories)
    if bool((rows.sum(axis=1) <= 0).any()):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    return weights
