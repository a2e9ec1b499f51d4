"""Every benchmark script runs (with tiny sizes) and prints its table of medians and ratios.

Benchmarks measure; they never pass or fail on time. What can break, and is checked here, is
the script itself: arguments, the libraries it compares, the table it prints.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
SCRIPTS = ["two_layer_step", "per_op_cost", "deep_chain", "memory_steady", "gpu_scale",
           "viz_import_cost"]
ROW = re.compile(r"^autograd_lab\S*( \(cpu\))?\s+-?[\d.]+ \S+\s+-?[\d.]+ - -?[\d.]+", re.M)


def run_script(name, *args):
    result = subprocess.run([sys.executable, str(BENCH / f"{name}.py"), "--quick", *args],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("name", SCRIPTS)
def test_benchmark_prints_a_table_with_ratios(name):
    output = run_script(name, "--threads", "1")
    assert "median" in output and "min - max" in output and "ratio" in output
    assert ROW.search(output), output
    assert re.search(r"\(ratio: median / median of '[^']+'\)", output), output
    assert "threads: 1" in output


def test_benchmark_without_torch_still_has_a_reference_row():
    output = run_script("per_op_cost", "--no-torch")
    assert "PyTorch" not in output.split("threads")[1]
    assert "median of 'numpy forward only'" in output


def test_run_all_passes_options_to_every_benchmark():
    result = subprocess.run([sys.executable, str(BENCH / "run_all.py"), "--quick", "--no-torch",
                             "--only", "per_op_cost", "two_layer_step"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("=== ") == 2
    # per_op_cost prints two tables (forward + backward, and backward alone)
    assert result.stdout.count("(ratio: median / median of") == 3


def test_gpu_benchmark_names_why_cuda_rows_are_missing():
    output = run_script("gpu_scale", "--no-torch")
    if "autograd_lab (cuda)" in output and "skipped" not in output:
        pytest.skip("a GPU is present: the cuda row was measured")
    assert "autograd_lab (cuda): skipped" in output
