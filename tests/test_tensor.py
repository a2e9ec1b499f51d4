"""Tensor attributes and methods, the creation API and dtypes, as PyTorch has them."""

import importlib.util

import numpy as np
import pytest

import autograd_lab as alt

needs_torch = pytest.mark.skipif(importlib.util.find_spec("torch") is None,
                                 reason="PyTorch is not installed")


# -- attributes ---------------------------------------------------------------------------------

def test_shape_size_dim_numel_describe_the_tensor():
    x = alt.zeros(2, 3, 4)
    assert x.shape == (2, 3, 4)
    assert x.size() == (2, 3, 4)
    assert x.size(1) == 3 and x.size(-1) == 4
    assert x.dim() == 3 and x.ndim == 3
    assert x.numel() == 24
    assert len(x) == 2


def test_default_dtype_is_float32_and_device_is_cpu():
    x = alt.ones(2)
    assert x.dtype is alt.float32
    assert x.device == "cpu"
    assert x.device == alt.device("cpu")
    assert repr(x.device) == "device(type='cpu')"
    assert alt.get_default_dtype() is alt.float32


def test_a_new_tensor_is_a_leaf_without_grad():
    x = alt.ones(2)
    assert x.is_leaf and x.grad_fn is None and x.grad is None and not x.requires_grad


def test_result_of_an_op_on_a_tensor_that_requires_grad_is_not_a_leaf():
    x = alt.ones(2, requires_grad=True)
    y = x * 2
    assert not y.is_leaf and y.requires_grad and y.grad_fn.name() == "MulBackward0"


def test_result_of_ops_on_tensors_without_grad_is_a_leaf():
    y = alt.ones(2) * 2
    assert y.is_leaf and y.grad_fn is None and not y.requires_grad


def test_requires_grad_underscore_returns_self_and_can_switch_off():
    x = alt.ones(2)
    assert x.requires_grad_() is x and x.requires_grad
    x.requires_grad_(False)
    assert not x.requires_grad


def test_requires_grad_underscore_on_a_non_leaf_that_requires_grad_is_a_no_op():
    y = alt.ones(2, requires_grad=True) * 2
    assert y.requires_grad_() is y and y.requires_grad and y.grad_fn is not None


def test_grad_can_be_assigned_and_reset():
    x = alt.ones(2, requires_grad=True)
    x.grad = alt.tensor([1.0, 2.0])
    (x * 1).sum().backward()
    assert x.grad.tolist() == [2.0, 3.0]
    x.grad = None
    assert x.grad is None


def test_retains_grad_is_false_until_retain_grad_is_called():
    y = alt.ones(2, requires_grad=True) * 2
    assert y.retains_grad is False
    y.retain_grad()
    assert y.retains_grad is True


# -- methods ------------------------------------------------------------------------------------

def test_item_returns_a_python_number_of_the_right_type():
    assert alt.tensor(2.5).item() == 2.5 and isinstance(alt.tensor(2.5).item(), float)
    assert isinstance(alt.tensor(3).item(), int)
    assert alt.tensor([[7.0]]).item() == 7.0


def test_tolist_returns_nested_python_lists():
    assert alt.tensor([[1.0, 2.0], [3.0, 4.0]]).tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert alt.tensor(5).tolist() == 5


def test_numpy_shares_memory_with_the_tensor():
    x = alt.zeros(3)
    x.numpy()[1] = 5.0
    assert x.tolist() == [0.0, 5.0, 0.0]


def test_clone_copies_storage_and_keeps_the_graph():
    x = alt.ones(2, requires_grad=True)
    y = x.clone()
    assert y.grad_fn.name() == "CloneBackward0"
    with alt.no_grad():
        y.mul_(3)
    assert x.tolist() == [1.0, 1.0]
    y2 = x.clone()
    y2.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_detach_shares_storage_and_version_counter():
    x = alt.ones(3, requires_grad=True)
    d = x.detach()
    assert not d.requires_grad and d.is_leaf
    d[0] = 4.0
    assert x.tolist() == [4.0, 1.0, 1.0]
    assert x._version == d._version == 1


