"""nn.Module and nn.Parameter: registration, tree walks, modes, state dicts, devices, printing."""

import copy
import importlib.util
import pickle

import numpy as np
import pytest

import autograd_lab as alt
from autograd_lab import nn

HAS_TORCH = importlib.util.find_spec("torch") is not None
needs_torch = pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed")


class TwoLayerNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(3, 4)
        self.out = nn.Linear(4, 2)
        self.scale = nn.Parameter(alt.ones(1))
        self.register_buffer("calls", alt.zeros(1))
        self.note = "plain attribute"

    def forward(self, x):
        return self.out(self.hidden(x).relu()) * self.scale


# -- Parameter -------------------------------------------------------------------------------

def test_parameter_is_a_leaf_that_requires_grad_and_shares_storage():
    data = alt.zeros(3)
    p = nn.Parameter(data)
    assert isinstance(p, alt.Tensor) and p.is_leaf and p.requires_grad
    data[0] = 5.0
    assert p[0].item() == 5.0
    assert not nn.Parameter(alt.zeros(1), requires_grad=False).requires_grad


def test_parameter_prints_like_pytorch():
    assert repr(nn.Parameter(alt.ones(2))) == (
        "Parameter containing:\ntensor([1., 1.], requires_grad=True)")
    assert repr(nn.Parameter(alt.ones(2), requires_grad=False)) == (
        "Parameter containing:\ntensor([1., 1.])")
    assert repr(nn.Parameter(alt.ones(1, dtype=alt.float64))) == (
        "Parameter containing:\ntensor([1.], dtype=autograd_lab.float64, requires_grad=True)")


def test_operations_on_parameters_give_plain_tensors():
    p = nn.Parameter(alt.ones(2))
    assert type(p * 2) is alt.Tensor and type(p.detach()) is alt.Tensor


def test_parameter_without_data_is_empty():
    assert nn.Parameter().shape == (0,)


def test_parameter_deepcopy_and_pickle_keep_class_values_and_grad():
    p = nn.Parameter(alt.tensor([1.0, 2.0]))
    (p * p).sum().backward()
    for q in (copy.deepcopy(p), pickle.loads(pickle.dumps(p))):
        assert type(q) is nn.Parameter and q.requires_grad and q.tolist() == [1.0, 2.0]
    clone = copy.deepcopy(p)
    assert clone.grad.tolist() == [2.0, 4.0]
    clone.detach()[0] = 9.0
    assert p[0].item() == 1.0
    (clone * 1).sum().backward()  # its own AccumulateGrad: the original's grad is untouched
    assert p.grad.tolist() == [2.0, 4.0] and clone.grad.tolist() == [3.0, 5.0]


# -- registration ------------------------------------------------------------------------------

def test_assigning_parameters_and_modules_registers_them():
    net = TwoLayerNet()
    assert list(net._parameters) == ["scale"]
    assert list(net._modules) == ["hidden", "out"]
    assert list(net._buffers) == ["calls"]
    assert net.note == "plain attribute" and "note" in net.__dict__


def test_named_parameters_walk_parents_first_in_registration_order():
    names = [name for name, _ in TwoLayerNet().named_parameters()]
    assert names == ["scale", "hidden.weight", "hidden.bias", "out.weight", "out.bias"]
    assert len(list(TwoLayerNet().parameters(recurse=False))) == 1


def test_a_shared_layer_is_listed_once():
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]
    assert len(list(model.modules())) == 3
    assert [n for n, _ in model.named_modules()] == ["", "0", "1"]
    assert len(list(model.named_modules(remove_duplicate=False))) == 4
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_children_and_named_children():
    net = TwoLayerNet()
    assert [name for name, _ in net.named_children()] == ["hidden", "out"]
    assert list(net.children()) == [net.hidden, net.out]


def test_a_plain_list_hides_layers_but_module_list_registers_them():
    class Hidden(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = [nn.Linear(2, 2)]

    class Registered(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2)])

    assert list(Hidden().parameters()) == []
    assert [n for n, _ in Registered().named_parameters()] == [
        "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"]


def test_assigning_none_or_deleting_unregisters():
    net = TwoLayerNet()
    net.scale = None
    assert "scale" not in dict(net.named_parameters())
    del net.out
    assert not hasattr(net, "out")
    net.out = nn.Tanh()
    assert "out" in net._modules


