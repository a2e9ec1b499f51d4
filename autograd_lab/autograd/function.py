"""The nodes of the backward graph, and `Function`: how a learner defines a new operation.

A Function subclass says how to compute an output (`forward`) and how to turn the gradient of
the output into gradients of the inputs (`backward`), both on Tensors, as in PyTorch. `apply`
runs `forward` and, when an input requires grad, records a node in the graph. That node *is*
the `ctx` object forward received, so what forward saved is there for backward:

>>> import autograd_lab as alt
>>> class Square(alt.autograd.Function):
...     @staticmethod
...     def forward(ctx, x):
...         ctx.save_for_backward(x)
...         return x * x
...     @staticmethod
...     def backward(ctx, grad_output):
...         (x,) = ctx.saved_tensors
...         return 2 * x * grad_output
>>> x = alt.tensor(3.0, requires_grad=True)
>>> y = Square.apply(x)
>>> y.backward()
>>> x.grad
tensor(6.)

The built-in operations follow a second contract, `autograd_lab.ops.op.Op`: forward and
backward on raw arrays, so that a backward pass without `create_graph` makes no Tensor at all.
"""

import itertools
import weakref

import numpy as np

from autograd_lab.autograd import anomaly, events, grad_mode
from autograd_lab.tensor import Tensor

_sequence = itertools.count()  # creation order of nodes: later nodes run first in backward
_NO_EDGE = (None, 0)  # where the gradient of an input that needs none goes


class Node:
    """A node of the backward graph (what `tensor.grad_fn` points to).

    Public attributes: `next_functions`, one `(node, output_nr)` pair per input of the
    operation (the node that made that input, its `AccumulateGrad` if it is a leaf, or
    `(None, 0)` when it needs no gradient); `needs_input_grad`; `saved` (what forward saved,
    for viewers) and `released` (True once backward freed it).
    """

    __slots__ = ("next_functions", "needs_input_grad", "input_shapes", "input_dtypes",
                 "sequence_nr", "_saved", "__dict__", "__weakref__")
    node_name = "Node"
    number_of_outputs = 1  # an operation with several outputs sets its own count
    tensor_hooks = None  # output_nr -> hooks registered with `tensor.register_hook`
    _hooks = ()  # hooks added with `register_hook`
    _released = False
    saves_output = False  # True: the output was saved too, last of what was saved

    def name(self):
        """The node's name as PyTorch prints it, e.g. `"AddBackward0"`."""
        return self.node_name

    def __repr__(self):
        return f"<{self.node_name} object at {id(self):#x}>"

    def register_hook(self, hook):
        """Call `hook(grad_inputs, grad_outputs)` after this node's backward has run."""
        self._hooks = self._hooks + (hook,)

    # -- what forward keeps for backward ----------------------------------------------------

    def keep_for_backward(self, tensors):
        """Keep tensors for backward, each as `(tensor, version, grad_fn)`, to catch in-place
        changes (and `detach_()`) made before backward runs; None (or a number a built-in op
        keeps) is kept as it is."""
        self._saved = tuple([(t, t._version_cell[0], t._grad_fn) if isinstance(t, Tensor)
                             else t for t in tensors])

    @property
    def saved_tensors(self):
        """The tensors given to `save_for_backward`, checked to be unchanged since."""
        return tuple(self._check_saved())

    def _check_saved(self):
        """The saved tensors, after PyTorch's checks: not freed, not changed, not detached."""
        if self._released:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Saved intermediate values of the "
                "graph are freed when you call .backward() or autograd.grad(). Specify "
                "retain_graph=True if you need to backward through the graph a second time or "
                "if you need to access saved tensors after calling backward."
            )
        for index, entry in enumerate(self._saved):
            if type(entry) is not tuple:  # None, or a number a built-in op kept
                continue
            tensor, version, grad_fn = entry
            if tensor._version_cell[0] != version:
                is_output = self.saves_output and index == len(self._saved) - 1
                made_by = f"output 0 of {self.name()}" if is_output else _made_by(tensor)
                raise RuntimeError(_modified_inplace_message(tensor, version, made_by))
            if grad_fn is not None and tensor._grad_fn is None:  # history cut by detach_()
                raise RuntimeError(
                    "Trying to use a saved tensor that has been detached in-place, i.e. with "
                    ".detach_().This is not supported, please use out-of-place `.detach()` "
                    "instead")
        return [entry[0] if type(entry) is tuple else entry for entry in self._saved]

    @property
    def saved(self):
        """What forward saved, as tensors, without the checks of `saved_tensors` (for viewers:
        empty once backward freed it)."""
        return tuple(entry[0] for entry in self._saved if type(entry) is tuple)

    @property
    def released(self):
        """True once backward has freed what forward saved (`retain_graph=False`)."""
        return self._released

    def release(self):
        """Free what forward saved (done by backward unless `retain_graph=True`).

        A node that saved nothing has nothing to free, and backward may run through it again,
        as in PyTorch.
        """
        if self._saved:
            self._saved = ()
            self._released = True

    # -- joining the graph --------------------------------------------------------------------

    def attach(self, inputs, needs, outputs):
        """Make this node the `grad_fn` of `outputs` and link it to the nodes of `inputs`."""
        edges, shapes, dtypes = [], [], []  # per input: where its gradient goes, and the shape
        for x, need in zip(inputs, needs):  # and dtype that gradient must have
            if need:
                made_by = x._grad_fn
                edges.append((made_by, x._output_nr) if made_by is not None and x._view is None
                             else x._gradient_edge())
                data = x._data
                shapes.append(data.shape)
                dtypes.append(data.dtype)
            else:
                edges.append(_NO_EDGE)
                shapes.append(None)
                dtypes.append(None)
        self.next_functions = tuple(edges)
        self.input_shapes = tuple(shapes)
        self.input_dtypes = tuple(dtypes)
        self.sequence_nr = next(_sequence)
        if len(outputs) > 1:
            self.number_of_outputs = len(outputs)
            self.output_metadata = tuple((o.shape, o.dtype, o.device) for o in outputs)
        output_nr = 0
        for out in outputs:
            if out._data.dtype.kind == "f":
                out._requires_grad, out._grad_fn, out._output_nr = True, self, output_nr
            output_nr += 1
        if anomaly.enabled:
            anomaly.record_forward(self)
        if events.listeners:
            events.emit("node_created", node=self, outputs=outputs,
                        during_backward=events.backward_passes_running > 0)


