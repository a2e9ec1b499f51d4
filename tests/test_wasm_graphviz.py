"""The WebAssembly Graphviz that draws the graphs in the browser lessons, run by Node.

`make lite` puts the npm package `@hpcc-js/wasm-graphviz` inside autograd_lab; in Pyodide the
renderer loads it with `browser_graphviz.LOADER`. Here Node runs that same loader on the same
module, and then the renderer itself, in the site's Pyodide, draws the graphs of the README and
the lessons. The SVG is compared with what the `dot` program draws for the same DOT: the same
nodes (ids, titles, colours, text) and edges, because the stepper finds nodes by id and the
legend explains the colours. Positions are not compared: they differ between Graphviz releases.
"""

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import autograd_lab as torch
from autograd_lab import nn, viz
from autograd_lab.viz import browser_graphviz

NODE = shutil.which("node")
DOT = shutil.which("dot")
MISSING = [what for what, present in [
    ("node (Node.js)", NODE is not None),
    ("the Graphviz program dot", DOT is not None),
    ("the WebAssembly Graphviz inside the package (make lite puts it there)",
     browser_graphviz.bundled()),
] if not present]

pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"needs {', '.join(MISSING)}")

SVG = "{http://www.w3.org/2000/svg}"
PYODIDE = Path(__file__).resolve().parents[1] / "build" / "lite" / "static" / "pyodide"

# Node script: load the module with the browser's own loader, draw every DOT source from stdin.
RENDER_ALL = """
import { readFileSync } from "node:fs";
const load = %s;
const graphviz = await load(readFileSync(process.argv[1], "utf8"));
const sources = JSON.parse(readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify({version: graphviz.version(),
                                     svgs: sources.map(source => graphviz.dot(source))}));
"""


def render_with_node(sources):
    """(Graphviz version, [SVG text]) from the WebAssembly Graphviz under Node."""
    result = subprocess.run(
        [NODE, "--input-type=module", "--eval", RENDER_ALL % browser_graphviz.LOADER,
         str(browser_graphviz.MODULE)],
        input=json.dumps(sources), capture_output=True, text=True, timeout=120, check=True)
    answer = json.loads(result.stdout)
    return answer["version"], answer["svgs"]


# Node script: the site's Pyodide with graphviz and autograd_lab's wheel (not numpy: offline),
# then autograd_lab.viz.render draws every DOT source from stdin, as it does in the browser.
RENDER_IN_PYODIDE = """
import { readFileSync } from "node:fs";
const [pyodideDir, wheel] = process.argv.slice(1);
const { loadPyodide } = await import(pyodideDir + "/pyodide.mjs");
const pyodide = await loadPyodide({indexURL: pyodideDir + "/"});
await pyodide.loadPackage("graphviz", {messageCallback: () => {}});
const sitePackages = pyodide.runPython("import site; site.getsitepackages()[0]");
pyodide.unpackArchive(new Uint8Array(readFileSync(wheel)), "wheel", {extractDir: sitePackages});
pyodide.globals.set("sources", readFileSync(0, "utf8"));
process.stdout.write(await pyodide.runPythonAsync(`
import importlib.util, json, site, sys
from pathlib import Path
# autograd_lab's __init__ needs numpy; empty package modules stand in for the two packages.
for name in ["autograd_lab", "autograd_lab.viz"]:
    folder = Path(site.getsitepackages()[0], *name.split("."))
    spec = importlib.util.spec_from_file_location(
        name, folder / "__init__.py", submodule_search_locations=[str(folder)])
    sys.modules[name] = importlib.util.module_from_spec(spec)
from autograd_lab.viz import browser_graphviz, render
from pyodide.ffi import can_run_sync
before = None if can_run_sync() else render.html_for("digraph { a }")
await browser_graphviz.load()
json.dumps({"before_loaded": before, "svgs": [render.render_svg(s) for s in json.loads(sources)]})
`));
"""


