"""Property-based op tests: hypothesis draws shapes for broadcasting and reductions, and small
random computation graphs are built from the op set; all are checked against numpy values and
central finite differences."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import (
    array_shapes,
    basic_indices,
    integer_array_indices,
    mutually_broadcastable_shapes,
)

import autograd_lab as alt
from autograd_lab.autograd import gradcheck, gradgradcheck

# (ours, numpy's) for two operands; the second operand is always in [0.5, 2]
BINARY = {
    "add": (lambda x, y: x + y, np.add),
    "sub": (lambda x, y: x - y, np.subtract),
    "mul": (lambda x, y: x * y, np.multiply),
    "div": (lambda x, y: x / y, np.divide),
    "pow": (lambda x, y: y ** x, lambda a, b: b ** a),
    "maximum": (alt.maximum, np.maximum),
    "minimum": (alt.minimum, np.minimum),
    "where": (lambda x, y: alt.where(x > 0, x, y), lambda a, b: np.where(a > 0, a, b)),
}


def leaf(array):
    return alt.tensor(array, dtype=alt.float64, requires_grad=True)


@settings(max_examples=40, deadline=None)
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
       name=st.sampled_from(sorted(BINARY)), seed=st.integers(0, 2**16))
def test_broadcasting_binary_ops_match_numpy_and_finite_differences(shapes, name, seed):
    ours, reference = BINARY[name]
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shapes.input_shapes[0])
    b = rng.uniform(0.5, 2.0, shapes.input_shapes[1])
    x, y = leaf(a), leaf(b)
    out = ours(x, y)
    assert out.shape == shapes.result_shape
    np.testing.assert_allclose(out.detach().numpy(), reference(a, b), rtol=1e-12)
    assert gradcheck(ours, (x, y))


def distinct_values(shape, rng):
    """Values at least 0.3 apart and away from 0: no ties, no zero in a product."""
    n = int(np.prod(shape))
    return ((rng.permutation(n) - n // 2) * 0.3 + 0.1).reshape(shape)


# (ours(x, dims, keepdim), numpy's(a, axis, keepdims), takes only one dim)
REDUCTIONS = {
    "sum": (lambda x, d, k: x.sum(d, keepdim=k), np.sum, False),
    "mean": (lambda x, d, k: x.mean(d, keepdim=k), np.mean, False),
    "prod_one_dim": (lambda x, d, k: x.prod(d, keepdim=k), np.prod, True),
    "var": (lambda x, d, k: x.var(d, keepdim=k, correction=0), np.var, False),
    "std": (lambda x, d, k: x.std(d, keepdim=k, correction=0), np.std, False),
    "amax": (lambda x, d, k: x.amax(d, keepdim=k), np.amax, False),
    "amin": (lambda x, d, k: x.amin(d, keepdim=k), np.amin, False),
    "max_one_dim": (lambda x, d, k: x.max(d, keepdim=k).values, np.max, True),
    "min_one_dim": (lambda x, d, k: x.min(d, keepdim=k).values, np.min, True),
    "softmax_one_dim": (lambda x, d, k: x.softmax(d),
                        lambda a, axis, keepdims: np.exp(a) / np.exp(a).sum(axis, keepdims=True),
                        True),
}


@settings(max_examples=60, deadline=None)
@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=3), data=st.data())
def test_reductions_over_drawn_dims_match_numpy_and_finite_differences(shape, data):
    name = data.draw(st.sampled_from(sorted(REDUCTIONS)), label="op")
    ours, reference, one_dim = REDUCTIONS[name]
    ndim = len(shape)
    if one_dim:
        dims = data.draw(st.integers(-ndim, ndim - 1), label="dim")
        axis = dims % ndim
    else:
        axes = data.draw(st.lists(st.integers(0, ndim - 1), min_size=1, unique=True), label="dims")
        dims = tuple(d - ndim if data.draw(st.booleans(), label="negative") else d for d in axes)
        axis = tuple(axes)
    keepdim = data.draw(st.booleans(), label="keepdim")
    # a std over one element is 0, where the square root has no derivative
    assume(name != "std" or np.prod([shape[a] for a in np.atleast_1d(axis)]) > 1)
    a = distinct_values(shape, np.random.default_rng(sum(shape)))
    x = leaf(a)
    out = ours(x, dims, keepdim)
    np.testing.assert_allclose(out.detach().numpy(), reference(a, axis=axis, keepdims=keepdim),
                               rtol=1e-12)
    assert gradcheck(lambda t: ours(t, dims, keepdim), (x,))


def no_negative_steps(index):
    parts = index if isinstance(index, tuple) else (index,)
    return all(not isinstance(p, slice) or p.step is None or p.step > 0 for p in parts)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), shape=array_shapes(min_dims=1, max_dims=3, max_side=4))
def test_basic_indexing_matches_numpy_and_finite_differences(data, shape):
    index = data.draw(basic_indices(shape, allow_newaxis=True, allow_ellipsis=True)
                      .filter(no_negative_steps), label="index")
    a = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    x = leaf(a)
    out = x[index]
    np.testing.assert_array_equal(out.detach().numpy(), a[index])
    assert gradcheck(lambda t: t[index] * 1.5, (x,))


@settings(max_examples=40, deadline=None)
@given(data=st.data(), shape=array_shapes(min_dims=1, max_dims=2, max_side=4))
def test_integer_array_indexing_accumulates_like_numpy(data, shape):
    index = data.draw(integer_array_indices(shape, result_shape=array_shapes(max_dims=2,
                                                                              max_side=4)))
    tensors = tuple(alt.tensor(i.astype(np.int64)) for i in index)
    a = np.random.default_rng(len(shape)).standard_normal(shape)
    x = leaf(a)
    out = x[tensors]
    np.testing.assert_array_equal(out.detach().numpy(), a[index])
    out.sum().backward()
    expected = np.zeros(shape)
    np.add.at(expected, index, 1.0)  # every time a position is picked, it gets one more 1
    np.testing.assert_array_equal(x.grad.numpy(), expected)


UNARY_STEPS = [
    alt.tanh, alt.sigmoid, alt.sin, alt.cos, alt.relu,
    lambda v: v * v,
    lambda v: (v * v + 1).log(),
    lambda v: (v * v + 1).sqrt(),
    lambda v: (v * 0.5).exp(),
    lambda v: v.clamp(-0.8, 0.8),
    lambda v: v.softmax(-1),
    lambda v: v.log_softmax(0),
    lambda v: v.sum(-1, keepdim=True),
    lambda v: v.mean(0, keepdim=True),
    lambda v: v.amax(-1, keepdim=True),
    lambda v: v[..., [2, 0, 0]],
    lambda v: alt.cat([v[..., 1:], v[..., :1]], -1),
    lambda v: v.abs() + 0.1,
]
BINARY_STEPS = [
    lambda v, w: v + w,
    lambda v, w: v - w,
    lambda v, w: v * w,
    lambda v, w: v / (w * w + 1),
    alt.maximum,
    lambda v, w: alt.where(v > w, v, w * 2),
    lambda v, w: v * (v * w).sum(-1, keepdim=True),
    lambda v, w: alt.stack([v.expand(2, 3), w.expand(2, 3)]).mean(0),
]


def random_graph(seed):
    """A random function of three inputs: each step applies a random op to earlier values
    (so values get reused: fan-out and fan-in), and the output sums the last two."""
    rng = np.random.default_rng(seed)
    steps = []
    for _ in range(7):
        if rng.random() < 0.5:
            steps.append((UNARY_STEPS[rng.integers(len(UNARY_STEPS))], (rng.integers(99),)))
        else:
            steps.append((BINARY_STEPS[rng.integers(len(BINARY_STEPS))],
                          (rng.integers(99), rng.integers(99))))

    def function(*inputs):
        values = list(inputs)
        for op, picks in steps:
            values.append(op(*[values[p % len(values)] for p in picks]))
        return values[-1].sum() + values[-2].sum()

    inputs = [leaf(rng.standard_normal(shape)) for shape in ((2, 3), (1, 3), (2, 1))]
    return function, inputs


@pytest.mark.parametrize("seed", range(30))
def test_random_graphs_match_finite_differences(seed):
    function, inputs = random_graph(seed)
    assert gradcheck(function, inputs)
    assert gradgradcheck(function, inputs)
