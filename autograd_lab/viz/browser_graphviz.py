"""Graphviz compiled to WebAssembly, for when autograd_lab runs inside a browser (Pyodide).

A browser has no `dot` program to start. Instead, `make lite` puts the npm package
`@hpcc-js/wasm-graphviz` (one JavaScript module, Apache-2.0) in `wasm_graphviz/` inside this
package, and in Pyodide the kernel's JavaScript side imports it. Importing it compiles
WebAssembly, which a browser only does asynchronously, so `start_loading()` begins as soon as
the renderer is imported; once loaded, `render(source)` is an ordinary synchronous call that
returns the same SVG as `dot -Tsvg` (same node ids, titles and colours).

    >>> await browser_graphviz.load()             # in a Pyodide kernel cell
    >>> browser_graphviz.render("digraph { a -> b }")[:5]
    '<?xml'
"""

import asyncio
import sys
from pathlib import Path

MODULE = Path(__file__).with_name("wasm_graphviz") / "graphviz.js"

# JavaScript run by the kernel: turn the module's text into an importable URL, import it and
# return the loaded Graphviz object. A data: URL works in a browser's worker and in Node alike.
LOADER = """async (source) => {
    const { Graphviz } = await import("data:text/javascript," + encodeURIComponent(source));
    return await Graphviz.load();
}"""

STILL_LOADING = ("Graphviz (WebAssembly) is still loading in this browser tab, so the graph is "
                 "not drawn yet: run the cell again in a moment")
NOT_BUNDLED = ("This build of autograd_lab has no Graphviz for WebAssembly, so the graph is not "
               "drawn: build the browser lessons with 'make lite', which puts it in the package")


def in_browser():
    """True inside Pyodide (Python compiled to WebAssembly), where `dot` cannot run."""
    return sys.platform == "emscripten"


def bundled():
    """True when the package carries the WebAssembly Graphviz (`make lite` puts it there)."""
    return MODULE.is_file()


class _Loaded:
    """The loaded Graphviz object, and the task loading it while that is under way."""

    graphviz = None
    task = None


async def load():
    """Import the WebAssembly Graphviz in the browser (once) and return it."""
    if _Loaded.graphviz is None:
        from pyodide.code import run_js

        _Loaded.graphviz = await run_js(LOADER)(MODULE.read_text(encoding="utf-8"))
    return _Loaded.graphviz


def start_loading():
    """Begin loading in the background, so that the first picture need not wait for it."""
    if in_browser() and bundled() and _Loaded.task is None:
        _Loaded.task = asyncio.ensure_future(load())


def ready():
    """True when `render` can draw now: loaded, or able to wait for the load in place.

    Waiting inside a synchronous call needs the browser's JavaScript Promise Integration
    (Chromium has it); elsewhere the first cells run while the module still loads.
    """
    if _Loaded.graphviz is not None:
        return True
    from pyodide.ffi import can_run_sync

    start_loading()
    return can_run_sync()


def render(source):
    """SVG text for DOT source, drawn by the WebAssembly Graphviz (once `ready()`)."""
    if _Loaded.graphviz is None:
        from pyodide.ffi import run_sync

        run_sync(_Loaded.task)
    return _Loaded.graphviz.dot(source)
