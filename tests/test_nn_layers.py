"""nn layers, containers, losses, nn.functional and nn.init: values, gradients, errors."""

import importlib.util
import math
from collections import OrderedDict

import numpy as np
import pytest

import autograd_lab as alt
import autograd_lab.nn.functional as F
from autograd_lab import nn
from autograd_lab.autograd import gradcheck

HAS_TORCH = importlib.util.find_spec("torch") is not None
needs_torch = pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed")


def _double(*shape, seed=0, requires_grad=True):
    values = np.random.default_rng(seed).standard_normal(shape)
    return alt.tensor(values, dtype=alt.float64, requires_grad=requires_grad)


# -- Linear ------------------------------------------------------------------------------------

def test_linear_computes_x_times_weight_transposed_plus_bias():
    layer = nn.Linear(3, 2)
    x = alt.randn(4, 3)
    expected = x.numpy() @ layer.weight.detach().numpy().T + layer.bias.detach().numpy()
    np.testing.assert_allclose(layer(x).detach().numpy(), expected, rtol=1e-6)
    assert layer.weight.shape == (2, 3) and layer.bias.shape == (2,)


def test_linear_works_on_batches_of_any_rank_and_on_single_samples():
    layer = nn.Linear(3, 2)
    assert layer(alt.randn(5, 4, 3)).shape == (5, 4, 2)
    assert layer(alt.randn(3)).shape == (2,)


def test_linear_without_bias():
    layer = nn.Linear(3, 2, bias=False)
    assert layer.bias is None and [n for n, _ in layer.named_parameters()] == ["weight"]
    x = alt.randn(1, 3)
    np.testing.assert_allclose(layer(x).detach().numpy(),
                               x.numpy() @ layer.weight.detach().numpy().T, rtol=1e-6)


def test_linear_default_init_is_uniform_within_one_over_sqrt_fan_in():
    alt.manual_seed(0)
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    weight, bias = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    assert np.abs(weight).max() <= bound and np.abs(weight).max() > 0.99 * bound
    assert abs(weight.mean()) < 0.01 * bound
    assert weight.std() == pytest.approx(bound / math.sqrt(3), rel=0.01)
    assert np.abs(bias).max() <= bound and bias.std() == pytest.approx(bound / math.sqrt(3),
                                                                        rel=0.15)


@pytest.mark.torch_reference
@needs_torch
def test_linear_init_statistics_match_pytorchs():
    import torch

    torch.manual_seed(0)
    alt.manual_seed(0)
    for fan_in, fan_out in ((1000, 100), (10, 500)):
        ours = nn.Linear(fan_in, fan_out).weight.detach().numpy()
        theirs = torch.nn.Linear(fan_in, fan_out).weight.detach().numpy()
        assert ours.std() == pytest.approx(theirs.std(), rel=0.03)
        assert np.abs(ours).max() == pytest.approx(np.abs(theirs).max(), rel=0.01)


def test_linear_takes_dtype():
    layer = nn.Linear(2, 2, dtype=alt.float64)
    assert layer.weight.dtype == alt.float64 and layer.bias.dtype == alt.float64


def test_linear_gradients_pass_gradcheck():
    layer = nn.Linear(3, 2).double()
    x = _double(4, 3)
    assert gradcheck(lambda x, w, b: F.linear(x, w, b), (x, layer.weight, layer.bias))


def test_identity_returns_its_input():
    x = alt.randn(2)
    assert nn.Identity(54, unused="ignored")(x) is x


# -- containers --------------------------------------------------------------------------------

def test_sequential_chains_its_modules():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    x = alt.randn(2, 3)
    assert model(x).tolist() == model[2](model[1](model[0](x))).tolist()


def test_sequential_indexing_length_iteration_and_slices():
    a, b, c = nn.Linear(1, 1), nn.ReLU(), nn.Tanh()
    model = nn.Sequential(a, b, c)
    assert len(model) == 3 and model[0] is a and model[-1] is c and list(model) == [a, b, c]
    tail = model[1:]
    assert type(tail) is nn.Sequential and list(tail) == [b, c]
    assert list(tail._modules) == ["1", "2"]  # slices keep the names, as in PyTorch
    with pytest.raises(IndexError, match="index 3 is out of range"):
        model[3]


def test_sequential_from_an_ordered_dict_uses_its_names():
    model = nn.Sequential(OrderedDict([("hidden", nn.Linear(2, 3)), ("act", nn.ReLU())]))
    assert [n for n, _ in model.named_parameters()] == ["hidden.weight", "hidden.bias"]
    assert model.hidden is model[0]


