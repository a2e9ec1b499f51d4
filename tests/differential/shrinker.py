"""Makes a failing program as small as it goes while it still fails the same way, and writes it
out as a script that runs with either library.

"The same way" means: the step where the libraries part is the same operation, and the same
difference shows there (in a gradient, in `requires_grad`...; for errors, each library raises
the same type and kind of error as before). Shrinking tries, until none helps: dropping a step
(with the steps that use what it made), dropping a keyword argument such as
`retain_graph=True`, and taking a step out of its `torch.no_grad()` block.
"""

import re
from dataclasses import replace

from . import runner
from .exclusions import base_label

NO_GRAD = "with torch.no_grad():\n    "
KEYWORD = re.compile(r"(\w+)=True")


def signature(result):
    """What the failure is about: the failing step's operation and what differs after it."""
    step = result.steps[result.mismatch.step]
    return base_label(step.label), result.mismatch.summary()


def _without(steps, index):
    """`steps` less the one at `index` and every later step that uses a name it made."""
    gone = set(steps[index].defines)
    kept = []
    for position, step in enumerate(steps):
        if position == index or gone.intersection(step.reads):
            gone.update(step.defines)
            continue
        kept.append(step)
    return kept


def _simpler(step):
    """Simpler versions of one step: each keyword argument dropped, the no_grad block left."""
    for match in KEYWORD.finditer(step.code):
        before, after = step.code[:match.start()], step.code[match.end():]
        if before.endswith(", "):
            before = before[:-2]
        elif after.startswith(", "):
            after = after[2:]
        yield replace(step, code=before + after,
                      label=step.label.replace(f" {match.group(1)}", ""))
    if step.code.startswith(NO_GRAD):
        yield replace(step, code=step.code[len(NO_GRAD):],
                      label=step.label.replace(" (no_grad)", ""))


def shrink(result, in_force, ours=None):
    """The smallest failing program found from `result`'s, as a runner.Result."""
    wanted = signature(result)
    best = result

    def still_fails(steps):
        nonlocal best
        candidate = runner.replay(steps, in_force, ours)
        if candidate.failed and signature(candidate) == wanted:
            best = candidate
            return True
        return False

    progress = True
    while progress:
        progress = False
        index = len(best.steps) - 1
        while index >= 0:
            steps = best.steps
            if index < len(steps) - 1 and still_fails(_without(steps, index)):
                progress = True
            else:
                for simpler in _simpler(steps[index]):
                    if still_fails(steps[:index] + [simpler] + steps[index + 1:]):
                        progress = True
                        break
            index = min(index, len(best.steps)) - 1
    return best


def _indented(code):
    return "\n".join("    " + line for line in code.splitlines())


def reproduction(result):
    """A script that shows the mismatch with either `import`, and both libraries' answers."""
    mismatch = result.mismatch
    lines = ["import torch  # or: import autograd_lab as torch",
             "nan, inf, log = float('nan'), float('inf'), []"]
    for number, step in enumerate(result.steps):
        if number in result.raised:  # both libraries raise here, and the program goes on
            lines += ["try:", _indented(step.code),
                      f"except Exception as error:  # both raise {result.raised[number]}"[:100],
                      "    print(type(error).__name__, error)"]
        else:
            lines.append(step.code)
    if mismatch.what != "error":
        lines.append(f"print({mismatch.what})")
    lines += [f"# PyTorch:      {mismatch.theirs}", f"# autograd_lab: {mismatch.ours}"]
    return "\n".join(lines)
