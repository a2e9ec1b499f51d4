"""Checker for lesson 10 (static and dynamic graphs): a function whose graph depends on its data.

`grow(x, limit)` doubles `x` until `x.sum()` reaches `limit`. The number of doublings k depends
on the values in `x`, so the recorded graph does too, and the gradient of the result's sum with
respect to `x` is 2**k everywhere.
"""

import numpy as np

import autograd_lab
from autograd_lab.lessons.checking import Exercise, Lesson, call, not_attempted, passed
from autograd_lab.lessons.results import close
from autograd_lab.lessons.solutions import lesson10 as solutions

_CASES = [  # (values of x, limit): k = 0, 1, 3, 6 and 1 doublings
    ([3.0, 2.0], 4.0),
    ([1.0, 0.5, 0.5], 3.0),
    ([0.25, 0.5], 5.0),
    ([0.1], 5.0),
    ([1.0, 1.0], 4.0),  # one doubling makes the sum exactly the limit: that is enough
]

LESSON = Lesson("lesson10", [
    Exercise("grow", solution=solutions.grow,
             nudge="how many doublings happen depends on the numbers in x, so a fixed number "
                   "of them cannot work; and a sum exactly equal to the limit has reached it",
             stronger_hint="a while loop that doubles x for as long as its sum is still below "
                           "the limit; double with a tensor operation on x itself (no .item(), "
                           "no numpy), so that autograd records every doubling"),
])
hint = LESSON.hint
show_solution = LESSON.show_solution


def check_grow(grow):
    """Check `grow(x, limit)`: the right values, and gradient 2**k flowing back to `x`."""
    exercise = LESSON["grow"]
    if not_attempted(exercise.name, grow):
        return None
    for values, limit in _CASES:
        expected_value, doublings = _reference(np.array(values), limit)
        x = autograd_lab.tensor(values, requires_grad=True)
        shown = f"x = {values} (sum {sum(values):g}), limit = {limit}"
        result = call(exercise, grow, (x, limit), input=shown)
        if not isinstance(result, autograd_lab.Tensor):
            raise exercise.wrong(f"expected a tensor, received {type(result).__name__}",
                                 input=shown)
        if not close(result, autograd_lab.tensor(expected_value)):
            raise exercise.wrong(f"the values are not right: {_doublings(doublings)} needed, "
                                 f"{_counted(result, values)}", input=shown,
                                 expected=autograd_lab.tensor(expected_value),
                                 received=result.detach())
        if not result.requires_grad:
            if doublings == 0:
                continue  # x returned as it is: no graph, and none is needed
            raise exercise.wrong("the result does not require grad: the doublings were not "
                                 "recorded", input=shown,
                                 advice="compute with tensor operations on x itself (no "
                                 ".item(), no .detach(), no numpy) so that autograd records "
                                 "them")
        result.sum().backward()
        expected_grad = autograd_lab.full((len(values),), 2.0 ** doublings)
        if not close(x.grad, expected_grad):
            raise exercise.wrong(f"the gradient reaching x is not 2**k = {2 ** doublings:g} "
                                 f"(k = {doublings})", input=shown, expected=expected_grad,
                                 received=x.grad)
    return passed(exercise.name)


def _doublings(count):
    return "1 doubling was" if count == 1 else f"{count} doublings were"


def _counted(result, values):
    """How many doublings the learner's result shows, in words."""
    ratio = float(result.detach().sum()) / sum(values)
    doublings = np.log2(ratio) if ratio > 0 else np.nan
    if np.isfinite(doublings) and np.isclose(doublings, round(doublings)):
        count = int(round(doublings))
        return f"your result is x doubled {count} time" + ("" if count == 1 else "s")
    return "your result is not x doubled a whole number of times"


def _reference(values, limit):
    doublings = 0
    while values.sum() < limit:
        values = values * 2
        doublings += 1
    return values.astype(np.float32), doublings
