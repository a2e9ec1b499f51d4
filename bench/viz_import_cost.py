"""Does `from autograd_lab import viz` make every operation slower when no viewer is shown?

The graph views listen to the engine's events, and an engine with a listener pays for each
event. Viewers subscribe only while they exist, so importing `viz` alone should cost nothing.
Each round times the per-op chain of `per_op_cost.py` in two fresh processes, one that imported
`viz` first and one that did not, taking turns; the ratio is what the import costs per op.

    python bench/viz_import_cost.py --threads 1
"""

import harness  # noqa: I001  (sets BLAS threads before numpy loads)
import subprocess
import sys
from pathlib import Path

CHILD = """
import sys, time, gc
sys.path.insert(0, {bench!r})
import autograd_lab
if {with_viz}:
    from autograd_lab import viz  # noqa: F401
from per_op_cost import chain
run = chain(autograd_lab, {length})
run()
gc.collect(); gc.freeze()
clock = time.process_time if {cpu} else time.perf_counter
start = clock()
for _ in range({number}):
    run()
print((clock() - start) / ({number} * {length}))
"""


def child_time(with_viz, length, number, cpu):
    """Seconds per op, measured in a fresh Python process."""
    code = CHILD.format(bench=str(Path(__file__).resolve().parent), with_viz=with_viz,
                        length=length, number=number, cpu=cpu)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    return float(result.stdout.strip().splitlines()[-1])


def main(argv=None):
    args = harness.parse_args(__doc__.splitlines()[0], argv=argv)
    length, number = (40, 2) if args.quick else (1000, 20)
    rounds = 2 if args.quick else (args.repeats or 9)
    times = {"autograd_lab": [], "autograd_lab after `from autograd_lab import viz`": []}
    for round_nr in range(rounds):
        order = [False, True] if round_nr % 2 == 0 else [True, False]
        for with_viz in order:
            name = list(times)[with_viz]
            times[name].append(child_time(with_viz, length, number, args.clock == "cpu"))
    print(harness.describe_machine(args))
    harness.table(f"chain of {length} element-wise ops, forward + backward, one fresh process "
                  "per measurement: time per op", times, reference="autograd_lab",
                  show_faults=False, note="target: the import costs at most 3% (ratio <= 1.03)")


if __name__ == "__main__":
    main()
