"""Run every benchmark, one after the other, each in its own Python process.

A fresh process per benchmark keeps them from disturbing each other (memory freed by one
would hide what the next one allocates). Inside each benchmark the libraries being compared
run in the same process, taking turns. Every option is passed on to each benchmark:

    python bench/run_all.py --threads 1
    python bench/run_all.py --quick            # tiny sizes: does everything run?
    python bench/run_all.py --only per_op_cost deep_chain
"""

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["two_layer_step", "per_op_cost", "deep_chain", "memory_steady", "gpu_scale",
              "viz_import_cost"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, default=BENCHMARKS,
                        help="run only these benchmarks")
    args, passed_on = parser.parse_known_args(argv)
    failed = []
    for name in args.only:
        print(f"\n=== {name} ===", flush=True)
        result = subprocess.run([sys.executable, str(HERE / f"{name}.py"), *passed_on])
        if result.returncode != 0:
            failed.append(name)
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
