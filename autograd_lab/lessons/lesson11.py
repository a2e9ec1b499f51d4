"""Checker for lesson 11 (the GPU): choosing the device from `cuda.is_available()`.

The checker calls the learner's `pick_device()` twice, with `autograd_lab.cuda.is_available`
answering True and then False, so it can be checked on a machine with or without a GPU.
"""

from autograd_lab import cuda
from autograd_lab.lessons.checking import ExerciseError, call, not_attempted, passed

_HINT = ('return "cuda" if torch.cuda.is_available() else "cpu", asking is_available() inside '
         "the function, every time it is called")


def check_pick_device(pick_device):
    """Check that `pick_device()` answers "cuda" exactly when a GPU is available."""
    name = "pick_device"
    if not_attempted(name, pick_device):
        return None
    for available, expected in ((True, "cuda"), (False, "cpu")):
        received = _with_gpu_available(available, lambda: call(name, pick_device, (), _HINT))
        if str(received) not in (expected, f"{expected}:0"):
            situation = "a GPU is available" if available else "no GPU is available"
            raise ExerciseError(name, f"when {situation}, it should pick {expected!r}",
                                input=f"torch.cuda.is_available() returns {available}",
                                expected=expected, received=received, hint=_HINT)
    return passed(name)


def _with_gpu_available(available, run):
    """Run `run()` while `autograd_lab.cuda.is_available()` returns `available`."""
    real = cuda.is_available
    cuda.is_available = lambda: available
    try:
        return run()
    finally:
        cuda.is_available = real
