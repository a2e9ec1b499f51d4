"""The API that learners' programs use, each piece checked against PyTorch: `Size`,
`Generator` and `generator=`, `normal`, `multinomial`, `size=`, `utils.data`,
`set_default_device`, `accelerator`, `optim.RMSprop`, the binary cross-entropy losses,
`F.one_hot`, `histogram`/`histc`, `meshgrid`, `cumsum`, `nn.LazyLinear`, numpy's
`axis=`/`keepdims=` spellings, the `out=` argument, `nn.Embedding` and `tril`/`triu`.

Values and gradients of the differentiable ones (sinh, cosh, log10, cumsum, meshgrid,
expand_as, the losses) are in the op registry, `op_examples.py`, which checks them against
finite differences (first and second order) and PyTorch. Random functions cannot give
PyTorch's numbers (another algorithm draws them): they are checked for reproducibility,
shapes, dtypes and statistics, and for PyTorch's errors.
"""

import doctest
import importlib
import pickle
import warnings

import numpy as np
import pytest
from op_examples import needs_torch
from test_device import fake_cuda  # noqa: F401  (a fixture: a fake GPU built on numpy)

import autograd_lab as alt
from autograd_lab.utils import data

torch_reference = [needs_torch, pytest.mark.torch_reference]


def error_of(call, lib):
    """(exception type name, message) that `call(lib)` raises; autograd_lab's name in it is
    read as torch's (`autograd_lab.Size([2])` where PyTorch says `torch.Size([2])`)."""
    try:
        call(lib)
    except Exception as error:  # noqa: BLE001  (any error is the result being compared)
        return type(error).__name__, str(error).replace("autograd_lab", "torch")
    return None


def assert_same_error(call):
    import torch

    ours, theirs = error_of(call, alt), error_of(call, torch)
    assert ours is not None and ours == theirs


NEW_MODULES = ["autograd_lab.size", "autograd_lab.generator", "autograd_lab.sampling",
               "autograd_lab.histograms", "autograd_lab.utils.data", "autograd_lab.nn.lazy",
               "autograd_lab.ops.numpy_names", "autograd_lab.ops.shape_as",
               "autograd_lab.ops.meshgrid", "autograd_lab.ops.cumulative",
               "autograd_lab.ops.out_argument", "autograd_lab.ops.triangular",
               "autograd_lab.nn.embedding",
               "autograd_lab.nn.functional"]


@pytest.mark.parametrize("name", NEW_MODULES)
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


# -- Size ----------------------------------------------------------------------------------------


def test_shape_is_a_size_that_behaves_as_a_tuple():
    x = alt.zeros(2, 3)
    assert type(x.shape) is alt.Size and type(x.size()) is alt.Size
    assert x.shape == (2, 3) and x.size(1) == 3 and type(x.size(1)) is int
    rows, cols = x.shape
    assert (rows, cols) == (2, 3) and hash(x.shape) == hash((2, 3))
    assert x.shape.numel() == 6 and alt.Size([]).numel() == 1
    assert pickle.loads(pickle.dumps(x.shape)) == x.shape


SIZE_EXPRESSIONS = ["s", "str(s)", "s[1:]", "s[0]", "s + (4,)", "(4,) + s", "s * 2",
                    "s[::-1]", "lib.Size([])", "lib.Size((5,))", "lib.zeros(()).shape",
                    "list(s)", "s.count(2)", "s.index(3)", "s.numel()",
                    "lib.tensor([[1, 2]]).size()"]


@pytest.mark.parametrize("expression", SIZE_EXPRESSIONS)
@pytest.mark.torch_reference
@needs_torch
def test_size_prints_and_combines_as_pytorchs(expression):
    import torch

    results = []
    for lib in (alt, torch):
        value = eval(expression, {"s": lib.Size([2, 3]), "lib": lib})  # noqa: S307
        results.append((repr(value).replace(lib.__name__, "LIB"), type(value).__name__))
    assert results[0] == results[1]


@needs_torch
@pytest.mark.torch_reference
def test_size_refuses_what_is_not_an_int_as_pytorch_does():
    assert_same_error(lambda lib: lib.Size([2.5]))


# -- Generator, generator=, size= ----------------------------------------------------------------

DRAWS = {
    "randn": lambda lib, g: lib.randn(3, 4, generator=g),
    "randn_size": lambda lib, g: lib.randn(size=(3, 4), generator=g),
    "rand": lambda lib, g: lib.rand((3, 4), generator=g),
    "randint": lambda lib, g: lib.randint(0, 10, (3, 4), generator=g),
    "randint_high_size": lambda lib, g: lib.randint(10, (3, 4), generator=g),
    "randperm": lambda lib, g: lib.randperm(12, generator=g),
    "multinomial": lambda lib, g: lib.multinomial(lib.tensor([0.2, 0.3, 0.5]), 12, True,
                                                  generator=g),
    "normal": lambda lib, g: lib.normal(2.0, 3.0, (3, 4), generator=g),
    "normal_tensors": lambda lib, g: lib.normal(lib.zeros(3, 1), lib.ones(4), generator=g),
    "normal_": lambda lib, g: lib.zeros(3, 4).normal_(0, 1, generator=g),
    "uniform_": lambda lib, g: lib.zeros(3, 4).uniform_(-1, 1, generator=g),
}


