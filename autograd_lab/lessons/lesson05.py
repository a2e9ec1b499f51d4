"""Lesson 05 (the dynamic graph): the mystery graph to rebuild, and checkers for walking a graph
and for the code that rebuilds it."""

import autograd_lab
from autograd_lab.lessons.checking import ExerciseError, call, check, not_attempted, passed
from autograd_lab.lessons.graphs import graph_structure, structure_differences, walk
from autograd_lab.tensor import Tensor


def mystery_inputs():
    """The two leaves of the mystery graph, `a` and `b`."""
    a = autograd_lab.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = autograd_lab.tensor([0.5, -1.0, 2.0], requires_grad=True)
    return a, b


def _mystery(a, b):
    return (a * b + b.exp()).sum()


def show_mystery_graph():
    """The picture of the graph the exercise asks you to rebuild in code."""
    from autograd_lab import viz

    a, b = mystery_inputs()
    out = _mystery(a, b)
    return viz.draw(out, names={"a": a, "b": b, "out": out})


def check_graph_code(make_graph):
    """Exercise: `make_graph(a, b)` returns a tensor whose graph is the mystery graph."""
    name = "make_graph"
    hint = ("read the picture from the leaves upwards: each box is one operation, "
            "its arrows come from the values it used; return the final tensor")
    if not_attempted(name, make_graph):
        return None
    a, b = mystery_inputs()
    received = call(name, make_graph, (a, b), hint)
    if not isinstance(received, Tensor) or received.grad_fn is None:
        raise ExerciseError(name, "make_graph should return the tensor at the top of the graph "
                            "(one with a grad_fn)", received=received, hint=hint)
    leaves = {"a": a, "b": b}
    differences = structure_differences(received, _mystery(a, b), leaves=leaves)
    if differences:
        found = graph_structure(received, leaves).summary().replace("\n", ", ")
        raise ExerciseError(name, "the graph is not the one in the picture:\n  - "
                            + "\n  - ".join(differences) + f"\n  your graph has: {found}",
                            hint=hint)
    return passed(name)


def _count_reference(output):
    return len(list(walk(output)))


def _graphs():
    x = autograd_lab.ones(2, 2, requires_grad=True)
    y = x + 2
    tutorial = (y * y * 3).mean()
    a = autograd_lab.tensor([1.0, 2.0], requires_grad=True)
    shared = a * 2
    diamond = (shared.exp() + shared * 3).sum()
    deep = a
    for _ in range(5000):
        deep = deep * 1.0
    return [(tutorial,), (diamond,), (deep,)]


def check_count_nodes(count_nodes):
    """Exercise: `count_nodes(t)`, how many distinct nodes the graph behind `t` holds."""
    return check("count_nodes", count_nodes, _graphs(), copy_inputs=False,
                 hint="start from t.grad_fn; keep a stack (a list) of nodes still to visit and "
                      "a set of nodes already seen; pop a node, push each node of its "
                      "next_functions (skip None and seen ones). Count every node once, "
                      "AccumulateGrad included. Recursion fails on the 5000-node chain",
                 reference=_count_reference)
