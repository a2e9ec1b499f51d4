"""Command line: run many random programs, print the mismatch rate and one minimal
reproduction per cause.

    python -m tests.differential --programs 20000 --seed 7
"""

import argparse
import sys
import time

from . import campaign


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.differential", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--programs", type=int, default=5000, help="how many programs to run")
    parser.add_argument("--seed", default="0", help="where the sequence of programs starts")
    parser.add_argument("--causes", type=int, default=None,
                        help="shrink at most this many of the most frequent failure kinds")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    ran = campaign.run(args.programs, args.seed)
    seconds = time.perf_counter() - started
    found = campaign.causes(ran, limit=args.causes)
    print(campaign.report(ran, found))
    print(f"\nran {args.programs} programs in {seconds:.1f} s")
    return 1 if ran.failures else 0


if __name__ == "__main__":
    sys.exit(main())