DRAWS["init_normal_"] = lambda lib, g: lib.nn.init.normal_(lib.zeros(3, 4), 0, 1, g)
DRAWS["init_kaiming_uniform_"] = lambda lib, g: lib.nn.init.kaiming_uniform_(
    lib.zeros(3, 4), generator=g)
DRAWS["init_xavier_normal_"] = lambda lib, g: lib.nn.init.xavier_normal_(lib.zeros(3, 4),
                                                                        generator=g)


@pytest.mark.parametrize("name", DRAWS)
def test_a_generator_repeats_its_numbers_whatever_else_is_drawn(name):
    g = alt.Generator().manual_seed(2147483647)
    first = DRAWS[name](alt, g)
    alt.randn(100)
    DRAWS[name](alt, alt.Generator().manual_seed(1))
    again = DRAWS[name](alt, g.manual_seed(2147483647))
    assert first.tolist() == again.tolist()
    assert DRAWS[name](alt, g).tolist() != first.tolist()  # the stream moves on


@pytest.mark.parametrize("name", DRAWS)
@pytest.mark.torch_reference
@needs_torch
def test_generator_draws_have_pytorchs_shapes_and_dtypes(name):
    import torch

    ours = DRAWS[name](alt, alt.Generator().manual_seed(0))
    theirs = DRAWS[name](torch, torch.Generator().manual_seed(0))
    assert ours.shape == tuple(theirs.shape)
    assert repr(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]


@needs_torch
@pytest.mark.torch_reference
def test_generator_api_matches_pytorchs():
    import torch

    for lib in (alt, torch):
        g = lib.Generator()
        assert g.manual_seed(42) is g and g.initial_seed() == 42
        assert str(g.device) == "cpu"
        seed = g.seed()
        assert g.initial_seed() == seed and seed >= 0
    assert alt.Generator().initial_seed() == torch.Generator().initial_seed()


@needs_torch
@pytest.mark.torch_reference
def test_manual_seed_returns_the_default_generator_as_pytorchs_does():
    import torch

    for lib in (alt, torch):
        assert lib.manual_seed(-1) is lib.default_generator
        assert lib.initial_seed() == 2 ** 64 - 1  # negative seeds wrap around
        first = lib.randn(3)
        lib.default_generator.manual_seed(-1)
        assert lib.randn(3, generator=lib.default_generator).tolist() == first.tolist()
        assert lib.seed() == lib.initial_seed()
        lib.manual_seed(0)


@pytest.mark.parametrize("call", [
    lambda lib: lib.randint(5, 3, (2,)),
    lambda lib: lib.zeros(2, size=(3,)),
    lambda lib: lib.randn(2, size=(3,)),
    lambda lib: lib.randint(5),
], ids=["randint_empty_range", "zeros_size_twice", "randn_size_twice", "randint_no_size"])
@pytest.mark.torch_reference
@needs_torch
def test_creation_errors_match_pytorch(call):
    ours, theirs = error_of(call, alt), error_of(call, __import__("torch"))
    assert ours[0] == theirs[0]
    if ours[0] == "RuntimeError":
        assert ours == theirs


def test_size_keyword_of_creation_functions():
    for maker in (alt.zeros, alt.ones, alt.empty, alt.randn, alt.rand):
        assert maker(size=(2, 3)).shape == (2, 3)
    assert alt.randn(size=(), requires_grad=True).requires_grad


def test_generator_on_another_device_is_refused(fake_cuda):  # noqa: F811
    g = alt.Generator(device="cuda")
    with pytest.raises(RuntimeError, match="Expected a 'cpu' device type for generator but "
                                           "found 'cuda'"):
        alt.randn(2, generator=g)
    assert alt.randn(2, generator=g, device="cuda").device == "cuda:0"
    with pytest.raises(TypeError):
        alt.randn(2, generator=3)


# -- multinomial and normal ----------------------------------------------------------------------


def test_multinomial_frequencies_follow_the_weights():
    g = alt.Generator().manual_seed(0)
    weights = alt.tensor([1.0, 0.0, 3.0, 6.0])  # need not add up to 1
    draws = alt.multinomial(weights, 20000, replacement=True, generator=g)
    frequencies = np.bincount(draws.numpy(), minlength=4) / 20000
    np.testing.assert_allclose(frequencies, [0.1, 0.0, 0.3, 0.6], atol=0.015)


