"""The backward pass: walk the graph from the outputs to the leaves, without recursion.

1. Count, for every node reachable from the roots, how many edges point at it
   (`_count_dependencies`, an explicit stack instead of recursion).
2. Keep the gradients waiting for each node in a dict. A node runs once every node that
   feeds it has sent its share (its count drops to 0); its gradients are popped, so memory is
   released as the pass moves on.
3. Ready nodes run latest-created first (a heap on `sequence_nr`), the order PyTorch uses.
4. A node's `backward` turns its output gradients into input gradients; broadcasting is
   undone here, once for every op (`sum_to_shape`).
5. Only when every node has run are leaves' `.grad` updated, so a pass that fails half-way
   leaves `.grad` as it was (the nodes that ran have freed their buffers, as in PyTorch).
"""

import heapq
import itertools

from autograd_lab.autograd import anomaly, events, grad_mode
from autograd_lab.autograd.function import AccumulateGrad


def run_backward(roots, root_grads, retain_graph, create_graph, inputs=None,
                 accumulate=True):
    """Send `root_grads` back through the graph from the `(node, output_nr)` `roots`.

    Without `inputs` (that is `tensor.backward()`), every node runs and leaves accumulate into
    `.grad`. With `inputs`, a list of `(node, output_nr)` edges, only the nodes that lead to
    them run, as in PyTorch: with `accumulate` (`backward(inputs=...)`) the inputs' own nodes
    run too; without it (`autograd.grad`), the gradients arriving at the inputs are returned
    and no `.grad` is touched. Every node that ran frees its saved tensors, even when a later
    one fails, as in PyTorch; `.grad` is updated only once the whole pass has succeeded.
    """
    dependencies = _count_dependencies([node for node, _ in roots])
    pending = {}  # node -> list with one gradient slot per output of the node
    for (node, output_nr), grad in zip(roots, root_grads):
        _add_to_slot(pending, node, output_nr, grad)

    needed = captured = None  # needed None: every node runs
    if inputs is not None:
        needed = _nodes_leading_to(dependencies, [node for node, _ in roots], inputs)
        if accumulate:
            needed |= {node for node, _ in inputs}
        else:
            captured = {edge: None for edge in inputs}
    lone_root = roots[0][0] if len(roots) == 1 else None
    arrival = itertools.count()  # ties (leaves all have sequence_nr inf): first ready, first run
    ready = {node: (-node.sequence_nr, next(arrival), node) for node, _ in roots
             if dependencies.get(node, 0) == 0}
    ready = list(ready.values())
    heapq.heapify(ready)
    accumulations = []  # (leaf, grad) pairs applied once the whole pass succeeded
    ran = []
    listening = bool(events.listeners)
    if listening:
        events.emit("backward_started", roots=roots, create_graph=create_graph)
    recording_while_listening = listening and create_graph
    if recording_while_listening:
        events.backward_passes_running += 1

    previous_mode = grad_mode._state.enabled
    grad_mode._state.enabled = create_graph
    try:
        while ready:
            node = heapq.heappop(ready)[2]
            grads = pending.pop(node, None)
            if needed is not None and node not in needed:
                _reach_without_running(node, grads, captured, node is lone_root)
                continue
            if captured is not None and grads is not None:
                _capture(captured, node, grads)  # before the node's hooks, as in PyTorch
            if grads is not None:
                if type(node) is AccumulateGrad and node.variable.grad_fn is not None:
                    # an in-place change gave the leaf a history after this graph used it
                    raise RuntimeError("leaf variable has been moved into the graph interior")
                grads = _run_tensor_hooks(node, grads)
            if isinstance(node, AccumulateGrad):
                if grads is not None and grads[0] is not None:
                    grad = grads[0]
                    accumulations.append((node.variable, grad))
                    if listening:
                        events.emit("grad_accumulated", node=node, tensor=node.variable,
                                    grad=grad)
                continue
            if grads is not None:
                grad_inputs = _run_node(node, grads, listening)
            else:  # nothing reached this node, but the nodes it feeds still wait for it
                grad_inputs = (None,) * len(node.next_functions)
            ran.append(node)
            for (next_node, output_nr), grad in zip(node.next_functions, grad_inputs):
                if next_node is None:
                    continue
                if grad is not None:
                    _add_to_slot(pending, next_node, output_nr, grad)
                dependencies[next_node] -= 1
                if dependencies[next_node] == 0:
                    heapq.heappush(ready, (-next_node.sequence_nr, next(arrival), next_node))
    finally:
        grad_mode._state.enabled = previous_mode
        if recording_while_listening:
            events.backward_passes_running -= 1
        if not retain_graph:
            _free(ran, listening)

    if captured is None:
        _apply_accumulations(accumulations, create_graph, root_grads)
    if listening:
        events.emit("backward_finished", roots=roots)
    if captured is not None:
        return [captured[edge] for edge in inputs]
    return None


