"""`LazyLinear`: a `Linear` layer that learns its input size from the first batch it sees.

`nn.LazyLinear(10)` needs only the number of outputs. Its weight and bias start as
`UninitializedParameter`s (placeholders without a shape); the first call fills them in,
initialised as `Linear` does, and the layer becomes a plain `Linear`:

>>> import autograd_lab as alt
>>> layer = alt.nn.LazyLinear(3)
>>> layer
LazyLinear(in_features=0, out_features=3, bias=True)
>>> layer(alt.ones(2, 5)).shape
autograd_lab.Size([2, 3])
>>> layer
Linear(in_features=5, out_features=3, bias=True)

The placeholders are the very objects that become the parameters, so an optimizer made
before the first call trains them.
"""

from autograd_lab.autograd.grad_mode import no_grad
from autograd_lab.creation import empty
from autograd_lab.nn.linear import Linear
from autograd_lab.nn.module import Module
from autograd_lab.nn.parameter import Parameter


class UninitializedParameter(Parameter):
    """A parameter whose shape is not known yet; `materialize(shape)` gives it one."""

    __slots__ = ()

    def __init__(self, requires_grad=True, device=None, dtype=None):
        super().__init__(empty(0, device=device, dtype=dtype), requires_grad)

    def __repr__(self):
        return "<UninitializedParameter>"

    @property
    def shape(self):
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error usually "
            "happens in `load_state_dict` when trying to load an uninitialized parameter into "
            "an initialized one. Call `forward` to initialize the parameters before accessing "
            "their attributes.")

    def materialize(self, shape):
        """Give the parameter its shape (values uninitialised) and make it a plain Parameter."""
        self._data = empty(*shape, dtype=self.dtype, device=self.device)._data
        self.__class__ = Parameter


class LazyLinear(Linear):
    """`Linear` with `in_features` taken from the last dimension of the first input."""

    def __init__(self, out_features, bias=True, device=None, dtype=None):
        Module.__init__(self)
        self.in_features = 0
        self.out_features = out_features
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)
        else:
            self.register_parameter("bias", None)

    def reset_parameters(self):
        if not isinstance(self.weight, UninitializedParameter):
            super().reset_parameters()

    def forward(self, input):
        if isinstance(self.weight, UninitializedParameter):
            self.in_features = input._data.shape[-1]
            with no_grad():
                self.weight.materialize((self.out_features, self.in_features))
                if self.bias is not None:
                    self.bias.materialize((self.out_features,))
                self.reset_parameters()
            self.__class__ = Linear  # from now on a Linear like any other
        return Linear.forward(self, input)
