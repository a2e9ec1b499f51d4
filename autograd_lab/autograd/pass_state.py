"""What a backward pass does besides the algorithm itself (see `engine.run_backward`).

`PassState` runs one node (its gradients checked, and summed down to its inputs' shapes:
`fit_to_inputs`), decides which nodes must run when only some inputs are asked for, runs the hooks,
keeps what `autograd.grad` asked for, tells viewers what happens (`events`), updates `.grad`
once the whole pass succeeded, and frees saved tensors on the way out.
"""

from autograd_lab.autograd import anomaly, events, grad_mode
from autograd_lab.autograd.function import AccumulateGrad, as_tensor
from autograd_lab.autograd.views import ViewInfo
from autograd_lab.broadcasting import sum_to_shape
from autograd_lab.tensor import Tensor


class PassState:
    """Everything one backward pass does besides the algorithm itself: which nodes must run
    (`inputs`), hooks, capture for `autograd.grad`, events for viewers, the deferred `.grad`
    updates and the freeing of saved tensors."""

    def __init__(self, roots, root_grads, retain_graph, create_graph, inputs, accumulate,
                 dependencies):
        self.roots, self.retain_graph, self.create_graph = roots, retain_graph, create_graph
        self.root_grads = root_grads
        # the roots' gradients as the pass carries them: arrays, or Tensors under create_graph
        self.start_grads = root_grads if create_graph else [g._data for g in root_grads]
        self.inputs = inputs
        self.needed = self.captured = None  # needed None: every node runs
        if inputs is not None:
            self.needed = nodes_leading_to(dependencies, [node for node, _ in roots], inputs)
            if accumulate:
                self.needed |= {node for node, _ in inputs}
            else:
                self.captured = dict.fromkeys(inputs)
        self.lone_root = roots[0][0] if len(roots) == 1 else None
        self.listening = bool(events.listeners)
        self.plain = self.needed is None and not self.listening and not anomaly.enabled
        self.accumulations = []  # (leaf, grad) pairs, applied once the whole pass succeeded
        self.ran = []

    def __enter__(self):
        self.previous_mode = grad_mode._state.enabled
        grad_mode._state.enabled = self.create_graph  # record the pass only for create_graph
        if self.listening:
            events.emit("backward_started", roots=self.roots, create_graph=self.create_graph)
            events.backward_passes_running += self.create_graph
        return self

    def __exit__(self, *exc_info):
        grad_mode._state.enabled = self.previous_mode
        if self.listening:
            events.backward_passes_running -= self.create_graph
        if not self.retain_graph:
            for node in self.ran:
                node.release()
                if self.listening and node.released:
                    events.emit("buffers_freed", node=node)

    def run(self, node, grads):
        """Run one node: the gradients it sends on, one per input (None: nothing to send)."""
        if self.plain and grads is not None and len(grads) == 1 and node.tensor_hooks is None \
                and not node._hooks and type(node) is not AccumulateGrad:
            grad_inputs = node.differentiate(grads, self.create_graph)
            self.ran.append(node)
            return fit_to_inputs(node, grad_inputs, self.create_graph)
        if self.needed is not None and node not in self.needed:
            self.reach_without_running(node, grads)
            return ()
        if grads is not None:
            if self.captured is not None:
                self.capture(node, grads)  # before the node's hooks, as in PyTorch
            if type(node) is AccumulateGrad and node.variable.grad_fn is not None:
                # an in-place change gave the leaf a history after this graph used it
                raise RuntimeError("leaf variable has been moved into the graph interior")
            grads = self.run_tensor_hooks(node, grads)
        if type(node) is AccumulateGrad:
            if grads is not None and grads[0] is not None:
                self.accumulations.append((node.variable, grads[0]))
                if self.listening:
                    events.emit("grad_accumulated", node=node, tensor=node.variable,
                                grad=as_tensor(grads[0]))
            return ()
        if grads is None:  # nothing reached this node, but the nodes it feeds still wait for it
            grad_inputs = (None,) * len(node.next_functions)
        else:
            grad_inputs = self.differentiate(node, grads)
        self.ran.append(node)  # (a node whose backward raised keeps what it saved, as in PyTorch)
        return grad_inputs

    def differentiate(self, node, grads):
        """Call one node's backward, with events, anomaly checks and node hooks around it."""
        if self.listening:
            events.emit("node_started", node=node, grad_outputs=tuple(map(as_tensor, grads)))
        if len(grads) > 1 and any(g is None for g in grads):  # one output: never None here
            grads = [g if g is not None else self.zeros_for_output(node, nr)
                     for nr, g in enumerate(grads)]
        grad_inputs = fit_to_inputs(node, node.differentiate(grads, self.create_graph),
                                    self.create_graph)
        if anomaly.enabled:
            anomaly.check_gradients(node, grad_inputs)
        for hook in node._hooks:
            hook(tuple(map(as_tensor, grad_inputs)), tuple(map(as_tensor, grads)))
        if self.listening:
            events.emit("node_finished", node=node, grad_inputs=tuple(map(as_tensor, grad_inputs)))
        return grad_inputs

    def zeros_for_output(self, node, output_nr):
        shape, dtype, device = node.output_metadata[output_nr]
        zeros = Tensor._zeros(shape, dtype, device)
        return zeros if self.create_graph else zeros._data

    def reach_without_running(self, node, grads):
        """A node reached that leads to no input. PyTorch still calls its tensor hooks when the
        node is one of the inputs of `autograd.grad` (which then gets the hooked gradient) or
        the one root of the pass; any other such node is skipped, hooks and all."""
        if grads is None:
            return
        captured = self.captured
        asked_for = captured is not None and any((node, nr) in captured
                                                 for nr in range(len(grads)))
        if asked_for or node is self.lone_root:
            grads = self.run_tensor_hooks(node, grads)
            if captured is not None:
                self.capture(node, grads)

    def capture(self, node, grads):
        """Keep, for `autograd.grad`, the gradients arriving at the edges it asked for."""
        for output_nr, grad in enumerate(grads):
            if (node, output_nr) in self.captured:
                self.captured[(node, output_nr)] = grad

    def run_tensor_hooks(self, node, grads):
        """Hooks registered with `tensor.register_hook` see (and may replace) a tensor's
        gradient once it is complete: before it is captured by `autograd.grad`, accumulated
        into `.grad` or sent on through the node."""
        if type(node) is AccumulateGrad:
            hooks = {0: node.variable._hooks or ()}
        else:
            hooks = node.tensor_hooks or {}
        result = []
        for output_nr, grad in enumerate(grads):
            if grad is not None and hooks.get(output_nr):
                grad = as_tensor(grad)
                for hook in hooks[output_nr]:
                    replaced = hook(grad)
                    grad = grad if replaced is None else replaced
                grad = grad if self.create_graph else grad._data
            result.append(grad)
        return result

    def finish(self):
        """After a successful pass: update `.grad`, tell viewers, return what was captured."""
        if self.captured is None:
            stored = {id(g._data) for g in self.root_grads}  # arrays no .grad may take as its own
            for leaf, grad in self.accumulations:
                accumulate_into_grad(leaf, grad, self.create_graph, stored)
        if self.listening:
            events.emit("backward_finished", roots=self.roots)
        if self.captured is None:
            return None
        # one Tensor per array: an input asked for twice gets one tensor twice, a root asked
        # for gets the very gradient it was given
        wrapped = {id(g._data): g for g in self.root_grads}
        grads = [self.captured[edge] for edge in self.inputs]
        for grad in grads:
            if id(grad) not in wrapped:
                wrapped[id(grad)] = returned_gradient(grad, wrapped)
        return [wrapped[id(grad)] for grad in grads]


