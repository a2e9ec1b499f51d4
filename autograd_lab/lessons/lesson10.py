"""Checker for lesson 10 (static and dynamic graphs): a function whose graph depends on its data.

`grow(x, limit)` doubles `x` until `x.sum()` reaches `limit`. The number of doublings k depends
on the values in `x`, so the recorded graph does too, and the gradient of the result's sum with
respect to `x` is 2**k everywhere.
"""

import numpy as np

import autograd_lab
from autograd_lab.lessons.checking import ExerciseError, call, close, not_attempted, passed

_CASES = [  # (values of x, limit): k = 0, 1, 3 and 6 doublings
    ([3.0, 2.0], 4.0),
    ([1.0, 0.5, 0.5], 3.0),
    ([0.25, 0.5], 5.0),
    ([0.1], 5.0),
]
_HINT = ("use a while loop that runs while x.sum() < limit and sets x = x * 2 each time; the "
         "number of doublings depends on the data, so it cannot be a fixed number")


def check_grow(grow):
    """Check `grow(x, limit)`: the right values, and gradient 2**k flowing back to `x`."""
    name = "grow"
    if not_attempted(name, grow):
        return None
    for values, limit in _CASES:
        expected_value, doublings = _reference(np.array(values), limit)
        x = autograd_lab.tensor(values, requires_grad=True)
        result = call(name, grow, (x, limit), _HINT)
        shown = f"x = {values}, limit = {limit}"
        if not isinstance(result, autograd_lab.Tensor):
            raise ExerciseError(name, f"expected a tensor, received {type(result).__name__}",
                                input=shown, hint=_HINT)
        if not close(result, autograd_lab.tensor(expected_value)):
            raise ExerciseError(name, f"the values are not right ({doublings} doublings were "
                                "needed)", input=shown, expected=autograd_lab.tensor(
                                    expected_value), received=result.detach(), hint=_HINT)
        if not result.requires_grad:
            if doublings == 0:
                continue  # x returned as it is: no graph, and none is needed
            raise ExerciseError(name, "the result does not require grad: the doublings were "
                                "not recorded", input=shown,
                                hint="compute with tensor operations on x itself (no .item(), "
                                "no .detach(), no numpy) so that autograd records them")
        result.sum().backward()
        expected_grad = autograd_lab.full((len(values),), 2.0 ** doublings)
        if not close(x.grad, expected_grad):
            raise ExerciseError(name, "the gradient reaching x is not 2**k", input=shown,
                                expected=expected_grad, received=x.grad, hint=_HINT)
    return passed(name)


def _reference(values, limit):
    doublings = 0
    while values.sum() < limit:
        values = values * 2
        doublings += 1
    return values.astype(np.float32), doublings
