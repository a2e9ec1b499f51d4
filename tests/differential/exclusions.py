"""The differences the tester lets through: each one rests on an entry of the README's list
"Where autograd_lab differs from PyTorch", and quotes a few of its words.

An exclusion is in force only while the README says what it quotes: when an entry leaves the
README (because autograd_lab now behaves as PyTorch does), the tester stops excusing the
difference by itself, and the command line names the exclusion so that it can be deleted.
Nothing else is let through.
"""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .grammar import KEYWORDS

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## Where autograd_lab differs from PyTorch"

#: Steps that hand on their input's storage: an in-place change of their result changes it too.
VIEWS = {"view", "reshape", "expand", "expand_as", "unsqueeze", "squeeze", "flatten", "detach",
         "t", "transpose", "column", "permute", "select", "slice", "index", "contiguous"}


@dataclass(frozen=True)
class Exclusion:
    readme: str  # words of the README's entry this exclusion rests on
    lets_through: str  # the difference, in a sentence
    applies: Callable  # (steps, mismatch) -> bool
    diverges: bool = False  # the program cannot go on: one library raised, the other did not

    def in_force(self, differences):
        return self.readme in differences


def base_label(label):
    """The operation a step's label names, without its options: "backward retain_graph
    (no_grad)" and "backward" are both "backward"."""
    words = label.replace(" (no_grad)", "").split("(")[0].split()
    return " ".join(word for word in words if word not in KEYWORDS)


def _failed_backward_kept_grads(steps, mismatch):
    """A backward that raised half-way: PyTorch had already added to some `.grad`."""
    return (mismatch.after_error and mismatch.kind == "grad"
            and base_label(steps[mismatch.step].label) == "backward")


def _storage_roots(steps):
    """For each tensor a view step made, the tensor whose storage it shows."""
    roots = {}
    for step in steps:
        if base_label(step.label) in VIEWS and step.reads:
            for name in step.defines:
                roots[name] = roots.get(step.reads[0], step.reads[0])
    return roots


def _overlapping_operand(steps, mismatch):
    """An in-place change read from an operand that shares the written-to tensor's storage:
    the values PyTorch's kernel leaves depend on the order it visits elements in."""
    step = steps[mismatch.step]
    if mismatch.kind != "values" or step.target is None:
        return False
    roots = _storage_roots(steps[:mismatch.step])
    written = roots.get(step.target, step.target)
    return any(roots.get(name, name) == written for name in step.reads if name != step.target)


def _whole_view_accumulation_refused(steps, mismatch):
    """`v[...] += w` on a view: PyTorch's leaf check sees the view's history out of date."""
    step = steps[mismatch.step]
    return (mismatch.kind == "error" and mismatch.ours == "no error"
            and "a leaf Variable that requires grad" in mismatch.theirs
            and base_label(step.label) == "in-place setitem +="
            and step.target in _storage_roots(steps[:mismatch.step]))


def _gradient_changed_as_a_view(steps, mismatch):
    """An in-place change of what autograd.grad returned, refused by PyTorch because its
    engine made that gradient as a view under no_grad."""
    step = steps[mismatch.step]
    if not (mismatch.kind == "error" and mismatch.ours == "no error" and step.target
            and "A view was created in no_grad mode and is being" in mismatch.theirs):
        return False
    written = _storage_roots(steps[:mismatch.step]).get(step.target, step.target)
    return any(base_label(s.label) == "autograd.grad" and written in s.defines
               for s in steps[:mismatch.step])


PRODUCTS = {"matmul", "mm", "dot", "mv"}


def _signed_zero_of_a_product(steps, mismatch):
    """Values that differ only by the sign of a zero or an infinity, after a matrix product."""
    if mismatch.kind != "values" or not any(set(base_label(step.label).split()[:1]) & PRODUCTS
                                            for step in steps[:mismatch.step + 1]):
        return False
    ours, theirs = (re.findall(r"[-+\w.]+", text) for text in (mismatch.ours, mismatch.theirs))
    return len(ours) == len(theirs) and all(a == b or _same_magnitude(a, b)
                                            for a, b in zip(ours, theirs))


def _same_magnitude(a, b):
    try:
        return abs(float(a)) == abs(float(b))
    except ValueError:
        return False


EXCLUSIONS = [
    Exclusion("`autograd_lab.float64`",
              "dtype names differ in their module prefix only",
              lambda steps, m: m.kind == "dtype"
              and m.theirs.split(".")[-1] == m.ours.split(".")[-1]),
    Exclusion("A backward pass that fails half-way",
              "a `.grad` that PyTorch filled before its backward raised, autograd_lab did not",
              _failed_backward_kept_grads, diverges=True),
    Exclusion("reads the whole operand before writing",
              "values written in place from an operand overlapping the written-to tensor",
              _overlapping_operand, diverges=True),
    Exclusion("checks `v` before bringing `v`'s history up to date",
              "`v[...] += w` on a view, refused by PyTorch as an in-place change of a leaf",
              _whole_view_accumulation_refused, diverges=True),
    Exclusion("a view you never made",
              "an in-place change of a gradient PyTorch's engine returned as a view",
              _gradient_changed_as_a_view, diverges=True),
    Exclusion("nothing worth learning hangs on it",
              "the sign of a zero a matrix product made (seen as 1 / it)",
              _signed_zero_of_a_product, diverges=True),
]


def listed_differences(readme_text):
    """The README's section "Where autograd_lab differs from PyTorch", on one line."""
    section = readme_text.split(SECTION, 1)[1] if SECTION in readme_text else ""
    return " ".join(section.split("\n## ", 1)[0].split())


def in_force(readme_text=None):
    """The exclusions whose README entry is still there."""
    text = README.read_text(encoding="utf-8") if readme_text is None else readme_text
    differences = listed_differences(text)
    return [exclusion for exclusion in EXCLUSIONS if exclusion.in_force(differences)]


def excuse(steps, mismatch, exclusions):
    """The exclusion that lets `mismatch` through, or None."""
    for exclusion in exclusions:
        if exclusion.applies(steps, mismatch):
            return exclusion
    return None