def test_multinomial_without_replacement_draws_each_index_once_per_row():
    g = alt.Generator().manual_seed(0)
    draws = alt.multinomial(alt.tensor([[1.0, 2.0, 3.0, 4.0]] * 50), 4, generator=g)
    assert draws.shape == (50, 4)
    assert all(sorted(row) == [0, 1, 2, 3] for row in draws.tolist())
    first = np.bincount(draws[:, 0].numpy(), minlength=4)
    assert first[3] > first[0]  # the heaviest index tends to come first


@needs_torch
@pytest.mark.torch_reference
def test_multinomial_with_zero_weights_matches_pytorch():
    import torch

    for lib in (alt, torch):
        assert lib.multinomial(lib.tensor([1.0, 0, 0]), 3).tolist() == [0, 1, 2]
        assert lib.multinomial(lib.tensor([0.0, 1.0]), 1, True).item() == 1


@pytest.mark.parametrize("call", [
    lambda lib: lib.multinomial(lib.tensor([1.0, 2.0]), 3),
    lambda lib: lib.multinomial(lib.tensor([0.0, 0.0]), 1),
    lambda lib: lib.multinomial(lib.tensor([-1.0, 2.0]), 1),
    lambda lib: lib.multinomial(lib.tensor([float("nan"), 2.0]), 1),
    lambda lib: lib.multinomial(lib.tensor([1, 2]), 1),
    lambda lib: lib.multinomial(lib.ones(2, 2, 2), 1),
    lambda lib: lib.multinomial(lib.ones(3), 0),
    lambda lib: lib.normal(0, -1, (2,)),
    lambda lib: lib.normal(lib.zeros(2), -1.0),
], ids=["too_many", "all_zero", "negative", "nan", "integers", "three_dims", "no_samples",
        "negative_std", "negative_std_tensor_mean"])
@pytest.mark.torch_reference
@needs_torch
def test_sampling_errors_match_pytorch(call):
    assert_same_error(call)


def test_normal_draws_have_the_asked_mean_and_spread():
    alt.manual_seed(0)
    draws = alt.normal(2.0, 3.0, size=(100000,))
    assert abs(draws.mean().item() - 2.0) < 0.05 and abs(draws.std().item() - 3.0) < 0.05
    per_element = alt.normal(alt.tensor([[-5.0], [5.0]]), alt.tensor([0.1, 1.0, 2.0]))
    assert per_element.shape == (2, 3)
    assert (per_element[0] < 0).all() and (per_element[1] > 0).all()


@needs_torch
@pytest.mark.torch_reference
def test_normal_of_tensors_sends_zero_gradients_like_pytorch():
    import torch

    for lib in (alt, torch):
        mean = lib.ones(3, requires_grad=True)
        std = lib.ones(3, requires_grad=True)
        names = []
        for sample in (lib.normal(mean, 1.0), lib.normal(1.0, std), lib.normal(mean, std)):
            names.append(sample.grad_fn.name())
            grads = lib.autograd.grad(sample.sum(), [mean, std], allow_unused=True)
            assert [g is None or g.tolist() == [0.0] * 3 for g in grads] == [True, True]
        if lib is alt:
            ours = names
    assert ours == names == ["NormalBackward1", "NormalBackward2", "NormalBackward3"]
    assert alt.normal(0, 0.01, size=(2, 1), requires_grad=True).is_leaf


# -- utils.data ----------------------------------------------------------------------------------


def loaders(lib, **settings):
    dataset = lib.utils.data.TensorDataset(lib.arange(10.0).reshape(5, 2), lib.arange(5))
    return lib.utils.data.DataLoader(dataset, **settings)


@pytest.mark.parametrize("settings", [dict(), dict(batch_size=2), dict(batch_size=2,
                                                                          drop_last=True),
                                      dict(batch_size=5), dict(batch_size=7),
                                      dict(batch_size=None)], ids=str)
@pytest.mark.torch_reference
@needs_torch
def test_dataloader_in_order_matches_pytorch(settings):
    import torch

    ours, theirs = loaders(alt, **settings), loaders(torch, **settings)
    assert len(ours) == len(theirs)
    our_batches, their_batches = list(ours), list(theirs)
    assert len(our_batches) == len(their_batches)
    for mine, its in zip(our_batches, their_batches):
        assert type(mine).__name__ == type(its).__name__
        for a, b in zip(mine, its):
            assert a.tolist() == b.tolist() and a.shape == tuple(b.shape)


def test_shuffling_visits_every_sample_once_per_epoch_in_a_new_order():
    loader = loaders(alt, batch_size=2, shuffle=True)
    orders = [sum((y.tolist() for _, y in loader), []) for _ in range(5)]
    assert all(sorted(order) == [0, 1, 2, 3, 4] for order in orders)
    assert len({tuple(order) for order in orders}) > 1
    g = alt.Generator()
    seeded = [[y.tolist() for _, y in loaders(alt, batch_size=2, shuffle=True,
                                               generator=g.manual_seed(7))] for _ in range(2)]
    assert seeded[0] == seeded[1]


