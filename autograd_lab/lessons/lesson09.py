"""Checker for lesson 09 (nn and optim): a two-layer network written as an `nn.Module`.

The checker builds `TwoLayerNet(5, 4, 3)`, finds its four parameters by shape, compares its
output with `relu(x W1ᵀ + b1) W2ᵀ + b2` computed from them, and checks that backward reaches
every parameter.
"""

import numpy as np

import autograd_lab
from autograd_lab import nn
from autograd_lab.lessons.checking import Exercise, Lesson, call, not_attempted, passed
from autograd_lab.lessons.results import close
from autograd_lab.lessons.solutions import lesson09 as solutions

_D_IN, _H, _D_OUT = 5, 4, 3
_SHAPES = {"first weight": (_H, _D_IN), "first bias": (_H,),
           "second weight": (_D_OUT, _H), "second bias": (_D_OUT,)}
LESSON = Lesson("lesson09", [
    Exercise("TwoLayerNet", solution=solutions.TwoLayerNet,
             nudge="in __init__, create the two layers as attributes of self (so that the "
                   "module finds their parameters); in forward, apply the first layer, a ReLU, "
                   "then the second layer",
             stronger_hint="the layers are torch.nn.Linear: the first maps D_in features to H, "
                           "the second H to D_out; forward returns the second layer applied to "
                           "the first layer's output clamped at zero (clamp(min=0))"),
])
hint = LESSON.hint
show_solution = LESSON.show_solution


def check_two_layer_net(TwoLayerNet):
    """Check a `TwoLayerNet(D_in, H, D_out)` Module class: parameters, output and gradients."""
    exercise = LESSON["TwoLayerNet"]
    if not_attempted(exercise.name, TwoLayerNet):
        return None
    shown = f"TwoLayerNet({_D_IN}, {_H}, {_D_OUT})"
    net = call(exercise, TwoLayerNet, (_D_IN, _H, _D_OUT), input=shown)
    if not isinstance(net, nn.Module):
        raise exercise.wrong("it is not an nn.Module", input=shown,
                             advice="subclass torch.nn.Module and call super().__init__() first")
    params = _parameters_by_role(exercise, net, shown)
    x = autograd_lab.tensor(np.random.default_rng(9).standard_normal((6, _D_IN)),
                            dtype=autograd_lab.float32)
    shown_call = f"net = {shown}; net(x) with x of shape {tuple(x.shape)}"
    output = call(exercise, net, (x,), input=shown_call)
    expected = _reference_output(x, params)
    if not isinstance(output, autograd_lab.Tensor):
        raise exercise.wrong(f"forward returned {type(output).__name__}, not a tensor",
                             input=shown_call, advice="forward must return the output tensor")
    if not close(output, expected):
        raise exercise.wrong("the output is not relu(x W1ᵀ + b1) W2ᵀ + b2", input=shown_call,
                             expected=expected, received=output.detach())
    if not output.requires_grad:
        raise _cut_off(exercise, shown_call, "the parameters")
    net.zero_grad()
    output.sum().backward()
    for role, param in params.items():
        if param.grad is None:
            raise _cut_off(exercise, shown_call, f"the {role}")
    return passed(exercise.name)


def _cut_off(exercise, shown, what):
    return exercise.wrong(f"no gradient reaches {what}", input=shown,
                          advice="compute forward with the layers' tensors (no .detach(), no "
                          "numpy) so that autograd records it")


def _parameters_by_role(exercise, net, shown):
    """The four parameters, found by their shapes; an ExerciseError if they are not there."""
    found = list(net.named_parameters())
    shapes = sorted(tuple(param.shape) for _, param in found)
    wanted = sorted(_SHAPES.values())
    if shapes != wanted:
        listing = ", ".join(f"{n} {tuple(p.shape)}" for n, p in found) or "none"
        expected = ", ".join(f"{role} {shape}" for role, shape in _SHAPES.items())
        advice = ("nn.Linear(in_features, out_features) has a weight of shape (out_features, "
                  "in_features): the first layer maps D_in features to H, the second H to D_out"
                  if found else "create the two nn.Linear layers as attributes of self in "
                  "__init__, so that the module registers their parameters")
        raise exercise.wrong(f"expected 4 parameters: {expected}; found {listing}",
                             input=shown, advice=advice)
    by_shape = {tuple(param.shape): param for _, param in found}
    return {role: by_shape[shape] for role, shape in _SHAPES.items()}


def _reference_output(x, params):
    with autograd_lab.no_grad():
        hidden = (x.mm(params["first weight"].t()) + params["first bias"]).clamp(min=0)
        return hidden.mm(params["second weight"].t()) + params["second bias"]
