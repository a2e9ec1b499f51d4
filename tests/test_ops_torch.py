"""Every op against PyTorch on the same float64 inputs: values, gradients, second derivatives
(Hessian-vector products through backward) and grad_fn names.

Driven by the example registry (`op_examples.py`); skipped when torch is not installed.
Values and gradients must agree within 1e-6 relative (NaN and inf must sit at the same places).
"""

import numpy as np
import pytest
from op_examples import EXAMPLES, needs_torch

import autograd_lab as alt

pytestmark = [needs_torch, pytest.mark.torch_reference]


def as_tuple(out):
    return out if isinstance(out, tuple) else (out,)


def run_both(example):
    import torch

    arrays = example.arrays()
    ours = [alt.tensor(a, dtype=alt.float64, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    return (ours, as_tuple(example.fn(alt, *ours)),
            theirs, as_tuple(example.fn(torch, *theirs)))


def assert_close(ours, theirs, what):
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-12, err_msg=what)


@pytest.mark.parametrize("example", EXAMPLES, ids=repr)
def test_values_match_pytorch(example):
    _, ours, _, theirs = run_both(example)
    assert len(ours) == len(theirs)
    for i, (o, t) in enumerate(zip(ours, theirs)):
        assert o.shape == tuple(t.shape), f"output {i}"
        assert repr(o.dtype).split(".")[1] == str(t.dtype).split(".")[1], f"output {i}"
        assert_close(o.detach().numpy(), t.detach().numpy(), f"output {i}")


@pytest.mark.parametrize("example", EXAMPLES, ids=repr)
def test_gradients_match_pytorch(example):
    import torch

    inputs, ours, their_inputs, theirs = run_both(example)
    pairs = [(o, t) for o, t in zip(ours, theirs) if t.requires_grad]
    assert [o.requires_grad for o, _ in pairs] == [True] * len(pairs)
    if not pairs:
        return
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal(tuple(t.shape)) for _, t in pairs]
    our_grads = alt.autograd.grad([o for o, _ in pairs], inputs,
                                  [alt.tensor(w, dtype=alt.float64) for w in weights],
                                  allow_unused=True)
    their_grads = torch.autograd.grad([t for _, t in pairs], their_inputs,
                                      [torch.tensor(w, dtype=torch.float64) for w in weights],
                                      allow_unused=True)
    for i, (g, h) in enumerate(zip(our_grads, their_grads)):
        expected = np.zeros(inputs[i].shape) if h is None else h.numpy()
        got = np.zeros(inputs[i].shape) if g is None else g.numpy()
        assert_close(got, expected, f"gradient of input {i}")


@pytest.mark.parametrize("example", EXAMPLES, ids=repr)
def test_grad_fn_names_match_pytorch(example):
    _, ours, _, theirs = run_both(example)
    for o, t in zip(ours, theirs):
        if t.grad_fn is None:
            assert o.grad_fn is None
            continue
        their_name = t.grad_fn.name().replace("torch::autograd::", "")
        if example.name_differs:
            assert o.grad_fn.name() != their_name, "no longer differs: drop name_differs"
        else:
            assert o.grad_fn.name() == their_name


def second_derivatives(lib, inputs, outputs, weights, directions):
    """d/dx of Σ (first gradient · direction): a Hessian-vector product through backward."""
    pairs = [o for o in outputs if o.requires_grad]
    grads = lib.autograd.grad(pairs, inputs, weights, create_graph=True, allow_unused=True)
    terms = [(g * d).sum() for g, d in zip(grads, directions)
             if g is not None and g.requires_grad]
    if not terms:
        return [None] * len(inputs)
    return lib.autograd.grad(sum(terms), inputs, allow_unused=True)


@pytest.mark.parametrize("example", [e for e in EXAMPLES if not e.second_order_differs],
                         ids=repr)
def test_second_derivatives_match_pytorch(example):
    import torch

    inputs, ours, their_inputs, theirs = run_both(example)
    shapes = [tuple(t.shape) for t in theirs if t.requires_grad]
    if not shapes:
        return
    rng = np.random.default_rng(1)
    weights = [rng.standard_normal(s) for s in shapes]
    directions = [rng.standard_normal(x.shape) for x in inputs]
    ours_2 = second_derivatives(alt, inputs, ours,
                                [alt.tensor(w, dtype=alt.float64) for w in weights],
                                [alt.tensor(d, dtype=alt.float64) for d in directions])
    theirs_2 = second_derivatives(torch, their_inputs, theirs,
                                  [torch.tensor(w, dtype=torch.float64) for w in weights],
                                  [torch.tensor(d, dtype=torch.float64) for d in directions])
    for i, (g, h) in enumerate(zip(ours_2, theirs_2)):
        expected = np.zeros(inputs[i].shape) if h is None else h.numpy(force=True)
        got = np.zeros(inputs[i].shape) if g is None else g.detach().numpy()
        assert_close(got, expected, f"second derivative for input {i}")
