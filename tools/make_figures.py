"""Regenerate every figure in imgs/ from code: `make figures` (or `python tools/make_figures.py`).

Each figure is saved as SVG, and also as PNG where the system's Graphviz is installed (the
pip-installed fallback draws SVG only). Pass figure names to make only those.
"""

import argparse
import pathlib
import shutil
import sys

import graphviz

from autograd_lab.viz.figures import FIGURES
from autograd_lab.viz.render import GraphvizMissing, render_svg

IMGS = pathlib.Path(__file__).resolve().parent.parent / "imgs"


def make(name, folder=IMGS):
    """Write `folder/name.svg` (and `.png` with a system Graphviz); return the paths."""
    dot = FIGURES[name]()
    folder.mkdir(parents=True, exist_ok=True)
    svg_path = folder / f"{name}.svg"
    svg_path.write_text(render_svg(dot), encoding="utf-8")
    paths = [svg_path]
    if shutil.which("dot"):
        png_path = folder / f"{name}.png"
        png_path.write_bytes(graphviz.pipe("dot", "png", dot.source.encode("utf-8")))
        paths.append(png_path)
    return paths


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"figures to make (default: all of {', '.join(FIGURES)})")
    parser.add_argument("--out", type=pathlib.Path, default=IMGS, help="output folder")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in FIGURES]
    if unknown:
        parser.error(f"unknown figure {unknown[0]!r}; choose from {', '.join(FIGURES)}")
    try:
        for name in args.names or FIGURES:
            for path in make(name, args.out):
                print(path)
    except GraphvizMissing as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
