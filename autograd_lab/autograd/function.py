"""`Function`: one differentiable operation, and the graph node it leaves behind.

A Function subclass says how to compute an output (`forward`) and how to turn the gradient of
the output into gradients of the inputs (`backward`). `apply` runs `forward` and, when any input
requires grad, records a node in the graph. That node *is* the `ctx` object forward received,
so whatever forward saved with `ctx.save_for_backward(...)` is there for backward:

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

The built-in operations in `autograd_lab.ops` are written exactly like this.
"""

import itertools
import weakref

import numpy as np

from autograd_lab.autograd import anomaly, events, grad_mode, views

_sequence = itertools.count()  # creation order of nodes: later nodes run first in backward


class Node:
    """A node of the backward graph (what `tensor.grad_fn` points to).

    `next_functions` holds one `(node, output_nr)` pair per input of the operation: the node
    that produced that input (or its `AccumulateGrad` if it is a leaf), or `(None, 0)` when the
    input needs no gradient.
    """

    __slots__ = ()
    node_name = "Node"
    number_of_outputs = 1  # an operation with several outputs sets its own count
    tensor_hooks = None  # output_nr -> hooks registered with `tensor.register_hook`

    def name(self):
        """The node's name as PyTorch prints it, e.g. `"AddBackward0"`."""
        return self.node_name

    def __repr__(self):
        return f"<{self.node_name} object at {id(self):#x}>"


class Function(Node):
    """Base class of every differentiable operation; subclass it and write two static methods.

    - `forward(ctx, *inputs, **settings)` computes the result. It may return a Tensor, or, as
      the built-in ops do, a raw array that `apply` wraps.
    - `backward(ctx, *grad_outputs)` returns one gradient per input of forward (None for inputs
      that need none), written with Tensor operations so that `create_graph=True` can record it.

    On `ctx`: `save_for_backward(*tensors)`, `saved_tensors`, `needs_input_grad`; any other
    attribute (`ctx.shape = ...`) may be set freely in forward.
    """

    __slots__ = ("next_functions", "needs_input_grad", "input_shapes", "sequence_nr",
                 "_saved", "__dict__", "__weakref__")
    _released = False  # becomes True when backward frees the saved tensors
    _hooks = None  # hooks added with `register_hook`, rarely any: a class default is free
    computes_on_arrays = False  # built-in ops set True: no Tensor ops inside, no mode switch
    is_view = False  # True when the output shares storage with the first input
    saves_output = False  # True: the output is saved too, last of `saved_tensors` (exp, relu)
    _had_history = ()  # per saved tensor: did it have a grad_fn when it was saved?

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

    # -- what forward uses to keep tensors for backward ------------------------------------

    def save_for_backward(self, *tensors):
        """Keep tensors (or None) for backward; their version is remembered to catch in-place
        changes made before backward runs."""
        self._saved = tuple([(t, t._version_cell[0]) if t is not None else (None, 0)
                             for t in tensors])
        self._had_history = tuple([t is not None and t._grad_fn is not None for t in tensors])

    @property
    def saved_tensors(self):
        """The tensors given to `save_for_backward`, checked to be unchanged since."""
        if self._released:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Saved intermediate values of the "
                "graph are freed when you call .backward() or autograd.grad(). Specify "
                "retain_graph=True if you need to backward through the graph a second time or "
                "if you need to access saved tensors after calling backward."
            )
        tensors = [tensor for tensor, _ in self._saved]
        if self.saves_output:  # the output, stored without its grad_fn (see `apply`)
            output = tensors[-1] = tensors[-1].detach()
            output._grad_fn, output._requires_grad = self, True
        for tensor, had_history in zip(tensors, self._had_history):
            if had_history and tensor._grad_fn is None:  # its history was cut by detach_()
                raise RuntimeError("Trying to use a saved tensor that has been detached in-place, "
                                   "i.e. with .detach_().This is not supported, please use "
                                   "out-of-place `.detach()` instead")
        for tensor, (_, version) in zip(tensors, self._saved):
            if tensor is not None and tensor._version_cell[0] != version:
                raise RuntimeError(_modified_inplace_message(tensor, version))
        return tuple(tensors)

    def release(self):
        """Free what forward saved (done by backward unless `retain_graph=True`).

        A node that saved nothing has nothing to free, and backward may run through it again,
        as in PyTorch.
        """
        if self._saved:
            self._saved = ()
            self._released = True

    @property
    def saved(self):
        """What forward saved, as tensors, without the checks of `saved_tensors` (for viewers:
        empty once backward freed it)."""
        return tuple(tensor for tensor, _ in self._saved)

    @property
    def released(self):
        """True once backward has freed what forward saved (`retain_graph=False`)."""
        return self._released

    def register_hook(self, hook):
        """Call `hook(grad_inputs, grad_outputs)` after this node's backward has run."""
        self._hooks = (self._hooks or ()) + (hook,)

    # -- running an operation ----------------------------------------------------------------

    @classmethod
    def apply(cls, *inputs, **settings):
        """Run `forward` and, when grad mode is on and an input requires grad, record a node."""
        # This runs for every operation, including the ones inside backward, so it is kept
        # lean: one pass over the inputs, no per-call dicts, nothing recorded unless needed.
        ctx = cls.__new__(cls)
        ctx._saved = ()
        device = None
        needs = []  # per input: does it need a gradient? (also finds the common device)
        for x in inputs:
            if isinstance(x, Tensor):
                if x._view is not None and grad_mode._state.enabled:
                    needs.append(x._follow_base())  # its history may have to catch up
                else:
                    needs.append(x._requires_grad)
                if device is None:
                    device = x._device
                elif x._device is not device:
                    raise _device_mismatch(device, x._device)
            else:
                needs.append(False)
        ctx.needs_input_grad = needs = tuple(needs)
        record = grad_mode._state.enabled and True in needs
        if cls.computes_on_arrays:
            result = cls.forward(ctx, *inputs, **settings)
        else:
            with grad_mode.no_grad():
                result = cls.forward(ctx, *inputs, **settings)

        if type(result) is np.ndarray:  # what built-in ops return: wrap it, no questions
            outputs = (Tensor._from_array(result, device),)
        elif isinstance(result, tuple):
            outputs = tuple(_as_output(r, device, inputs) for r in result)
        else:
            outputs = (_as_output(result, device, inputs),)
        if cls.is_view:
            views.record_views(inputs[0], outputs, cls, settings, isinstance(result, tuple))
        if record:
            edges, shapes, kinds = [], [], []  # per input: where its gradient goes, its shape
            for x, need in zip(inputs, needs):  # and its dtype (the gradient must match both)
                edges.append(x._gradient_edge() if need else (None, 0))
                shapes.append(x._data.shape if need else None)
                kinds.append(x._data.dtype if need else None)
            ctx.next_functions, ctx.input_shapes = tuple(edges), tuple(shapes)
            ctx.input_dtypes = tuple(kinds)
            ctx.sequence_nr = next(_sequence)
            if len(outputs) > 1:
                ctx.number_of_outputs = len(outputs)
                ctx.output_metadata = tuple((o.shape, o.dtype, o.device) for o in outputs)
            for output_nr, out in enumerate(outputs):
                if out._data.dtype.kind == "f":
                    out._requires_grad = True
                    out._grad_fn = ctx
                    out._output_nr = output_nr
            if cls.saves_output:  # an output pointing at its own node would be a reference
                ctx._saved += ((outputs[0].detach(), outputs[0]._version),)  # cycle: detached
            if anomaly.enabled:
                anomaly.record_forward(ctx)
            if events.listeners:
                events.emit("node_created", node=ctx, outputs=outputs,
                            during_backward=events.backward_passes_running > 0)
        else:
            ctx._saved = ()  # nothing will run backward: drop saved tensors now
        return outputs if isinstance(result, tuple) else outputs[0]