def test_a_dataset_of_ones_own_is_collated_like_pytorchs():
    class Squares(data.Dataset):
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return {"x": alt.tensor([float(i)]), "y": i * i, "w": 0.5, "name": str(i)}

    batch = next(iter(data.DataLoader(Squares(), batch_size=3)))
    assert batch["x"].shape == (3, 1) and batch["y"].tolist() == [0, 1, 4]
    assert batch["w"].dtype == alt.float64 and batch["name"] == ["0", "1", "2"]


COLLATE_CASES = {
    "numbers": [(1, 2.0, True), (3, 4.0, False)],
    "lists": [[1, 2], [3, 4]],
    "arrays": [np.zeros(2), np.ones(2)],
    "strings": ["a", "b"],
}


@pytest.mark.parametrize("case", COLLATE_CASES)
@pytest.mark.torch_reference
@needs_torch
def test_default_collate_matches_pytorch(case):
    import torch
    from torch.utils.data import default_collate

    def described(value):
        if isinstance(value, (list, tuple)):
            return [described(v) for v in value]
        if hasattr(value, "tolist"):
            return (value.tolist(), str(value.dtype).split(".")[-1])
        return value

    ours = data.default_collate(COLLATE_CASES[case])
    theirs = default_collate(COLLATE_CASES[case])
    assert described(ours) == described(theirs)
    assert torch is not None


@pytest.mark.parametrize("call", [
    lambda lib: lib.utils.data.TensorDataset(lib.zeros(3), lib.zeros(2)),
    lambda lib: lib.utils.data.DataLoader([1, 2], batch_size=0),
    lambda lib: lib.utils.data.DataLoader([1, 2], batch_size=2.5),
    lambda lib: lib.utils.data.random_split(range(10), [3, 3]),
], ids=["tensor_lengths", "batch_size_zero", "batch_size_float", "split_lengths"])
@pytest.mark.torch_reference
@needs_torch
def test_data_errors_match_pytorch(call):
    assert_same_error(call)


@needs_torch
@pytest.mark.torch_reference
def test_random_split_and_concatenation_match_pytorch():
    import torch

    for lengths in ([0.7, 0.3], [3, 7], [0.5, 0.25, 0.25], [0.33, 0.33, 0.34]):
        ours = [len(part) for part in data.random_split(range(10), lengths)]
        theirs = [len(part) for part in torch.utils.data.random_split(range(10), lengths)]
        assert ours == theirs, lengths
    parts = data.random_split(range(10), [0.5, 0.5])
    assert sorted(list(parts[0]) + list(parts[1])) == list(range(10))
    both = data.TensorDataset(alt.arange(3)) + data.TensorDataset(alt.arange(3, 5))
    assert len(both) == 5 and both[3][0].item() == 3 and both[-1][0].item() == 4


# -- devices ---------------------------------------------------------------------------------


def test_set_default_device_moves_new_tensors(fake_cuda):  # noqa: F811
    try:
        alt.set_default_device("cuda")
        assert alt.get_default_device() == "cuda:0"
        for made in (alt.zeros(2), alt.tensor([1.0]), alt.randn(2), alt.arange(3),
                     alt.nn.Linear(2, 1).weight, alt.normal(0.0, 1.0, (2,))):
            assert made.device == "cuda:0"
        assert alt.from_numpy(np.zeros(2)).device == "cpu"
        assert alt.zeros(2, device="cpu").device == "cpu"
    finally:
        alt.set_default_device(None)
    assert alt.zeros(2).device == "cpu" and alt.get_default_device() == "cpu"


@needs_torch
@pytest.mark.torch_reference
def test_default_device_and_accelerator_answer_as_pytorch_on_a_cpu():
    import torch

    assert repr(alt.get_default_device()) == repr(torch.get_default_device())
    alt.set_default_device("cpu")
    alt.set_default_device(None)
    assert alt.accelerator.is_available() is torch.accelerator.is_available() is False
    assert alt.accelerator.current_accelerator() is torch.accelerator.current_accelerator()
    assert alt.accelerator.device_count() == 0


def test_accelerator_names_the_gpu(fake_cuda):  # noqa: F811
    assert alt.accelerator.is_available()
    assert alt.accelerator.current_accelerator().type == "cuda"


# -- RMSprop -------------------------------------------------------------------------------------

RMSPROP_SETTINGS = [dict(), dict(lr=0.01, alpha=0.9), dict(lr=0.01, momentum=0.9),
                    dict(lr=0.01, centered=True), dict(lr=0.01, weight_decay=0.1),
                    dict(lr=0.01, centered=True, momentum=0.5, eps=1e-6),
                    dict(lr=0.01, maximize=True)]


