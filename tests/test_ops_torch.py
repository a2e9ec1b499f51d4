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


# The ways tutorials call the ops (keywords, tuples, module functions): same results as PyTorch.
CALL_FORMS = [
    lambda t, x, y: x.sum(dim=1, keepdim=True),
    lambda t, x, y: t.mean(x, dim=0),
    lambda t, x, y: x.view(-1, 2),
    lambda t, x, y: x.transpose(1, 0),
    lambda t, x, y: t.cat((x, y), dim=1),
    lambda t, x, y: t.stack((x, y)),
    lambda t, x, y: x.split(1, dim=1)[0],
    lambda t, x, y: x.chunk(2, dim=1)[1],
    lambda t, x, y: t.max(x, dim=1, keepdim=True)[0],
    lambda t, x, y: x.clamp(min=-1, max=1),
    lambda t, x, y: t.clamp(x, -1, 1),
    lambda t, x, y: x.unsqueeze(0).squeeze(dim=0),
    lambda t, x, y: x.unsqueeze(dim=1),
    lambda t, x, y: x.flatten(start_dim=1),
    lambda t, x, y: x.permute(dims=(1, 0)),
    lambda t, x, y: x.reshape(shape=(6,)),
    lambda t, x, y: x.view((3, 2)),
    lambda t, x, y: x.expand(size=(2, 2, 3)),
    lambda t, x, y: t.where(condition=x > 0, input=x, other=y),
    lambda t, x, y: t.softmax(x, dim=1),
    lambda t, x, y: x.std(dim=0, keepdim=True),
    lambda t, x, y: t.norm(x, p=2, dim=1),
    lambda t, x, y: t.matmul(input=x, other=y.t()),
    lambda t, x, y: t.mm(input=x, mat2=y.t()),
    lambda t, x, y: x.transpose(dim0=0, dim1=1),
    lambda t, x, y: t.transpose(x, 0, 1),
    lambda t, x, y: x.max(dim=-1).values,
    lambda t, x, y: x.argmax(dim=1),
    lambda t, x, y: t.argmax(x, dim=1, keepdim=True),
    lambda t, x, y: x.log_softmax(dim=-1),
    lambda t, x, y: t.pow(x, exponent=2),
    lambda t, x, y: x.pow(exponent=2),
    lambda t, x, y: t.add(x, y, alpha=0.5),
    lambda t, x, y: t.sub(input=x, other=y),
    lambda t, x, y: t.mul(input=x, other=2),
    lambda t, x, y: t.div(x, other=2),
    lambda t, x, y: x.masked_fill(mask=x > 0, value=1.0),
    lambda t, x, y: t.sum(x, (0, 1)),
    lambda t, x, y: t.prod(x, dim=1),
    lambda t, x, y: x.var(unbiased=False),
    lambda t, x, y: x.var(dim=1, unbiased=True, keepdim=True),
    lambda t, x, y: t.amax(x, dim=(0, 1)),
    lambda t, x, y: x.squeeze(-1),
    lambda t, x, y: t.outer(x[0], y[1]),
    lambda t, x, y: t.dot(x[0], y[0]),
    lambda t, x, y: t.mv(x, y[0]),
    lambda t, x, y: t.exp(input=x),
    lambda t, x, y: t.relu(input=x),
    lambda t, x, y: t.sigmoid(x),
    lambda t, x, y: t.tanh(input=x),
    lambda t, x, y: t.abs(x),
    lambda t, x, y: t.sqrt(input=x.abs()),
    lambda t, x, y: t.log(input=x.abs()),
    lambda t, x, y: x.clip(min=0),
    lambda t, x, y: t.clip(x, max=0),
    lambda t, x, y: t.maximum(input=x, other=y),
    lambda t, x, y: t.minimum(x, other=y),
    lambda t, x, y: t.split(x, [1, 2], dim=1)[1],
    lambda t, x, y: t.chunk(x, chunks=3, dim=1)[2],
    lambda t, x, y: t.unbind(x, dim=1)[0],
    lambda t, x, y: t.squeeze(x.unsqueeze(0), 0),
    lambda t, x, y: t.unsqueeze(x, dim=0),
    lambda t, x, y: t.flatten(x),
    lambda t, x, y: t.reshape(x, (3, 2)),
    lambda t, x, y: t.t(x),
    lambda t, x, y: t.permute(x, (1, 0)),
    lambda t, x, y: t.cat(tensors=[x, y]),
    lambda t, x, y: t.stack(tensors=[x, y], dim=2),
    lambda t, x, y: t.mean(x, dim=(0, 1), keepdim=True),
    lambda t, x, y: t.std(x, dim=1, correction=0),
    lambda t, x, y: t.min(x, 1)[1],
    lambda t, x, y: t.argmin(x),
    lambda t, x, y: t.clamp(x, min=y),
    lambda t, x, y: x.square(),
    lambda t, x, y: t.square(x),
    lambda t, x, y: x.reciprocal(),
    lambda t, x, y: t.sign(x),
    lambda t, x, y: t.sin(x),
    lambda t, x, y: t.cos(x),
    lambda t, x, y: x.neg(),
    lambda t, x, y: t.neg(x),
    lambda t, x, y: x.exp().log(),
    lambda t, x, y: t.bmm(x.unsqueeze(0), y.t().unsqueeze(0)),
    lambda t, x, y: x.T,
    lambda t, x, y: x[..., None].squeeze((2,)),
    lambda t, x, y: x.sum(dtype=t.float32),
    lambda t, x, y: x.mean(dtype=t.float64),
    lambda t, x, y: t.log_softmax(x, 1, dtype=t.float32),
]


