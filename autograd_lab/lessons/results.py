"""Results of the learner's code: copy the inputs, compare a result with the expected one, and
describe values in one line, for the checkers' messages.

`find_mismatch` says what separates two results, as a checker's message would:

>>> import numpy as np
>>> find_mismatch((np.zeros((2, 3)), np.ones(3)), (np.ones((3, 2)), np.ones(3)),
...               parts=("grad_x", "grad_w")).what
'element 0 (grad_x) has shape (2, 3) instead of (3, 2)'
"""

import inspect
from dataclasses import dataclass

import numpy as np

from autograd_lab.tensor import Tensor


@dataclass
class Mismatch:
    """What is wrong with a result: a sentence, and the parts of the result it is about."""

    what: str
    received: object
    expected: object


def find_mismatch(received, expected, parts=(), rtol=1e-4, atol=1e-5, subject="the result"):
    """A `Mismatch` saying what separates `received` from `expected`; None when they agree.

    Tuples are compared element by element ("element 1 (grad_w) has shape ..."), with `parts`
    naming the elements; otherwise the kind (tensor, numpy array, number), the shape and the
    values are compared, in that order.
    """
    if isinstance(expected, (tuple, list)):
        return _tuple_mismatch(received, expected, parts, rtol, atol, subject)
    if expected is None:
        return None if received is None else Mismatch(f"{subject} should be None", received,
                                                      expected)
    kind = _kind_problem(received, expected)
    if kind:
        return Mismatch(f"{subject} {kind}", received, expected)
    got, want = to_numpy(received), to_numpy(expected)
    if got.shape != want.shape:
        transposed = (got.ndim == 2 and got.T.shape == want.shape
                      and np.allclose(got.T, want, rtol=rtol, atol=atol))
        return Mismatch(f"{subject} has shape {tuple(got.shape)} instead of {tuple(want.shape)}"
                        + (": it is the transpose of the expected one" if transposed else ""),
                        None, None)
    if np.allclose(got, want, rtol=rtol, atol=atol, equal_nan=True):
        return None
    return Mismatch(f"{subject} {_value_difference(got, want, rtol, atol)}", received, expected)


def _tuple_mismatch(received, expected, parts, rtol, atol, subject):
    names = f" ({', '.join(parts)})" if parts else ""
    wanted = f"a tuple of {len(expected)}{names}"
    if not isinstance(received, (tuple, list)):
        return Mismatch(f"{subject} is {_kind_of(received)}; return {wanted}", None, None)
    if len(received) != len(expected):
        count = f"{len(received)} element" + ("" if len(received) == 1 else "s")
        return Mismatch(f"{subject} has {count}; return {wanted}", None, None)
    for index, (got, want) in enumerate(zip(received, expected)):
        label = f"element {index}" + (f" ({parts[index]})" if index < len(parts) else "")
        mismatch = find_mismatch(got, want, rtol=rtol, atol=atol, subject=label)
        if mismatch:
            return mismatch
    return None


def _kind_of(value):
    if value is None:
        return "None"
    if isinstance(value, Tensor):
        return "a tensor"
    if isinstance(value, np.ndarray):
        return "a numpy array"
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        return "a number"
    return f"a {type(value).__name__}"


def _kind_problem(received, expected):
    """Why `received` is not the kind of thing `expected` is (None when it is)."""
    got, want = _kind_of(received), _kind_of(expected)
    if got == want or (want == "a tensor" and got == "a number" and expected.dim() == 0):
        return None
    if got == "None":
        return "is None: is a `return` missing, or a .grad that no backward filled?"
    if got == "a number" and want in ("a tensor", "a numpy array"):
        return f"is a single number; it should be {want} of shape {tuple(expected.shape)}"
    if want == "a number":
        return f"is {got}; it should be a Python number (a tensor or array gives one with .item())"
    if want == "a tensor" and got == "a numpy array":
        return ("is a numpy array, not a tensor: numpy functions (np.where, np.maximum, ...) "
                "leave autograd_lab; use tensor operations")
    return f"is {got}; it should be {want}"


