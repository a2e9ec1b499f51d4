"""The exercise checkers' machinery: spot an untouched stub, compare with a reference, explain.

An exercise in a notebook is a function (or a class) whose body is `...` until the learner fills
it in. The checker cell after it calls a `check_*` function, which

- prints "not attempted yet" for an untouched stub (so a fresh notebook runs from top to bottom),
- prints "✓ <name>: correct" when the answer is right,
- raises `ExerciseError` when it is not: one short block that says what is wrong (which input,
  which element, which shape), the line of the learner's code that failed if one did, and a hint.

Help comes in steps. The first wrong answer gets a nudge (what to look at); the next one, or
`lessonNN.hint("name")`, a stronger hint; only `lessonNN.show_solution("name")` prints a worked
answer. Those answers live in `autograd_lab.lessons.solutions`, away from the checkers, so that no
message and no traceback of a checker can show them.

>>> def double(x):
...     return 2 * x
>>> def double_answer(x):
...     return x + x
>>> lesson = Lesson("lesson99", [Exercise("double", nudge="multiply by two",
...                  stronger_hint="two times x", solution=double_answer)])
>>> check(lesson["double"], double, [(1,), (2.5,)])
✓ double: correct
True
"""

import ast
import inspect
import linecache
import os
import sys
import sysconfig
import textwrap
import traceback
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograd_lab.autograd import events
from autograd_lab.tensor import Tensor

NOT_ATTEMPTED = "not attempted yet"


# -- exercises, their hints and their solutions ----------------------------------------------

class ExerciseError(AssertionError):
    """A wrong answer, told in one short block: what is wrong, for which input, and a hint.

    In a notebook the block is all that shows: IPython asks an exception for
    `_render_traceback_()` and, when it has one, prints what it returns instead of a traceback.
    """

    def __init__(self, name, problem, input=None, expected=None, received=None, where=None,
                 hint=None, more_help=None):
        self.name = name
        self.problem = problem
        self.input = input
        self.expected = expected
        self.received = received
        self.hint = hint
        lines = [f"✗ {name}: {problem}"]
        if input is not None:
            lines.append(f"  input:    {describe(input)}")
        if expected is not None or received is not None:
            lines.append(f"  expected: {describe(expected)}")
            lines.append(f"  received: {describe(received)}")
        if where:
            lines.append(f"  at:       {where}")
        if hint:
            lines.append(f"hint: {hint}")
        if more_help:
            lines.append(more_help)
        super().__init__("\n".join(lines))

    def _render_traceback_(self):
        return str(self).splitlines()


class Exercise:
    """One exercise: its name, two hints (a nudge, then a stronger one) and a worked solution.

    A checker reports a wrong answer with `raise exercise.wrong(problem, ...)`. Each report moves
    the help one step: the first shows the nudge, the later ones the stronger hint. `solution` is
    the function (or class) that `show_solution` prints; checkers also use it as the reference.
    """

    def __init__(self, name, nudge, stronger_hint, solution):
        self.name = name
        self.hints = (nudge, stronger_hint)
        self.solution = solution
        self.hints_seen = 0
        self.lesson = None  # set by the Lesson that holds it, e.g. "lesson01"

    def next_hint(self):
        """The next hint in line (the stronger one again once both were seen)."""
        hint = self.hints[min(self.hints_seen, len(self.hints) - 1)]
        self.hints_seen = min(self.hints_seen + 1, len(self.hints))
        return hint

    def more_help(self):
        """The line that says how to ask for more: a stronger hint, then the solution."""
        solution = f'{self.lesson}.show_solution("{self.name}") shows an answer'
        if self.hints_seen < len(self.hints):
            return f'more help: {self.lesson}.hint("{self.name}") gives a stronger hint; {solution}'
        return f"still stuck? {solution}"

    def wrong(self, problem, input=None, expected=None, received=None, where=None, advice=None):
        """The ExerciseError for a wrong answer; `advice`, when given, replaces the graded hint."""
        hint = advice or self.next_hint()
        return ExerciseError(self.name, problem, input=input, expected=expected,
                             received=received, where=where, hint=hint,
                             more_help=self.more_help())

    def raised(self, error, input=None):
        """The ExerciseError for an answer that raised `error`: its type, its message and the
        learner's line where it happened; a RecursionError is explained in one sentence."""
        if isinstance(error, RecursionError):
            problem = ("RecursionError: it called itself more deeply than Python allows (about "
                       f"{sys.getrecursionlimit()} nested calls)")
        else:
            message = " ".join(str(error).split())  # one line, and not too long a one
            message = message if len(message) <= 300 else message[:300] + " ..."
            problem = f"calling it raised {type(error).__name__}: {message}"
        return self.wrong(problem, input=input, where=line_that_failed(error))


