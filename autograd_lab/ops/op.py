"""`Op`: the base class of every built-in operation. One derivative formula, two ways to run it.

A learner's `autograd.Function` works on Tensors. The built-in operations work on the arrays
inside them (numpy on "cpu", cupy on "cuda"), so that an ordinary backward pass makes no Tensor
and no node at all:

    class Mul(Op):
        def forward(self, x, y):                # arrays in, array out
            self.save_for_backward(x, y)
            return x * y

        def backward(self, xp, saved, grad):     # one gradient per input
            x, y = saved
            return grad * y, grad * x

`backward` is written once, over `xp`, and runs two ways:

- `backward()` as usual: `xp` is numpy (or cupy), `saved` and `grad` are arrays;
- `backward(create_graph=True)`: `xp` is `ops.recorded`, which has numpy's names but records
  each call as a graph node, and `saved` and `grad` are Tensors: the same formula builds the
  graph of the gradient, which can be differentiated again.

So a formula may use operators (`*`, `-`, `/`, `**`, comparisons) and `xp.<numpy name>`, and
nothing that exists on only one side. The node's name, `MulBackward0`, comes from the class.
"""

import numpy as np

from autograd_lab.autograd import grad_mode, views
from autograd_lab.autograd.function import Node, unpack_inputs
from autograd_lab.backend import array_module
from autograd_lab.ops import recorded
from autograd_lab.tensor import Tensor


class Op(Node):
    """A built-in operation: `forward` and `backward` on arrays (see the module docstring).

    Class settings: `saves_output` (the output is saved too, last of `saved`: exp, tanh);
    `is_view` (the output shares storage with the first input: reshape, transpose);
    `version` (the digit PyTorch puts after "Backward" in the node's name).
    """

    is_view = False
    version = 0

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "node_name" not in cls.__dict__:
            cls.node_name = f"{cls.__name__}Backward{cls.version}"

    def forward(self, *arrays, **settings):
        raise NotImplementedError

    def backward(self, xp, saved, *grads):
        raise NotImplementedError

    def save_for_backward(self, *arrays):
        """Keep arrays for backward; `apply` swaps each input's array for its Tensor."""
        self._saved = arrays

    @classmethod
    def apply(cls, *inputs, **settings):
        """Run forward on the inputs' arrays; when an input requires grad, record a node."""
        node = cls.__new__(cls)
        node._saved = ()
        arrays, node.needs_input_grad, device = unpack_inputs(inputs)
        result = node.forward(*arrays, **settings)
        several = isinstance(result, tuple)
        if type(result) is np.ndarray:  # the usual case
            outputs = (Tensor._from_array(result, device),)
        else:
            outputs = tuple([_wrap(r, device) for r in (result if several else (result,))])
        if cls.is_view:
            views.record_views(inputs[0], outputs, cls, settings, several)
        if grad_mode._state.enabled and True in node.needs_input_grad:
            if node._saved or cls.saves_output:
                node._keep_saved(inputs, outputs[0])
            node.attach(inputs, node.needs_input_grad, outputs)
        else:
            node._saved = ()  # nothing will run backward: drop saved arrays now
        return outputs if several else outputs[0]

    def _keep_saved(self, inputs, output):
        """Turn the arrays forward saved into `(tensor, version, grad_fn)`: an input's array
        becomes that input, any other array a constant Tensor (None and numbers stay); the
        output goes last, detached (holding its own node, it would make a reference cycle)."""
        kept = []
        for array in self._saved:
            if hasattr(array, "dtype"):
                for x in inputs:
                    if isinstance(x, Tensor) and x._data is array:
                        kept.append((x, x._version_cell[0], x._grad_fn))
                        break
                else:  # an array made by forward: a constant
                    kept.append((_wrap(array, None), 0, None))
            else:  # None, or a number: kept as it is
                kept.append(array)
        if self.saves_output:
            kept.append((output.detach(), output._version_cell[0], None))
        self._saved = tuple(kept)

    def differentiate(self, grads, create_graph):
        """The gradients of the inputs, from the gradients of the outputs (see the module
        docstring: arrays and numpy, or Tensors and `ops.recorded` under `create_graph`)."""
        if create_graph:
            saved = self._check_saved()
            if self.saves_output:  # the output is this node's output again
                output = saved[-1] = saved[-1].detach()
                output._grad_fn, output._requires_grad = self, True
            return self.backward(recorded, saved, *grads)
        if self._released:
            self._check_saved()  # raises PyTorch's error
        saved = []
        for entry in self._saved:  # the checks of `_check_saved`, made fast
            if type(entry) is tuple:  # (tensor, version, grad_fn)
                tensor, version, grad_fn = entry
                detached = grad_fn is not None and tensor._grad_fn is None
                if tensor._version_cell[0] != version or detached:
                    self._check_saved()  # raises PyTorch's error
                entry = tensor._data
            saved.append(entry)
        grad = grads[0]
        xp = np if type(grad) is np.ndarray else array_module(grad)
        return self.backward(xp, saved, *grads)

    @classmethod
    def run(cls, xp, *inputs, **settings):
        """Use this op inside another op's `backward`: recorded when `xp` is `ops.recorded`,
        straight on the arrays otherwise (`Index.run(xp, grad, index=key)`)."""
        if xp is recorded:
            return cls.apply(*inputs, **settings)
        node = cls.__new__(cls)
        node.needs_input_grad = (False,) * len(inputs)
        return node.forward(*inputs, **settings)


def _wrap(array, device):
    """A result array as a new Tensor (numpy makes scalars of 0-d results: arrays again)."""
    if type(array) is not np.ndarray and isinstance(array, np.generic):
        array = np.asarray(array)
    return Tensor._from_array(array, device)
