"""One training step of the lessons' two-layer net: autograd vs the same step by hand in numpy.

The net is the one from PyTorch's "learning by examples" tutorial: x (N x D_in) -> mm -> clamp
(ReLU) -> mm -> y_pred, loss = sum((y_pred - y)^2), then a plain SGD update. The autograd step
is written once and run with `autograd_lab` and with `torch` as the library, which is the
point of the API: `import autograd_lab as torch`.

    python bench/two_layer_step.py --threads 1
"""

import harness  # noqa: I001  (sets BLAS threads before numpy loads)
import numpy as np

import autograd_lab

LEARNING_RATE = 1e-6


def make_data(scale=1, seed=0):
    """x, y, w1, w2 as float32 numpy arrays; scale 1 is N=64, D_in=1000, H=100, D_out=10."""
    n, d_in, hidden, d_out = 64 * scale, 1000 * scale, 100 * scale, 10 * scale
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((n, d_in), dtype=np.float32),
            rng.standard_normal((n, d_out), dtype=np.float32),
            rng.standard_normal((d_in, hidden), dtype=np.float32) * np.float32(1e-2),
            rng.standard_normal((hidden, d_out), dtype=np.float32) * np.float32(1e-2))


def numpy_step(x, y, w1, w2):
    """The step written by hand: forward, the gradients worked out on paper, update in place."""

    def step():
        nonlocal w1, w2  # updated in place below
        h = x.dot(w1)
        h_relu = np.maximum(h, 0)
        y_pred = h_relu.dot(w2)
        loss = np.square(y_pred - y).sum()
        grad_y_pred = 2.0 * (y_pred - y)
        grad_w2 = h_relu.T.dot(grad_y_pred)
        grad_h = grad_y_pred.dot(w2.T)
        grad_h[h < 0] = 0
        grad_w1 = x.T.dot(grad_h)
        w1 -= LEARNING_RATE * grad_w1
        w2 -= LEARNING_RATE * grad_w2
        return loss

    return step


def autograd_step(lib, x, y, w1, w2, device="cpu"):
    """The same step with autograd, for `lib` = autograd_lab or torch (identical code)."""
    x, y = lib.from_numpy(x).to(device), lib.from_numpy(y).to(device)
    params = [lib.from_numpy(w.copy()).to(device).requires_grad_() for w in (w1, w2)]
    w1, w2 = params

    def step():
        y_pred = x.mm(w1).clamp(min=0).mm(w2)
        loss = (y_pred - y).pow(2).sum()
        loss.backward()
        with lib.no_grad():
            for w in params:
                w -= LEARNING_RATE * w.grad
                w.grad = None  # what optimizer.zero_grad() does by default
        return loss

    return step


def check_same_losses(steps, count=3):
    """Every candidate computes the same losses (a benchmark of wrong code proves nothing)."""
    losses = {name: [step().item() for _ in range(count)] for name, step in steps.items()}
    first = next(iter(losses.values()))
    for name, values in losses.items():
        if not np.allclose(values, first, rtol=1e-3):
            raise SystemExit(f"{name} computes other losses than the rest: {values} vs {first}")


def main(argv=None):
    args = harness.parse_args(__doc__.splitlines()[0], argv=argv)
    torch = harness.load_torch(args)
    repeats, number = (3, 5) if args.quick else (args.repeats or 15, 200)
    data = make_data()
    steps = {
        "numpy by hand": numpy_step(*[a.copy() for a in data]),
        "autograd_lab": autograd_step(autograd_lab, *data),
    }
    if torch is not None:
        steps["PyTorch autograd"] = autograd_step(torch, *data)
    check_same_losses(steps)
    harness.interleaved(steps, 1, number)  # warm-up round, not reported
    times = harness.interleaved(steps, repeats, number)
    print(harness.describe_machine(args))
    harness.table("two-layer net step (N=64, D_in=1000, H=100, D_out=10, float32): time per step",
                  times, reference="numpy by hand", note="target: autograd_lab <= 1.10")


if __name__ == "__main__":
    main()
