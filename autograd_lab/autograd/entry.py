"""The two ways into the backward engine: `tensor.backward()` (also `autograd.backward`) and
`autograd.grad()`. They check what they are given, in PyTorch's words, and turn tensors into
the graph edges and starting gradients that `engine.run_backward` works with.
"""

from autograd_lab import backend
from autograd_lab.autograd.engine import run_backward
from autograd_lab.tensor import Tensor


def tensor_backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    """Compute the gradient of this tensor with respect to the leaves that made it.

    - `gradient`: needed when the tensor is not a scalar; backward then computes the
      vector-Jacobian product `gradientᵀ · J`.
    - `retain_graph`: keep saved tensors so that backward can run through the graph again.
    - `create_graph`: record the backward pass itself, so gradients can be differentiated.
    - `inputs`: accumulate only into these tensors' `.grad`.
    """
    autograd_backward(self, gradient, retain_graph, create_graph, inputs=inputs)


Tensor.backward = tensor_backward


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

