"""`nn.init`: fill a tensor in place with starting values for training (random or constant).

Every function overwrites its tensor's values under `no_grad()` (so it works on parameters,
which are leaves that require grad) and returns the tensor. The random ones draw from the
generator that `autograd_lab.manual_seed` seeds.

Why the scale matters: a layer with `fan_in` inputs adds up `fan_in` products, so weights of
standard deviation `1 / sqrt(fan_in)` keep the size of the signal about the same from layer to
layer. Kaiming (He) initialisation adds the `gain` of the non-linearity that follows; Xavier
(Glorot) initialisation balances the forward and the backward signal with `fan_in + fan_out`.

>>> import autograd_lab as alt
>>> w = alt.empty(3, 5)
>>> alt.nn.init.constant_(w, 0.5).sum()
tensor(7.5000)
"""

import math
import warnings

from autograd_lab.autograd.grad_mode import no_grad
from autograd_lab.creation import full, rand, randn

_GAINS = {"linear": 1.0, "conv1d": 1.0, "conv2d": 1.0, "conv3d": 1.0, "conv_transpose1d": 1.0,
          "conv_transpose2d": 1.0, "conv_transpose3d": 1.0, "sigmoid": 1.0,
          "tanh": 5.0 / 3, "relu": math.sqrt(2.0), "selu": 3.0 / 4}


def calculate_gain(nonlinearity, param=None):
    """The factor by which a non-linearity scales the standard deviation of its input's signal.

    `relu` -> sqrt(2) (it zeroes half of the values), `tanh` -> 5/3, `linear`/`sigmoid` -> 1,
    `leaky_relu` with negative slope `param` (default 0.01) -> sqrt(2 / (1 + param**2)).
    """
    if nonlinearity in _GAINS:
        return _GAINS[nonlinearity]
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _fill(tensor, values):
    """Copy `values` into `tensor` without recording anything in the graph."""
    with no_grad():
        return tensor.copy_(values)


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill with values drawn uniformly from [a, b) (from `generator`, if given)."""
    return _fill(tensor, rand(tensor.shape, dtype=tensor.dtype, device=tensor.device,
                              generator=generator) * (b - a) + a)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill with values drawn from the normal distribution N(mean, std²)."""
    return _fill(tensor, randn(tensor.shape, dtype=tensor.dtype, device=tensor.device,
                               generator=generator) * std + mean)


def constant_(tensor, val):
    """Fill with the value `val`."""
    return _fill(tensor, full(tensor.shape, val, dtype=tensor.dtype, device=tensor.device))


def zeros_(tensor):
    """Fill with zeros."""
    return constant_(tensor, 0.0)


def ones_(tensor):
    """Fill with ones."""
    return constant_(tensor, 1.0)


def _calculate_fan_in_and_fan_out(tensor):
    """`fan_in`: how many inputs feed each output; `fan_out`: how many outputs each input feeds.

    A Linear weight has shape (out_features, in_features); for convolution kernels each count
    is multiplied by the kernel's size (the dims after the first two).
    """
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 "
                         "dimensions")
    receptive_field = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _fan(tensor, mode):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _no_elements(tensor):
    if tensor.numel() == 0:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return True
    return False


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He initialisation: uniform on [-bound, bound] with bound = gain * sqrt(3 / fan).

    (A uniform distribution on [-b, b] has standard deviation b / sqrt(3), so the standard
    deviation is gain / sqrt(fan).) `a` is the negative slope of a leaky ReLU. `nn.Linear`
    uses `a=sqrt(5)`, which works out to bound = 1 / sqrt(fan_in).
    """
    if _no_elements(tensor):
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He initialisation: normal with mean 0 and standard deviation gain / sqrt(fan)."""
    if _no_elements(tensor):
        return tensor
    return normal_(tensor, 0.0, calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode)),
                   generator)


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot initialisation: uniform on [-a, a] with a = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Glorot initialisation: normal with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)
