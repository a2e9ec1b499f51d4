"""Tensor + Function + engine stay small enough to read in one sitting: growth is a decision.

Also checked here: the two functions lesson 12 prints stay short, and the core's imports go
one way only (tensor.py below everything, the engine below every op), with no import circle
held together by imports at the bottom of a file.
"""

import ast
import inspect
from pathlib import Path

from autograd_lab.autograd import engine
from autograd_lab.ops.op import Op

CORE = Path(__file__).resolve().parents[1] / "autograd_lab"
CORE_FILES = ["tensor.py", "autograd/function.py", "autograd/engine.py"]
LINE_BUDGET = 900  # all three files together, blank lines and docstrings included


def test_core_fits_its_line_budget():
    sizes = {name: len((CORE / name).read_text().splitlines()) for name in CORE_FILES}
    total = sum(sizes.values())
    assert total <= LINE_BUDGET, (
        f"Tensor + Function + engine have {total} lines ({sizes}), over the budget of "
        f"{LINE_BUDGET}. Move code out of the core, or raise the budget deliberately."
    )


def test_core_lines_fit_in_100_columns():
    for name in CORE_FILES:
        for number, line in enumerate((CORE / name).read_text().splitlines(), 1):
            assert len(line) <= 100, f"{name}:{number} is {len(line)} columns wide"


def test_the_functions_lesson_12_prints_are_short():
    for function in (engine.run_backward, Op.apply):
        lines = len(inspect.getsource(function).splitlines())
        assert lines <= 40, f"{function.__qualname__} has {lines} lines"


def imported_modules(path):
    """The autograd_lab modules a file imports, and whether every import is at its top."""
    tree = ast.parse(path.read_text())
    names, first_code = [], None
    for number, statement in enumerate(tree.body):
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            if isinstance(statement, ast.ImportFrom):  # `from a.b import c`: a.b and a.b.c
                names += [statement.module] + [f"{statement.module}.{alias.name}"
                                               for alias in statement.names]
            else:
                names += [alias.name for alias in statement.names]
            assert first_code is None, f"{path.name}: an import after the code begins"
        elif not (isinstance(statement, ast.Expr) and number == 0):  # (the docstring)
            first_code = first_code or number
    return [name for name in names if name.startswith("autograd_lab")]


def test_core_imports_go_one_way_and_all_sit_at_the_top():
    for name in CORE_FILES + ["ops/op.py", "autograd/pass_state.py", "broadcasting.py"]:
        imported_modules(CORE / name)
    assert not [m for m in imported_modules(CORE / "tensor.py")
                if m.startswith(("autograd_lab.autograd", "autograd_lab.ops",
                                 "autograd_lab.creation"))]
    for name in ("autograd/engine.py", "autograd/pass_state.py", "autograd/function.py"):
        assert not [m for m in imported_modules(CORE / name) if m.startswith("autograd_lab.ops")]


def test_what_tensor_py_builds_on_builds_on_nothing_above_it():
    """tensor.py's own imports (backend, dtypes, printing, ...) import no Tensor user either:
    the bottom of the package has no circle."""
    below = {m for m in imported_modules(CORE / "tensor.py")}
    for module in below:
        path = CORE.parent / (module.replace(".", "/") + ".py")
        if path.exists():
            assert not [m for m in imported_modules(path)
                        if m.startswith(("autograd_lab.autograd", "autograd_lab.ops",
                                         "autograd_lab.tensor", "autograd_lab.creation"))], path
