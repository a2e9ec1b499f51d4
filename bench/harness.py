"""What every benchmark shares: the command line, BLAS threads, interleaved timing, the table.

Import this module before numpy: OpenBLAS and MKL read their thread count from the environment
once, when they load, so `--threads N` is put into the environment here first. When
threadpoolctl is installed the limit is also set (and reported) at run time.
"""

import argparse
import gc
import os
import platform
import statistics
import sys
import time


def _threads_from_argv(argv):
    for i, arg in enumerate(argv):
        if arg == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--threads="):
            return arg.split("=", 1)[1]
    return "1"


for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = _threads_from_argv(sys.argv[1:])

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def parse_args(description, add_arguments=None, argv=None):
    """The options every benchmark takes, plus its own (`add_arguments(parser)`)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS / PyTorch threads (default 1, as the targets are stated)")
    parser.add_argument("--repeats", type=int, default=None,
                        help="rounds of interleaved measurements (the table shows their spread)")
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes and few repeats: only checks that the script runs")
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out")
    parser.add_argument("--no-gc-freeze", action="store_true",
                        help="leave the objects made before timing (modules, PyTorch's Python "
                        "side) in the garbage collector's way (see bench/README.md)")
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                        help="wall time (default) or this process's CPU time, steadier on a "
                        "busy shared machine (meaningful with --threads 1)")
    if add_arguments is not None:
        add_arguments(parser)
    args = parser.parse_args(argv)
    limit_threads(args.threads)
    global _clock, _freeze
    _clock = time.process_time if args.clock == "cpu" else time.perf_counter
    _freeze = not args.no_gc_freeze
    return args


_freeze = True  # `--no-gc-freeze` turns it off


_clock = time.perf_counter  # what `interleaved` reads; `--clock cpu` switches it


_thread_limiter = None  # kept alive: threadpoolctl's limit lasts as long as this object


def limit_threads(threads):
    """Limit numpy's BLAS (and PyTorch, if loaded later through `load_torch`) to `threads`."""
    global _thread_limiter
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return  # the environment variables set at import time do the job
    _thread_limiter = threadpool_limits(limits=threads)


def load_torch(args):
    """PyTorch when it is installed and wanted, else None (its rows are then left out)."""
    if args.no_torch:
        return None
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(args.threads)
    return torch


def describe_machine(args):
    """One paragraph naming what the numbers were measured on."""
    import numpy as np

    lines = [f"cpu: {_cpu_model()} ({os.cpu_count()} cores), threads: {args.threads}, "
             f"clock: {args.clock}",
             f"python {platform.python_version()}, numpy {np.__version__}, BLAS: {_blas()}"]
    lines.append("gc: objects made before timing frozen (gc.freeze)" if _freeze else
                 "gc: nothing frozen (--no-gc-freeze)")
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    if coretype:
        lines.append(f"OPENBLAS_CORETYPE={coretype} is set (it may pick a slower BLAS kernel)")
    if "torch" in sys.modules:
        lines.append(f"torch {sys.modules['torch'].__version__}")
    return "\n".join(lines)


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _blas():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (install threadpoolctl to see it)"
    infos = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    return ", ".join(f"{i['internal_api']} {i.get('version')} kernel {i.get('architecture')} "
                     f"threads {i['num_threads']}" for i in infos) or "none found"


def interleaved(candidates, repeats, number):
    """Time each candidate `number` calls per round, the candidates taking turns each round.

    `candidates` maps a name to a function without arguments. Taking turns spreads slow
    moments of a shared machine over all candidates instead of one. Returns name -> list of
    seconds per call, one entry per round.
    """
    if _freeze:
        # Python's full collections walk every object alive. Importing PyTorch alone adds
        # ~150,000 of them, which an autograd_lab user's process does not have; freezing
        # what exists before timing keeps that cost out of every candidate's numbers.
        gc.collect()
        gc.freeze()
    times = {name: [] for name in candidates}
    faults = dict.fromkeys(candidates, 0)
    names = list(candidates)
    for round_nr in range(repeats):
        shift = round_nr % len(names)  # a different candidate goes first each round
        for name in names[shift:] + names[:shift]:
            function = candidates[name]
            faults_before = _page_faults()
            start = _clock()
            for _ in range(number):
                function()
            times[name].append((_clock() - start) / number)
            faults[name] += _page_faults() - faults_before
    for name, count in faults.items():
        page_faults[name] = count / (repeats * number)
    return times


page_faults = {}  # name -> minor page faults per call in the last `interleaved` run


def _page_faults():
    """Minor page faults of this process so far: the kernel handing out fresh memory pages.

    On virtual machines each costs microseconds; a step that frees a large array and then
    allocates it again can pay a hundred of them, which the timings alone do not explain.
    """
    try:
        import resource
    except ImportError:  # not on Windows
        return 0
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def table(title, results, reference, unit="us", scale=1e6, note=None, show_faults=True):
    """Print medians, min-max and the ratio to `reference` (also per round, min-max).

    `results` maps a row name to a list of measurements (one per round); rows measured in the
    same rounds give a per-round ratio, whose spread is shown next to the ratio of medians.
    """
    ref = results.get(reference)
    name_width = max(len(name) for name in results) + 2
    header = f"{'':{name_width}}{'median':>12}{'min - max':>22}{'ratio':>8}{'ratio min-max':>16}"
    print(f"\n{title}")
    print(header)
    print("-" * len(header))
    for name, values in results.items():
        median = statistics.median(values)
        spread = f"{min(values) * scale:.1f} - {max(values) * scale:.1f}"
        ratio = ratio_spread = ""
        if ref and statistics.median(ref) != 0:
            ratio = f"{median / statistics.median(ref):.2f}"
            per_round = [v / r for v, r in zip(values, ref) if r != 0]
            ratio_spread = f"{min(per_round):.2f} - {max(per_round):.2f}" if per_round else ""
        print(f"{name:{name_width}}{median * scale:>9.1f} {unit:<2}{spread:>22}{ratio:>8}"
              f"{ratio_spread:>16}")
    print(f"(ratio: median / median of '{reference}')" if ref else
          f"('{reference}' was not measured: no ratios)")
    if show_faults and all(name in page_faults for name in results):
        print("minor page faults per call: " + ", ".join(
            f"{name} {page_faults[name]:.1f}" for name in results))
    if note:
        print(note)