def test_indexing_one_element_gives_a_view_that_sees_later_changes():
    y = alt.zeros(3)
    z = y[0]
    y.add_(1)
    assert z.item() == 1.0


def test_indexing_a_row_gives_a_view_that_sees_later_changes():
    y = alt.zeros(2, 3)
    row = y[0]
    y.add_(1)
    assert row.tolist() == [1.0, 1.0, 1.0] and row._version == y._version


def test_data_is_a_detached_view_and_can_be_replaced():
    x = alt.ones(2, requires_grad=True)
    assert not x.data.requires_grad
    x.data.mul_(3)  # invisible to autograd, as in PyTorch
    assert x.tolist() == [3.0, 3.0]
    x.data = alt.zeros(2)
    assert x.tolist() == [0.0, 0.0] and x.requires_grad


def test_old_style_update_through_data_changes_the_leaf_without_recording():
    w = alt.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    w.data -= 0.5 * w.grad.data
    w.grad.data.zero_()
    assert w.tolist() == [0.0, 0.0] and w.grad.tolist() == [0.0, 0.0]
    assert w.is_leaf and w.requires_grad and w._version == 0


def test_zero_and_fill_change_values_in_place():
    x = alt.ones(2, 2)
    assert x.fill_(3.0) is x and x.tolist() == [[3.0, 3.0], [3.0, 3.0]]
    assert x.zero_() is x and x.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert x._version == 2


def test_copy_broadcasts_and_casts_into_the_destination():
    x = alt.zeros(2, 3)
    x.copy_(alt.tensor([1, 2, 3]))
    assert x.dtype is alt.float32 and x.tolist() == [[1.0, 2.0, 3.0]] * 2


def test_copy_is_differentiable_with_respect_to_the_source():
    src = alt.tensor([1.0, 2.0], requires_grad=True)
    dst = alt.zeros(2)
    dst.copy_(src)
    assert dst.grad_fn is not None
    (dst * alt.tensor([3.0, 4.0])).sum().backward()
    assert src.grad.tolist() == [3.0, 4.0]


def test_to_float_double_long_change_the_dtype():
    x = alt.tensor([1.5, 2.5])
    assert x.float() is x
    assert x.double().dtype is alt.float64
    assert x.long().dtype is alt.int64 and x.long().tolist() == [1, 2]
    assert x.to(alt.float64).dtype is alt.float64
    assert x.to(dtype=alt.float64).dtype is alt.float64
    assert x.to(alt.zeros(1, dtype=alt.float64)).dtype is alt.float64


def test_to_cpu_on_a_cpu_tensor_returns_it_unchanged():
    x = alt.ones(2)
    assert x.cpu() is x and x.to("cpu") is x and x.to(alt.device("cpu")) is x
    assert x.to("cpu", non_blocking=True) is x
    assert x.to("cpu", alt.float64).dtype is alt.float64


def test_to_another_dtype_is_differentiable():
    x = alt.tensor([1.0, 2.0], requires_grad=True)
    y = x.double()
    assert y.grad_fn.name() == "ToCopyBackward0"
    (y * y).sum().backward()
    assert x.grad.dtype is alt.float32 and x.grad.tolist() == [2.0, 4.0]


def test_register_hook_sees_the_gradient():
    x = alt.ones(2, requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.tolist()))
    (x * 3).sum().backward()
    assert seen == [[3.0, 3.0]]


def test_bool_int_float_and_index_conversions():
    assert bool(alt.tensor([1.0])) is True and bool(alt.tensor(0.0)) is False
    assert int(alt.tensor(3.7)) == 3 and float(alt.tensor(2)) == 2.0
    assert [10, 20, 30][alt.tensor(1)] == 20
    assert f"{alt.tensor(2.5):.2f}" == "2.50"


