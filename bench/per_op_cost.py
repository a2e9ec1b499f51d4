"""Per-operation cost: a chain of element-wise ops on one-element tensors, forward + backward.

With a single number per tensor the arithmetic is free, so what is timed is the bookkeeping
of autograd itself: making a node, wrapping a result, and one step of the backward pass per op.
The chain cycles through multiply, add, exp and log so that values stay near 1.

    python bench/per_op_cost.py --threads 1
"""

import harness  # noqa: I001  (sets BLAS threads before numpy loads)
import numpy as np

import autograd_lab


def chain(lib, length, backward=True):
    """Build `length` ops on a (1,) tensor and backpropagate through all of them (or, without
    `backward`, only build them: the forward pass alone)."""

    def run():
        x = lib.ones(1, requires_grad=True)
        z = x
        for _ in range(length // 4):
            z = (z * 1.001 + 0.001).exp().log()
        if not backward:
            return z
        z.sum().backward()
        return x.grad

    return run


def numpy_forward(length):
    """The same values with plain numpy and no autograd: the floor no engine can go below."""

    def run():
        z = np.ones(1, dtype=np.float32)
        for _ in range(length // 4):
            z = np.log(np.exp(z * 1.001 + 0.001))
        return z

    return run


def main(argv=None):
    args = harness.parse_args(__doc__.splitlines()[0], argv=argv)
    torch = harness.load_torch(args)
    length = 40 if args.quick else 1000
    repeats, number = (3, 2) if args.quick else (args.repeats or 15, 20)
    libraries = {"autograd_lab": autograd_lab}
    if torch is not None:
        libraries["PyTorch"] = torch
    runs = {name: chain(lib, length) for name, lib in libraries.items()}
    if torch is not None:
        if not np.allclose(float(runs["PyTorch"]()), float(runs["autograd_lab"]()), rtol=1e-4):
            raise SystemExit("autograd_lab and PyTorch disagree on the chain's gradient")
    runs["numpy forward only"] = numpy_forward(length)
    forwards = {f"{name} forward": chain(lib, length, backward=False)
                for name, lib in libraries.items()}
    harness.interleaved({**runs, **forwards}, 1, number)  # warm-up round, not reported
    times = harness.interleaved({**runs, **forwards}, repeats, number)
    per_op = {name: [t / length for t in times[name]] for name in runs}
    print(harness.describe_machine(args))
    reference = "PyTorch" if torch is not None else "numpy forward only"
    harness.table(f"chain of {length} element-wise ops on shape (1,), forward + backward: "
                  "time per op", per_op, reference=reference,
                  note="target: autograd_lab <= 0.75 x PyTorch")
    # backward alone: each round's forward + backward, less the same round's forward
    backward = {name: [(total - forward) / length for total, forward in
                       zip(times[name], times[f"{name} forward"])] for name in libraries}
    harness.table("the same chain, backward alone (forward + backward less forward): time per "
                  "op", backward, reference=reference if torch is not None else "autograd_lab",
                  show_faults=False, note="target: autograd_lab <= PyTorch")


if __name__ == "__main__":
    main()
