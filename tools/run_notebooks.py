"""Re-run lesson notebooks top to bottom and store their fresh outputs (`make notebooks`).

    python tools/run_notebooks.py                      # every notebook in notebooks/
    python tools/run_notebooks.py notebooks/03_*.ipynb # just these

Each notebook runs in its own kernel, one after the other, with this checkout's `autograd_lab`
first on the kernel's import path (so the outputs come from the code beside the notebooks, even
where another copy is installed), and with the settings that keep stored outputs reproducible
(no widget state, no timing metadata), so that strict `pytest --nbval` passes right after.
Printed text that arrived in several pieces (a busy machine flushes a loop's prints one by one)
is joined into one output per cell, so the stored file does not depend on the machine's load.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


def kernel_environment():
    """The environment the kernels start in: this checkout first on PYTHONPATH."""
    environment = dict(os.environ)
    paths = [str(ROOT), environment.get("PYTHONPATH", "")]
    environment["PYTHONPATH"] = os.pathsep.join(path for path in paths if path)
    return environment


def run_notebook(path, timeout):
    """Execute one notebook in place; return the seconds it took."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--log-level=ERROR",
         "--to", "notebook", "--execute", "--inplace",
         "--ExecutePreprocessor.store_widget_state=False",
         "--ExecutePreprocessor.record_timing=False",
         f"--ExecutePreprocessor.timeout={timeout}", "--ExecutePreprocessor.kernel_name=python3",
         str(path)],
        check=True, env=kernel_environment(),
    )
    merge_streams(path)
    return time.perf_counter() - start


def merge_streams(path):
    """Join consecutive stdout (or stderr) outputs of each cell into one."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        merged = []
        for output in cell.outputs:
            previous = merged[-1] if merged else None
            if (previous is not None and output.output_type == "stream"
                    and previous.output_type == "stream" and previous.name == output.name):
                previous.text += output.text
            else:
                merged.append(output)
        cell.outputs = merged
    nbformat.write(notebook, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks (default: all lessons)")
    parser.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell")
    args = parser.parse_args(argv)
    paths = args.paths or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        parser.error(f"no notebooks found in {NOTEBOOKS}")
    failed = []
    for path in paths:
        try:
            seconds = run_notebook(path, args.timeout)
        except subprocess.CalledProcessError:
            failed.append(path)
            print(f"FAILED  {path}", flush=True)
            continue
        print(f"{seconds:6.1f} s  {path}", flush=True)
    if failed:
        print(f"{len(failed)} of {len(paths)} notebooks failed: "
              + ", ".join(str(path) for path in failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
