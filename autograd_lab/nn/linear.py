"""`Linear` (y = x Wᵀ + b, the fully connected layer) and `Identity` (y = x)."""

import math

from autograd_lab.creation import empty
from autograd_lab.nn import functional as F
from autograd_lab.nn import init
from autograd_lab.nn.module import Module
from autograd_lab.nn.parameter import Parameter


class Linear(Module):
    """A fully connected layer: `y = x @ weight.T + bias`.

    `weight` has shape (out_features, in_features) and `bias` shape (out_features,). Both start
    as PyTorch starts them: uniform on [-1/sqrt(in_features), 1/sqrt(in_features)].

    >>> import autograd_lab as alt
    >>> layer = alt.nn.Linear(1000, 100)
    >>> layer
    Linear(in_features=1000, out_features=100, bias=True)
    >>> layer(alt.randn(64, 1000)).shape
    autograd_lab.Size([64, 100])
    """

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(empty(out_features, in_features, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Draw fresh starting values, the way PyTorch does."""
        # kaiming_uniform_ with a=sqrt(5) gives bound = sqrt(6 / (1 + 5)) / sqrt(fan_in)
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Identity(Module):
    """Returns its input unchanged (a placeholder where a layer is optional)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input
