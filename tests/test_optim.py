"""optim: SGD and Adam follow PyTorch's update rules; Optimizer's groups, state and errors."""

import copy
import importlib.util
import math

import numpy as np
import pytest

import autograd_lab as alt
from autograd_lab import nn, optim

HAS_TORCH = importlib.util.find_spec("torch") is not None
torch_only = [pytest.mark.torch_reference,
              pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed")]


def _mlp(lib, seed=0):
    lib.manual_seed(seed)
    return lib.nn.Sequential(lib.nn.Linear(5, 4), lib.nn.Tanh(), lib.nn.Linear(4, 3)).double()


def _data(seed=1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((8, 5)), rng.standard_normal((8, 3))


def _train(lib, model, optimizer, x, y, steps):
    x, y = lib.tensor(x), lib.tensor(y)
    loss_fn = lib.nn.MSELoss()
    for _ in range(steps):
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()


def _params(model):
    return [p.detach().numpy().copy() for p in model.parameters()]


# -- against PyTorch -------------------------------------------------------------------------

SGD_SETTINGS = [
    dict(lr=0.1),
    dict(lr=0.1, momentum=0.9),
    dict(lr=0.1, momentum=0.9, nesterov=True),
    dict(lr=0.1, momentum=0.9, dampening=0.5),
    dict(lr=0.1, weight_decay=0.1),
    dict(lr=0.05, momentum=0.8, weight_decay=0.01, nesterov=True),
    dict(lr=0.1, momentum=0.5, maximize=True),
]
ADAM_SETTINGS = [
    dict(lr=0.01),
    dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6),
    dict(lr=0.01, weight_decay=0.1),
    dict(lr=0.01, amsgrad=True),
    dict(lr=0.01, weight_decay=0.05, amsgrad=True),
    dict(lr=0.01, maximize=True),
    dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True),
]


def _compare_with_torch(optimizer_name, settings, steps=6):
    import torch

    ours, theirs = _mlp(alt), _mlp(torch)
    with torch.no_grad():
        for mine, its in zip(ours.parameters(), theirs.parameters()):
            its.copy_(torch.from_numpy(mine.detach().numpy()))
    x, y = _data()
    _train(alt, ours, getattr(alt.optim, optimizer_name)(ours.parameters(), **settings),
           x, y, steps)
    _train(torch, theirs, getattr(torch.optim, optimizer_name)(theirs.parameters(), **settings),
           x, y, steps)
    for mine, its in zip(_params(ours), _params(theirs)):
        np.testing.assert_allclose(mine, its, rtol=0, atol=1e-6)
    assert not np.allclose(_params(ours)[0], _params(_mlp(alt))[0]), "nothing was trained"


@pytest.mark.parametrize("settings", SGD_SETTINGS, ids=str)
@pytest.mark.torch_reference
@pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed")
def test_sgd_steps_match_pytorch_in_float64(settings):
    _compare_with_torch("SGD", settings)


@pytest.mark.parametrize("settings", ADAM_SETTINGS, ids=str)
@pytest.mark.torch_reference
@pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed")
def test_adam_steps_match_pytorch_in_float64(settings):
    _compare_with_torch("Adam", settings)


@pytest.mark.parametrize("settings", [dict(), dict(lr=0.01, weight_decay=0.1, amsgrad=True)],
                         ids=str)
@pytest.mark.torch_reference
@pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed")
def test_adamw_steps_match_pytorch_in_float64(settings):
    _compare_with_torch("AdamW", settings)


@pytest.mark.torch_reference
@pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed")
def test_param_groups_with_their_own_settings_match_pytorch():
    import torch

    ours, theirs = _mlp(alt), _mlp(torch)
    theirs.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in ours.state_dict().items()})
    x, y = _data()
    for lib, model in ((alt, ours), (torch, theirs)):
        groups = [{"params": model[0].parameters(), "lr": 0.2, "momentum": 0.5},
                  {"params": model[2].parameters()}]
        _train(lib, model, lib.optim.SGD(groups, lr=0.05, momentum=0.9), x, y, 5)
    for mine, its in zip(_params(ours), _params(theirs)):
        np.testing.assert_allclose(mine, its, rtol=0, atol=1e-6)