def test_sequential_append_set_and_delete():
    model = nn.Sequential(nn.Linear(1, 1))
    model.append(nn.ReLU())
    assert len(model) == 2 and isinstance(model[1], nn.ReLU)
    model[1] = nn.Tanh()
    assert isinstance(model[1], nn.Tanh)
    del model[0]
    assert len(model) == 1 and isinstance(model[0], nn.Tanh)


def test_module_list_behaves_like_a_list():
    layers = nn.ModuleList([nn.Linear(1, 1)])
    layers.append(nn.ReLU())
    layers.extend([nn.Tanh()])
    layers += [nn.Sigmoid()]
    layers.insert(0, nn.Identity())
    assert [type(m).__name__ for m in layers] == ["Identity", "Linear", "ReLU", "Tanh",
                                                 "Sigmoid"]
    assert list(layers._modules) == ["0", "1", "2", "3", "4"]
    del layers[0]
    assert isinstance(layers[0], nn.Linear) and list(layers._modules) == ["0", "1", "2", "3"]
    assert len(layers[1:]) == 3 and isinstance(layers[-1], nn.Sigmoid)
    with pytest.raises(IndexError, match="index 4 is out of range"):
        layers[4]


# -- activations, Flatten, Dropout --------------------------------------------------------------

@pytest.mark.parametrize("module, reference", [
    (nn.ReLU(), lambda x: np.maximum(x, 0)),
    (nn.Tanh(), np.tanh),
    (nn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
], ids=["ReLU", "Tanh", "Sigmoid"])
def test_activation_modules_compute_their_function(module, reference):
    x = _double(3, 4, requires_grad=False)
    np.testing.assert_allclose(module(x).numpy(), reference(x.numpy()), rtol=1e-12)


@pytest.mark.parametrize("function", [F.relu, F.tanh, F.sigmoid, lambda x: F.softmax(x, 1),
                                      lambda x: F.log_softmax(x, 0)],
                         ids=["relu", "tanh", "sigmoid", "softmax", "log_softmax"])
def test_functional_gradients_pass_gradcheck(function):
    assert gradcheck(function, (_double(3, 4) + 0.01,))


def test_flatten_keeps_the_batch_dim():
    assert nn.Flatten()(alt.zeros(2, 3, 4, 5)).shape == (2, 60)
    assert nn.Flatten(0, 1)(alt.zeros(2, 3, 4)).shape == (6, 4)


def test_dropout_zeroes_about_p_and_scales_the_rest_in_training():
    alt.manual_seed(0)
    dropout = nn.Dropout(p=0.25)
    out = dropout(alt.ones(100_000)).numpy()
    kept = out[out != 0]
    np.testing.assert_allclose(kept, np.full_like(kept, 1 / 0.75), rtol=1e-6)
    assert (out == 0).mean() == pytest.approx(0.25, abs=0.01)


def test_dropout_is_the_identity_in_eval_mode_and_when_p_is_zero():
    x = alt.randn(10)
    assert nn.Dropout(0.5).eval()(x) is x
    assert nn.Dropout(0.0)(x) is x
    assert F.dropout(x, 0.5, training=False) is x
    assert nn.Dropout(1.0)(x).abs().sum().item() == 0


def test_dropout_is_reproducible_with_manual_seed_and_passes_gradients_where_kept():
    x = alt.ones(50, requires_grad=True)
    alt.manual_seed(3)
    first = nn.Dropout(0.5)(x)
    alt.manual_seed(3)
    second = nn.Dropout(0.5)(x)
    assert first.tolist() == second.tolist()
    first.sum().backward()
    assert x.grad.tolist() == first.detach().tolist()


def test_dropout_refuses_a_probability_outside_zero_one():
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but "
                                         "got 1.5"):
        nn.Dropout(1.5)


# -- softmax -----------------------------------------------------------------------------------

def test_softmax_rows_sum_to_one_even_for_huge_scores():
    x = alt.tensor([[1000.0, 1001.0, 1002.0], [-1000.0, 0.0, 1000.0]])
    probabilities = F.softmax(x, dim=1)
    np.testing.assert_allclose(probabilities.sum(1).numpy(), [1.0, 1.0], rtol=1e-6)
    assert not np.isnan(F.log_softmax(x, dim=1).numpy()).any()
    np.testing.assert_allclose(F.log_softmax(x, 1).numpy()[0],
                               [-2.407606, -1.407606, -0.407606], rtol=1e-5)


def test_softmax_without_dim_warns_and_picks_pytorchs_dim():
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        out = F.softmax(alt.zeros(2, 4))
    np.testing.assert_allclose(out.numpy(), np.full((2, 4), 0.25))