@pytest.mark.parametrize("number", range(len(CALL_FORMS)))
def test_call_forms_match_pytorch(number):
    import torch

    results = []
    for lib in (torch, alt):
        x = lib.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], dtype=lib.float64,
                       requires_grad=True)
        y = lib.tensor([[1.0, 2.0, -0.5], [0.5, -1.5, 1.0]], dtype=lib.float64,
                       requires_grad=True)
        out = CALL_FORMS[number](lib, x, y)
        results.append((tuple(out.shape), str(out.dtype).split(".")[-1],
                        out.grad_fn.name() if out.grad_fn is not None else None,
                        out.detach().numpy()))
    assert results[1][:3] == results[0][:3]
    assert_close(results[1][3], results[0][3], "values")


# Mistakes a learner makes: the same exception type and first line of text as PyTorch.
ERROR_FORMS = [
    lambda t, F, x, y: x.view(4),
    lambda t, F, x, y: x.sum(3),
    lambda t, F, x, y: x.transpose(0, 3),
    lambda t, F, x, y: x.unsqueeze(4),
    lambda t, F, x, y: x.squeeze(5),
    lambda t, F, x, y: x.expand(4, 3),
    lambda t, F, x, y: x.reshape(-1, -1),
    lambda t, F, x, y: x[3],
    lambda t, F, x, y: x[:, 5],
    lambda t, F, x, y: x[[5]],
    lambda t, F, x, y: x[0, 0, 0],
    lambda t, F, x, y: t.cat([x, y], dim=2),
    lambda t, F, x, y: t.stack([x], dim=4),
    lambda t, F, x, y: x.max(2),
    lambda t, F, x, y: x.softmax(2),
    lambda t, F, x, y: x.permute(0, 0),
    lambda t, F, x, y: x.unsqueeze(0).t(),
    lambda t, F, x, y: t.dot(x, y),
    lambda t, F, x, y: t.mv(x, x),
    lambda t, F, x, y: x.masked_fill(t.tensor([True, False]), 0.0),
    lambda t, F, x, y: t.where(x > 0, x, t.ones(3, 2)),
    lambda t, F, x, y: x.argmax(2),
    lambda t, F, x, y: x.norm(dim=3),
    lambda t, F, x, y: x.var(3),
    lambda t, F, x, y: x.prod(3),
    lambda t, F, x, y: x.mean(3),
    lambda t, F, x, y: x.amax(3),
    lambda t, F, x, y: x.flatten(3),
    lambda t, F, x, y: x.chunk(2, dim=3),
    lambda t, F, x, y: x.split(2, dim=3),
    lambda t, F, x, y: t.bmm(x.unsqueeze(0), x.unsqueeze(0)),
    lambda t, F, x, y: x @ t.ones(2, 4, 5),
    lambda t, F, x, y: t.ones(2, 3, 4) @ t.ones(3, 4, 5),
    lambda t, F, x, y: x.mm(t.ones(3)),
    lambda t, F, x, y: F.nll_loss(x, t.tensor([0, 1, 2])),
    lambda t, F, x, y: F.mse_loss(x, t.ones(3, 3)),
    lambda t, F, x, y: x.clamp(min=t.ones(4)),
    lambda t, F, x, y: x ** t.ones(4),
    lambda t, F, x, y: t.maximum(x, t.ones(4)),
    lambda t, F, x, y: x.reshape(7),
    lambda t, F, x, y: x.unbind(2),
    lambda t, F, x, y: x.log_softmax(-3),
    lambda t, F, x, y: x[None, None, 0, 0, 0],
    lambda t, F, x, y: x[t.tensor([[True, False, True]])],
    lambda t, F, x, y: x[t.tensor([0.5])],
    lambda t, F, x, y: x.sum(dim=(0, 2)),
]


@pytest.mark.filterwarnings("ignore:Using a target size")
@pytest.mark.parametrize("number", range(len(ERROR_FORMS)))
def test_errors_match_pytorch(number):
    import torch
    import torch.nn.functional

    from autograd_lab.ops import functional

    raised = []
    for lib, F in ((torch, torch.nn.functional), (alt, functional)):
        with pytest.raises(Exception) as error:
            ERROR_FORMS[number](lib, F, lib.ones(2, 3), lib.ones(2, 3))
        raised.append((type(error.value), str(error.value).splitlines()[0]))
    assert raised[1] == raised[0]