# -- the rules, checked by hand --------------------------------------------------------------

def _one_weight(value=1.0):
    return nn.Parameter(alt.tensor([value], dtype=alt.float64))


def _step(optimizer, w, grad):
    w.grad = alt.tensor([grad], dtype=alt.float64)
    optimizer.step()
    return w.item()


def test_plain_sgd_moves_against_the_gradient():
    w = _one_weight()
    assert _step(optim.SGD([w], lr=0.1), w, 2.0) == pytest.approx(0.8)


def test_sgd_momentum_buffer_starts_as_the_gradient_then_accumulates():
    w = _one_weight()
    sgd = optim.SGD([w], lr=0.1, momentum=0.9)
    assert _step(sgd, w, 1.0) == pytest.approx(0.9)
    assert sgd.state[w]["momentum_buffer"].item() == pytest.approx(1.0)
    assert _step(sgd, w, 1.0) == pytest.approx(0.9 - 0.1 * 1.9)
    assert sgd.state[w]["momentum_buffer"].item() == pytest.approx(1.9)


def test_adam_first_step_moves_each_weight_by_about_lr():
    w = nn.Parameter(alt.tensor([1.0, 1.0], dtype=alt.float64))
    adam = optim.Adam([w], lr=0.01)
    w.grad = alt.tensor([1000.0, 0.001], dtype=alt.float64)
    adam.step()
    np.testing.assert_allclose(w.detach().numpy(), [0.99, 0.99], rtol=1e-4)
    assert adam.state[w]["step"].item() == 1


def test_adam_bias_correction_on_the_second_step():
    w = _one_weight(0.0)
    adam = optim.Adam([w], lr=0.1, betas=(0.5, 0.5), eps=0.0)
    _step(adam, w, 2.0)  # m = 1, v = 2 -> m̂ = 2, v̂ = 4: step of -0.1
    m, v = 0.5 * 1 + 0.5 * 4.0, 0.5 * 2 + 0.5 * 16.0
    expected = -0.1 - 0.1 * (m / 0.75) / math.sqrt(v / 0.75)
    assert _step(adam, w, 4.0) == pytest.approx(expected)


def test_parameters_without_grad_are_left_alone():
    a, b = _one_weight(1.0), _one_weight(2.0)
    sgd = optim.SGD([a, b], lr=0.1, momentum=0.9)
    a.grad = alt.tensor([1.0], dtype=alt.float64)
    sgd.step()
    assert b.item() == 2.0 and b not in sgd.state


def test_step_runs_the_closure_with_grad_enabled_and_returns_its_loss():
    w = _one_weight(3.0)
    sgd = optim.SGD([w], lr=0.1)

    def closure():
        sgd.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with alt.no_grad():
        loss = sgd.step(closure)
    assert loss.item() == 9.0
    assert w.item() == pytest.approx(3.0 - 0.1 * 6.0)


def test_step_records_nothing_in_the_graph():
    model = nn.Linear(3, 2)
    sgd = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(alt.ones(1, 3)).sum().backward()
    sgd.step()
    assert all(p.is_leaf and p.grad_fn is None for p in model.parameters())
    assert sgd.state[model.weight]["momentum_buffer"].requires_grad is False


def test_optimizer_zero_grad_sets_none_or_zeros():
    model = nn.Linear(3, 2)
    sgd = optim.SGD(model.parameters(), lr=0.1)
    model(alt.ones(1, 3)).sum().backward()
    sgd.zero_grad(set_to_none=False)
    assert all(p.grad is not None and p.grad.abs().sum().item() == 0
               for p in model.parameters())
    sgd.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_the_same_parameter_in_two_groups_is_refused():
    w = _one_weight()
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": [w]}, {"params": [w]}], lr=0.1)