def _reach_without_running(node, grads, captured, is_lone_root):
    """A node reached that leads to no input. PyTorch still calls its tensor hooks when the
    node is one of the inputs of `autograd.grad` (which then gets the hooked gradient) or the
    one root of the pass; any other such node is skipped, hooks and all."""
    if grads is None:
        return
    asked_for = captured is not None and any((node, nr) in captured for nr in range(len(grads)))
    if not (asked_for or is_lone_root):
        return
    grads = _run_tensor_hooks(node, grads)
    if captured is not None:
        _capture(captured, node, grads)


def _capture(captured, node, grads):
    """Keep, for `autograd.grad`, the gradients arriving at the edges it asked for."""
    for output_nr, grad in enumerate(grads):
        if (node, output_nr) in captured:
            captured[(node, output_nr)] = grad


def _free(nodes, listening):
    """Free what the nodes that ran saved (`retain_graph=False`)."""
    for node in nodes:
        node.release()
        if listening and node._released:
            events.emit("buffers_freed", node=node)


def _count_dependencies(start_nodes):
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


def _nodes_leading_to(dependencies, start_nodes, inputs):
    """The nodes from which some edge of `inputs` can be reached (the others need not run)."""
    targets = {node for node, _ in inputs}
    order = []  # reverse topological order: every node after all nodes that feed it
    remaining = dict(dependencies)
    stack = [node for node in set(start_nodes) if remaining.get(node, 0) == 0]
    while stack:
        node = stack.pop()
        order.append(node)
        for next_node, _ in node.next_functions:
            if next_node is not None:
                remaining[next_node] -= 1
                if remaining[next_node] == 0:
                    stack.append(next_node)
    needed = set()
    for node in reversed(order):  # inputs before the nodes that use them
        if any(next_node in needed or next_node in targets
               for next_node, _ in node.next_functions if next_node is not None):
            needed.add(node)
    return needed


def _add_to_slot(pending, node, output_nr, grad):
    """Add `grad` to what is already waiting for `node` (fan-in sums here)."""
    slots = pending.get(node)
    if slots is None:
        slots = pending[node] = [None] * node.number_of_outputs
    slots[output_nr] = grad if slots[output_nr] is None else slots[output_nr] + grad


def _run_node(node, grads, listening):
    """Call one node's backward and check what it returns."""
    if listening:
        events.emit("node_started", node=node, grad_outputs=tuple(grads))
    if len(grads) > 1 and any(g is None for g in grads):  # one output: never None here
        grads = [g if g is not None else _zeros_for_output(node, nr) for nr, g in enumerate(grads)]
    grad_inputs = node.backward(node, *grads)
    if not isinstance(grad_inputs, tuple):
        grad_inputs = (grad_inputs,)
    if len(grad_inputs) != len(node.next_functions):
        raise RuntimeError(
            f"function {node.name()} returned an incorrect number of gradients (expected "
            f"{len(node.next_functions)}, got {len(grad_inputs)})"
        )
    fitted = []
    for grad, shape, dtype in zip(grad_inputs, node.input_shapes, node.input_dtypes):
        if grad is None or shape is None:  # no gradient, or the input does not want one
            fitted.append(None)
        elif isinstance(grad, Tensor) and grad._data.shape == shape and grad._data.dtype == dtype:
            fitted.append(grad)  # the usual case: nothing to check or undo
        else:
            fitted.append(_fit_to_input(node, len(fitted), grad))
    grad_inputs = tuple(fitted)
    if anomaly.enabled:
        anomaly.check_gradients(node, grad_inputs)
    if node._hooks:
        for hook in node._hooks:
            hook(grad_inputs, tuple(grads))
    if listening:
        events.emit("node_finished", node=node, grad_inputs=grad_inputs)
    return grad_inputs


