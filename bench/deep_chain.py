"""A chain one million operations deep: does backward work, and what does each node cost?

An engine that walks the graph recursively dies here (Python's recursion limit is about a
thousand); autograd_lab's engine walks it with explicit stacks and a heap. Time is measured
forward + backward per node; memory is what the graph holds once the forward pass is done,
per node, read from the process's resident memory in a fresh child process for each library
(so that memory freed by an earlier run cannot hide the cost of a later one).

    python bench/deep_chain.py --threads 1 --depth 1000000
"""

import harness  # noqa: I001  (sets BLAS threads before numpy loads)
import argparse
import gc
import os
import subprocess
import sys

import autograd_lab


def build_chain(lib, depth):
    """`depth` multiplications of a one-element tensor, each its own node."""
    x = lib.ones(1, requires_grad=True)
    z = x
    for _ in range(depth):
        z = z * 1.0
    return x, z


def forward_backward(lib, depth):
    def run():
        x, z = build_chain(lib, depth)
        z.sum().backward()
        return x.grad

    return run


def resident_bytes():
    """This process's resident memory, from /proc (Linux) or psutil."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import psutil

        return psutil.Process().memory_info().rss


def graph_bytes_per_node(lib, depth):
    """Resident memory the graph holds after the forward pass, divided by its depth."""
    gc.collect()
    before = resident_bytes()
    x, z = build_chain(lib, depth)
    held = resident_bytes() - before
    z.sum().backward()  # the graph must also work, not only fit
    return held / depth


def memory_in_child(library, depth, args):
    """Run `graph_bytes_per_node` in a fresh interpreter and read its answer."""
    command = [sys.executable, __file__, "--memory-of", library, "--depth", str(depth),
               "--threads", str(args.threads)]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return float(result.stdout.strip().splitlines()[-1])


def add_arguments(parser):
    parser.add_argument("--depth", type=int, default=None, help="ops in the chain (10^6)")
    parser.add_argument("--memory-of", choices=["autograd_lab", "torch"], default=None,
                        help=argparse.SUPPRESS)  # used by memory_in_child


def main(argv=None):
    args = harness.parse_args(__doc__.splitlines()[0], add_arguments, argv=argv)
    depth = args.depth or (2_000 if args.quick else 1_000_000)
    if args.memory_of:  # the child process of `memory_in_child`
        lib = autograd_lab if args.memory_of == "autograd_lab" else __import__("torch")
        print(graph_bytes_per_node(lib, depth))
        return
    torch = harness.load_torch(args)
    repeats = args.repeats or (2 if args.quick else 3)
    runs = {"autograd_lab": forward_backward(autograd_lab, depth)}
    if torch is not None:
        runs["PyTorch"] = forward_backward(torch, depth)
    times = harness.interleaved(runs, repeats, number=1)
    per_node = {name: [t / depth for t in values] for name, values in times.items()}
    memory = {name: [memory_in_child(library, depth, args)] for name, library in
              (("autograd_lab", "autograd_lab"), ("PyTorch", "torch")) if name in runs}
    print(harness.describe_machine(args))
    reference = "PyTorch" if torch is not None else "autograd_lab"
    harness.table(f"chain {depth} ops deep, forward + backward: time per node", per_node,
                  reference=reference, note="target: autograd_lab <= PyTorch")
    harness.table(f"chain {depth} ops deep: memory the graph holds, per node (resident)",
                  memory, reference=reference, unit="B", scale=1, show_faults=False,
                  note="target: autograd_lab <= 700 B per node")


if __name__ == "__main__":
    main()