def test_add_param_group_fills_in_the_defaults():
    a, b = _one_weight(), _one_weight()
    sgd = optim.SGD([a], lr=0.1, momentum=0.9)
    sgd.add_param_group({"params": b, "lr": 0.5})
    assert sgd.param_groups[1]["lr"] == 0.5 and sgd.param_groups[1]["momentum"] == 0.9
    assert len(sgd.param_groups[1]["params"]) == 1 and sgd.param_groups[1]["params"][0] is b


@pytest.mark.parametrize("make, message", [
    (lambda p: optim.SGD(p, lr=-1), "Invalid learning rate: -1"),
    (lambda p: optim.SGD(p, lr=0.1, momentum=-0.5), "Invalid momentum value: -0.5"),
    (lambda p: optim.SGD(p, lr=0.1, nesterov=True), "Nesterov momentum requires a momentum"),
    (lambda p: optim.SGD(p, lr=0.1, weight_decay=-1), "Invalid weight_decay value: -1"),
    (lambda p: optim.Adam(p, betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
    (lambda p: optim.Adam(p, eps=-1.0), "Invalid epsilon value: -1.0"),
    (lambda p: optim.SGD([], lr=0.1), "optimizer got an empty parameter list"),
])
def test_bad_settings_raise_pytorchs_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make([_one_weight()])


def test_a_single_tensor_instead_of_an_iterable_is_refused():
    with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
        optim.SGD(_one_weight(), lr=0.1)


def test_non_leaf_tensors_cannot_be_optimized():
    w = _one_weight()
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([w * 2], lr=0.1)


# -- saving and loading ----------------------------------------------------------------------

@pytest.mark.parametrize("make", [lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
                                  lambda p: optim.Adam(p, lr=0.01, amsgrad=True)])
def test_state_dicts_resume_training_exactly(make):
    x, y = _data()
    model = _mlp(alt)
    optimizer = make(model.parameters())
    _train(alt, model, optimizer, x, y, 3)
    saved_model = copy.deepcopy(model.state_dict())
    saved_optimizer = copy.deepcopy(optimizer.state_dict())
    _train(alt, model, optimizer, x, y, 3)

    resumed = _mlp(alt, seed=5)
    resumed.load_state_dict(saved_model)
    resumed_optimizer = make(resumed.parameters())
    resumed_optimizer.load_state_dict(saved_optimizer)
    _train(alt, resumed, resumed_optimizer, x, y, 3)
    for mine, theirs in zip(_params(model), _params(resumed)):
        np.testing.assert_array_equal(mine, theirs)


def test_optimizer_state_dict_names_parameters_by_position():
    model = _mlp(alt)
    adam = optim.Adam(model.parameters(), lr=0.01)
    x, y = _data()
    _train(alt, model, adam, x, y, 1)
    state = adam.state_dict()
    assert state["param_groups"][0]["params"] == [0, 1, 2, 3]
    assert state["param_groups"][0]["lr"] == 0.01
    assert sorted(state["state"]) == [0, 1, 2, 3]
    assert set(state["state"][0]) == {"step", "exp_avg", "exp_avg_sq"}


def test_loading_a_state_dict_with_other_groups_is_refused():
    a, b = _one_weight(), _one_weight()
    saved = optim.SGD([a, b], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        optim.SGD([a], lr=0.1).load_state_dict(saved)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1).load_state_dict(saved)


@pytest.mark.torch_reference
@pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed")
def test_optimizer_repr_matches_pytorch_layout():
    import torch

    ours = optim.SGD([_one_weight()], lr=0.1, momentum=0.9)
    theirs = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    ours_lines = repr(ours).splitlines()
    assert ours_lines[:2] == repr(theirs).splitlines()[:2] == ["SGD (", "Parameter Group 0"]
    assert set(ours_lines[2:-1]) <= set(repr(theirs).splitlines()[2:-1])