class AccumulateGrad(Node):
    """The node at a leaf tensor: backward adds the incoming gradient into `variable.grad`."""

    __slots__ = ("variable", "__weakref__")
    node_name = "AccumulateGrad"
    next_functions = ()
    sequence_nr = float("inf")  # leaves take their gradient as soon as it is complete

    def __init__(self, variable):
        self.variable = variable


def _device_mismatch(first, second):
    """Mixing devices in one operation is an error, worded as in PyTorch."""
    return RuntimeError("Expected all tensors to be on the same device, but found at least two "
                        f"devices, {first} and {second}!")


def _as_output(result, device, inputs):
    """Wrap an array returned by forward as a fresh Tensor (a Tensor is taken as it is)."""
    if isinstance(result, Tensor):
        if any(result is x for x in inputs):
            return result.detach()  # an input returned unchanged gets a new identity
        return result
    if isinstance(result, np.generic):  # numpy turns 0-d results into scalars; keep arrays
        result = np.asarray(result)
    return Tensor._from_array(result, device)


def _modified_inplace_message(tensor, expected_version):
    made_by = (f"output {tensor._output_nr} of {tensor._grad_fn.name()}" if tensor._grad_fn
               else "a leaf tensor")
    return (
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{tensor.dtype.name} tensor of shape {list(tensor.shape)}], which is "
        f"{made_by}, is at version {tensor._version_cell[0]}; expected version "
        f"{expected_version} instead. Hint: the operation that modified it in place (add_, "
        "mul_, +=, x[...] = ...) came after it was used; use an out-of-place version "
        "(x = x + 1) or .clone() it first."
    )


def accumulate_grad_node(tensor):
    """The one `AccumulateGrad` node of a leaf, shared by every operation that uses it."""
    node = tensor._grad_accumulator() if tensor._grad_accumulator is not None else None
    if node is None:
        node = AccumulateGrad(tensor)
        tensor._grad_accumulator = weakref.ref(node)
    return node


from autograd_lab.tensor import Tensor  # noqa: E402  (tensor.py imports this module)