def rmsprop_run(lib, settings, start):
    model = lib.nn.Sequential(lib.nn.Linear(5, 4), lib.nn.Tanh(), lib.nn.Linear(4, 3)).double()
    with lib.no_grad():
        for p, values in zip(model.parameters(), start):
            p.copy_(lib.tensor(values))
    optimizer = lib.optim.RMSprop(model.parameters(), **settings)
    rng = np.random.default_rng(1)
    x, y = lib.tensor(rng.standard_normal((8, 5))), lib.tensor(rng.standard_normal((8, 3)))
    for _ in range(6):
        optimizer.zero_grad()
        lib.nn.functional.mse_loss(model(x), y).backward()
        optimizer.step()
    return [p.detach().numpy().copy() for p in model.parameters()], optimizer


@pytest.mark.parametrize("settings", RMSPROP_SETTINGS, ids=str)
@pytest.mark.torch_reference
@needs_torch
def test_rmsprop_steps_match_pytorch_in_float64(settings):
    import torch

    rng = np.random.default_rng(0)
    start = [rng.standard_normal(s) for s in ((4, 5), (4,), (3, 4), (3,))]
    ours, our_optimizer = rmsprop_run(alt, settings, start)
    theirs, their_optimizer = rmsprop_run(torch, settings, start)
    for mine, its in zip(ours, theirs):
        np.testing.assert_allclose(mine, its, rtol=0, atol=1e-9)
    assert not np.allclose(ours[0], start[0])
    our_state = our_optimizer.state_dict()["state"][0]
    their_state = their_optimizer.state_dict()["state"][0]
    assert sorted(our_state) == sorted(their_state)


@pytest.mark.parametrize("settings", [dict(lr=-1), dict(eps=-1), dict(momentum=-1),
                                      dict(weight_decay=-1), dict(alpha=-1)], ids=str)
@pytest.mark.torch_reference
@needs_torch
def test_rmsprop_errors_match_pytorch(settings):
    assert_same_error(lambda lib: lib.optim.RMSprop([lib.zeros(1, requires_grad=True)],
                                                    **settings))


# -- losses, one_hot -----------------------------------------------------------------------------


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.binary_cross_entropy_with_logits(lib.zeros(3),
                                                                    lib.ones(2)),
    lambda lib: lib.nn.functional.binary_cross_entropy(lib.zeros(3), lib.ones(2)),
    lambda lib: lib.nn.functional.binary_cross_entropy(lib.tensor([1.5]), lib.ones(1)),
    lambda lib: lib.nn.functional.binary_cross_entropy(
        lib.tensor([0.5]), lib.ones(1), weight=lib.ones(1, requires_grad=True)),
    lambda lib: lib.nn.functional.binary_cross_entropy_with_logits(
        lib.tensor([0.5]), lib.ones(1), pos_weight=lib.ones(1, requires_grad=True)),
    lambda lib: lib.nn.BCEWithLogitsLoss(reduction="average")(lib.zeros(1), lib.zeros(1)),
    lambda lib: lib.nn.functional.one_hot(lib.tensor([0.0, 1.0])),
    lambda lib: lib.nn.functional.one_hot(lib.tensor([-1, 0])),
    lambda lib: lib.nn.functional.one_hot(lib.tensor([3]), 2),
    lambda lib: lib.nn.functional.one_hot(lib.tensor([], dtype=lib.long)),
], ids=["logits_sizes", "probabilities_sizes", "outside_0_1", "weight_requires_grad",
        "pos_weight_requires_grad", "bad_reduction", "one_hot_floats", "one_hot_negative",
        "one_hot_too_large", "one_hot_empty"])
@pytest.mark.torch_reference
@needs_torch
def test_loss_and_one_hot_errors_match_pytorch(call):
    assert_same_error(call)


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.one_hot(lib.tensor([0, 2, 1])),
    lambda lib: lib.nn.functional.one_hot(lib.tensor([[0], [1]]), num_classes=4),
    lambda lib: lib.nn.functional.one_hot(lib.tensor(2), 3),
    lambda lib: lib.nn.functional.one_hot(lib.tensor([], dtype=lib.long), 3),
    lambda lib: lib.nn.functional.one_hot(lib.tensor([1, 0]), 3).float() @ lib.ones(3, 2),
], ids=["inferred", "2d", "0d", "empty", "float_matmul"])
@pytest.mark.torch_reference
@needs_torch
def test_one_hot_matches_pytorch(call):
    import torch

    ours, theirs = call(alt), call(torch)
    assert ours.tolist() == theirs.tolist() and ours.shape == tuple(theirs.shape)
    assert repr(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]