# -- losses ------------------------------------------------------------------------------------

def test_mse_loss_reductions():
    x, y = alt.tensor([1.0, 2.0, 3.0]), alt.tensor([1.0, 0.0, 0.0])
    assert nn.MSELoss()(x, y).item() == pytest.approx(13 / 3)
    assert nn.MSELoss(reduction="sum")(x, y).item() == 13.0
    assert nn.MSELoss(reduction="none")(x, y).tolist() == [0.0, 4.0, 9.0]


def test_mse_loss_warns_when_shapes_differ():
    with pytest.warns(UserWarning, match="different to the input size"):
        F.mse_loss(alt.zeros(3, 1), alt.zeros(3))


def test_an_unknown_reduction_is_refused():
    with pytest.raises(ValueError, match="average is not a valid value for reduction"):
        nn.MSELoss(reduction="average")
    with pytest.raises(ValueError, match="average is not a valid value for reduction"):
        F.cross_entropy(alt.zeros(2, 3), alt.tensor([0, 1]), reduction="average")


def test_cross_entropy_of_uniform_scores_is_log_of_the_class_count():
    loss = nn.CrossEntropyLoss()(alt.zeros(4, 5), alt.tensor([0, 1, 2, 4]))
    assert loss.item() == pytest.approx(math.log(5))


def test_loss_modules_pass_their_settings_to_the_functions():
    x, target = _double(5, 3), alt.tensor([0, 1, 2, 1, 0])
    weight = alt.tensor([0.5, 1.0, 2.0], dtype=alt.float64)
    module = nn.CrossEntropyLoss(weight=weight, ignore_index=1, reduction="sum")
    assert module(x, target).item() == F.cross_entropy(x, target, weight, 1, "sum").item()
    log_probs = F.log_softmax(x, 1)
    assert nn.NLLLoss(weight, reduction="none")(log_probs, target).tolist() == F.nll_loss(
        log_probs, target, weight, reduction="none").tolist()
    assert list(module.state_dict()) == ["weight"]


def test_a_loss_weight_is_a_buffer_that_follows_the_module_dtype():
    module = nn.CrossEntropyLoss(weight=alt.ones(3)).double()
    assert module.weight.dtype == alt.float64
    assert nn.CrossEntropyLoss().weight is None and list(nn.CrossEntropyLoss().buffers()) == []


def test_nll_loss_picks_minus_the_target_log_probability():
    log_probs = alt.tensor([[-1.0, -2.0], [-3.0, -4.0]])
    assert nn.NLLLoss(reduction="none")(log_probs, alt.tensor([1, 0])).tolist() == [2.0, 3.0]
    assert nn.NLLLoss()(log_probs, alt.tensor([1, 0])).item() == 2.5


def test_nll_loss_errors_in_pytorchs_words():
    with pytest.raises(IndexError, match="Target 7 is out of bounds."):
        F.nll_loss(alt.zeros(2, 3), alt.tensor([0, 7]))
    with pytest.raises(RuntimeError, match="expected target dtype to be Long or Byte, but got "
                                           "Float"):
        F.nll_loss(alt.zeros(2, 3), alt.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"Expected input batch_size \(2\) to match target "
                                         r"batch_size \(3\)"):
        F.nll_loss(alt.zeros(2, 3), alt.tensor([0, 1, 2]))


def test_cross_entropy_gradients_pass_gradcheck():
    target = alt.tensor([0, 2, 1, 2])
    weight = alt.tensor([1.0, 2.0, 0.5], dtype=alt.float64)
    assert gradcheck(lambda x: F.cross_entropy(x, target, weight=weight), (_double(4, 3),))
    assert gradcheck(lambda x: F.cross_entropy(x, target, reduction="none"), (_double(4, 3),))


LOSS_CASES = [
    ("mse_loss", dict(reduction="mean"), "float"),
    ("mse_loss", dict(reduction="sum"), "float"),
    ("mse_loss", dict(reduction="none"), "float"),
    ("cross_entropy", dict(), "index"),
    ("cross_entropy", dict(reduction="sum"), "index"),
    ("cross_entropy", dict(reduction="none"), "index"),
    ("cross_entropy", dict(weight=[1.0, 2.0, 0.5]), "index"),
    ("cross_entropy", dict(ignore_index=2), "index"),
    ("cross_entropy", dict(weight=[1.0, 2.0, 0.5], ignore_index=1, reduction="sum"), "index"),
    ("cross_entropy", dict(), "probabilities"),
    ("cross_entropy", dict(reduction="none"), "probabilities"),
    ("nll_loss", dict(), "index"),
    ("nll_loss", dict(weight=[0.2, 1.0, 3.0], reduction="none"), "index"),
    ("nll_loss", dict(weight=[0.2, 1.0, 3.0]), "one sample"),
]


