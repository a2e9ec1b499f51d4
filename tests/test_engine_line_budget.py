"""Tensor + Function + engine stay small enough to read in one sitting: growth is a decision.

The budget sits about a third above the size they had when it was set; raise it on purpose,
in review, if the core truly needs more.
"""

from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "autograd_lab"
CORE_FILES = ["tensor.py", "autograd/function.py", "autograd/engine.py"]
LINE_BUDGET = 1550  # all three files together, blank lines and docstrings included


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