def _value_difference(got, want, rtol, atol):
    if want.size == 1:
        return f"is {got.item():.6g} instead of {want.item():.6g}"
    gap = np.abs(got.astype(np.float64) - want.astype(np.float64))
    if np.isnan(gap).all():
        return "holds NaN where numbers are expected"
    where = tuple(int(i) for i in np.unravel_index(np.nanargmax(gap), gap.shape))
    wrong = int(np.count_nonzero(~np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)))
    return (f"differs in {wrong} of {want.size} entries, most at index {where} "
            f"({got[where]:.4g} instead of {want[where]:.4g})")


def changed_argument(func, args, before):
    """The name of the first argument whose numbers changed during the call (None if none)."""
    names = _parameter_names(func, len(args))
    for name, now, then in zip(names, args, before):
        now_array, then_array = to_numpy(now), to_numpy(then)
        if now_array is not None and not np.array_equal(now_array, then_array, equal_nan=True):
            return name
    return None


class Formula:
    """A function that prints as its formula, so that a checker's message says which one failed.

    >>> square = Formula("f(x) = x * x", lambda x: x * x)
    >>> square(3), square
    (9, f(x) = x * x)
    """

    def __init__(self, text, func):
        self.text = text
        self.func = func

    def __call__(self, *args):
        return self.func(*args)

    def __repr__(self):
        return self.text


def fresh(value):
    """A copy of `value` (tensors keep `requires_grad`; tuples and lists are copied inside)."""
    if isinstance(value, Tensor):
        copy = value.detach().clone()
        return copy.requires_grad_() if value.requires_grad else copy
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (tuple, list)):
        return type(value)(fresh(item) for item in value)
    return value


def to_numpy(value):
    """A numpy array for a tensor, an array or a number; None when `value` is none of these."""
    if isinstance(value, Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, (bool, int, float, np.number)):
        return np.asarray(value)
    return None


def close(received, expected, rtol=1e-4, atol=1e-5):
    """True when two results hold the same numbers: same shapes, values within tolerance.

    Works for tensors, numpy arrays, numbers, None, and tuples or lists of those.
    """
    if isinstance(expected, (tuple, list)):
        return (isinstance(received, (tuple, list)) and len(received) == len(expected)
                and all(close(r, e, rtol, atol) for r, e in zip(received, expected)))
    if expected is None:
        return received is None
    got, want = to_numpy(received), to_numpy(expected)
    if got is None or want is None or got.shape != want.shape:
        return False
    return bool(np.allclose(got, want, rtol=rtol, atol=atol, equal_nan=True))


def describe(value, limit=8):
    """A one-line text for `value`: small arrays in full, large ones by shape and first values."""
    if isinstance(value, (tuple, list)) and any(to_numpy(item) is not None for item in value):
        inside = ", ".join(describe(item, limit) for item in value)
        return f"({inside})" if isinstance(value, tuple) else f"[{inside}]"
    if isinstance(value, str):
        return value
    array = to_numpy(value)
    kind = "tensor" if isinstance(value, Tensor) else "array"
    if array is None or array.ndim == 0 or not isinstance(value, (Tensor, np.ndarray)):
        text = " ".join(repr(value).split())
        return text if len(text) <= 200 else text[:200] + " ..."
    if array.size <= limit:
        return f"{kind}({_numbers(array)})"
    first = _numbers(array.reshape(-1)[:6])[:-1]
    return f"{kind} of shape {tuple(array.shape)}, first values {first}, ...]"


def _numbers(array):
    return " ".join(np.array2string(array, precision=4, separator=", ").split())


def describe_arguments(func, args):
    """The arguments of a call, named after `func`'s parameters: "x = ..., w = ...".

    Small arrays are shown in full, larger ones by their shape only.
    """
    names = _parameter_names(func, len(args))
    return ", ".join(f"{name} = {_brief(arg)}" for name, arg in zip(names, args))


def _brief(value):
    array = to_numpy(value)
    if array is None or array.size <= 8:
        return describe(value)
    kind = "tensor" if isinstance(value, Tensor) else "array"
    return f"{kind} of shape {tuple(array.shape)}"


def _parameter_names(func, count):
    try:
        names = list(inspect.signature(func).parameters)
    except (TypeError, ValueError):
        names = []
    names = names[:count]
    return names + [f"argument {index}" for index in range(len(names), count)]