@pytest.mark.torch_reference
@needs_torch
@pytest.mark.parametrize("name, settings, target_kind", LOSS_CASES, ids=str)
def test_losses_and_their_gradients_match_pytorch(name, settings, target_kind):
    import torch

    rng = np.random.default_rng(4)
    scores = rng.standard_normal((1, 3) if target_kind == "one sample" else (6, 3))
    if target_kind == "float":
        target = rng.standard_normal(scores.shape)
    elif target_kind == "probabilities":
        target = rng.dirichlet(np.ones(3), size=scores.shape[0])
    else:
        target = np.array([0, 2, 1, 2, 0, 1][:scores.shape[0]])
    if target_kind == "one sample":
        scores, target = scores[0], target[0]

    results = []
    for lib in (alt, torch):
        x = lib.tensor(scores, dtype=lib.float64, requires_grad=True)
        kwargs = {key: lib.tensor(value, dtype=lib.float64) if key == "weight" else value
                  for key, value in settings.items()}
        loss = getattr(lib.nn.functional, name)(x, lib.tensor(target), **kwargs)
        loss.sum().backward()
        results.append((loss.detach().numpy(), x.grad.numpy()))
    (our_loss, our_grad), (their_loss, their_grad) = results
    assert our_loss.shape == their_loss.shape
    np.testing.assert_allclose(our_loss, their_loss, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(our_grad, their_grad, rtol=1e-10, atol=1e-12)


# -- init --------------------------------------------------------------------------------------

def test_init_functions_fill_parameters_in_place_without_recording():
    w = nn.Parameter(alt.empty(200, 300))
    for fill in (nn.init.zeros_, nn.init.ones_, lambda t: nn.init.constant_(t, 0.5),
                 nn.init.uniform_, nn.init.normal_, nn.init.kaiming_uniform_,
                 nn.init.kaiming_normal_, nn.init.xavier_uniform_, nn.init.xavier_normal_):
        assert fill(w) is w
        assert w.is_leaf and w.requires_grad and w.grad_fn is None
    assert nn.init.constant_(w, 0.5).sum().item() == pytest.approx(0.5 * 200 * 300)


@pytest.mark.parametrize("fill, low, high, std", [
    (lambda t: nn.init.uniform_(t, -2.0, 4.0), -2.0, 4.0, 6 / math.sqrt(12)),
    (lambda t: nn.init.normal_(t, 1.0, 0.5), None, None, 0.5),
    (lambda t: nn.init.kaiming_uniform_(t, nonlinearity="relu"), -math.sqrt(6 / 300),
     math.sqrt(6 / 300), math.sqrt(2 / 300)),
    (lambda t: nn.init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"), None, None,
     math.sqrt(2 / 200)),
    (lambda t: nn.init.xavier_uniform_(t, gain=2.0), -2 * math.sqrt(6 / 500),
     2 * math.sqrt(6 / 500), 2 * math.sqrt(2 / 500)),
    (nn.init.xavier_normal_, None, None, math.sqrt(2 / 500)),
], ids=["uniform", "normal", "kaiming_uniform", "kaiming_normal", "xavier_uniform",
        "xavier_normal"])
def test_random_init_statistics(fill, low, high, std):
    alt.manual_seed(1)
    values = fill(alt.empty(200, 300)).numpy()
    assert values.std() == pytest.approx(std, rel=0.02)
    if low is not None:
        assert values.min() >= low and values.max() <= high


def test_calculate_gain_values():
    assert nn.init.calculate_gain("relu") == math.sqrt(2)
    assert nn.init.calculate_gain("tanh") == 5 / 3
    assert nn.init.calculate_gain("linear") == nn.init.calculate_gain("sigmoid") == 1
    assert nn.init.calculate_gain("leaky_relu", 0.2) == math.sqrt(2 / 1.04)
    assert nn.init.calculate_gain("leaky_relu", math.sqrt(5)) == pytest.approx(math.sqrt(1 / 3))
    with pytest.raises(ValueError, match="Unsupported nonlinearity swish"):
        nn.init.calculate_gain("swish")


def test_fan_needs_two_dimensions():
    with pytest.raises(ValueError, match="Fan in and fan out can not be computed for tensor "
                                         "with fewer than 2 dimensions"):
        nn.init.xavier_uniform_(alt.empty(5))


def test_init_of_an_empty_tensor_warns_and_does_nothing():
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        nn.init.kaiming_uniform_(alt.empty(0, 3))
