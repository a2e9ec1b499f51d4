"""What is compared after each step, and how a difference between the libraries is written down.

After a step: did it raise (and which error: its type, and its kind when PyTorch's message is one
autograd teaches), then for every tensor the program holds: shape, dtype, values, `requires_grad`,
`is_leaf`, whether it has a `grad_fn`, and its `.grad` (values, and whether it requires grad);
finally what the hooks recorded in `log`. Everything is compared strictly; the deliberate
differences the README lists are let through afterwards, by `exclusions`.
"""

from dataclasses import dataclass

import numpy as np

#: Errors autograd teaches, told apart by a phrase of PyTorch's message. When PyTorch's message
#: has one of these phrases, autograd_lab's must have the same one.
ERROR_KINDS = [
    ("second backward", "backward through the graph a second time"),
    ("modified in place", "modified by an inplace operation"),
    ("needs no grad", "does not require grad"),
    ("in-place on a leaf", "leaf Variable that requires grad"),
    ("unused input", "appears to not have been used in the graph"),
    ("non-scalar output", "grad can be implicitly created only for scalar outputs"),
    ("hook without grad", "cannot register a hook on a tensor that doesn't require gradient"),
    ("view size", "view size is not compatible"),
    ("overlapping memory", "memory location"),
]

RTOL, ATOL = 1e-7, 1e-10


@dataclass(frozen=True)
class Mismatch:
    """The first difference in a program: after which step, in what, and both sides of it."""

    step: int
    what: str  # what differs: "error" (the step's), or an expression such as "t3.grad", "log"
    kind: str  # what kind of thing differs, for grouping: "error", "grad", "requires_grad", ...
    theirs: str  # PyTorch's
    ours: str  # autograd_lab's
    after_error: bool = False  # the step raised the same error in both libraries

    def summary(self):
        """What differs, in a few words: for errors, which error each library raised."""
        if self.kind != "error":
            return f"{self.kind} differs"

        def short(described):
            kind = error_kind(described)
            return described.split(":")[0] + (f" ({kind})" if kind else "")

        return f"PyTorch: {short(self.theirs)}, autograd_lab: {short(self.ours)}"


def error_kind(message):
    for kind, phrase in ERROR_KINDS:
        if phrase in message:
            return kind
    return None


def describe_error(error):
    if error is None:
        return "no error"
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {first_line}"


def compare_errors(step, theirs, ours):
    """A Mismatch when one library raised and the other did not, or they raised differently."""
    if theirs is None and ours is None:
        return None
    mismatch = Mismatch(step, "error", "error", describe_error(theirs), describe_error(ours))
    if theirs is None or ours is None or type(theirs).__name__ != type(ours).__name__:
        return mismatch
    kind = error_kind(str(theirs))
    if kind is not None and error_kind(str(ours)) != kind:
        return mismatch
    return None


class Raised(str):
    """Reading an attribute raised: this is the error, described."""


def _read(tensor, attribute):
    try:
        return getattr(tensor, attribute)
    except Exception as error:  # PyTorch refuses some reads, e.g. grad_fn of a stale view
        return Raised(describe_error(error))


def _flag(tensor, attribute):
    value = _read(tensor, attribute)
    if attribute == "grad_fn" and not isinstance(value, Raised):
        return "None" if value is None else "a grad_fn"
    return str(value)


def _array(tensor):
    return tensor.detach().clone().numpy()  # (clone: PyTorch's all-zero gradients have no storage)


def _show(value):
    if value is None:
        return "None"
    array = np.asarray(value)
    return np.array2string(array, precision=6, separator=", ").replace("\n", "")


def _same_values(a, b):
    if a.shape != b.shape:
        return False
    return np.array_equal(a, b, equal_nan=True) or np.allclose(a, b, RTOL, ATOL, equal_nan=True)


def tensor_differences(step, name, theirs, ours):
    """The differences between two tensors bound to the same name, as Mismatches."""
    if theirs is None or ours is None:
        if (theirs is None) != (ours is None):
            yield Mismatch(step, name, "value", repr(theirs)[:200], repr(ours)[:200])
        return
    if tuple(theirs.shape) != tuple(ours.shape):
        yield Mismatch(step, f"{name}.shape", "shape", str(tuple(theirs.shape)),
                       str(tuple(ours.shape)))
        return
    checks = [
        ("shape type", f"type({name}.shape)", type(theirs.shape).__name__,
         type(ours.shape).__name__),
        ("dtype", f"{name}.dtype", str(theirs.dtype), str(ours.dtype)),
    ]
    for kind, what, a, b in checks:
        if a != b:
            yield Mismatch(step, what, kind, a, b)
    a, b = _array(theirs), _array(ours)
    if not _same_values(a, b):
        yield Mismatch(step, name, "values", _show(a), _show(b))
    for kind in ("requires_grad", "is_leaf", "grad_fn"):
        a, b = _flag(theirs, kind), _flag(ours, kind)
        if a != b:
            yield Mismatch(step, f"{name}.{kind}", kind, a, b)
    their_grad, our_grad = _read(theirs, "grad"), _read(ours, "grad")
    if isinstance(their_grad, Raised) or isinstance(our_grad, Raised):
        if str(their_grad) != str(our_grad):
            yield Mismatch(step, f"{name}.grad", "grad", str(their_grad), str(our_grad))
    elif (their_grad is None) != (our_grad is None):
        yield Mismatch(step, f"{name}.grad", "grad",
                       _show(None if their_grad is None else _array(their_grad)),
                       _show(None if our_grad is None else _array(our_grad)))
    elif their_grad is not None:
        a, b = _array(their_grad), _array(our_grad)
        if not _same_values(a, b):
            yield Mismatch(step, f"{name}.grad", "grad", _show(a), _show(b))
        if their_grad.requires_grad != our_grad.requires_grad:
            yield Mismatch(step, f"{name}.grad.requires_grad", "grad requires_grad",
                           str(their_grad.requires_grad), str(our_grad.requires_grad))


def log_differences(step, theirs, ours):
    """What hooks appended to `log`: the same number of entries, with the same values."""
    if len(theirs) != len(ours):
        yield Mismatch(step, "log", "hook calls", f"{len(theirs)} calls", f"{len(ours)} calls")
        return
    for a, b in zip(theirs, ours):
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        if not _same_values(a, b):
            yield Mismatch(step, "log", "hook values", _show(a), _show(b))
            return


def state_differences(step, names, theirs, ours):
    """The differences between the two namespaces after a step, as Mismatches."""
    for name in names:
        yield from tensor_differences(step, name, theirs.get(name), ours.get(name))
    yield from log_differences(step, theirs["log"], ours["log"])
