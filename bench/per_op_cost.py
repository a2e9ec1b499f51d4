"""Per-operation cost: a chain of element-wise ops on one-element tensors, forward + backward.

With a single number per tensor the arithmetic is free, so what is timed is the bookkeeping
of autograd itself: making a node, wrapping a result, and one step of the backward pass per op.
The chain cycles through multiply, add, exp and log so that values stay near 1.

    python bench/per_op_cost.py --threads 1
"""

import harness  # noqa: I001  (sets BLAS threads before numpy loads)
import numpy as np

import autograd_lab


def chain(lib, length):
    """Build `length` ops on a (1,) tensor and backpropagate through all of them."""

    def run():
        x = lib.ones(1, requires_grad=True)
        z = x
        for _ in range(length // 4):
            z = (z * 1.001 + 0.001).exp().log()
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
    runs = {"autograd_lab": chain(autograd_lab, length)}
    if torch is not None:
        runs["PyTorch"] = chain(torch, length)
        if not np.allclose(float(runs["PyTorch"]()), float(runs["autograd_lab"]()), rtol=1e-4):
            raise SystemExit("autograd_lab and PyTorch disagree on the chain's gradient")
    runs["numpy forward only"] = numpy_forward(length)
    harness.interleaved(runs, 1, number)  # warm-up round, not reported
    times = harness.interleaved(runs, repeats, number)
    per_op = {name: [t / length for t in values] for name, values in times.items()}
    print(harness.describe_machine(args))
    reference = "PyTorch" if torch is not None else "numpy forward only"
    harness.table(f"chain of {length} element-wise ops on shape (1,), forward + backward: "
                  "time per op", per_op, reference=reference,
                  note="target: autograd_lab <= 0.75 x PyTorch")


if __name__ == "__main__":
    main()
