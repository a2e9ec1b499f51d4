"""Non-linearities as modules: `ReLU`, `Tanh`, `Sigmoid`, `Softmax`, `LogSoftmax`.

They hold no parameters; each calls the function of the same name in `nn.functional`.
Between two Linear layers a non-linearity is what makes the network more than one big
linear map.
"""

from autograd_lab.nn import functional as F
from autograd_lab.nn.module import Module


class ReLU(Module):
    """max(x, 0) element-wise.

    >>> import autograd_lab as alt
    >>> alt.nn.ReLU()(alt.tensor([-1.0, 0.5]))
    tensor([0.0000, 0.5000])
    """

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.relu(input)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class Tanh(Module):
    """tanh(x) element-wise: values in (-1, 1)."""

    def forward(self, input):
        return F.tanh(input)


class Sigmoid(Module):
    """1 / (1 + e^(-x)) element-wise: values in (0, 1)."""

    def forward(self, input):
        return F.sigmoid(input)


class Softmax(Module):
    """Probabilities along `dim`: e^x / sum(e^x)."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmax(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """Log-probabilities along `dim`: x - log(sum(e^x)); pair it with `NLLLoss`."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.log_softmax(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"
