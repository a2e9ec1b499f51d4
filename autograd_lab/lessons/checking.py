"""The exercise checkers' machinery: spot an untouched stub, compare with a reference, explain.

An exercise in a notebook is a function whose body is `...` until the learner fills it in.
The checker cell after it calls a `check_*` function, which

- prints "not attempted yet" for an untouched stub (so a fresh notebook runs from top to bottom),
- raises `ExerciseError` with the input, the expected and the received value and a hint when the
  answer is wrong,
- prints "✓ <name>: correct" when it is right.

>>> def double(x):
...     return 2 * x
>>> check("double", double, [(1,), (2.5,)], hint="multiply by two",
...       reference=lambda x: x + x)
✓ double: correct
True
"""

import ast
import inspect
import textwrap

import numpy as np

from autograd_lab.tensor import Tensor

NOT_ATTEMPTED = "not attempted yet"


class ExerciseError(AssertionError):
    """A wrong answer: says what went in, what was expected, what came back, and a hint."""

    def __init__(self, name, problem, input=None, expected=None, received=None, hint=None):
        self.name = name
        self.problem = problem
        self.input = input
        self.expected = expected
        self.received = received
        self.hint = hint
        lines = [f"{name}: {problem}"]
        if input is not None:
            lines.append(f"  input:    {describe(input)}")
        if expected is not None or received is not None:
            lines.append(f"  expected: {describe(expected)}")
            lines.append(f"  received: {describe(received)}")
        if hint:
            lines.append(f"hint: {hint}")
        super().__init__("\n".join(lines))


def is_stub(func):
    """True when `func`'s body is only `...` (and perhaps a docstring): not attempted yet."""
    try:
        source = textwrap.dedent(inspect.getsource(func))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError):
        # No source to read (a function typed at a bare prompt): an empty body compiles
        # to the same bytecode as `...`.
        code = getattr(func, "__code__", None)
        return code is not None and code.co_code == _empty_body.__code__.co_code
    if not tree.body or not isinstance(tree.body[0], (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    body = tree.body[0].body
    if len(body) > 1 and _is_constant(body[0], str):
        body = body[1:]
    return len(body) == 1 and _is_constant(body[0], type(Ellipsis))


def _empty_body():
    ...


def _is_constant(statement, kind):
    return (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, kind))


def not_attempted(name, func):
    """Print the "not attempted yet" line and return True if `func` is an untouched stub."""
    if is_stub(func):
        print(f"{name}: {NOT_ATTEMPTED} (fill in the function above, then run this cell again)")
        return True
    return False


def passed(name):
    """Print the line that confirms a right answer."""
    print(f"✓ {name}: correct")
    return True


def call(name, func, args, hint):
    """Call the learner's `func(*args)`; an exception becomes an ExerciseError with the hint."""
    try:
        return func(*args)
    except ExerciseError:
        raise
    except Exception as error:
        raise ExerciseError(name, f"calling it raised {type(error).__name__}: {error}",
                            input=_shown(args), hint=hint) from error


def check(name, func, cases, hint, reference, compare=None, copy_inputs=True):
    """Run `func` and `reference` on every case (a tuple of arguments) and compare the results.

    Each call gets fresh copies of the arguments, so a function that changes its input in place
    cannot spoil the next call (`copy_inputs=False` passes them as they are: a copy of a tensor
    is detached from its graph). `compare(received, expected)` defaults to `close`.
    Returns True when right, None for an untouched stub; raises ExerciseError when wrong.
    """
    if not_attempted(name, func):
        return None
    compare = compare or close
    prepare = fresh if copy_inputs else tuple
    for args in cases:
        expected = reference(*prepare(args))
        received = call(name, func, prepare(args), hint)
        if not compare(received, expected):
            raise ExerciseError(name, "the result is not right yet" + _difference(received,
                                expected), input=_shown(args), expected=expected,
                                received=received, hint=hint)
    return passed(name)


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


def describe(value, limit=12):
    """A short text for `value`: small arrays in full, large ones by shape and first values."""
    if isinstance(value, (tuple, list)) and any(to_numpy(item) is not None for item in value):
        inside = ", ".join(describe(item, limit) for item in value)
        return f"({inside})" if isinstance(value, tuple) else f"[{inside}]"
    array = to_numpy(value)
    if array is None or array.size <= limit:
        text = repr(value)
        return text if len(text) <= 400 else text[:400] + " ..."
    kind = "tensor" if isinstance(value, Tensor) else "array"
    first = np.array2string(array.reshape(-1)[:6], precision=4, separator=", ")[:-1]
    return f"{kind} of shape {tuple(array.shape)}, first values {first}, ...]"


def _shown(args):
    return args[0] if len(args) == 1 else args


def _difference(received, expected):
    got, want = to_numpy(received), to_numpy(expected)
    if got is None or want is None:
        if to_numpy(expected) is not None and got is None:
            return f" (expected a tensor or number, received {type(received).__name__})"
        return ""
    if got.shape != want.shape:
        return f" (shape {tuple(got.shape)} instead of {tuple(want.shape)})"
    if got.size == 0:
        return ""
    gap = np.abs(got.astype(np.float64) - want.astype(np.float64))
    where = np.unravel_index(np.nanargmax(gap), gap.shape) if not np.isnan(gap).all() else ()
    if not where:
        return ""
    index = tuple(int(i) for i in where)
    return f" (largest difference {gap[where]:.4g} at index {index})"