def returned_gradient(grad, wrapped):
    """A gradient `autograd.grad` hands back. Under `create_graph` it is a Tensor already. An
    array that views another (the gradient of a reshape, a permute) comes back as a view, made
    under no_grad, of that array's tensor, as PyTorch's engine returns it: `detach_()` on it is
    refused, and its `requires_grad` follows its base."""
    tensor = as_tensor(grad)
    if tensor is None or isinstance(grad, Tensor) or tensor._data.base is None:
        return tensor
    array = tensor._data
    base = wrapped.get(id(array.base))
    if base is None:
        base = wrapped[id(array.base)] = as_tensor(array.base)
    if base._view is not None:  # a view's base is the tensor that owns the memory
        base = base._base
    tensor._base, tensor._version_cell = base, base._version_cell
    tensor._view = ViewInfo((), base._version_cell[0], "no_grad")
    return tensor


def fit_to_inputs(node, grad_inputs, create_graph):
    """Check a node's gradients, and undo broadcasting and type promotion: each is summed down
    to its input's shape, in its input's dtype (`float32 * float64` sends float64 back)."""
    if type(grad_inputs) is not tuple:
        grad_inputs = (grad_inputs,)
    if len(grad_inputs) != len(node.next_functions):
        raise RuntimeError(
            f"function {node.name()} returned an incorrect number of gradients (expected "
            f"{len(node.next_functions)}, got {len(grad_inputs)})"
        )
    fitted = []
    for grad, shape, dtype in zip(grad_inputs, node.input_shapes, node.input_dtypes):
        if grad is None or shape is None:  # no gradient, or the input wants none
            fitted.append(None)
            continue
        array = grad._data if create_graph else grad
        if array.shape != shape or array.dtype != dtype:
            grad = _fit(node, len(fitted), grad, array, create_graph)
        fitted.append(grad)
    return fitted


