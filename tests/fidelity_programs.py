"""What the fidelity tests' small programs share: making leaves, and reading an error.

A program is written once against a module `lib` (autograd_lab, or torch) and returns what a
learner could print; each test file runs it on autograd_lab against a hand-worked expectation and,
where PyTorch is installed, on both libraries side by side.
"""


def error_of(action):
    """The error `action()` raises, as (class name, message); None when it raises nothing."""
    try:
        action()
    except Exception as error:  # noqa: BLE001 - the class is part of what is compared
        return type(error).__name__, str(error)
    return None


def leaf(lib, values):
    """A float64 leaf that requires grad."""
    return lib.tensor(values, dtype=lib.float64, requires_grad=True)


def plain(lib, values):
    """A float64 tensor that needs no gradient."""
    return lib.tensor(values, dtype=lib.float64)