@needs_torch
@pytest.mark.torch_reference
def test_loss_modules_match_the_functions_and_print_like_pytorchs():
    import torch

    for lib in (alt, torch):
        x, y = lib.tensor([0.5, -1.0, 2.0]), lib.tensor([1.0, 0.0, 1.0])
        weight, pos_weight = lib.tensor([1.0, 2.0, 0.5]), lib.tensor([3.0, 1.0, 1.0])
        F = lib.nn.functional
        module = lib.nn.BCEWithLogitsLoss(weight=weight, reduction="sum", pos_weight=pos_weight)
        assert module(x, y).item() == pytest.approx(
            F.binary_cross_entropy_with_logits(x, y, weight, reduction="sum",
                                               pos_weight=pos_weight).item())
        assert lib.nn.BCELoss()(x.sigmoid(), y).item() == pytest.approx(
            F.binary_cross_entropy(x.sigmoid(), y).item())
    assert repr(alt.nn.BCEWithLogitsLoss()) == repr(torch.nn.BCEWithLogitsLoss())
    assert repr(alt.nn.BCELoss()) == repr(torch.nn.BCELoss())
    logits = [lib.tensor([30.0, -30.0], dtype=lib.float64) for lib in (alt, torch)]
    assert alt.nn.functional.binary_cross_entropy_with_logits(
        logits[0], alt.tensor([0.0, 1.0], dtype=alt.float64)).item() == pytest.approx(
        torch.nn.functional.binary_cross_entropy_with_logits(
            logits[1], torch.tensor([0.0, 1.0], dtype=torch.float64)).item(), rel=1e-12)


# -- histogram, meshgrid, log10, cumsum ----------------------------------------------------------

HISTOGRAMS = {
    "bins": lambda lib: lib.histogram(lib.tensor([1.0, 2, 1]), bins=4, range=(0.0, 3.0)),
    "edges": lambda lib: lib.histogram(lib.tensor([1.0, 2, 1]), lib.tensor([0.0, 1, 2, 3])),
    "weights_density": lambda lib: lib.histogram(
        lib.tensor([1.0, 2, 1]), bins=4, range=(0.0, 3.0), weight=lib.tensor([1.0, 2, 4]),
        density=True),
    "default_range_2d": lambda lib: lib.histogram(lib.tensor([[1.0, 2], [1, 5]]), bins=3),
    "constant": lambda lib: lib.histogram(lib.tensor([1.0, 1.0]), bins=2),
    "float64_outside": lambda lib: lib.histogram(
        lib.tensor([-1.0, 0.5, 9.0], dtype=lib.float64), bins=2, range=(0.0, 1.0)),
    "default_bins": lambda lib: lib.histogram(lib.tensor([1.0, 2.0, 3.0]), density=True),
    "histc": lambda lib: lib.histc(lib.tensor([1.0, 2, 1]), bins=4, min=0, max=3),
    "histc_default": lambda lib: lib.histc(lib.tensor([1.0, 2, 1, 7])),
    "histc_constant": lambda lib: lib.histc(lib.tensor([2.0, 2.0]), bins=4),
}


@pytest.mark.parametrize("case", HISTOGRAMS)
@pytest.mark.torch_reference
@needs_torch
def test_histograms_match_pytorch(case):
    import torch

    ours, theirs = HISTOGRAMS[case](alt), HISTOGRAMS[case](torch)
    if isinstance(ours, tuple):
        assert repr(ours).split("(")[0].replace("autograd_lab", "torch") == \
            repr(theirs).split("(")[0]
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)
            assert repr(a.dtype).split(".")[1] == str(b.dtype).split(".")[1]
    else:
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


@pytest.mark.parametrize("call", [
    lambda lib: lib.histogram(lib.tensor([1, 2]), bins=2),
    lambda lib: lib.histogram(lib.tensor([1.0, 2.0]), bins=2, range=(3.0, 1.0)),
    lambda lib: lib.meshgrid(lib.zeros(2), lib.zeros(2), indexing="foo"),
    lambda lib: lib.ones(2).cumsum(1),
], ids=["histogram_integers", "histogram_range", "meshgrid_indexing", "cumsum_dim"])
@pytest.mark.torch_reference
@needs_torch
def test_errors_match_pytorch(call):
    assert_same_error(call)


def test_meshgrid_without_indexing_warns_and_uses_ij():
    with pytest.warns(UserWarning, match="it will be required to pass the indexing argument"):
        rows, cols = alt.meshgrid(alt.tensor([1, 2]), alt.tensor([3, 4, 5]))
    assert rows.shape == (2, 3) and rows[:, 0].tolist() == [1, 2]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert alt.meshgrid([alt.tensor([1, 2])], indexing="xy")[0].tolist() == [1, 2]


@needs_torch
@pytest.mark.torch_reference
def test_log10_of_powers_of_ten_is_exact_and_cumsum_promotes_as_pytorch():
    import torch

    for lib in (alt, torch):
        assert lib.tensor([1, 10, 100, 1000]).log10().tolist() == [0.0, 1.0, 2.0, 3.0]
    for values in ([1, 2, 3], [True, False, True], [1.5, 2.5]):
        ours, theirs = alt.tensor(values).cumsum(0), torch.tensor(values).cumsum(0)
        assert ours.tolist() == theirs.tolist()
        assert repr(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]


