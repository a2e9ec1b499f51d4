"""The two-layer net scaled up (every size times `--scale`) on a CUDA GPU vs numpy on the CPU.

The same autograd step as in two_layer_step.py, with the tensors moved to "cuda" (CuPy
underneath). GPU work is asynchronous, so every timed step ends with a synchronize. Without
CuPy or a GPU the CUDA rows are skipped with a note and only the CPU rows are measured.

    python bench/gpu_scale.py --scale 16
"""

import harness  # noqa: I001  (sets BLAS threads before numpy loads)
import autograd_lab
from two_layer_step import autograd_step, make_data, numpy_step


def synchronized(step, synchronize):
    def run():
        loss = step()
        synchronize()
        return loss

    return run


def add_arguments(parser):
    parser.add_argument("--scale", type=int, default=None,
                        help="multiply N, D_in, H and D_out by this (16)")


def main(argv=None):
    args = harness.parse_args(__doc__.splitlines()[0], add_arguments, argv=argv)
    torch = harness.load_torch(args)
    scale = args.scale or (1 if args.quick else 16)
    repeats, number = (2, 2) if args.quick else (args.repeats or 5, 2)
    data = make_data(scale)
    steps = {"numpy by hand (cpu)": numpy_step(*[a.copy() for a in data]),
             "autograd_lab (cpu)": autograd_step(autograd_lab, *data)}
    notes = []
    if autograd_lab.cuda.is_available():
        steps["autograd_lab (cuda)"] = synchronized(
            autograd_step(autograd_lab, *data, device="cuda"), autograd_lab.cuda.synchronize)
    else:
        notes.append("autograd_lab (cuda): skipped, no CUDA GPU with CuPy on this machine "
                     "(pip install -e \".[gpu]\" where there is one)")
    if torch is not None and torch.cuda.is_available():
        steps["PyTorch (cuda)"] = synchronized(autograd_step(torch, *data, device="cuda"),
                                               torch.cuda.synchronize)
    harness.interleaved(steps, 1, 1)  # warm-up: CUDA kernels compile and caches fill
    times = harness.interleaved(steps, repeats, number)
    print(harness.describe_machine(args))
    n, d_in, hidden, d_out = 64 * scale, 1000 * scale, 100 * scale, 10 * scale
    notes.append("target: autograd_lab (cuda) at least 20x faster (ratio <= 0.05)")
    harness.table(f"two-layer net step at scale {scale} (N={n}, D_in={d_in}, H={hidden}, "
                  f"D_out={d_out}, float32): time per step", times,
                  reference="numpy by hand (cpu)", unit="ms", scale=1e3, note="\n".join(notes))


if __name__ == "__main__":
    main()
