"""Memory over many training steps: a step must give back everything it took.

Runs the two-layer net for 2,000 steps per library and reports how much memory grew between
the end of a warm-up and the last step: resident memory for every library, and, for the two
that allocate through Python (numpy by hand, autograd_lab), the bytes tracemalloc still sees.
A graph kept alive by accident (a cycle, a cache, a listener) shows up here as steady growth.

    python bench/memory_steady.py --steps 2000
"""

import harness  # noqa: I001  (sets BLAS threads before numpy loads)
import gc
import tracemalloc

import autograd_lab
from deep_chain import resident_bytes
from two_layer_step import autograd_step, make_data, numpy_step


def resident_growth(step, steps, warm_up):
    """Resident memory added between the end of `warm_up` steps and the end of `steps`."""
    for _ in range(warm_up):
        step()
    gc.collect()
    before = resident_bytes()
    for _ in range(steps - warm_up):
        step()
    gc.collect()
    return resident_bytes() - before


def traced_growth(step, steps, warm_up):
    """The same for the bytes tracemalloc sees (a separate run: tracing costs memory too)."""
    for _ in range(warm_up):
        step()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(steps - warm_up):
        step()
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return grown


def add_arguments(parser):
    parser.add_argument("--steps", type=int, default=None, help="training steps (2000)")


def main(argv=None):
    args = harness.parse_args(__doc__.splitlines()[0], add_arguments, argv=argv)
    torch = harness.load_torch(args)
    steps = args.steps or (40 if args.quick else 2000)
    warm_up = max(1, steps // 20)
    data = make_data()
    candidates = [("numpy by hand", numpy_step(*[a.copy() for a in data]), True),
                  ("autograd_lab", autograd_step(autograd_lab, *data), True)]
    if torch is not None:
        candidates.append(("PyTorch autograd", autograd_step(torch, *data), False))
    resident, traced = {}, {}
    for name, step, trace in candidates:
        resident[name] = [resident_growth(step, steps, warm_up)]
    for name, step, trace in candidates:
        if trace:
            traced[name] = [traced_growth(step, steps, warm_up)]
    print(harness.describe_machine(args))
    harness.table(f"memory growth over {steps - warm_up} training steps (after {warm_up} "
                  "warm-up steps): resident", resident, reference="numpy by hand", unit="KiB",
                  scale=1 / 1024, note="target: autograd_lab < 1024 KiB (1 MiB)",
                  show_faults=False)
    harness.table("the same, bytes still allocated through Python (tracemalloc)", traced,
                  reference="numpy by hand", unit="KiB", scale=1 / 1024, show_faults=False)


if __name__ == "__main__":
    main()