# -- LazyLinear ----------------------------------------------------------------------------------


@needs_torch
@pytest.mark.torch_reference
def test_lazy_linear_prints_and_becomes_linear_as_pytorchs():
    import torch

    reprs = []
    for lib in (alt, torch):
        layer = lib.nn.LazyLinear(3)
        weight = layer.weight
        before = [repr(layer), repr(layer.weight), type(layer.weight).__name__]
        error = error_of(lambda _: weight.shape, lib)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PyTorch warns that lazy modules are new
            out = layer(lib.ones(2, 5))
        after = [repr(layer), type(layer).__name__, type(layer.weight).__name__,
                 tuple(layer.weight.shape), tuple(out.shape), layer.weight is weight,
                 repr(lib.nn.LazyLinear(2, bias=False))]
        reprs.append((before, error, after))
    assert reprs[0] == reprs[1]


def test_lazy_linear_trains_with_an_optimizer_made_before_its_first_call():
    alt.manual_seed(0)
    model = alt.nn.Sequential(alt.nn.Flatten(), alt.nn.LazyLinear(8), alt.nn.ReLU(),
                              alt.nn.LazyLinear(1))
    optimizer = alt.optim.SGD(model.parameters(), lr=0.05)
    x = alt.randn(32, 2, 2)
    y = x.sum((1, 2)).unsqueeze(1)
    losses = []
    for _ in range(50):
        loss = alt.nn.functional.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0] / 4
    assert [tuple(p.shape) for p in model.parameters()] == [(8, 4), (8,), (1, 8), (1,)]


# -- numpy's names: axis=, keepdims= -------------------------------------------------------------

NUMPY_SPELLINGS = [
    "x.sum(axis=0)", "x.sum(0, keepdims=True)", "x.sum(axis=[0, 1])", "lib.sum(x, axis=1)",
    "x.mean(axis=1, keepdims=True)", "lib.mean(x, axis=0)", "x.prod(axis=1)",
    "x.var(axis=0, keepdims=True)", "x.std(axis=1)", "x.amax(axis=1)",
    "x.amin(axis=0, keepdims=True)", "x.max(axis=1).values", "x.max(1, keepdims=True).values",
    "lib.max(x, axis=1).indices", "x.min(axis=0).values", "x.argmax(axis=1)",
    "x.argmin(axis=0, keepdims=True)", "x.all(axis=0)", "(x > 3).any(axis=1)",
    "x.softmax(axis=0)", "x.log_softmax(axis=1)", "lib.cat([x, x], axis=1)",
    "lib.stack([x, x], axis=0)", "x.unsqueeze(axis=0)", "x[:1].squeeze(axis=0)",
    "x.cumsum(axis=0)", "lib.cumsum(x, axis=1)",
]


@pytest.mark.parametrize("expression", NUMPY_SPELLINGS)
@pytest.mark.torch_reference
@needs_torch
def test_numpy_spellings_match_pytorch(expression):
    import torch

    results = [eval(expression, {"x": lib.arange(12.0).reshape(3, 4), "lib": lib})  # noqa: S307
               for lib in (alt, torch)]
    np.testing.assert_allclose(results[0].numpy(), results[1].numpy(), rtol=1e-6)
    assert results[0].shape == tuple(results[1].shape)


def test_a_keyword_given_twice_is_refused():
    with pytest.raises(TypeError, match="sum\\(\\) got multiple values for argument 'dim'"):
        alt.ones(2).sum(dim=0, axis=0)


# -- out= ----------------------------------------------------------------------------------------

OUT_CALLS = {
    "mul": lambda lib, out: lib.mul(lib.tensor([1.0, 2.0]), 3, out=out),
    "matmul_into_empty": lambda lib, out: lib.matmul(lib.ones(2, 3), lib.ones(3, 2), out=out),
    "add_integers_into_float": lambda lib, out: lib.add(lib.tensor([1, 2]), 1, out=out),
    "exp_into_itself": lambda lib, out: lib.exp(out, out=out),
    "sum_dim": lambda lib, out: lib.sum(lib.ones(2, 3), 1, out=out),
    "cat": lambda lib, out: lib.cat([lib.ones(1, 2), lib.zeros(1, 2)], out=out),
}
OUT_STARTS = {"mul": [0.0, 0.0], "matmul_into_empty": [], "add_integers_into_float": [0.0, 0.0],
              "exp_into_itself": [0.0, 1.0], "sum_dim": [0.0, 0.0], "cat": []}


@pytest.mark.parametrize("name", OUT_CALLS)
@pytest.mark.torch_reference
@needs_torch
def test_out_argument_matches_pytorch(name):
    import torch

    results = []
    for lib in (alt, torch):
        out = lib.tensor(OUT_STARTS[name])
        returned = OUT_CALLS[name](lib, out)
        results.append((returned is out, tuple(out.shape), out.numpy().copy()))
    assert results[0][:2] == results[1][:2]
    np.testing.assert_allclose(results[0][2], results[1][2], rtol=1e-6)