def test_iterating_yields_the_rows():
    rows = list(alt.tensor([[1, 2], [3, 4]]))
    assert [r.tolist() for r in rows] == [[1, 2], [3, 4]]


def test_tensors_hash_by_identity_so_they_work_in_sets_and_dicts():
    a, b = alt.ones(1), alt.ones(1)
    assert len({a, b}) == 2 and {a: 1}[a] == 1


def test_is_tensor_and_is_floating_point():
    assert alt.is_tensor(alt.ones(1)) and not alt.is_tensor(np.ones(1))
    assert alt.ones(1).is_floating_point() and not alt.arange(2).is_floating_point()


def test_type_names_follow_pytorch():
    assert alt.ones(1).type() == "autograd_lab.FloatTensor"
    assert alt.arange(2).type() == "autograd_lab.LongTensor"


def test_numpy_array_times_tensor_gives_a_tensor():
    result = np.ones(2) * alt.ones(2)
    assert isinstance(result, alt.Tensor)


def test_new_constructors_take_dtype_and_device_from_the_tensor():
    x = alt.ones(2, dtype=alt.float64)
    for made, shape in ((x.new_zeros(2, 3), (2, 3)), (x.new_ones((4,)), (4,)),
                        (x.new_full((2,), 7.0), (2,)), (x.new_tensor([1, 2]), (2,)),
                        (x.new_empty(3), (3,))):
        assert made.dtype is alt.float64 and made.device == "cpu" and made.shape == shape
    assert x.new_tensor([1, 2], dtype=alt.int64).dtype is alt.int64
    assert x.new_zeros(1, requires_grad=True).requires_grad


def test_stride_nelement_and_output_nr():
    x = alt.zeros(2, 3)
    assert x.stride() == (3, 1) and x.t().stride() == (1, 3) and x.stride(-1) == 1
    assert x.nelement() == 6 and alt.numel(x) == 6 and alt.is_floating_point(x)
    assert (alt.ones(1, requires_grad=True) * 2).output_nr == 0


@pytest.mark.parametrize("name, expected", [
    ("exp_", [1.0, np.e]), ("log_", [-np.inf, 0.0]), ("relu_", [0.0, 1.0]),
    ("sqrt_", [0.0, 1.0]), ("abs_", [0.0, 1.0]), ("sigmoid_", [0.5, 1 / (1 + np.exp(-1))]),
    ("tanh_", [0.0, np.tanh(1.0)]),
])
def test_in_place_elementwise_methods_change_values_and_bump_the_version(name, expected):
    x = alt.tensor([0.0, 1.0], dtype=alt.float64)
    with np.errstate(divide="ignore"):
        assert getattr(x, name)() is x
    np.testing.assert_allclose(x.numpy(), expected)
    assert x._version == 1


def test_in_place_elementwise_methods_are_differentiable_on_non_leaves():
    x = alt.tensor([0.5, 2.0], dtype=alt.float64, requires_grad=True)
    y = x * 1
    y.log_()  # keeps the old y for backward (exp_ would keep its output: masked_fill_ then fails)
    y.masked_fill_(alt.tensor([False, True]), 1.0)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1 / 0.5, 0.0])


def test_uniform_and_normal_fill_in_place_with_the_seeded_generator():
    alt.manual_seed(1)
    u = alt.empty(10_000).uniform_(-2.0, 3.0)
    n = alt.empty(10_000, dtype=alt.float64).normal_(1.0, 2.0)
    assert u.dtype is alt.float32 and -2.0 <= u.numpy().min() and u.numpy().max() < 3.0
    assert abs(n.numpy().mean() - 1.0) < 0.1 and abs(n.numpy().std() - 2.0) < 0.1
    alt.manual_seed(1)
    assert alt.empty(10_000).uniform_(-2.0, 3.0).tolist() == u.tolist()
    with alt.no_grad():
        w = alt.empty(3, requires_grad=True).normal_()
    assert w.requires_grad and w.is_leaf


