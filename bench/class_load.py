"""How many students one server holds: each student runs a lesson cell again and again through a
local JupyterHub, and the class grows until a cell takes longer than a student should wait.

    python bench/class_load.py                         # 1, 2, 4, 6, 8, 12 students, 20 s each
    python bench/class_load.py --students 1 4 --seconds 10 --blas-threads default

The cell is lesson 07's training loop (500 steps of the two-layer network), run back to back with
no pause: the worst case of a class that all presses Run at once. The run stops at the first class
size whose 90th-percentile cell time is over --limit seconds (2 s), unless --all is given.

A machine shared with other work gives the class only what the others leave. So each cell also
reports the CPU time it used, and each class size the cores other programs took meanwhile. From
these the tool computes what the cell time should have been ("model": students share the cores
left to them, at most one core each) and what it would be on an idle server with as many cores
("idle"). Where "model" agrees with the measured median, the "idle" column is the server's figure.
Needs JupyterHub and the configurable-http-proxy that `make test` installs; everything it starts
is stopped at the end.
"""

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from local_hub import LocalHub  # noqa: E402  (a helper shared with the class test)

WARM_UP = """
import time
import autograd_lab as torch
from autograd_lab.lessons.data import two_layer_data
learning_rate = 1e-6
"""

# Lesson 07's training cell, timed inside the kernel too: it prints CPU seconds, wall seconds.
LESSON_07_TRAINING = """
_cpu, _wall = time.process_time(), time.perf_counter()
x, y, w1, w2 = two_layer_data(backend="autograd_lab")
w1.requires_grad_()
w2.requires_grad_()
for step in range(500):
    loss = (x.mm(w1).clamp(min=0).mm(w2) - y).pow(2).sum()
    loss.backward()
    with torch.no_grad():
        w1 -= learning_rate * w1.grad
        w2 -= learning_rate * w2.grad
        w1.grad.zero_()
        w2.grad.zero_()
print(time.process_time() - _cpu, time.perf_counter() - _wall)
"""


def busy_cpu_seconds():
    """CPU seconds all programs on this machine have used since it started."""
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def tree_cpu_seconds(root_pid):
    """CPU seconds used so far by a process and all its descendants (the hub and the class)."""
    total = 0.0
    root = psutil.Process(root_pid)
    for process in [root, *root.children(recursive=True)]:
        try:
            times = process.cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
        except psutil.NoSuchProcess:
            pass
    return total


def memory_per_student(root_pid, students):
    """Resident memory of the students' servers and kernels, averaged over the class, in MB."""
    total = 0
    for process in psutil.Process(root_pid).children(recursive=True):
        try:
            if "node" not in process.name():  # the proxy is shared, not a student's
                total += process.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total / students / 1e6


def run_cells(kernel, until, deadline, think, results):
    """One student: run the cell until `until`, recording (latency, kernel cpu, kernel wall)."""
    while time.monotonic() < until:
        start = time.monotonic()
        cpu, wall = map(float, kernel.execute(LESSON_07_TRAINING, deadline).split())
        results.append((time.monotonic() - start, cpu, wall))
        time.sleep(think)


def measure_class(kernels, seconds, think, hub_pid):
    """Every kernel runs the cell for `seconds`: the cells' timings, and the cores others used."""
    results = [[] for _ in kernels]
    busy, ours, began = busy_cpu_seconds(), tree_cpu_seconds(hub_pid), time.monotonic()
    until = began + seconds
    students = [
        threading.Thread(target=run_cells, args=(k, until, until + 300, think, r))
        for k, r in zip(kernels, results)
    ]
    for student in students:
        student.start()
    for student in students:
        student.join()
    elapsed = time.monotonic() - began
    others = (busy_cpu_seconds() - busy) - (tree_cpu_seconds(hub_pid) - ours)
    return [cell for per_student in results for cell in per_student], max(others, 0.0) / elapsed


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, nargs="+", default=[1, 2, 4, 6, 8, 12],
                        help="class sizes to try, in increasing order")
    parser.add_argument("--seconds", type=float, default=20.0,
                        help="how long each class size runs cells")
    parser.add_argument("--limit", type=float, default=2.0,
                        help="stop once the 90th-percentile cell time is above this (seconds)")
    parser.add_argument("--think", type=float, default=0.0,
                        help="pause between a student's cells (seconds)")
    parser.add_argument("--all", action="store_true",
                        help="try every class size, also past the limit")
    parser.add_argument("--blas-threads", default="1",
                        help="BLAS threads per kernel, as the class hub sets them; 'default' "
                             "leaves numpy's own choice (one per core)")
    args = parser.parse_args(argv)

    environment = {}
    if args.blas_threads != "default":
        environment = {name: args.blas_threads
                       for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    cores = psutil.cpu_count()
    print(f"{cores} cores, {psutil.virtual_memory().total / 1e9:.0f} GB; "
          f"load average before: {os.getloadavg()[0]:.1f}; BLAS threads per kernel: "
          f"{args.blas_threads}; think time {args.think} s; {args.seconds} s per class size")
    print("students  cells  median s  p90 s  max s  cpu s/cell  others' cores  model s  idle s"
          "  MB/student")
    with tempfile.TemporaryDirectory() as folder:
        local = LocalHub(folder, environment)
        with local as hub:
            try:
                holds, cpu_per_cell = grow_class(hub, local.process.pid, cores, args)
            except Exception:
                print(local.log_text()[-3000:], file=sys.stderr)
                raise
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print(f"largest class size tried whose 90th-percentile cell took <= {args.limit} s: {holds}")
    cpu = statistics.mean(cpu_per_cell)
    print(f"on an idle {cores}-core server a cell would take {args.limit} s at "
          f"{args.limit * cores / cpu:.1f} students ({cpu:.2f} CPU s per cell, shared fairly)")


def grow_class(hub, hub_pid, cores, args):
    """Add students up to each class size in turn and measure it; print one row per size."""
    holds, cpu_per_cell, kernels = 0, [], []
    for size in sorted(args.students):
        deadline = time.monotonic() + 300
        new = [f"student{i}" for i in range(len(kernels), size)]
        for name in new:
            hub.start_server(name)
        for name in new:
            hub.wait_until_ready(name, deadline)
            kernels.append(hub.open_kernel(name))
            kernels[-1].execute(WARM_UP, deadline)
        for kernel in kernels:  # idle ones were closed while the new servers started
            kernel.connection.close()
            kernel.connect()
        cells, others = measure_class(kernels, args.seconds, args.think, hub_pid)
        latencies = [cell[0] for cell in cells]
        p90 = percentile(latencies, 0.9)
        cpu = statistics.mean(cell[1] for cell in cells)
        cpu_per_cell.append(cpu)
        share_left = min(1.0, max(cores - others, 0.05) / size)
        share_idle = min(1.0, cores / size)
        print(f"{size:8d}  {len(cells):5d}  {statistics.median(latencies):8.2f}  "
              f"{p90:5.2f}  {max(latencies):5.2f}  {cpu:10.2f}  {others:13.2f}  "
              f"{cpu / share_left:7.2f}  {cpu / share_idle:6.2f}  "
              f"{memory_per_student(hub_pid, size):10.0f}", flush=True)
        if p90 <= args.limit:
            holds = size
        elif not args.all:
            break
    for kernel in kernels:
        kernel.shut_down()
    return holds, cpu_per_cell

if __name__ == "__main__":
    main()
