"""Every op's gradients against central finite differences, first and second order, and its
one derivative formula run both ways (on arrays, and recorded under `create_graph`).

The example registry (`op_examples.py`) drives these tests; `test_every_op_has_an_example`
fails as soon as an op class exists that no example exercises.
"""

import numpy as np
import pytest
from op_examples import EXAMPLES

import autograd_lab as alt
from autograd_lab.autograd import Node, gradcheck, gradgradcheck
from autograd_lab.ops.op import Op

SMOOTH = [example for example in EXAMPLES if example.smooth]


def leaves(example, dtype=alt.float64):
    return [alt.tensor(a, dtype=dtype, requires_grad=True) for a in example.arrays()]


def as_tuple(out):
    return out if isinstance(out, tuple) else (out,)


def float_outputs(example):
    """The example as a function of its inputs, keeping only its float outputs (not indices)."""
    def run(*inputs):
        return tuple(o for o in as_tuple(example.fn(alt, *inputs)) if o.is_floating_point())
    return run


@pytest.mark.parametrize("example", SMOOTH, ids=repr)
def test_gradients_match_finite_differences(example):
    assert gradcheck(float_outputs(example), leaves(example))


@pytest.mark.parametrize("dtype", [alt.float64, alt.float32], ids=str)
@pytest.mark.parametrize("example", EXAMPLES, ids=repr)
def test_the_formula_gives_the_same_gradient_on_arrays_and_recorded(example, dtype):
    """A plain backward runs each op's formula on arrays; `create_graph=True` runs the same
    formula on Tensors, recording it. Both must give the same numbers, dtypes and shapes."""
    inputs = leaves(example, dtype)
    outputs = [o for o in as_tuple(example.fn(alt, *inputs)) if o.requires_grad]
    rng = np.random.default_rng(0)
    seeds = [alt.tensor(rng.standard_normal(o.shape), dtype=o.dtype) for o in outputs]
    on_arrays = alt.autograd.grad(outputs, inputs, seeds, retain_graph=True, allow_unused=True)
    recorded = alt.autograd.grad(outputs, inputs, seeds, create_graph=True, allow_unused=True)
    for plain, graph in zip(on_arrays, recorded):
        assert (plain is None) == (graph is None)
        if plain is not None:
            assert plain.grad_fn is None and plain.dtype == graph.dtype
            assert plain.shape == graph.shape
            np.testing.assert_allclose(plain.numpy(), graph.detach().numpy(), rtol=1e-6,
                                       atol=1e-12, equal_nan=True)


@pytest.mark.parametrize("example", SMOOTH, ids=repr)
def test_second_derivatives_match_finite_differences(example):
    assert gradgradcheck(float_outputs(example), leaves(example))


def op_classes():
    """Every node class defined in autograd_lab.ops (an explicit stack, no recursion)."""
    found, stack = set(), list(Node.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("autograd_lab.ops.") and cls is not Op:
            found.add(cls)
    return found


def node_classes(tensors):
    """The classes of all nodes in the graphs behind `tensors`."""
    seen, stack = set(), [t.grad_fn for t in tensors if t.grad_fn is not None]
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(n for n, _ in getattr(node, "next_functions", ()) if n is not None)
    return {type(node) for node in seen}


def test_every_op_has_an_example():
    seen = set()
    for example in EXAMPLES:
        inputs = leaves(example)
        outputs = [o for o in as_tuple(example.fn(alt, *inputs)) if o.requires_grad]
        seen |= node_classes(outputs)
        # nodes that only backward creates (IndexAdd, ...) show up in the gradients' graphs
        seeds = [alt.ones_like(o).requires_grad_() for o in outputs]
        grads = alt.autograd.grad(outputs, inputs, seeds, create_graph=True, allow_unused=True)
        seen |= node_classes([g for g in grads if g is not None])
    missing = sorted(cls.__name__ for cls in op_classes() - seen)
    assert not missing, f"ops without an example in tests/op_examples.py: {missing}"


def test_registry_names_are_unique():
    names = [example.name for example in EXAMPLES]
    assert len(names) == len(set(names))
