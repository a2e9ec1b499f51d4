"""Lesson 05 (the dynamic graph): the mystery graph to rebuild, and checkers for walking a graph
and for the code that rebuilds it."""

import autograd_lab
from autograd_lab.lessons.checking import Case, Exercise, Lesson, call, check, not_attempted, passed
from autograd_lab.lessons.graphs import graph_structure, structure_differences
from autograd_lab.lessons.solutions import lesson05 as solutions
from autograd_lab.tensor import Tensor

LESSON = Lesson("lesson05", [
    Exercise("count_nodes", solution=solutions.count_nodes,
             nudge="walk from t.grad_fn along next_functions and count every node once (a node "
                   "can be reached along two paths, and AccumulateGrad nodes count too); the "
                   "graph can be thousands of nodes deep",
             stronger_hint="no recursion: keep a list of nodes still to visit and a set of nodes "
                           "already seen; take a node off the list, skip it if it is None or "
                           "seen, otherwise mark it seen and add the nodes of its "
                           "next_functions to the list; the answer is how many were seen"),
    Exercise("make_graph", solution=solutions.make_graph,
             nudge="each box of the picture is one operation of your function, and the arrows "
                   "connect an operation with the values it used; return the tensor the last "
                   "operation makes",
             stronger_hint="name the operations by their nodes: MulBackward0 is *, "
                           "AddBackward0 is +, ExpBackward0 is .exp(), SumBackward0 is .sum(); "
                           "find which boxes use a and b directly, and which use their results"),
])
hint = LESSON.hint
show_solution = LESSON.show_solution


def mystery_inputs():
    """The two leaves of the mystery graph, `a` and `b`."""
    a = autograd_lab.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = autograd_lab.tensor([0.5, -1.0, 2.0], requires_grad=True)
    return a, b


def show_mystery_graph():
    """The picture of the graph the exercise asks you to rebuild in code."""
    from autograd_lab import viz

    a, b = mystery_inputs()
    out = solutions.make_graph(a, b)
    return viz.draw(out, names={"a": a, "b": b, "out": out})


def check_graph_code(make_graph):
    """Exercise: `make_graph(a, b)` returns a tensor whose graph is the mystery graph."""
    exercise = LESSON["make_graph"]
    if not_attempted(exercise.name, make_graph):
        return None
    a, b = mystery_inputs()
    shown = "the leaves a and b of the picture"
    received = call(exercise, make_graph, (a, b), input=shown)
    if not isinstance(received, Tensor) or received.grad_fn is None:
        raise exercise.wrong("make_graph should return the tensor the last operation makes "
                             "(one with a grad_fn)", input=shown, received=received)
    leaves = {"a": a, "b": b}
    differences = structure_differences(received, solutions.make_graph(a, b), leaves=leaves)
    if differences:
        found = graph_structure(received, leaves).summary().replace("\n", ", ")
        shown_differences = differences[:6] + (["..."] if len(differences) > 6 else [])
        raise exercise.wrong("the graph is not the one in the picture:\n    - "
                             + "\n    - ".join(shown_differences)
                             + f"\n  your graph has: {found}")
    return passed(exercise.name)


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
    return [Case((tutorial,), "the lesson-03 graph, t = (y * y * 3).mean() with y = x + 2"),
            Case((diamond,), "t = (s.exp() + s * 3).sum() with s = a * 2 (s is used twice)"),
            Case((deep,), "t = a * 1.0 * 1.0 * ..., a chain of 5000 multiplications")]


def check_count_nodes(count_nodes):
    """Exercise: `count_nodes(t)`, how many distinct nodes the graph behind `t` holds."""
    return check(LESSON["count_nodes"], count_nodes, _graphs(), copy_inputs=False)