class Lesson:
    """The exercises of one lesson, and the two calls a learner uses to ask for help.

    `lesson.hint("name")` prints the next hint; `lesson.show_solution("name")` prints an answer.
    Each lesson module exposes them as `lessonNN.hint` and `lessonNN.show_solution`.
    """

    def __init__(self, module, exercises):
        self.module = module
        self.exercises = {exercise.name: exercise for exercise in exercises}
        for exercise in exercises:
            exercise.lesson = module

    def __getitem__(self, name):
        return self.exercises[name]

    def hint(self, name=None):
        """Print the next hint for exercise `name` (a nudge first, then a stronger one)."""
        exercise = self._find(name)
        if exercise is not None:
            print(f"hint for {exercise.name}: {exercise.next_hint()}")
            print(exercise.more_help())

    def show_solution(self, name=None):
        """Print one worked answer to exercise `name`; yours may differ and still be right."""
        exercise = self._find(name)
        if exercise is not None:
            print(f"One answer to {exercise.name} (yours may differ and still be right):\n")
            print(inspect.getsource(exercise.solution).rstrip())

    def forget_hints(self):
        """Start every exercise's help again from the nudge."""
        for exercise in self.exercises.values():
            exercise.hints_seen = 0

    def _find(self, name):
        if name is None and len(self.exercises) == 1:
            return next(iter(self.exercises.values()))
        if name in self.exercises:
            return self.exercises[name]
        names = ", ".join(f'"{known}"' for known in self.exercises)
        print(f"{self.module} has no exercise named {name!r}; its exercises: {names}")
        return None


# -- running the learner's code ----------------------------------------------------------------

def is_stub(func):
    """True when `func`'s body is only `...` (and perhaps a docstring): not attempted yet.

    For a class: True when one of its own methods is such a stub.
    """
    if inspect.isclass(func):
        methods = [inspect.unwrap(getattr(member, "__func__", member))
                   for member in vars(func).values()]
        return any(is_stub(method) for method in methods if inspect.isfunction(method))
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
        what = "class" if inspect.isclass(func) else "function"
        print(f"{name}: {NOT_ATTEMPTED} (fill in the {what} above, then run this cell again)")
        return True
    return False


def passed(name):
    """Print the line that confirms a right answer."""
    print(f"✓ {name}: correct")
    return True


def call(exercise, func, args, input=None):
    """Call the learner's `func(*args)`; an exception becomes one short ExerciseError.

    `input` describes the arguments in the message (by default, `args` themselves). The
    exception itself is not chained: the block names the line of `func` that failed.
    """
    try:
        return func(*args)
    except ExerciseError:
        raise
    except Exception as error:
        wrong = exercise.raised(error, input=input or describe_arguments(func, args))
    raise wrong  # outside `except`, so no "during handling of the above exception" either


def line_that_failed(error):
    """Where the learner's own code was when `error` was raised, as "line 3 in f: text".

    That is the last frame of the traceback that is neither autograd_lab's nor a library's: the
    learner's line that raised, or that called into the library. For a RecursionError it is
    the line that repeats most: the call that recursed.
    """
    frames = [(frame.f_code.co_filename, line_number, frame.f_code.co_name)
              for frame, line_number in traceback.walk_tb(error.__traceback__)
              if not _is_library_file(frame.f_code.co_filename)]
    if not frames:
        return None
    if isinstance(error, RecursionError):
        filename, line_number, function = Counter(frames).most_common(1)[0][0]
    else:
        filename, line_number, function = frames[-1]
    text = linecache.getline(filename, line_number).strip()
    return f"line {line_number} in {function}" + (f": {text}" if text else "")