def _fit(node, index, grad, array, create_graph):
    shape, dtype = node.input_shapes[index], node.input_dtypes[index]
    if array.dtype != dtype:
        grad = grad.to(dtype=dtype) if create_graph else grad.astype(dtype)
    try:
        return sum_to_shape(grad, shape)
    except ValueError:
        raise RuntimeError(
            f"Function {node.name()} returned an invalid gradient at index {index} - got "
            f"{list(array.shape)} but expected shape compatible with {list(shape)}"
        ) from None


def accumulate_into_grad(leaf, grad, create_graph, stored):
    """Add one leaf's gradient into its `.grad` (after the whole pass succeeded)."""
    if not leaf._requires_grad:  # switched off since the graph was built: as in PyTorch
        return
    if create_graph:
        if grad._data.dtype != leaf._data.dtype:
            grad = grad.to(leaf.dtype)
        if leaf._grad is not None:
            leaf._grad = leaf._grad + grad  # the sum is recorded: a new tensor, as in PyTorch
            return
        if not grad.requires_grad:
            grad = grad.detach()
        if id(grad._data) in stored or grad._data.base is not None:
            # never let two .grad share (or view) one array; a recorded copy stays in the graph
            grad = grad.clone() if not grad.requires_grad else \
                Tensor._zeros(grad.shape, grad.dtype, grad.device).copy_(grad)
        stored.add(id(grad._data))
        leaf._grad = grad
        return
    if grad.dtype != leaf._data.dtype:
        grad = grad.astype(leaf._data.dtype)
    if leaf._grad is not None:  # in place, as in PyTorch: `g = x.grad` keeps seeing the total
        leaf._grad._data += grad
        leaf._grad._version_cell[0] += 1
        return
    grad = as_tensor(grad)
    if id(grad._data) in stored or grad._data.base is not None:
        grad = grad.clone()  # never let two .grad share (or view) one array
    stored.add(id(grad._data))
    leaf._grad = grad


def nodes_leading_to(dependencies, start_nodes, inputs):
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
