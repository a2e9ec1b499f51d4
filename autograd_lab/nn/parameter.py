"""`Parameter`: a tensor that a Module registers as one of its learnable weights.

A Parameter is an ordinary leaf tensor with `requires_grad=True`; the only thing its class adds
is a signal to `Module.__setattr__`: "this one belongs in `parameters()`".

>>> import autograd_lab as alt
>>> w = alt.nn.Parameter(alt.ones(2))
>>> w
Parameter containing:
tensor([1., 1.], requires_grad=True)
"""

import copy

from autograd_lab.tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor that requires grad (unless told not to) and shares storage with `data`.

    Operations on a Parameter give plain Tensors: `w * 2` is a Tensor, not a Parameter.
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = Tensor(0)  # an empty float32 tensor, as in PyTorch
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter expects a Tensor as data, but got {type(data).__name__}")
        self._init(data._data, data.device)
        self._version_cell = data._version_cell  # same storage as `data`, same version counter
        self.requires_grad = requires_grad

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        """A Parameter with its own copy of the values (and of `.grad`, if there is one)."""
        if id(self) not in memo:
            result = Parameter(Tensor._from_array(self._data.copy(), self._device),
                               self._requires_grad)
            if self._grad is not None:
                result._grad = copy.deepcopy(self._grad, memo)
            memo[id(self)] = result
        return memo[id(self)]

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self.detach(), self._requires_grad))


def _rebuild_parameter(data, requires_grad):
    return Parameter(data, requires_grad)


def zero_grads(params, set_to_none=True):
    """Reset `.grad` of each tensor: to None, or (`set_to_none=False`) to zeros in place.

    This is what `Module.zero_grad()` and `Optimizer.zero_grad()` do. Without it, the next
    `backward()` would add its gradients to the old ones.
    """
    for param in params:
        grad = param.grad
        if grad is None:
            continue
        if set_to_none:
            param.grad = None
        else:
            if grad.grad_fn is not None:  # built with create_graph=True: drop its history
                grad = param.grad = grad.detach()
            grad.requires_grad_(False)
            grad.zero_()