def test_assigning_a_tensor_to_a_parameter_slot_is_refused_in_pytorchs_words():
    layer = nn.Linear(2, 2)
    with pytest.raises(TypeError, match=r"cannot assign 'autograd_lab.FloatTensor' as parameter "
                                        r"'weight' \(autograd_lab.nn.Parameter or None expected\)"):
        layer.weight = alt.ones(2, 2)


def test_registering_before_init_is_refused():
    class Forgot(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"cannot assign module before Module.__init__\(\)"):
        Forgot()


def test_dir_lists_registered_names_for_tab_completion():
    names = dir(TwoLayerNet())
    assert {"hidden", "out", "scale", "calls", "note", "forward", "parameters"} <= set(names)


def test_missing_attribute_error_names_the_class():
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'wieght'"):
        nn.Linear(1, 1).wieght


def test_module_without_forward_raises_pytorchs_error():
    with pytest.raises(NotImplementedError, match=r'Module \[Module\] is missing the required '
                                                  r'"forward" function'):
        nn.Module()(alt.ones(1))


def test_register_parameter_checks_names_and_leaves():
    module = nn.Module()
    with pytest.raises(KeyError, match="parameter name can.+t contain"):
        module.register_parameter("a.b", nn.Parameter(alt.ones(1)))
    with pytest.raises(TypeError, match="autograd_lab.nn.Parameter or None required"):
        module.register_parameter("w", alt.ones(1))
    leaf = nn.Parameter(alt.ones(1))
    module.register_parameter("w", leaf)
    assert module.w is leaf


def test_non_persistent_buffers_stay_out_of_the_state_dict():
    module = nn.Module()
    module.register_buffer("kept", alt.zeros(1))
    module.register_buffer("scratch", alt.zeros(1), persistent=False)
    assert list(module.state_dict()) == ["kept"]
    assert [n for n, _ in module.named_buffers()] == ["kept", "scratch"]


# -- calling, modes, gradients ----------------------------------------------------------------

def test_calling_a_module_runs_forward():
    net = TwoLayerNet()
    x = alt.randn(5, 3)
    assert net(x).shape == (5, 2)
    assert net(x).tolist() == net.forward(x).tolist()


def test_forward_hooks_see_every_layers_output_and_can_be_removed():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    seen = []
    handles = [layer.register_forward_hook(
        lambda module, inputs, output: seen.append((type(module).__name__, output.shape)))
        for layer in model]
    model(alt.ones(5, 3))
    assert seen == [("Linear", (5, 4)), ("ReLU", (5, 4)), ("Linear", (5, 2))]
    for handle in handles:
        handle.remove()
    model(alt.ones(5, 3))
    assert len(seen) == 3


def test_hooks_can_replace_inputs_and_outputs():
    layer = nn.Identity()
    layer.register_forward_pre_hook(lambda module, inputs: inputs[0] * 2)
    layer.register_forward_hook(lambda module, inputs, output: output + 1)
    assert layer(alt.tensor([1.0])).item() == 3.0


def test_train_and_eval_set_the_flag_on_every_module():
    net = TwoLayerNet()
    assert net.training and net.hidden.training
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        net.train("yes")