@pytest.mark.parametrize("call", [
    lambda lib: lib.mul(lib.ones(2, requires_grad=True), 2, out=lib.empty(2)),
    lambda lib: lib.mul(lib.ones(2), 2.5, out=lib.empty(2, dtype=lib.long)),
], ids=["requires_grad", "cast"])
@pytest.mark.torch_reference
@needs_torch
def test_out_argument_errors_match_pytorch(call):
    assert_same_error(call)


def test_out_argument_of_another_shape_is_resized_with_pytorchs_warning():
    out = alt.zeros(3)
    with pytest.warns(UserWarning, match="An output with one or more elements was resized"):
        alt.add(alt.ones(2, 2), 1, out=out)
    assert out.tolist() == [[2.0, 2.0], [2.0, 2.0]]
    with alt.no_grad():
        assert alt.mul(alt.ones(2, requires_grad=True), 2, out=alt.empty(2)).tolist() == [2, 2]


# -- on the GPU path (a fake GPU built on numpy) -------------------------------------------------


def test_the_additions_keep_tensors_on_the_gpu(fake_cuda):  # noqa: F811
    g = alt.Generator(device="cuda").manual_seed(0)
    p = alt.tensor([[0.2, 0.8], [1.0, 0.0]], device="cuda")
    made = {
        "multinomial": alt.multinomial(p, 1, True, generator=g),
        "multinomial_without_replacement": alt.multinomial(p, 2),
        "normal": alt.normal(alt.zeros(3, device="cuda"), 1.0),
        "normal_numbers": alt.normal(0.0, 1.0, (2,), device="cuda", generator=g),
        "one_hot": alt.nn.functional.one_hot(alt.tensor([0, 2], device="cuda")),
        "histc": alt.histc(alt.tensor([1.0, 2.0], device="cuda"), bins=3),
        "histogram": alt.histogram(alt.tensor([1.0, 2.0], device="cuda"), bins=3).hist,
        "cumsum": alt.tensor([1.0, 2.0], device="cuda").cumsum(0),
        "log10": alt.tensor([10.0], device="cuda").log10(),
        "bce": alt.nn.functional.binary_cross_entropy_with_logits(
            alt.zeros(2, device="cuda"), alt.ones(2, device="cuda")),
        "batch": next(iter(data.DataLoader(data.TensorDataset(alt.arange(4, device="cuda")),
                                           batch_size=2, shuffle=True)))[0],
    }
    for name, tensor in made.items():
        assert tensor.device == "cuda:0", name
    assert made["multinomial"][1].item() == 0 and made["one_hot"].tolist()[1] == [0, 0, 1]


# -- Embedding, tril -----------------------------------------------------------------------------


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.embedding(lib.tensor([0.0, 1.0]), lib.ones(3, 2)),
    lambda lib: lib.nn.functional.embedding(lib.tensor([3]), lib.ones(3, 2)),
    lambda lib: lib.nn.functional.embedding(lib.tensor([-1]), lib.ones(3, 2)),
    lambda lib: lib.nn.Embedding(10, 3, padding_idx=10),
    lambda lib: lib.tril(lib.ones(3)),
    lambda lib: lib.ones(3).triu(),
], ids=["float_indices", "too_large", "negative", "padding_outside", "tril_1d", "triu_1d"])
@pytest.mark.torch_reference
@needs_torch
def test_embedding_and_triangle_errors_match_pytorch(call):
    assert_same_error(call)


@needs_torch
@pytest.mark.torch_reference
def test_embedding_module_matches_pytorchs():
    import torch

    for lib in (alt, torch):
        table = lib.nn.Embedding(10, 3, padding_idx=-2)
        assert table.padding_idx == 8 and table.weight[8].tolist() == [0.0, 0.0, 0.0]
        assert 0.3 < lib.nn.Embedding(1000, 4).weight.std().item() < 3  # drawn from N(0, 1)
        frozen = lib.nn.Embedding.from_pretrained(lib.ones(2, 2))
        assert not frozen.weight.requires_grad
        out = table(lib.tensor([[1, 8], [8, 1]], dtype=lib.int32))
        out.sum().backward()
        assert tuple(out.shape) == (2, 2, 3)
        assert table.weight.grad[8].tolist() == [0.0] * 3
        assert table.weight.grad[1].tolist() == [2.0] * 3
    assert [repr(lib.nn.Embedding(10, 3, padding_idx=0)) for lib in (alt, torch)] == [
        "Embedding(10, 3, padding_idx=0)"] * 2
    assert repr(alt.nn.Embedding(27, 2)) == repr(torch.nn.Embedding(27, 2))
