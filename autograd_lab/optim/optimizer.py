"""`Optimizer`: the base class of SGD and Adam, which holds parameters and their state.

An optimizer is given the parameters to train (`model.parameters()`), in one group or in
several groups with their own settings (`[{"params": ..., "lr": 0.1}, ...]`). Each training
step is then:

    optimizer.zero_grad()   # forget the previous gradients
    loss.backward()         # compute new ones into each parameter's .grad
    optimizer.step()        # move each parameter a little, using its .grad

`state` keeps what a method remembers between steps for each parameter (the momentum of SGD,
the running averages of Adam).
"""

import copy
from collections import defaultdict

from autograd_lab.autograd.grad_mode import enable_grad
from autograd_lab.nn.parameter import zero_grads
from autograd_lab.tensor import Tensor


class _RequiredParameter:
    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()  # a default that add_param_group insists be given


class Optimizer:
    """Holds `param_groups` (a list of dicts: "params" plus settings) and per-parameter `state`.

    Subclasses give their default settings to `__init__` and write `step()`.
    """

    def __init__(self, params, defaults):
        self.defaults = defaults
        self.state = defaultdict(dict)  # parameter -> what the method remembers about it
        self.param_groups = []
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            f"Tensors or dicts, but got {params.type()}")
        groups = list(params)
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group):
        """Add a group of parameters with its own settings (the missing ones from `defaults`).

        Useful to train a new layer on top of a pretrained model with its own learning rate.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        group = dict(param_group)
        params = group["params"]
        group["params"] = [params] if isinstance(params, Tensor) else list(params)
        for param in group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params "
                                f"is {type(param).__name__}")
            if not param.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            group.setdefault(name, default)
        known = {id(p) for other in self.param_groups for p in other["params"]}
        if any(id(p) in known for p in group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none=True):
        """Reset the gradients of every parameter (to None, or to zeros with
        `set_to_none=False`) so that the next `backward()` does not add to old ones."""
        zero_grads((p for group in self.param_groups for p in group["params"]), set_to_none)

    def step(self, closure=None):
        """Update every parameter once. `closure`, if given, recomputes and returns the loss."""
        raise NotImplementedError

    def _loss_from(self, closure):
        if closure is None:
            return None
        with enable_grad():  # step() runs under no_grad, but the closure needs a graph
            return closure()

    # -- saving and loading ------------------------------------------------------------------

    def state_dict(self):
        """The settings and state, with parameters replaced by their positions (0, 1, ...).

        Positions count through the groups in order, so the dict can be loaded into an
        optimizer built the same way over another copy of the model.
        """
        positions = {}
        groups = []
        for group in self.param_groups:
            packed = {key: value for key, value in group.items() if key != "params"}
            for param in group["params"]:
                positions.setdefault(id(param), len(positions))
            packed["params"] = [positions[id(param)] for param in group["params"]]
            groups.append(packed)
        state = {positions[id(param)]: value for param, value in self.state.items()
                 if id(param) in positions}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Take settings and state from `state_dict` (made by `state_dict()`), copying its
        tensors to each parameter's device (and floating dtype, `step` counters excepted)."""
        state_dict = copy.deepcopy(state_dict)
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for group, saved in zip(self.param_groups, saved_groups):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't "
                                 "match the size of optimizer's group")
        by_position = {}
        for group, saved in zip(self.param_groups, saved_groups):
            by_position.update(zip(saved["params"], group["params"]))
        self.state = defaultdict(dict)
        for position, values in state_dict["state"].items():
            param = by_position[position]
            self.state[param] = {key: _like_param(value, param, key)
                                 for key, value in values.items()}
        self.param_groups = [dict(saved, params=group["params"])
                             for group, saved in zip(self.param_groups, saved_groups)]

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        return "\n".join(lines) + "\n)"


def _like_param(value, param, key):
    """A saved state tensor moved to the parameter's device (and float dtype, except `step`)."""
    if not isinstance(value, Tensor):
        return value
    if key != "step" and value.is_floating_point():
        return value.to(device=param.device, dtype=param.dtype)
    return value.to(device=param.device)