# -- creation -----------------------------------------------------------------------------------

def test_tensor_infers_dtype_like_pytorch():
    assert alt.tensor([[1.0, 2.0], [3.0, 4.0]]).dtype is alt.float32
    assert alt.tensor([1, 2]).dtype is alt.int64
    assert alt.tensor([True, False]).dtype is alt.bool
    assert alt.tensor(1.5).dtype is alt.float32
    assert alt.tensor(np.array([1.0])).dtype is alt.float64
    assert alt.tensor([1, 2], dtype=alt.float64).dtype is alt.float64


def test_tensor_copies_its_data():
    array = np.zeros(2, dtype=np.float32)
    t = alt.tensor(array)
    array[0] = 1
    assert t.tolist() == [0.0, 0.0]


def test_tensor_accepts_lists_of_tensors():
    assert alt.tensor([alt.tensor(1.0), alt.tensor(2.0)]).tolist() == [1.0, 2.0]
    nested = alt.tensor([alt.tensor([1, 2]), alt.tensor([3, 4])])
    assert nested.dtype is alt.int64 and nested.shape == (2, 2)


def test_tensor_with_requires_grad_makes_a_leaf():
    x = alt.tensor([1.0, 2.0], requires_grad=True)
    assert x.requires_grad and x.is_leaf


def test_legacy_tensor_constructor_takes_data_or_sizes():
    assert alt.Tensor([[1, 2]]).dtype is alt.float32
    assert alt.Tensor(2, 3).shape == (2, 3)


def test_as_tensor_and_from_numpy_share_memory():
    array = np.zeros(3)
    a, b = alt.as_tensor(array), alt.from_numpy(array)
    array[0] = 9.0
    assert a[0].item() == 9.0 and b[0].item() == 9.0 and b.dtype is alt.float64
    assert alt.as_tensor([1, 2]).dtype is alt.int64


def test_filled_constructors_accept_sizes_as_varargs_or_tuple():
    assert alt.zeros(2, 3).shape == alt.zeros((2, 3)).shape == (2, 3)
    assert alt.ones([2]).tolist() == [1.0, 1.0]
    assert alt.empty(2, 2).shape == (2, 2)
    assert alt.full((2,), 7).dtype is alt.int64 and alt.full((2,), 7.0).dtype is alt.float32
    assert alt.eye(2).tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert alt.eye(2, 3).shape == (2, 3)


def test_like_constructors_copy_shape_dtype_and_device():
    x = alt.ones(2, 3, dtype=alt.float64)
    for made in (alt.zeros_like(x), alt.ones_like(x), alt.empty_like(x), alt.full_like(x, 2.0),
                 alt.randn_like(x), alt.rand_like(x)):
        assert made.shape == (2, 3) and made.dtype is alt.float64 and made.device == "cpu"
    assert alt.zeros_like(x, dtype=alt.int64).dtype is alt.int64


def test_arange_and_linspace():
    assert alt.arange(5).tolist() == [0, 1, 2, 3, 4] and alt.arange(5).dtype is alt.int64
    assert alt.arange(1, 7, 2).tolist() == [1, 3, 5]
    assert alt.arange(0.0, 1.0, 0.25).dtype is alt.float32
    assert alt.linspace(0, 1, 5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]


def test_manual_seed_makes_random_tensors_repeat():
    alt.manual_seed(3)
    first = (alt.randn(3), alt.rand(3), alt.randint(0, 10, (3,)), alt.randperm(5))
    alt.manual_seed(3)
    second = (alt.randn(3), alt.rand(3), alt.randint(0, 10, (3,)), alt.randperm(5))
    for a, b in zip(first, second):
        assert a.tolist() == b.tolist()