def _fit_to_input(node, index, grad):
    """Undo broadcasting and type promotion: sum a gradient down to the shape of the input it
    belongs to, in that input's dtype (`float32 * float64` sends float64 back to a float32)."""
    shape = node.input_shapes[index]
    if not isinstance(grad, Tensor):
        raise TypeError(f"function {node.name()} returned a gradient different than None at "
                        f"position {index + 1}, but the corresponding forward input was not a "
                        "Variable")
    if grad._data.dtype != node.input_dtypes[index]:
        grad = grad.to(dtype=node.input_dtypes[index])
    if grad.shape == shape:
        return grad
    try:
        return sum_to_shape(grad, shape)
    except ValueError:
        raise RuntimeError(
            f"Function {node.name()} returned an invalid gradient at index {index} - got "
            f"{list(grad.shape)} but expected shape compatible with {list(shape)}"
        ) from None


def sum_to_shape(grad, shape):
    """Sum `grad` over the dimensions that broadcasting added or stretched, to get `shape`.

    (3, 4) -> (1, 4) sums dim 0 keeping it; (2, 3, 4) -> (3, 4) sums the leading dim away.
    """
    extra = grad.dim() - len(shape)
    if extra < 0:
        raise ValueError("gradient has fewer dimensions than its input")
    stretched = tuple(extra + i for i, size in enumerate(shape)
                      if size == 1 and grad.shape[extra + i] != 1)
    for i, size in enumerate(shape):
        if size != 1 and grad.shape[extra + i] != size:
            raise ValueError("shapes cannot be matched")
    if extra:
        grad = grad.sum(dim=tuple(range(extra)))
    if stretched:
        grad = grad.sum(dim=tuple(d - extra for d in stretched), keepdim=True)
    return grad


def _run_tensor_hooks(node, grads):
    """Hooks registered with `tensor.register_hook` see (and may replace) a tensor's gradient
    once it is complete: before it is captured by `autograd.grad`, accumulated into `.grad`
    or sent on through the node."""
    if type(node) is AccumulateGrad:
        if node.variable._hooks and grads[0] is not None:
            return [_run_hooks(node, grads[0])]
    elif node.tensor_hooks:
        return [_run_hooks_for_output(node, nr, g) for nr, g in enumerate(grads)]
    return grads


def _run_hooks(node, grad):
    """Hooks registered on a leaf with `register_hook` see (and may replace) its gradient."""
    for hook in node.variable._hooks or ():
        replaced = hook(grad)
        if replaced is not None:
            grad = replaced
    return grad


def _run_hooks_for_output(node, output_nr, grad):
    if grad is None:
        return grad
    for hook in node.tensor_hooks.get(output_nr, ()):
        replaced = hook(grad)
        if replaced is not None:
            grad = replaced
    return grad


def _zeros_for_output(node, output_nr):
    shape, dtype, device = node.output_metadata[output_nr]
    return Tensor._zeros(shape, dtype, device)


def _apply_accumulations(accumulations, create_graph, root_grads=()):
    """Add each leaf's gradient into its `.grad` (after the whole pass succeeded)."""
    # arrays already placed in some .grad during this pass, or owned by the caller
    stored = {id(g._data) for g in root_grads}
    for leaf, grad in accumulations:
        if not leaf._requires_grad:  # switched off since the graph was built: as in PyTorch
            continue
        if grad._data.dtype != leaf._data.dtype:
            grad = grad.to(leaf.dtype)
        if leaf._grad is None:
            if not (create_graph and grad.requires_grad):
                grad = grad.detach()
            if id(grad._data) in stored or grad._data.base is not None:
                # never let two .grad share (or view) one array
                if grad.requires_grad:  # create_graph: the copy stays in the graph, as in PyTorch
                    grad = CopyFrom.apply(Tensor._zeros(grad.shape, grad.dtype, grad.device), grad)
                else:
                    grad = grad.clone()
            stored.add(id(grad._data))
            leaf._grad = grad
        elif create_graph:  # the sum is recorded: a new tensor, as in PyTorch
            leaf._grad = leaf._grad + grad
        else:  # in place, as in PyTorch: `g = x.grad` keeps seeing the total
            leaf._grad._data += grad._data
            leaf._grad._version_cell[0] += 1


from autograd_lab.ops.conversion import CopyFrom  # noqa: E402
from autograd_lab.tensor import Tensor  # noqa: E402  (tensor.py imports this module)

# -- the two entry points: tensor.backward() and autograd.grad() ---------------------------------

