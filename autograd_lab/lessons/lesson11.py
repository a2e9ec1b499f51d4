"""Checker for lesson 11 (the GPU): choosing the device from what is asked and what is there.

`pick_device(wanted)` answers "auto" with the GPU when one is available (else the CPU), "cpu"
with the CPU, and "cuda" with the GPU, or a RuntimeError when there is none. The checker calls
it with `autograd_lab.cuda.is_available` answering True and then False, so it can be checked on
a machine with or without a GPU.
"""

from autograd_lab import cuda
from autograd_lab.lessons.checking import Exercise, Lesson, not_attempted, passed
from autograd_lab.lessons.solutions import lesson11 as solutions

LESSON = Lesson("lesson11", [
    Exercise("pick_device", solution=solutions.pick_device,
             nudge="three requests, each with its own answer; ask torch.cuda.is_available() "
                   "inside the function, every time it is called",
             stronger_hint='"cpu" is always answered with "cpu"; "auto" gets the GPU only when '
                           'one is available; "cuda" gets "cuda" when a GPU is available and '
                           "otherwise raises a RuntimeError that says there is none"),
])
hint = LESSON.hint
show_solution = LESSON.show_solution
_CASES = [  # (GPU available, wanted, expected answer; None means a RuntimeError)
    (True, "auto", "cuda"), (True, "cpu", "cpu"), (True, "cuda", "cuda"),
    (False, "auto", "cpu"), (False, "cpu", "cpu"), (False, "cuda", None),
]


def check_pick_device(pick_device):
    """Check `pick_device(wanted)` with and without a (pretended) GPU."""
    exercise = LESSON["pick_device"]
    if not_attempted(exercise.name, pick_device):
        return None
    for available, wanted, expected in _CASES:
        situation = "a GPU is available" if available else "no GPU is available"
        shown = f"pick_device({wanted!r}) when {situation}"
        try:
            received = _with_gpu_available(available, lambda: pick_device(wanted))
        except RuntimeError as error:
            if expected is None:
                continue
            raise exercise.raised(error, input=shown) from None
        except Exception as error:
            raise exercise.raised(error, input=shown) from None
        if expected is None:
            raise exercise.wrong("asking for 'cuda' without a GPU must raise a RuntimeError "
                                 "that says so", input=shown, expected="RuntimeError",
                                 received=received,
                                 advice="a silent fall-back to the CPU hides the problem from "
                                 "whoever asked for the GPU")
        if str(received) not in (expected, f"{expected}:0"):
            raise exercise.wrong("not the right device", input=shown, expected=expected,
                                 received=received)
    return passed(exercise.name)


def _with_gpu_available(available, run):
    """Run `run()` while `autograd_lab.cuda.is_available()` returns `available`."""
    real = cuda.is_available
    cuda.is_available = lambda: available
    try:
        return run()
    finally:
        cuda.is_available = real
