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

from autograd_lab.autograd import events
from autograd_lab.lessons.results import (
    changed_argument,
    describe,
    describe_arguments,
    find_mismatch,
    fresh,
)

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
        if expected is not None:
            lines.append(f"  expected: {describe(expected)}")
        if expected is not None or received is not None:
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
        if self.hints_seen == len(self.hints):
            return f"still stuck? {solution}"
        which = "a stronger hint" if self.hints_seen else "a hint"
        return f'more help: {self.lesson}.hint("{self.name}") gives {which}; {solution}'


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
        problem = ("has several exercises: name one" if name is None
                   else f"has no exercise named {name!r}")
        print(f"{self.module} {problem}; its exercises: {names}")
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

    `input` describes the arguments in the message (by default, each named after its parameter).
    The exception itself is not chained: the block names the line of `func` that failed.
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

    def listen(kind, details):
        if kind == "backward_started":
            started.append(details)

    stop_listening = events.subscribe(listen)
    try:
        return func(*args), bool(started)
    finally:
        stop_listening()


# -- checking a function against the solution --------------------------------------------

@dataclass
class Case:
    """The arguments of one call of the learner's function, and how a message names them."""

    args: tuple
    about: str = None


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
