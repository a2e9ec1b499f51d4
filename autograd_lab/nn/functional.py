"""`nn.functional`: the computations behind the layers and losses, as plain functions.

`nn.Linear` holds a weight and a bias and calls `F.linear(x, weight, bias)`; `nn.MSELoss()`
calls `F.mse_loss`. The losses and softmax are the operations of `autograd_lab.ops.functional`
(each its own node in the graph, as in PyTorch). Use the functions directly when there is
nothing to hold:

>>> import autograd_lab as alt
>>> import autograd_lab.nn.functional as F
>>> F.relu(alt.tensor([-1.0, 2.0]))
tensor([0., 2.])
>>> F.mse_loss(alt.tensor([1.0, 2.0]), alt.tensor([1.0, 4.0]))
tensor(2.)
"""

import warnings

import numpy as np

from autograd_lab.backend import array_module
from autograd_lab.creation import rand
from autograd_lab.ops import functional as ops_functional
from autograd_lab.ops.binary_cross_entropy import (  # noqa: F401
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
)
from autograd_lab.ops.embedding import embedding  # noqa: F401
from autograd_lab.ops.functional import cross_entropy, mse_loss, nll_loss  # noqa: F401
from autograd_lab.tensor import Tensor

# -- layers ---------------------------------------------------------------------------------------


def linear(input, weight, bias=None):
    """y = x Wᵀ + b, with W of shape (out_features, in_features) and x of shape (..., in)."""
    output = input.matmul(weight.t())
    return output if bias is None else output + bias


def relu(input, inplace=False):
    """max(x, 0) element-wise. (`inplace` is accepted for PyTorch code; the result is always
    a new tensor.)"""
    return input.relu()


def sigmoid(input):
    """1 / (1 + e^(-x)): squashes any number into (0, 1)."""
    return input.sigmoid()


def tanh(input):
    """(e^x - e^(-x)) / (e^x + e^(-x)): squashes any number into (-1, 1)."""
    return input.tanh()


def dropout(input, p=0.5, training=True, inplace=False):
    """During training, zero each element with probability `p` and scale the others by
    1 / (1 - p), so that the expected value stays the same. Outside training: the identity.
    (`inplace` is accepted for PyTorch code; the result is always a new tensor.)"""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    keep = rand(input.shape, dtype=input.dtype, device=input.device) >= p
    return input * (keep.to(input.dtype) * (1.0 / (1.0 - p) if p < 1.0 else 0.0))


# -- probabilities and losses: the ops themselves live in autograd_lab.ops.functional -----------


def _softmax_dim(name, ndim):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", UserWarning, stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, dtype=None):
    """e^x / sum(e^x) along `dim`: turns scores into probabilities that add up to 1."""
    if dim is None:
        dim = _softmax_dim("softmax", input.dim())
    return ops_functional.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim=None, dtype=None):
    """x - log(sum(e^x)) along `dim`: the logarithm of softmax, computed without overflow."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.dim())
    return ops_functional.log_softmax(input, dim, dtype=dtype)


# -- encodings ------------------------------------------------------------------------------------


def one_hot(tensor, num_classes=-1):
    """Class indices as one-hot rows: index i becomes a row of zeros with a 1 at position i.

    The result has one more dimension than `tensor`, of size `num_classes` (by default one
    more than the largest index), and dtype int64; `.float()` makes it an input for a layer.

    >>> import autograd_lab as alt
    >>> alt.nn.functional.one_hot(alt.tensor([0, 2]), num_classes=3)
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    data = tensor._data
    if data.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if data.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(data.max()) + 1
    if data.size and int(data.min()) < 0:
        raise RuntimeError("Class values must be non-negative.")
    if data.size and int(data.max()) >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    xp = array_module(data)
    rows = (data[..., None] == xp.arange(num_classes)).astype(np.int64)
    return Tensor._from_array(rows, tensor.device)