def test_zero_grad_sets_none_by_default_or_zeros():
    net = TwoLayerNet()
    net(alt.randn(4, 3)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(np.all(p.grad.numpy() == 0) for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_zero_grad_detaches_a_gradient_built_with_create_graph():
    layer = nn.Linear(2, 1)
    (layer(alt.ones(1, 2)) ** 2).sum().backward(create_graph=True)
    assert layer.weight.grad.grad_fn is not None
    layer.zero_grad(set_to_none=False)
    assert layer.weight.grad.grad_fn is None and layer.weight.grad.abs().sum().item() == 0


def test_requires_grad_false_freezes_parameters():
    net = TwoLayerNet()
    net.hidden.requires_grad_(False)
    net(alt.randn(2, 3)).sum().backward()
    assert net.hidden.weight.grad is None and net.out.weight.grad is not None


def test_apply_visits_children_before_parents():
    model = nn.Sequential(nn.Sequential(nn.Linear(1, 1), nn.ReLU()), nn.Tanh())
    visited = []
    assert model.apply(lambda m: visited.append(type(m).__name__)) is model
    assert visited == ["Linear", "ReLU", "Sequential", "Tanh", "Sequential"]


# -- state dicts -------------------------------------------------------------------------------

def test_state_dict_lists_parameters_and_buffers_detached_and_sharing_storage():
    net = TwoLayerNet()
    state = net.state_dict()
    assert list(state) == ["scale", "calls", "hidden.weight", "hidden.bias", "out.weight",
                           "out.bias"]
    assert not state["hidden.weight"].requires_grad
    with alt.no_grad():
        net.hidden.weight.add_(1.0)
    assert state["hidden.weight"].tolist() == net.hidden.weight.tolist()
    assert net.state_dict(keep_vars=True)["hidden.weight"] is net.hidden.weight


def test_state_dict_round_trip_copies_values_into_the_same_parameters():
    source, target = TwoLayerNet(), TwoLayerNet()
    weight = target.hidden.weight
    result = target.load_state_dict(copy.deepcopy(source.state_dict()))
    assert repr(result) == "<All keys matched successfully>"
    assert target.hidden.weight is weight
    x = alt.randn(3, 3)
    assert target(x).tolist() == source(x).tolist()


def test_load_state_dict_reports_missing_unexpected_and_size_mismatch():
    layer = nn.Linear(4, 3)
    with pytest.raises(RuntimeError) as error:
        layer.load_state_dict({"weight": alt.ones(2, 4), "foo": alt.ones(1)})
    assert str(error.value) == (
        "Error(s) in loading state_dict for Linear:\n"
        '\tMissing key(s) in state_dict: "bias". \n'
        '\tUnexpected key(s) in state_dict: "foo". \n'
        "\tsize mismatch for weight: copying a param with shape autograd_lab.Size([2, 4]) "
        "from checkpoint, the shape in current model is autograd_lab.Size([3, 4]).")


def test_load_state_dict_not_strict_returns_the_key_lists():
    layer = nn.Linear(4, 3)
    result = layer.load_state_dict({"weight": alt.ones(3, 4), "foo": alt.ones(1)}, strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["foo"]
    assert layer.weight.sum().item() == 12.0


def test_module_deepcopy_gives_independent_parameters():
    net = TwoLayerNet()
    twin = copy.deepcopy(net)
    with alt.no_grad():
        twin.hidden.weight.zero_()
    assert net.hidden.weight.abs().sum().item() > 0
    assert type(twin.hidden.weight) is nn.Parameter


# -- dtypes and devices ------------------------------------------------------------------------

def test_double_converts_in_place_and_keeps_the_parameter_objects():
    net = TwoLayerNet()
    weight = net.hidden.weight
    net(alt.randn(2, 3)).sum().backward()
    assert net.double() is net
    assert net.hidden.weight is weight
    assert all(p.dtype == alt.float64 for p in net.parameters())
    assert all(p.grad.dtype == alt.float64 for p in net.parameters())
    assert net.calls.dtype == alt.float64
    assert net(alt.randn(2, 3, dtype=alt.float64)).dtype == alt.float64
    assert net.float().hidden.weight.dtype == alt.float32


def test_to_refuses_integer_dtypes():
    with pytest.raises(TypeError, match="only accepts floating point or complex dtypes"):
        nn.Linear(1, 1).to(alt.int64)


def test_to_cpu_is_a_no_op_on_cpu():
    net = TwoLayerNet()
    before = net.hidden.weight.tolist()
    assert net.to("cpu") is net and net.cpu() is net
    assert net.hidden.weight.tolist() == before and net.hidden.weight.device.type == "cpu"


# -- printing ----------------------------------------------------------------------------------

def test_module_prints_as_an_indented_tree():
    assert repr(TwoLayerNet()) == (
        "TwoLayerNet(\n"
        "  (hidden): Linear(in_features=3, out_features=4, bias=True)\n"
        "  (out): Linear(in_features=4, out_features=2, bias=True)\n"
        ")")
    assert repr(nn.Module()) == "Module()"


def test_a_child_with_its_own_repr_prints_its_own_way():
    class Custom(nn.Module):
        def __repr__(self):
            return "Custom<2>"

    assert repr(nn.Sequential(Custom())) == "Sequential(\n  (0): Custom<2>\n)"


def test_extra_repr_over_several_lines_is_indented():
    class Settings(nn.Module):
        def extra_repr(self):
            return "a=1\nb=2"

    assert repr(nn.Sequential(Settings())) == (
        "Sequential(\n  (0): Settings(\n    a=1\n    b=2\n  )\n)")


def _pair():
    """The same model built from each library's nn (the reprs must be equal)."""
    import torch

    def build(lib):
        return lib.nn.Sequential(
            lib.nn.Linear(1000, 100), lib.nn.ReLU(),
            lib.nn.Sequential(lib.nn.Tanh(), lib.nn.Dropout(0.2), lib.nn.Sigmoid()),
            lib.nn.ModuleList([lib.nn.Linear(2, 2), lib.nn.Linear(2, 2), lib.nn.ReLU(),
                               lib.nn.Linear(2, 2, bias=False)]),
            lib.nn.Flatten(), lib.nn.Softmax(dim=1), lib.nn.LogSoftmax(dim=-1),
            lib.nn.ReLU(inplace=True), lib.nn.Identity(), lib.nn.MSELoss(),
            lib.nn.CrossEntropyLoss(), lib.nn.NLLLoss(reduction="sum"), lib.nn.ModuleList())

    return build(alt), build(torch)


@pytest.mark.torch_reference
@needs_torch
def test_reprs_are_identical_to_pytorchs():
    ours, theirs = _pair()
    assert repr(ours) == repr(theirs)
    assert repr(ours[3][1:]) == repr(theirs[3][1:])
    assert repr(ours[2:4]) == repr(theirs[2:4])


@pytest.mark.torch_reference
@needs_torch
def test_custom_module_repr_and_names_are_identical_to_pytorchs():
    import torch

    def build(lib):
        class Net(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.features = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU())
                self.heads = lib.nn.ModuleList([lib.nn.Linear(4, 1) for _ in range(3)])
                self.gain = lib.nn.Parameter(lib.ones(1))
                self.register_buffer("count", lib.zeros(1))

            def forward(self, x):
                return x

        return Net()

    ours, theirs = build(alt), build(torch)
    assert repr(ours) == repr(theirs)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert list(ours.state_dict()) == list(theirs.state_dict())


# -- training through the module ---------------------------------------------------------------

def test_updating_through_data_changes_the_parameter_in_place_and_keeps_it_a_leaf():
    layer = nn.Linear(2, 1)
    weight = layer.weight
    before = layer.weight.detach().numpy().copy()
    layer(alt.ones(1, 2)).sum().backward()
    for param in layer.parameters():
        param.data -= 0.5 * param.grad.data
    assert layer.weight is weight and weight.is_leaf and weight.grad_fn is None
    np.testing.assert_allclose(weight.detach().numpy(), before - 0.5, rtol=1e-6)


def test_an_optimizer_built_before_double_still_trains_the_model():
    model = nn.Linear(3, 1)
    optimizer = alt.optim.SGD(model.parameters(), lr=0.1)
    model.double()
    before = model.weight.detach().numpy().copy()
    model(alt.ones(2, 3, dtype=alt.float64)).sum().backward()
    optimizer.step()
    np.testing.assert_allclose(model.weight.detach().numpy(), before - 0.2)


@pytest.mark.torch_reference
@needs_torch
def test_a_layer_reused_three_times_gets_pytorchs_summed_gradient():
    import torch

    rng = np.random.default_rng(0)
    weight, bias, x = rng.standard_normal((4, 4)), rng.standard_normal(4), rng.standard_normal(
        (5, 4))
    grads = []
    for lib in (alt, torch):
        layer = lib.nn.Linear(4, 4).double()
        layer.load_state_dict({"weight": lib.tensor(weight), "bias": lib.tensor(bias)})
        h = lib.tensor(x)
        for _ in range(3):
            h = layer(h).clamp(min=0)
        (h * h).sum().backward()
        grads.append([layer.weight.grad.numpy(), layer.bias.grad.numpy()])
    for ours, theirs in zip(*grads):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10)


@pytest.mark.torch_reference
@needs_torch
def test_a_state_dict_moves_between_autograd_lab_and_pytorch():
    import torch

    def build(lib):
        return lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.Tanh(), lib.nn.Linear(8, 3)).double()

    ours, theirs = build(alt), build(torch)
    theirs.load_state_dict({k: torch.from_numpy(v.numpy().copy())
                            for k, v in ours.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((5, 4))
    np.testing.assert_allclose(ours(alt.tensor(x)).detach().numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-12)
    back = build(alt)
    back.load_state_dict({k: alt.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    assert back(alt.tensor(x)).tolist() == ours(alt.tensor(x)).tolist()
