"""The pictures in `imgs/`, each made by code: `tools/make_figures.py` (`make figures`) saves them.

Every function here returns a `graphviz.Digraph`; `FIGURES` maps a file name to its function.
"""

import graphviz

import autograd_lab as alt
from autograd_lab.viz.draw import COLORS, draw, plain
from autograd_lab.viz.recorder import Recorder
from autograd_lab.viz.stepper import BackwardStepper


def learning_loop():
    """The loop every lesson turns: data -> model -> loss -> gradients -> update -> model."""
    dot = graphviz.Digraph(name="learning_loop", graph_attr={"rankdir": "LR", "nodesep": "0.4"},
                           node_attr={"fontname": "Helvetica", "fontsize": "12",
                                      "style": "rounded,filled", "shape": "box"},
                           edge_attr={"fontname": "Helvetica", "fontsize": "10"})
    dot.node("data", plain("data\nx, y"), fillcolor="white")
    dot.node("model", plain("model\ny_pred = f(x; w)"), fillcolor=COLORS["leaf"])
    dot.node("loss", plain("loss\nL(y_pred, y)"), fillcolor=COLORS["output"])
    dot.node("grads", plain("gradients\nL.backward() → w.grad"), fillcolor=COLORS["function"])
    dot.node("update", plain("update\nw -= lr * w.grad"), fillcolor=COLORS["current"])
    dot.edge("data", "model", label=plain("forward"))
    dot.edge("model", "loss")
    dot.edge("loss", "grads", label=plain("backward"))
    dot.edge("grads", "update")
    dot.edge("update", "model", label=plain("repeat"), style="dashed", constraint="false")
    return dot


def _tutorial():
    x = alt.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    out = z.mean()
    return {"x": x, "y": y, "z": z, "out": out}


def tutorial_graph():
    """`y = x + 2; z = y * y * 3; out = z.mean()` before backward."""
    tensors = _tutorial()
    return draw(tensors["out"], names=tensors, legend=True)


def tutorial_graph_after_backward():
    """The same graph after `out.backward()`: gradients arrived, buffers freed, x.grad = 4.5."""
    tensors = _tutorial()
    with Recorder():  # drawn inside: the recorder is alive, every node it saw is bordered
        tensors["out"].backward()
        return draw(tensors["out"], names=tensors)


def tutorial_graph_saved():
    """The tutorial graph with the tensors each operation saved for backward."""
    tensors = _tutorial()
    return draw(tensors["out"], names=tensors, show_saved=True)


def backward_step_fan_in():
    """The backward stepper at the step where the two gradients of `y` are added up."""
    tensors = _tutorial()
    stepper = BackwardStepper(tensors["out"], names=tensors)
    fan_in = next(step.index for step in stepper.steps if len(step.contributions) > 1)
    return stepper.picture(fan_in)


def diamond_graph():
    """A value used twice (`a`), whose two gradients meet again: a fan-in."""
    x = alt.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    b = a.exp()
    c = a * 3
    d = (b + c).sum()
    return draw(d, names={"x": x, "a": a, "b": b, "c": c, "d": d})


def two_layer_graph():
    """The two-layer ReLU net of the lessons, written with raw tensors (tiny sizes)."""
    alt.manual_seed(0)
    x, y = alt.randn(4, 3), alt.randn(4, 2)
    w1 = alt.randn(3, 5, requires_grad=True)
    w2 = alt.randn(5, 2, requires_grad=True)
    y_pred = x.mm(w1).clamp(min=0).mm(w2)
    loss = (y_pred - y).pow(2).sum()
    return draw(loss, names={"x": x, "y": y, "w1": w1, "w2": w2, "y_pred": y_pred,
                             "loss": loss})


def mystery_graph():
    """A graph for the learner to reproduce in code (lesson 05's exercise)."""
    a = alt.tensor(2.0, requires_grad=True)
    b = alt.tensor(3.0, requires_grad=True)
    c = a * b
    d = c + a
    e = d.exp()
    return draw(e, names={"a": a, "b": b, "e": e})


def second_order_graph():
    """`x.grad` after `(x ** 3).backward(create_graph=True)`: a graph of its own (plum)."""
    x = alt.tensor(2.0, requires_grad=True)
    y = x ** 3
    with Recorder():  # drawn inside: the recorder saw which nodes backward made
        y.backward(create_graph=True)
        return draw([x.grad], names={"x": x, "y": y})


def _doubling(x):
    """Double `x` until its sum reaches 10: the number of nodes depends on the input."""
    y = x * 2
    while y.sum().item() < 10:
        y = y * 2
    return y.sum()


def dynamic_graph_small():
    """`_doubling` of a small input: many doublings, a long graph."""
    x = alt.tensor([0.5, 0.5], requires_grad=True)
    return draw(_doubling(x), names={"x": x})


def dynamic_graph_large():
    """`_doubling` of a large input: one doubling, a short graph."""
    x = alt.tensor([3.0, 3.0], requires_grad=True)
    return draw(_doubling(x), names={"x": x})


FIGURES = {
    "learning_loop": learning_loop,
    "tutorial_graph": tutorial_graph,
    "tutorial_graph_after_backward": tutorial_graph_after_backward,
    "tutorial_graph_saved": tutorial_graph_saved,
    "backward_step_fan_in": backward_step_fan_in,
    "diamond_graph": diamond_graph,
    "two_layer_graph": two_layer_graph,
    "mystery_graph": mystery_graph,
    "second_order_graph": second_order_graph,
    "dynamic_graph_small": dynamic_graph_small,
    "dynamic_graph_large": dynamic_graph_large,
}