def unpack_inputs(inputs):
    """The inputs' arrays (numbers as they are), whether each input needs a gradient, and the
    one device all tensor inputs are on.

    A view whose base was changed in place first catches up with its base's history.
    """
    arrays, needs, device = [], [], None
    recording = grad_mode._state.enabled
    for x in inputs:
        if isinstance(x, Tensor):
            arrays.append(x._data)
            needs.append(x._follow_base() if x._view is not None and recording
                         else x._requires_grad)
            if device is None:
                device = x._device
            elif x._device is not device:
                raise RuntimeError("Expected all tensors to be on the same device, but found at "
                                   f"least two devices, {device} and {x._device}!")
        else:
            arrays.append(x)
            needs.append(False)
    return arrays, tuple(needs), device


class Function(Node):
    """Base class of a learner's differentiable operation: write two static methods.

    - `forward(ctx, *inputs, **settings)` computes the result from Tensors (it runs without
      recording: its own operations are not part of the graph).
    - `backward(ctx, *grad_outputs)` returns one gradient per input of forward (None for
      inputs that need none), written with Tensor operations so that `create_graph=True` can
      record it.

    On `ctx`: `save_for_backward(*tensors)`, `saved_tensors`, `needs_input_grad`; any other
    attribute (`ctx.shape = ...`) may be set freely in forward.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "node_name" not in cls.__dict__:
            cls.node_name = cls.__name__ + "Backward"

    @staticmethod
    def forward(ctx, *inputs, **settings):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode AD.")

    def save_for_backward(self, *tensors):
        """Keep tensors (or None) for backward: `ctx.saved_tensors` gives them back."""
        self.keep_for_backward(tensors)

    @classmethod
    def apply(cls, *inputs, **settings):
        """Run `forward` without recording; then, if an input requires grad, record a node."""
        ctx = cls.__new__(cls)
        ctx._saved = ()
        _, ctx.needs_input_grad, _ = unpack_inputs(inputs)
        with grad_mode.no_grad():
            result = cls.forward(ctx, *inputs, **settings)
        several = isinstance(result, tuple)
        outputs = tuple(_as_output(r, inputs) for r in (result if several else (result,)))
        if grad_mode._state.enabled and True in ctx.needs_input_grad:
            ctx.attach(inputs, ctx.needs_input_grad, outputs)
        else:
            ctx._saved = ()  # nothing will run backward: drop saved tensors now
        return outputs if several else outputs[0]

    def differentiate(self, grads, create_graph):
        """Run the learner's `backward` on Tensors (the engine has switched recording on only
        under `create_graph`). Without it the engine passes arrays, and takes arrays back."""
        if create_graph:
            return self.backward(self, *grads)
        results = self.backward(self, *[as_tensor(g) for g in grads])
        if not isinstance(results, tuple):
            results = (results,)
        needs = self.needs_input_grad + (False,) * len(results)  # (a count mismatch is the
        for index, result in enumerate(results):  # engine's error)
            if result is not None and not isinstance(result, Tensor) and needs[index]:
                raise TypeError(f"function {self.name()} returned a gradient different than None "
                                f"at position {index + 1}, but the corresponding forward input "
                                "was not a Variable")
        return tuple([r._data if isinstance(r, Tensor) else None for r in results])


class AccumulateGrad(Node):
    """The node at a leaf tensor: backward adds the incoming gradient into `variable.grad`."""

    __slots__ = ("variable",)
    node_name = "AccumulateGrad"
    next_functions = ()
    sequence_nr = float("inf")  # leaves take their gradient as soon as it is complete

    def __init__(self, variable):
        self.variable = variable
        self._saved = ()


def as_tensor(array):
    """Wrap a gradient array for code that expects a Tensor (None stays None)."""
    if array is None or isinstance(array, Tensor):
        return array
    if isinstance(array, np.generic):  # numpy turns 0-d results into scalars; keep arrays
        array = np.asarray(array)
    return Tensor._from_array(array)


def accumulate_grad_node(tensor):
    """The one `AccumulateGrad` node of a leaf, shared by every operation that uses it."""
    node = tensor._grad_accumulator() if tensor._grad_accumulator is not None else None
    if node is None:
        node = AccumulateGrad(tensor)
        tensor._grad_accumulator = weakref.ref(node)
    return node


def gradient_edge(tensor):
    """Where a tensor's gradient must go: `(grad_fn, output_nr)`, or its AccumulateGrad (the
    method `tensor._gradient_edge()`)."""
    if tensor._view is not None:
        tensor._follow_base()
    if tensor._grad_fn is not None:
        return (tensor._grad_fn, tensor._output_nr)
    if tensor._view is not None and not tensor._requires_grad:
        return _NO_EDGE  # a view made under no_grad: PyTorch sends its gradient nowhere
    return (accumulate_grad_node(tensor), 0)


Tensor._gradient_edge = gradient_edge


def _as_output(result, inputs):
    """Wrap what forward returned as a fresh Tensor (a Tensor is taken as it is)."""
    if isinstance(result, Tensor):
        if any(result is x for x in inputs):
            return result.detach()  # an input returned unchanged gets a new identity
        return result
    return as_tensor(result)


def _made_by(tensor):
    return (f"output {tensor._output_nr} of {tensor._grad_fn.name()}" if tensor._grad_fn
            else "a leaf tensor")


def _modified_inplace_message(tensor, expected_version, made_by):
    return (
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{tensor.dtype.name} tensor of shape {list(tensor.shape)}], which is "
        f"{made_by}, is at version {tensor._version_cell[0]}; expected version "
        f"{expected_version} instead. Hint: the operation that modified it in place (add_, "
        "mul_, +=, x[...] = ...) came after it was used; use an out-of-place version "
        "(x = x + 1) or .clone() it first."
    )
