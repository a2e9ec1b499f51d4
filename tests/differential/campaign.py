"""Many programs in a row: the mismatch rate, and the mismatches grouped by cause, each cause
with one minimal reproduction.

Grouping happens twice. Failures are first sorted by their signature (the failing step's
operation and what differs); one program of each signature is shrunk, and signatures whose
minimal programs fail at the same family of operation (all view-making ones are one family, all
in-place changes another), with the same difference, then count as one cause.
"""

from collections import Counter
from dataclasses import dataclass, field

from . import exclusions, runner, shrinker


def program_seed(seed, number):
    """The seed of program `number` of a run started from `seed`."""
    return f"{seed}:{number}"


def family(label):
    """A step's operation, with every view-making operation counted as one, and every
    in-place change as one."""
    operation = exclusions.base_label(label)
    if operation in exclusions.VIEWS:
        operation = "a view (view, reshape, expand, index...)"
    elif operation.startswith("in-place "):
        operation = "an in-place change (add_, x[i] = v, zero_...)"
    return operation + (" under no_grad" if "(no_grad)" in label else "")


@dataclass
class Cause:
    operation: str  # the family of the step after which the libraries differ
    difference: str  # what differs there
    count: int
    example_seed: str
    reproduction: str


@dataclass
class Campaign:
    programs: int = 0
    failures: list = field(default_factory=list)  # (seed, Result)
    excused: Counter = field(default_factory=Counter)  # exclusion's README words -> programs

    @property
    def mismatch_rate(self):
        return len(self.failures) / self.programs if self.programs else 0.0


def run(count, seed=0, in_force=None, ours=None):
    """Runs programs 0 .. count-1 of `seed`; returns the Campaign."""
    in_force = exclusions.in_force() if in_force is None else in_force
    campaign = Campaign(programs=count)
    for number in range(count):
        result = runner.generate(program_seed(seed, number), in_force, ours)
        if result.failed:
            campaign.failures.append((program_seed(seed, number), result))
        elif result.mismatch is not None:
            campaign.excused[result.excused_by.readme] += 1
    return campaign


def causes(campaign, in_force=None, ours=None, limit=None):
    """The campaign's failures grouped by cause, most frequent first, each one shrunk.

    `limit` bounds how many signatures get shrunk (the most frequent ones).
    """
    in_force = exclusions.in_force() if in_force is None else in_force
    by_signature = {}
    for seed, result in campaign.failures:
        by_signature.setdefault(shrinker.signature(result), []).append((seed, result))
    ranked = sorted(by_signature.values(), key=len, reverse=True)[:limit]
    grouped = {}
    for members in ranked:
        seed, result = members[0]
        smallest = shrinker.shrink(result, in_force, ours)
        failing = smallest.steps[smallest.mismatch.step].label
        key = (family(failing), smallest.mismatch.summary())
        if key in grouped:
            grouped[key].count += len(members)
        else:
            grouped[key] = Cause(key[0], key[1], len(members), seed,
                                 shrinker.reproduction(smallest))
    return sorted(grouped.values(), key=lambda cause: cause.count, reverse=True)


def report(campaign, found, in_force=None):
    """The campaign as text: the rate, what the README excused, then each cause."""
    in_force = exclusions.in_force() if in_force is None else in_force
    lines = [f"{campaign.programs} programs, {len(campaign.failures)} with a mismatch outside "
             f"the README's list: {campaign.mismatch_rate:.1%}"]
    for exclusion in exclusions.EXCLUSIONS:
        if exclusion not in in_force:
            lines.append(f"  not in force, the README no longer says it (delete it from "
                         f"exclusions.py): {exclusion.readme}")
    for exclusion in in_force:
        stopped = (f"{campaign.excused[exclusion.readme]} programs stopped there"
                   if exclusion.diverges else "compared leniently")
        lines.append(f"  excused by the README ({stopped}): {exclusion.lets_through}")
    for number, cause in enumerate(found, 1):
        share = cause.count / campaign.programs
        lines += ["", f"cause {number}: {cause.count} programs ({share:.1%}), "
                  f"after {cause.operation}, {cause.difference} "
                  f"(e.g. program {cause.example_seed})", cause.reproduction]
    return "\n".join(lines)
