"""`Dropout`: randomly zero activations while training, so that no unit can be relied on alone."""

from autograd_lab.nn import functional as F
from autograd_lab.nn.module import Module


class Dropout(Module):
    """In training mode, zero each element with probability `p` and scale the rest by
    1 / (1 - p); in evaluation mode (`model.eval()`), pass the input through unchanged.

    The random choices come from the generator that `autograd_lab.manual_seed` seeds.
    """

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input):
        return F.dropout(input, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"
