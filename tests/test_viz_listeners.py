"""Viewers listen to the engine only while they exist, and read the graph's public surface.

Importing `autograd_lab.viz` subscribes nothing; a recorder or a live view subscribes while it
is alive (held weakly: dropping it unsubscribes it); the stepper listens during its own pass.
"""

import doctest
import gc
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

import autograd_lab as alt
from autograd_lab import viz
from autograd_lab.autograd import events
from autograd_lab.viz import recorder as recorders

VIZ = Path(viz.__file__).parent


def listening():
    """How many listeners are subscribed now (after collecting what nobody holds)."""
    gc.collect()
    return len(events.listeners)


def statements(source, label_part):
    return [line for line in source.splitlines()
            if "label=" in line and "->" not in line and label_part in line]


def svg_classes(svg, label):
    """The classes of the SVG node groups whose text contains `label`."""
    groups = re.findall(r'<g id="node_\w+" class="([^"]*)">(.*?)</g>', svg, re.S)
    return [classes for classes, body in groups if label in body]


def tutorial():
    x = alt.ones(2, 2, requires_grad=True)
    y = x + 2
    out = (y * y * 3).mean()
    return x, out


# -- subscribe holds listeners weakly ------------------------------------------------------------

def test_importing_viz_subscribes_nothing():
    code = ("import autograd_lab.viz; from autograd_lab.autograd import events; "
            "print(len(events.listeners), bool(events.listeners))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.split() == ["0", "False"]


def test_a_collected_listener_leaves_by_itself():
    before = listening()
    heard = []

    def listener(kind, details):
        heard.append(kind)

    events.subscribe(listener)
    assert listening() == before + 1
    (alt.ones(1, requires_grad=True) * 2).sum().backward()
    assert "backward_finished" in heard
    del listener
    assert listening() == before


def test_a_bound_method_lives_as_long_as_its_object():
    class Viewer:
        def __init__(self):
            self.kinds = []

        def on_event(self, kind, details):
            self.kinds.append(kind)

    before = listening()
    viewer = Viewer()
    events.subscribe(viewer.on_event)  # the bound method itself is gone at once; viewer is not
    assert listening() == before + 1
    (alt.ones(1, requires_grad=True) * 2).sum().backward()
    assert "backward_started" in viewer.kinds
    del viewer
    assert listening() == before


def test_unsubscribe_removes_the_listener_and_may_be_called_twice():
    before = listening()

    def listener(kind, details):
        pass

    unsubscribe = events.subscribe(listener)
    unsubscribe()
    unsubscribe()
    assert listening() == before


# -- who listens, and for how long ---------------------------------------------------------------

def test_a_recorder_listens_while_it_exists():
    before = listening()
    recorder = viz.Recorder()
    assert recorder.listening and listening() == before + 1
    assert recorder in recorders.alive()
    del recorder
    assert listening() == before


def test_a_recorder_stops_listening_at_the_end_of_its_block_and_remembers():
    before = listening()
    x, out = tutorial()
    with viz.Recorder() as recorder:
        assert listening() == before + 1
        out.backward()
    assert not recorder.listening and listening() == before
    assert out.grad_fn in recorder.received
    assert "stopped" in repr(recorder)


def test_a_live_view_listens_until_stopped():
    before = listening()
    graph = viz.LiveGraph(interval=3600)
    assert graph.following and listening() > before
    graph.stop()
    assert listening() == before


def test_a_closed_live_view_that_nobody_holds_stops_listening():
    before = listening()
    graph = viz.LiveGraph(interval=3600)
    assert listening() > before
    graph.close()  # ipywidgets holds every widget until it is closed
    assert not graph.following
    del graph
    assert listening() == before


def test_the_stepper_listens_during_its_own_pass_only():
    before = listening()
    x, out = tutorial()
    stepper = viz.BackwardStepper(out)
    assert [step.name for step in stepper.steps][0] == "MeanBackward0"  # it heard the pass
    assert listening() == before


# -- what a drawing shows, with and without a recorder -------------------------------------------

def test_without_a_recorder_a_drawing_shows_what_the_graph_says():
    x, out = tutorial()
    out.backward()
    source = viz.draw(out, names={"x": x}).source
    for line in statements(source, "MulBackward0"):  # backward freed them: they ran
        assert "received" in line and "freed" in line, line
    for name in ("AddBackward0", "MeanBackward0"):  # saved nothing: the graph cannot tell
        (line,) = statements(source, name)
        assert "received" not in line, line
    assert "received" in statements(source, "{x|")[0]  # x.grad is set


def test_with_a_recorder_every_node_that_received_a_gradient_has_the_border():
    x, out = tutorial()
    recorder = viz.Recorder()
    out.backward()
    for line in statements(viz.draw(out).source, "Backward0"):
        assert "received" in line, line
    del recorder  # what it saw goes with it
    (mean,) = statements(viz.draw(out).source, "MeanBackward0")
    assert "received" not in mean


def test_second_order_nodes_are_marked_while_a_recorder_that_saw_them_is_alive():
    x = alt.tensor(2.0, requires_grad=True)
    y = x ** 3
    with viz.Recorder() as recorder:
        y.backward(create_graph=True)
    assert "second-order" not in viz.draw(y).source
    second = [line for line in statements(viz.draw(x.grad).source, "Backward")
              if "second-order" in line]
    assert second and all(f"fillcolor={viz.COLORS['second_order']}" in line for line in second)
    assert x.grad.grad_fn in recorder.second_order
    del recorder
    assert "second-order" not in viz.draw(x.grad).source


def test_create_graph_without_a_recorder_still_works_and_draws_grey():
    x = alt.tensor(2.0, requires_grad=True)
    (x ** 3).backward(create_graph=True)
    assert "second-order" not in viz.draw(x.grad).source
    (second,) = alt.autograd.grad(x.grad, x)
    assert second.item() == 12.0


def test_the_live_view_borders_every_node_that_received_a_gradient():
    graph = viz.live(interval=0)
    try:
        x = alt.ones(2, requires_grad=True)
        out = (x + 1).mean()  # neither saves a tensor: only the view's recorder knows
        out.backward()
        for name in ("AddBackward0", "MeanBackward0"):
            (line,) = statements(viz.draw(out).source, name)  # the view's recorder is alive
            assert "received" in line, line
            if "<svg" in graph.value:
                assert svg_classes(graph.value, name) == ["node function received"]
    finally:
        graph.stop()


def test_the_stepper_borders_the_nodes_done_without_a_recorder():
    x, out = tutorial()
    stepper = viz.BackwardStepper(out)
    source = stepper.run_all().picture().source
    for line in statements(source, "Backward0"):
        assert "received" in line, line
    assert "received" not in "".join(statements(stepper.reset().picture().source, "Backward0"))


def test_saved_tensors_are_drawn_through_the_public_saved():
    x = alt.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()  # exp saves its own output: drawn as that output, not as a second tensor
    out = (y * x).sum()
    source = viz.draw(out, show_saved=True, names={"x": x, "y": y}).source
    assert len(statements(source, "{y|")) == 1
    saved_lines = [line for line in source.splitlines() if "arrowhead=odot" in line]
    assert len(saved_lines) == 3  # exp: its output y; mul: y and x
    out.backward()
    assert not [line for line in viz.draw(out, show_saved=True).source.splitlines()
                if "arrowhead=odot" in line]  # freed: nothing saved any more


# -- the source of viz -----------------------------------------------------------------------------

def viz_sources():
    return {path.name: path.read_text() for path in VIZ.glob("*.py")}


def test_viz_never_looks_for_the_engine_on_the_call_stack():
    for name, text in viz_sources().items():
        assert "__code__" not in text and "f_code is" not in text, name
        if name != "names.py":  # names.py finds the caller's variables, to name tensors
            assert "_getframe" not in text, name


def test_viz_reads_no_private_attribute_of_nodes_or_tensors():
    private = re.compile(r"\.(_saved|_released|_output_nr|_data|_grad_fn|_version\w*|"
                         r"_requires_grad|_from_array)\b")
    for name, text in viz_sources().items():
        assert not private.findall(text), name


@pytest.mark.parametrize("name", ["autograd_lab.viz", "autograd_lab.viz.recorder",
                                  "autograd_lab.viz.draw", "autograd_lab.viz.live",
                                  "autograd_lab.viz.stepper", "autograd_lab.viz.vjp"])
def test_docstring_examples_run(name, monkeypatch):
    # the examples name their tensors from the calling code, as outside a notebook
    monkeypatch.setattr(importlib.import_module("autograd_lab.viz.names"), "notebook_namespace",
                        lambda: None)
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_the_figures_hold_a_recorder_for_the_states_they_show():
    from autograd_lab.viz import figures

    assert "second-order" in figures.second_order_graph().source
    after = figures.tutorial_graph_after_backward().source
    for line in statements(after, "Backward0"):
        assert "received" in line, line