_LIBRARY_FOLDERS = tuple(  # autograd_lab itself, Python's standard library, installed packages
    str(Path(folder).resolve()) + os.sep
    for folder in [Path(__file__).parents[1]] + [sysconfig.get_paths()[key] for key in
                                                 ("stdlib", "platstdlib", "purelib", "platlib")])


def _is_library_file(filename):
    if filename.startswith("<frozen"):
        return True
    return str(Path(filename).resolve()).startswith(_LIBRARY_FOLDERS)


def call_watching_backward(func, args):
    """Call `func(*args)` and say whether autograd ran a backward pass meanwhile.

    Returns `(result, True or False)`; listens to the engine's "backward_started" event.
    """
    started = []
    stop_listening = events.subscribe(
        lambda kind, details: started.append(kind) if kind == "backward_started" else None)
    try:
        return func(*args), bool(started)
    finally:
        stop_listening()


# -- comparing a result with the expected one -------------------------------------------------

@dataclass
class Case:
    """The arguments of one call of the learner's function, and how a message names them."""

    args: tuple
    about: str = None


@dataclass
class Mismatch:
    """What is wrong with a result: a sentence, and the parts of the result it is about."""

    what: str
    received: object
    expected: object


def check(exercise, func, cases, parts=(), copy_inputs=True, keeps_inputs=False, by_hand=False):
    """Run `func` and the exercise's solution on every case and compare the results.

    `cases` holds tuples of arguments or `Case`s. Each call gets fresh copies of the arguments,
    so a function that changes its input in place cannot spoil the next call (`copy_inputs=False`
    passes them as they are: a copy of a tensor is detached from its graph). `parts` names the
    elements of a tuple result.
    `keeps_inputs=True` rejects a function that changes its arguments; `by_hand=True` one that
    runs autograd. Returns True when right, None for an untouched stub; raises ExerciseError.
    """
    if not_attempted(exercise.name, func):
        return None
    prepare = fresh if copy_inputs else tuple
    for case in cases:
        case = case if isinstance(case, Case) else Case(tuple(case))
        shown = case.about or describe_arguments(func, case.args)
        expected = exercise.solution(*prepare(case.args))
        args = prepare(case.args)
        before = fresh(args) if keeps_inputs else None
        received, used_autograd = call(exercise, call_watching_backward, (func, args),
                                        input=shown)
        if by_hand and used_autograd:
            raise exercise.wrong("it runs autograd (backward or autograd.grad); this exercise "
                                 "asks for the formula, derived by hand", input=shown)
        if keeps_inputs:
            changed = changed_argument(func, args, before)
            if changed:
                raise exercise.wrong(f"it changed its input {changed} in place; the caller may "
                                     "still need it", input=shown)
        mismatch = find_mismatch(received, expected, parts)
        if mismatch:
            raise exercise.wrong(mismatch.what, input=shown, expected=mismatch.expected,
                                 received=mismatch.received)
    return passed(exercise.name)


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
    return Mismatch(f"{subject} {_value_difference(got, want)}", received, expected)


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
        return "is None: is a `return` missing?"
    if got == "a number" and want in ("a tensor", "a numpy array"):
        return f"is a single number; it should be {want} of shape {tuple(expected.shape)}"
    if want == "a number":
        return f"is {got}; it should be a Python number (a tensor or array gives one with .item())"
    if want == "a tensor" and got == "a numpy array":
        return ("is a numpy array, not a tensor: numpy functions (np.where, np.maximum, ...) "
                "leave autograd_lab; use tensor operations")
    return f"is {got}; it should be {want}"


def _value_difference(got, want):
    if want.size == 1:
        return f"is {got.item():.6g} instead of {want.item():.6g}"
    gap = np.abs(got.astype(np.float64) - want.astype(np.float64))
    if np.isnan(gap).all():
        return "holds NaN where numbers are expected"
    where = tuple(int(i) for i in np.unravel_index(np.nanargmax(gap), gap.shape))
    wrong = int(np.count_nonzero(~np.isclose(got, want, rtol=1e-4, atol=1e-5, equal_nan=True)))
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


# -- values: copying, comparing, describing --------------------------------------------------

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

