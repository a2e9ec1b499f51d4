"""The backward pass: walk the graph from the outputs to the leaves, without recursion.

1. Count, for every node reachable from the roots, how many edges point at it
   (`count_dependencies`, an explicit stack instead of recursion).
2. Keep the gradients waiting for each node in a dict. A node runs once every node that
   feeds it has sent its share (its count drops to 0); its gradients are popped, so memory is
   released as the pass moves on.
3. Ready nodes run latest-created first (a heap on `sequence_nr`), the order PyTorch uses.
4. A node's `differentiate` turns its output gradients into input gradients; broadcasting is
   undone in one place for every op (`fit_to_inputs`, with `sum_to_shape`).
5. Only when every node has run are leaves' `.grad` updated, so a pass that fails half-way
   leaves `.grad` as it was (the nodes that ran have freed their buffers, as in PyTorch).

Without `create_graph` the gradients are plain arrays from start to end: no Tensor and no
node is made until a gradient lands in `.grad`. With it they are Tensors, and every
operation of the pass is recorded. Everything that is not the algorithm (hooks, capture for
`autograd.grad`, events for viewers, `.grad` updates, freeing) lives in `pass_state.py`.
"""

import heapq
import itertools

from autograd_lab.autograd.pass_state import PassState


def run_backward(roots, root_grads, retain_graph, create_graph, inputs=None, accumulate=True):
    """Send `root_grads` back through the graph from the `(node, output_nr)` `roots`.

    Without `inputs` (that is `tensor.backward()`), every node runs and leaves accumulate into
    `.grad`. With `inputs`, a list of `(node, output_nr)` edges, only the nodes that lead to
    them run: with `accumulate` (`backward(inputs=...)`) the inputs' own nodes run too;
    without it (`autograd.grad`) the gradients arriving at the inputs are returned.
    """
    start = [node for node, _ in roots]
    dependencies = count_dependencies(start)
    state = PassState(roots, root_grads, retain_graph, create_graph, inputs, accumulate,
                      dependencies)
    pending = {}  # node -> one gradient slot per output of the node
    for (node, output_nr), grad in zip(roots, state.start_grads):
        add_gradient(pending, node, output_nr, grad)
    arrival = itertools.count()  # ties (leaves all have sequence_nr inf): first ready, first run
    ready = [(-node.sequence_nr, next(arrival), node) for node in dict.fromkeys(start)
             if dependencies.get(node, 0) == 0]
    heapq.heapify(ready)
    with state:
        while ready:
            node = heapq.heappop(ready)[2]
            grad_inputs = state.run(node, pending.pop(node, None))
            for (next_node, output_nr), grad in zip(node.next_functions, grad_inputs):
                if next_node is None:
                    continue
                if grad is not None:
                    add_gradient(pending, next_node, output_nr, grad)
                waiting_for = dependencies[next_node] = dependencies[next_node] - 1
                if waiting_for == 0:
                    heapq.heappush(ready, (-next_node.sequence_nr, next(arrival), next_node))
    return state.finish()


def count_dependencies(start_nodes):
    """For every node reachable from `start_nodes`, the number of edges that point at it."""
    dependencies = {}
    seen = set(start_nodes)
    stack = list(seen)  # two roots may be outputs of one node: count its edges once
    while stack:
        node = stack.pop()
        for next_node, _ in node.next_functions:
            if next_node is None:
                continue
            dependencies[next_node] = dependencies.get(next_node, 0) + 1
            if next_node not in seen:
                seen.add(next_node)
                stack.append(next_node)
    return dependencies


def add_gradient(pending, node, output_nr, grad):
    """Add `grad` to what is already waiting for `node` (fan-in sums here)."""
    slots = pending.get(node)
    if slots is None:
        slots = pending[node] = [None] * node.number_of_outputs
    slots[output_nr] = grad if slots[output_nr] is None else slots[output_nr] + grad
