"""Checker for lesson 09 (nn and optim): a two-layer network written as an `nn.Module`.

The checker builds `TwoLayerNet(5, 4, 3)`, finds its four parameters by shape, compares its
output with `relu(x W1ᵀ + b1) W2ᵀ + b2` computed from them, and checks that backward reaches
every parameter.
"""

import numpy as np

import autograd_lab
from autograd_lab import nn
from autograd_lab.lessons.checking import ExerciseError, call, close, not_attempted, passed

_D_IN, _H, _D_OUT = 5, 4, 3
_SHAPES = {"first weight": (_H, _D_IN), "first bias": (_H,),
           "second weight": (_D_OUT, _H), "second bias": (_D_OUT,)}
_HINT = ("in __init__: self.linear1 = torch.nn.Linear(D_in, H) and self.linear2 = "
         "torch.nn.Linear(H, D_out); in forward: return self.linear2(self.linear1(x)."
         "clamp(min=0))")


def check_two_layer_net(TwoLayerNet):
    """Check a `TwoLayerNet(D_in, H, D_out)` Module class: parameters, output and gradients."""
    name = "TwoLayerNet"
    if not_attempted(name, TwoLayerNet.forward):
        return None
    shown = f"TwoLayerNet({_D_IN}, {_H}, {_D_OUT})"
    net = call(name, TwoLayerNet, (_D_IN, _H, _D_OUT), _HINT)
    if not isinstance(net, nn.Module):
        raise ExerciseError(name, "it is not an nn.Module", input=shown,
                            hint="subclass torch.nn.Module and call super().__init__() first")
    params = _parameters_by_role(name, net, shown)
    x = autograd_lab.tensor(np.random.default_rng(9).standard_normal((6, _D_IN)),
                            dtype=autograd_lab.float32)
    output = call(name, net, (x,), _HINT)
    expected = _reference_output(x, params)
    if not isinstance(output, autograd_lab.Tensor):
        raise ExerciseError(name, f"forward returned {type(output).__name__}, not a tensor",
                            input=shown, hint="forward must return the output tensor")
    if not close(output, expected):
        raise ExerciseError(name, "the output is not relu(x W1ᵀ + b1) W2ᵀ + b2", input=shown,
                            expected=expected, received=output.detach(), hint=_HINT)
    if not output.requires_grad:
        raise _cut_off(name, shown, "the parameters")
    net.zero_grad()
    output.sum().backward()
    for role, param in params.items():
        if param.grad is None:
            raise _cut_off(name, shown, f"the {role}")
    return passed(name)


def _cut_off(name, shown, what):
    return ExerciseError(name, f"no gradient reaches {what}", input=shown,
                         hint="compute forward with the layers' tensors (no .detach(), no "
                         "numpy) so that autograd records it")


def _parameters_by_role(name, net, shown):
    """The four parameters, found by their shapes; an ExerciseError if they are not there."""
    found = list(net.named_parameters())
    shapes = sorted(tuple(param.shape) for _, param in found)
    wanted = sorted(_SHAPES.values())
    if shapes != wanted:
        listing = ", ".join(f"{n} {tuple(p.shape)}" for n, p in found) or "none"
        raise ExerciseError(name, f"expected 4 parameters with shapes {wanted}; found "
                            f"{listing}", input=shown,
                            hint="create the two nn.Linear layers as attributes of self in "
                            "__init__, so that the module registers their parameters")
    by_shape = {tuple(param.shape): param for _, param in found}
    return {role: by_shape[shape] for role, shape in _SHAPES.items()}


def _reference_output(x, params):
    with autograd_lab.no_grad():
        hidden = (x.mm(params["first weight"].t()) + params["first bias"]).clamp(min=0)
        return hidden.mm(params["second weight"].t()) + params["second bias"]
