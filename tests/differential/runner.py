"""Runs a program step by step in PyTorch and in autograd_lab, comparing after every step.

A program stops at its first mismatch: after it the two libraries hold different states, and
whatever follows would only repeat the difference.
"""

import math
import random
import warnings
from dataclasses import dataclass, field, replace

from . import compare, exclusions
from .grammar import ProgramGenerator

_compiled = {}


def namespace(library):
    """The globals a program runs in: the library under the name `torch`, and its helpers."""
    return {"torch": library, "nan": math.nan, "inf": math.inf, "log": []}


def execute(step, names):
    """Runs one step in `names`; returns the exception it raised, or None."""
    code = _compiled.get(step.code)
    if code is None:
        code = _compiled[step.code] = compile(step.code, "<program>", "exec")
    try:
        exec(code, names)
    except Exception as error:  # the error is what gets compared
        return error
    return None


@dataclass
class Result:
    """A program as far as it ran, its first mismatch, and the exclusion excusing it, if any."""

    steps: list
    mismatch: compare.Mismatch = None
    excused_by: exclusions.Exclusion = None
    raised: dict = field(default_factory=dict)  # step number -> the error both libraries raised

    @property
    def failed(self):
        return self.mismatch is not None and self.excused_by is None


class Lockstep:
    """The two libraries side by side, each in its own namespace."""

    def __init__(self, in_force, ours=None):
        import torch

        import autograd_lab

        if torch.get_num_threads() != 1:
            torch.set_num_threads(1)  # tiny tensors: threads only add overhead
        self.theirs = namespace(torch)
        self.ours = namespace(ours or autograd_lab)
        self.in_force = in_force
        self.steps = []
        self.names = []
        self.raised = {}

    def run(self, step):
        """Runs `step` in both libraries; returns the Result so far when the program must
        stop (a mismatch, or a difference the README excuses after which states diverge)."""
        index = len(self.steps)
        self.steps.append(step)
        their_error = execute(step, self.theirs)
        our_error = execute(step, self.ours)
        error = compare.compare_errors(index, their_error, our_error)
        if error:
            differences = [error]
        else:
            self.names += [name for name in step.defines if name not in self.names]
            changed = step.defines if step.pure else self.names
            differences = compare.state_differences(index, changed, self.theirs, self.ours)
        if their_error is not None and not error:
            self.raised[index] = compare.describe_error(their_error)
        for mismatch in differences:
            if index in self.raised:  # both raised alike: what they left behind may differ
                mismatch = replace(mismatch, after_error=True)
            exclusion = exclusions.excuse(self.steps, mismatch, self.in_force)
            if exclusion is None or exclusion.diverges:
                return Result(self.steps, mismatch, exclusion, self.raised)
        return None


def generate(seed, in_force, ours=None):
    """Makes the program of `seed` while running it; returns its Result."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lockstep = Lockstep(in_force, ours)
        generator = ProgramGenerator(seed, lockstep.theirs)
        length = random.Random(seed).randint(4, 16)
        step = generator.first_step()
        for _ in range(length):
            stopped = lockstep.run(step)
            if stopped:
                return stopped
            step = generator.next_step()
    return Result(lockstep.steps, raised=lockstep.raised)


def replay(steps, in_force, ours=None):
    """Runs a given program again; returns its Result."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lockstep = Lockstep(in_force, ours)
        for step in steps:
            stopped = lockstep.run(step)
            if stopped:
                return stopped
    return Result(lockstep.steps, raised=lockstep.raised)
