"""autograd_lab: a small, readable autograd engine with PyTorch's API, for learning.

>>> import autograd_lab as alt
>>> x = alt.ones(2, 2, requires_grad=True)
>>> out = ((x + 2) * (x + 2) * 3).mean()
>>> out.backward()
>>> x.grad
tensor([[4.5000, 4.5000],
        [4.5000, 4.5000]])

Code written for PyTorch runs with `import autograd_lab as torch`.
"""

from autograd_lab.tensor import Tensor  # noqa: I001  (Tensor first: everything builds on it)
from autograd_lab import autograd, ops, tensor_values  # noqa: F401  (attaches methods)
from autograd_lab._printing import set_printoptions
from autograd_lab.autograd import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from autograd_lab.backend import device, get_default_device, set_default_device
from autograd_lab.creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    initial_seed,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    seed,
    tensor,
    zeros,
    zeros_like,
)
from autograd_lab.dtypes import (
    bool,
    double,
    dtype,
    float,
    float16,
    float32,
    float64,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    short,
    uint8,
)
from autograd_lab.generator import Generator, default_generator
from autograd_lab.histograms import histc, histogram
from autograd_lab.sampling import multinomial, normal
from autograd_lab.size import Size
from autograd_lab import accelerator, cuda
from autograd_lab import nn, optim, utils

globals().update(ops.exported)  # autograd_lab.exp, autograd_lab.mm, ... (see autograd_lab.ops)

__version__ = "0.1.0"


def is_tensor(obj):
    """True if `obj` is an autograd_lab Tensor."""
    return isinstance(obj, Tensor)


def get_default_dtype():
    return float32


def numel(input):
    """The number of elements of a tensor."""
    return input.numel()


def is_floating_point(input):
    """True if the tensor holds floating point numbers."""
    return input.is_floating_point()