def autograd_backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
                      inputs=None):
    """Accumulate gradients of `tensors` into the `.grad` of the leaves (or of `inputs`)."""
    tensors = _as_tuple(tensors)
    grad_tensors = _root_gradients(tensors, _as_tuple(grad_tensors, len(tensors)))
    roots = [_root_edge(t, i) for i, t in enumerate(tensors)]
    retain_graph = create_graph if retain_graph is None else retain_graph
    if inputs is None:
        run_backward(roots, grad_tensors, retain_graph, create_graph)
        return
    inputs = _as_tuple(inputs)
    edges = [_input_edge(t) for t in inputs]
    for t in inputs:
        if t.grad_fn is not None:
            t.retain_grad()  # as in PyTorch: a non-leaf named in `inputs` gets its .grad
    run_backward(roots, grad_tensors, retain_graph, create_graph, inputs=edges)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=None, materialize_grads=False):
    """Return the gradients of `outputs` with respect to `inputs`, without touching `.grad`.

    >>> import autograd_lab as alt
    >>> x = alt.tensor(2.0, requires_grad=True)
    >>> (dy_dx,) = alt.autograd.grad(x ** 3, x, create_graph=True)
    >>> dy_dx, alt.autograd.grad(dy_dx, x)[0]
    (tensor(12., grad_fn=<MulBackward0>), tensor(12.))
    """
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    grad_outputs = _root_gradients(outputs, _as_tuple(grad_outputs, len(outputs)))
    roots = [_root_edge(t, i) for i, t in enumerate(outputs)]
    retain_graph = create_graph if retain_graph is None else retain_graph
    edges = [_input_edge(t) for t in inputs]
    # as in PyTorch, an unused input is found only after the pass ran (and freed the graph)
    grads = run_backward(roots, grad_outputs, retain_graph, create_graph, inputs=edges,
                         accumulate=False)
    results = []
    for index, (tensor, g) in enumerate(zip(inputs, grads)):
        if g is None:
            if materialize_grads:
                g = Tensor._zeros(tensor.shape, tensor.dtype, tensor.device)
            elif not allow_unused:
                raise RuntimeError(_unused_message(index))
        results.append(g)  # as in PyTorch: an input asked for twice gets the same tensor twice
    return tuple(results)


def _unused_message(index):
    return (f"The differentiated Tensor at index {index} appears to not have been used in the "
            "graph. Set allow_unused=True if this is the desired behavior.")


def _as_tuple(value, length=None):
    if value is None:
        return (None,) * (length or 0)
    if isinstance(value, Tensor):
        return (value,)
    return tuple(value)


def _root_edge(tensor, index):
    edge = tensor._gradient_edge() if tensor.requires_grad else (None, 0)
    if edge[0] is None:  # (a view made under no_grad requires grad, but leads nowhere)
        raise RuntimeError(f"element {index} of tensors does not require grad and does not "
                           "have a grad_fn")
    return edge


def _input_edge(tensor):
    if not isinstance(tensor, Tensor) or not tensor.requires_grad:
        raise RuntimeError("One of the differentiated Tensors does not require grad")
    return tensor._gradient_edge()


def _root_gradients(tensors, grads):
    """The gradient each root starts with: ones for a scalar, else the one the user gave.

    Checked before the roots are (as in PyTorch): a root that needs no grad is refused later.
    """
    if len(grads) != len(tensors):
        raise RuntimeError(f"grad can be implicitly created only for scalar outputs; got "
                           f"{len(grads)} gradients for {len(tensors)} tensors")
    result = []
    for i, (tensor, g) in enumerate(zip(tensors, grads)):
        if not isinstance(tensor, Tensor):
            raise TypeError(f"expected a Tensor to differentiate, got {type(tensor).__name__}")
        if g is None:
            if tensor.numel() != 1 and tensor.requires_grad:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            g = Tensor._from_array(backend.module_for(tensor.device).ones(
                tensor.shape, tensor._data.dtype), tensor.device)
        elif not isinstance(g, Tensor):
            g = Tensor._from_array(backend.module_for(tensor.device).asarray(
                g, dtype=tensor._data.dtype), tensor.device)
        if g.shape != tensor.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                               f"{_size(g.shape)} and output[{i}] has a shape of "
                               f"{_size(tensor.shape)}.")
        if g.device is not tensor.device:
            raise RuntimeError(f"Expected all tensors to be on the same device, but found at "
                               f"least two devices, {g.device} and {tensor.device}!")
        result.append(g)
    return result


def _size(shape):
    return f"[{', '.join(str(s) for s in shape)}]"


from autograd_lab import backend  # noqa: E402
