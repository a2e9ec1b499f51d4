"""The WebAssembly Graphviz that draws the graphs in the browser lessons, run by Node.

`make lite` puts the npm package `@hpcc-js/wasm-graphviz` inside autograd_lab; in Pyodide the
renderer loads it with `browser_graphviz.LOADER`. Here Node runs that same loader on the same
module, draws the graphs of the README and the lessons, and the SVG is compared with what the
`dot` program draws for the same DOT: the same nodes (ids, titles, colours, text) and edges,
because the stepper finds nodes by id and the legend explains the colours. Positions are not
compared: they differ between Graphviz releases.
"""

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET

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
