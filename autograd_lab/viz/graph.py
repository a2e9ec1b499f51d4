"""Walk the backward graph from some tensors, without recursion, and fold it to a node budget.

`collect` finds every node reachable from the tensors' `grad_fn` (breadth first, with a queue)
and every edge between a `producer` and the `consumer` that used its output. Pictures draw each
edge from the consumer to the producer, the way gradients flow (`next_functions` point that way
too). `fold` keeps a large graph readable: a long run of identical nodes (`AddBackward0`
100,000 times) becomes one box, and past the budget the nodes farthest from the outputs become
one "more nodes" box.
"""

from collections import deque

from autograd_lab.autograd import AccumulateGrad


class Edge:
    """`producer`'s output `output_nr` is input number `index` of `consumer`."""

    __slots__ = ("producer", "output_nr", "consumer", "index")

    def __init__(self, producer, output_nr, consumer, index):
        self.producer = producer
        self.output_nr = output_nr
        self.consumer = consumer
        self.index = index


class Graph:
    """Nodes reachable from `roots` (tensors), in breadth-first order from the outputs.

    `fan_in[node]` counts the edges leaving `node` towards its consumers: how many gradients
    backward adds up at that node.
    """

    def __init__(self, roots, nodes, edges, fan_in):
        self.roots = roots
        self.nodes = nodes
        self.edges = edges
        self.fan_in = fan_in


def collect(tensors):
    """The `Graph` behind `tensors` (a node is listed after the consumer that found it)."""
    nodes, edges, fan_in = [], [], {}
    queue = deque()
    seen = set()
    for tensor in tensors:
        node = tensor.grad_fn
        if node is not None and node not in seen:
            seen.add(node)
            queue.append(node)
    while queue:
        node = queue.popleft()
        nodes.append(node)
        for index, (producer, output_nr) in enumerate(node.next_functions):
            if producer is None:
                continue
            edges.append(Edge(producer, output_nr, node, index))
            fan_in[producer] = fan_in.get(producer, 0) + 1
            if producer not in seen:
                seen.add(producer)
                queue.append(producer)
    return Graph(list(tensors), nodes, edges, fan_in)


class Group:
    """Several nodes drawn as one box: a run of identical nodes, or the rest past the budget."""

    def __init__(self, kind, name):
        self.kind = kind  # "run" or "rest"
        self.name = name
        self.members = 0


class Folding:
    """Which box (`unit`) each node is drawn in: the node itself or a `Group`."""

    def __init__(self, graph):
        self.graph = graph
        self.unit_of = {}
        self.groups = []

    def unit(self, node):
        return self.unit_of.get(node, node)

    def units(self):
        """Every box to draw, in the graph's order, each once."""
        seen = set()
        result = []
        for node in self.graph.nodes:
            unit = self.unit(node)
            if id(unit) not in seen:
                seen.add(id(unit))
                result.append(unit)
        return result


def fold(graph, max_nodes):
    """Fold `graph` so that at most about `max_nodes` boxes are drawn."""
    folding = Folding(graph)
    if max_nodes is None or len(graph.nodes) <= max_nodes:
        return folding
    _fold_runs(graph, folding)
    units = folding.units()
    if len(units) > max_nodes:
        cut = {id(unit) for unit in units[max(1, max_nodes - 1):]}
        rest = Group("rest", "more nodes")
        for node in graph.nodes:
            if id(folding.unit(node)) in cut:
                folding.unit_of[node] = rest
                rest.members += 1
        folding.groups = [group for group in folding.groups if id(group) not in cut] + [rest]
    return folding


def _fold_runs(graph, folding):
    """Replace the middle of every run of >= 3 identical single-input nodes by one Group."""
    spine = {}
    for edge in graph.edges:
        if not isinstance(edge.producer, AccumulateGrad):
            spine.setdefault(edge.consumer, []).append(edge.producer)

    def link(node):
        """The one operation feeding `node`, if `node` sits in the middle of a plain chain."""
        producers = spine.get(node, ())
        if len(producers) != 1 or graph.fan_in.get(node, 0) > 1:
            return None
        return producers[0]

    done = set()
    for node in graph.nodes:
        if node in done or link(node) is None:
            continue
        run = [node]
        following = link(node)
        while (following is not None and following not in done
               and following.name() == node.name() and graph.fan_in.get(following, 0) == 1):
            run.append(following)
            done.add(following)
            following = link(following)
        done.add(node)
        if len(run) >= 3:
            group = Group("run", node.name())
            group.members = len(run) - 2
            folding.groups.append(group)
            for member in run[1:-1]:
                folding.unit_of[member] = group