def test_random_tensors_have_pytorch_dtypes_and_ranges():
    alt.manual_seed(0)
    assert alt.randn(2, 3).dtype is alt.float32 and alt.randn(2, dtype=alt.float64).dtype \
        is alt.float64
    u = alt.rand(1000)
    assert 0 <= u.numpy().min() and u.numpy().max() < 1
    r = alt.randint(3, 6, (1000,))
    assert r.dtype is alt.int64 and set(r.tolist()) == {3, 4, 5}
    assert sorted(alt.randperm(6).tolist()) == list(range(6))


def test_randn_has_roughly_unit_variance():
    alt.manual_seed(0)
    sample = alt.randn(100_000).numpy()
    assert abs(sample.mean()) < 0.02 and abs(sample.std() - 1) < 0.02


# -- dtypes -------------------------------------------------------------------------------------

def test_dtype_aliases_are_the_same_objects():
    assert alt.float is alt.float32 and alt.double is alt.float64
    assert alt.long is alt.int64 and alt.int is alt.int32 and alt.half is alt.float16


def test_dtype_prints_with_the_package_name():
    assert repr(alt.float32) == "autograd_lab.float32" and str(alt.int64) == "autograd_lab.int64"


def test_dtype_knows_whether_it_is_floating_point():
    assert alt.float64.is_floating_point and not alt.bool.is_floating_point
    assert alt.float64.itemsize == 8


@pytest.mark.parametrize("name", ["float16", "float32", "float64", "uint8", "int8", "int16",
                                  "int32", "int64", "bool"])
def test_every_dtype_round_trips_through_a_tensor(name):
    dtype = getattr(alt, name)
    x = alt.zeros(2, dtype=dtype)
    assert x.dtype is dtype and x.numpy().dtype == np.dtype(name)


def test_dtype_survives_pickling():
    import pickle

    assert pickle.loads(pickle.dumps(alt.float64)) is alt.float64


def test_python_types_mean_float64_and_int64():
    assert alt.zeros(1, dtype=float).dtype is alt.float64
    assert alt.zeros(1, dtype=int).dtype is alt.int64


# -- against PyTorch ----------------------------------------------------------------------------

@needs_torch
def test_creation_matches_pytorch_values_and_dtypes():
    import torch

    cases = [
        ("tensor", ([[1.0, 2.0], [3.0, 4.0]],), {}),
        ("tensor", ([1, 2, 3],), {}),
        ("tensor", ([True, False],), {}),
        ("zeros", (2, 3), {}),
        ("ones", ((2,),), {}),
        ("full", ((2, 2), 7), {}),
        ("eye", (3,), {}),
        ("arange", (1, 7, 2), {}),
        ("arange", (0.0, 1.0, 0.25), {}),
        ("linspace", (0, 1, 5), {}),
    ]
    for name, args, kwargs in cases:
        ours, theirs = getattr(alt, name)(*args, **kwargs), getattr(torch, name)(*args, **kwargs)
        assert ours.tolist() == theirs.tolist(), name
        assert ours.dtype.name == str(theirs.dtype).removeprefix("torch."), name
        assert repr(ours) == repr(theirs), name


def test_deepcopy_of_a_leaf_is_independent_of_the_original_and_its_graph():
    import copy

    t = alt.ones(2, requires_grad=True)
    _ = t * 2  # the original has a live graph (and a gradient accumulator)
    u = copy.deepcopy(t)
    (u * 3).sum().backward()
    assert t.grad is None and u.grad.tolist() == [3.0, 3.0]
    u.data[0] = 7.0
    assert t.tolist() == [1.0, 1.0] and u.requires_grad and u.is_leaf


def test_deepcopy_of_a_non_leaf_raises_as_in_pytorch():
    import copy

    with pytest.raises(RuntimeError, match="graph leaves"):
        copy.deepcopy(alt.ones(2, requires_grad=True) * 2)