def render_in_pyodide(sources):
    """What autograd_lab's renderer draws in the site's Pyodide, run by Node."""
    wheel = next(PYODIDE.glob("autograd_lab-*.whl"))
    result = subprocess.run(
        [NODE, "--input-type=module", "--eval", RENDER_IN_PYODIDE, str(PYODIDE), str(wheel)],
        input=json.dumps(sources), capture_output=True, text=True, timeout=300, check=True)
    return json.loads(result.stdout)


def render_with_dot(source):
    return subprocess.run([DOT, "-Tsvg"], input=source, capture_output=True, text=True,
                          timeout=60, check=True).stdout


def structure(svg):
    """What a reader (and the stepper) relies on: each node's and edge's id, title, colours
    and text, without positions."""
    root = ET.fromstring(svg)
    parts = {}
    for group in root.iter(f"{SVG}g"):
        kind = group.get("class", "")  # "node tensor output", "edge", ...
        if not {"node", "edge"} & set(kind.split()):
            continue
        shapes = [(shape.tag.removeprefix(SVG), shape.get("fill"), shape.get("stroke"),
                   shape.get("stroke-dasharray"))
                  for shape in group if shape.tag not in (f"{SVG}title", f"{SVG}text")]
        texts = [(text.text, text.get("fill")) for text in group.iter(f"{SVG}text")]
        parts[group.get("id")] = (kind, group.findtext(f"{SVG}title"), shapes, texts)
    return parts


def readme_graph():
    """The graph of the README's "Seeing the graph" example."""
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    out = z.mean()
    return out


def graphs_of_the_lessons():
    out = readme_graph()
    before = viz.draw(out).source
    with_legend = viz.draw(out, legend=True).source
    out.backward()
    after = viz.draw(out).source  # gradients received, saved tensors freed (dashed)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    loss = model(torch.randn(5, 3)).pow(2).mean()
    named = viz.draw(loss, params=dict(model.named_parameters())).source
    return {"readme": before, "legend": with_legend, "after backward": after,
            "named parameters": named}


@pytest.fixture(scope="module")
def drawn():
    """{name: (DOT source, SVG from dot, SVG from the WebAssembly Graphviz)}."""
    graphs = graphs_of_the_lessons()
    version, svgs = render_with_node(list(graphs.values()))
    assert version.split(".")[0].isdigit()
    return {name: (source, render_with_dot(source), svg)
            for (name, source), svg in zip(graphs.items(), svgs)}


@pytest.mark.parametrize("name", ["readme", "legend", "after backward", "named parameters"])
def test_webassembly_graphviz_draws_the_same_nodes_and_colours_as_dot(drawn, name):
    source, by_dot, by_wasm = drawn[name]
    expected, received = structure(by_dot), structure(by_wasm)
    assert len(expected) >= 5
    assert received == expected


def test_readme_graph_has_its_backward_functions_and_tensors(drawn):
    _, _, svg = drawn["readme"]
    words = [text for *_, texts in structure(svg).values() for text, _ in texts if text]
    for expected in ("MeanBackward0", "MulBackward0", "AddBackward0", "out", "(leaf)"):
        assert any(expected in word for word in words), expected
    assert sum(word.endswith("Backward0") for word in words) == 4


def test_loader_is_the_one_the_renderer_uses_in_the_browser():
    assert "import(" in browser_graphviz.LOADER and "Graphviz.load()" in browser_graphviz.LOADER
    assert browser_graphviz.MODULE.name == "graphviz.js"


@pytest.mark.skipif(not (PYODIDE / "pyodide.mjs").is_file(),
                    reason="the browser lessons are not built: run make lite")
def test_renderer_in_pyodide_draws_what_dot_draws(drawn):
    sources = [source for source, _, _ in drawn.values()]
    answer = render_in_pyodide(sources)
    for (source, by_dot, _), svg in zip(drawn.values(), answer["svgs"]):
        assert structure(svg) == structure(by_dot)
    if answer["before_loaded"] is not None:  # no JavaScript Promise Integration in this Node
        assert browser_graphviz.STILL_LOADING in answer["before_loaded"]
