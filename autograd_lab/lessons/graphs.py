"""Read a backward graph as plain data, and compare two graphs by their structure.

A graph is described by its nodes' names (`MulBackward0`, `AccumulateGrad`, ...) and its edges,
each edge written `(from_name, to_name)` in the direction backward runs: from an output's node
to the nodes of its inputs (`grad_fn.next_functions`). Two graphs have the same structure when
they hold the same nodes and the same edges, counted with multiplicity; the order of an op's
inputs is not compared, so `a * b` and `b * a` count as the same graph. Naming the leaves
(`leaves={"a": a, "b": b}`) tells `AccumulateGrad(a)` from `AccumulateGrad(b)`, so that
`a * b + a.exp()` and `a * b + b.exp()` differ.

>>> import autograd_lab as alt
>>> a = alt.ones(2, requires_grad=True)
>>> structure = graph_structure((a * 3).sum())
>>> structure.names
['SumBackward0', 'MulBackward0', 'AccumulateGrad']
>>> structure.edges
[('SumBackward0', 'MulBackward0'), ('MulBackward0', 'AccumulateGrad')]
"""

from collections import Counter, deque
from dataclasses import dataclass

from autograd_lab.tensor import Tensor


@dataclass
class GraphStructure:
    """A graph's nodes (breadth-first from the outputs) and edges, by name."""

    names: list
    edges: list

    def summary(self):
        """One line per node kind, e.g. `2 x MulBackward0`."""
        return "\n".join(f"{count} x {name}" for name, count in sorted(Counter(self.names).items()))


def roots_of(outputs):
    """The grad_fn nodes where backward would start for a tensor, a node, or a sequence of them."""
    if isinstance(outputs, Tensor) or hasattr(outputs, "next_functions"):
        outputs = [outputs]
    roots = []
    for output in outputs:
        node = output.grad_fn if isinstance(output, Tensor) else output
        if node is not None:
            roots.append(node)
    return roots


def walk(outputs):
    """Every node reachable from `outputs`, each once, breadth-first (an explicit queue)."""
    queue = deque(roots_of(outputs))
    seen = set(map(id, queue))
    while queue:
        node = queue.popleft()
        yield node
        for next_node, _ in node.next_functions:
            if next_node is not None and id(next_node) not in seen:
                seen.add(id(next_node))
                queue.append(next_node)


def graph_structure(outputs, leaves=None):
    """The `GraphStructure` of the backward graph behind `outputs`.

    `leaves` maps names to leaf tensors; their `AccumulateGrad` nodes are then named after them.
    """
    leaf_names = {id(tensor): name for name, tensor in (leaves or {}).items()}

    def name_of(node):
        variable = getattr(node, "variable", None)
        if variable is not None and id(variable) in leaf_names:
            return f"{node.name()}({leaf_names[id(variable)]})"
        return node.name()

    names, edges = [], []
    for node in walk(outputs):
        names.append(name_of(node))
        edges.extend((name_of(node), name_of(next_node))
                     for next_node, _ in node.next_functions if next_node is not None)
    return GraphStructure(names, edges)


def structure_differences(received, expected, leaves=None):
    """What separates two graphs, as sentences; an empty list means the same structure.

    Both arguments are outputs (tensors or nodes) or `GraphStructure`s; `leaves` names the
    leaf tensors, as in `graph_structure`.
    """
    if not isinstance(received, GraphStructure):
        received = graph_structure(received, leaves)
    if not isinstance(expected, GraphStructure):
        expected = graph_structure(expected, leaves)
    differences = []
    got, want = Counter(received.names), Counter(expected.names)
    for name in sorted(got.keys() | want.keys()):
        if got[name] != want[name]:
            differences.append(f"{_count(got[name], name)} instead of {want[name]}")
    got, want = Counter(received.edges), Counter(expected.edges)
    for edge in sorted(want - got):
        differences.append(f"missing edge {edge[0]} -> {edge[1]}")
    for edge in sorted(got - want):
        differences.append(f"unexpected edge {edge[0]} -> {edge[1]}")
    return differences


def _count(number, name):
    return f"{number} node{'' if number == 1 else 's'} {name}"
