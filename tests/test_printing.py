"""Tensors print exactly as PyTorch prints them: hand-checked cases, then PyTorch as the oracle."""

import contextlib
import importlib.util

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd_lab._printing import get_printoptions, set_printoptions, tensor_repr

HAS_TORCH = importlib.util.find_spec("torch") is not None
needs_torch = pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed")

DTYPE_NAMES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"]


def show(values, dtype="float32", **kwargs):
    array = np.asarray(values, dtype=dtype)
    return tensor_repr(array, dtype_label=f"autograd_lab.{array.dtype}", **kwargs)


@pytest.fixture
def default_printoptions():
    """Give the test default print options and put back whatever was set before."""
    saved = get_printoptions()
    set_printoptions(profile="default")
    yield
    set_printoptions(**saved)


# --- the autograd tutorial --------------------------------------------------------------------

def test_tutorial_sum_prints_matrix_with_grad_fn():
    assert show(np.full((2, 2), 3.0), grad_fn_name="AddBackward0") == (
        "tensor([[3., 3.],\n"
        "        [3., 3.]], grad_fn=<AddBackward0>)"
    )


def test_tutorial_mean_prints_whole_scalar_with_a_dot():
    assert show(27.0, grad_fn_name="MeanBackward0") == "tensor(27., grad_fn=<MeanBackward0>)"


def test_tutorial_gradient_prints_four_decimals():
    assert show(np.full((2, 2), 4.5)) == (
        "tensor([[4.5000, 4.5000],\n"
        "        [4.5000, 4.5000]])"
    )


def test_leaf_that_requires_grad_says_so():
    assert show(np.ones((2, 2)), requires_grad=True) == (
        "tensor([[1., 1.],\n"
        "        [1., 1.]], requires_grad=True)"
    )


def test_grad_fn_replaces_requires_grad():
    text = show([1.5], grad_fn_name="MulBackward0", requires_grad=True)
    assert text == "tensor([1.5000], grad_fn=<MulBackward0>)"


def test_zero_dimensional_tensor_has_no_brackets():
    assert show(4.5) == "tensor(4.5000)"
    assert show(7, dtype="int64") == "tensor(7)"
    assert show(True, dtype="bool") == "tensor(True)"


# --- dtype, size and device suffixes ----------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
def test_dtype_implied_by_values_is_not_printed(dtype):
    assert "dtype=" not in show([1, 0], dtype=dtype)


@pytest.mark.parametrize("dtype", ["float16", "float64", "int8", "int16", "int32", "uint8"])
def test_other_dtypes_are_printed(dtype):
    assert show([1, 0], dtype=dtype).endswith(f", dtype=autograd_lab.{dtype})")


def test_float64_keeps_torch_precision():
    assert show([1 / 3, 2.0], dtype="float64") == (
        "tensor([0.3333, 2.0000], dtype=autograd_lab.float64)"
    )


def test_empty_tensors_show_size_unless_one_dimensional_and_dtype_unless_float32():
    assert show([]) == "tensor([])"
    assert show(np.zeros((0, 3))) == "tensor([], size=(0, 3))"
    assert show([], dtype="int64") == "tensor([], dtype=autograd_lab.int64)"
    assert show([], dtype="bool") == "tensor([], dtype=autograd_lab.bool)"
    assert show(np.zeros((2, 0, 1)), dtype="float64") == (
        "tensor([], size=(2, 0, 1), dtype=autograd_lab.float64)"
    )


def test_suffixes_come_in_torch_order():
    text = show([1.0], dtype="float64", device_label="cuda:0", requires_grad=True)
    assert text == (
        "tensor([1.], device='cuda:0', dtype=autograd_lab.float64, requires_grad=True)"
    )


def test_suffix_that_would_pass_linewidth_starts_a_new_line():
    text = show(np.arange(8.0), dtype="float64", device_label="cuda:0",
                grad_fn_name="AddBackward0")
    assert text == (
        "tensor([0., 1., 2., 3., 4., 5., 6., 7.], device='cuda:0',\n"
        "       dtype=autograd_lab.float64, grad_fn=<AddBackward0>)"
    )


def test_suffix_wraps_two_characters_early_like_torch():
    # On one line this would be exactly 80 characters; torch's measure adds two and wraps.
    text = show([1.0, 2.0], dtype="float64", device_label="cuda:0", requires_grad=True)
    assert text == (
        "tensor([1., 2.], device='cuda:0', dtype=autograd_lab.float64,\n"
        "       requires_grad=True)"
    )


# --- element styles ---------------------------------------------------------------------------

def test_wide_range_switches_to_scientific_notation():
    assert show([1.0, 1e5]) == "tensor([1.0000e+00, 1.0000e+05])"


def test_tiny_or_huge_values_switch_to_scientific_notation():
    assert show([1e-5]) == "tensor([1.0000e-05])"
    assert show([2e8, 3e8]) == "tensor([2.0000e+08, 3.0000e+08])"


def test_ratio_of_exactly_one_thousand_stays_fixed():
    assert show([1.0, 1000.0]) == "tensor([   1., 1000.])"


def test_negative_values_push_all_elements_to_a_common_width():
    assert show([-1.5, 2.25, 10.0]) == "tensor([-1.5000,  2.2500, 10.0000])"


def test_nan_and_inf_print_without_dot_and_take_no_part_in_the_width():
    assert show([1.0, np.nan, -np.inf, 0.0]) == "tensor([1., nan, -inf, 0.])"
    assert show([np.nan, 1e5, 1.0]) == "tensor([       nan, 1.0000e+05, 1.0000e+00])"


def test_all_zero_tensor_ignores_forced_scientific_mode(default_printoptions):
    set_printoptions(sci_mode=True)
    assert show([0.0, -0.0]) == "tensor([0., -0.])"
    assert show([1.0, 2.0]) == "tensor([1.0000e+00, 2.0000e+00])"


def test_true_is_padded_to_the_width_of_false():
    assert show([True, False], dtype="bool") == "tensor([ True, False])"


def test_integers_are_right_justified():
    assert show([-5, 100, 7], dtype="int32") == "tensor([ -5, 100,   7], dtype=autograd_lab.int32)"


# --- layout -----------------------------------------------------------------------------------

def test_long_row_wraps_with_continuation_under_first_element():
    assert show(np.arange(20.0) + 0.5) == (
        "tensor([ 0.5000,  1.5000,  2.5000,  3.5000,  4.5000,  5.5000,  6.5000,  7.5000,\n"
        "         8.5000,  9.5000, 10.5000, 11.5000, 12.5000, 13.5000, 14.5000, 15.5000,\n"
        "        16.5000, 17.5000, 18.5000, 19.5000])"
    )


def test_slices_of_3d_tensor_are_separated_by_a_blank_line():
    assert show(np.arange(8).reshape(2, 2, 2), dtype="int64") == (
        "tensor([[[0, 1],\n"
        "         [2, 3]],\n"
        "\n"
        "        [[4, 5],\n"
        "         [6, 7]]])"
    )


def test_slices_of_4d_tensor_are_separated_by_two_blank_lines():
    text = show(np.zeros((2, 1, 1, 1)))
    assert text == "tensor([[[[0.]]],\n\n\n        [[[0.]]]])"


def test_more_than_threshold_elements_are_summarized():
    assert show(np.arange(2000), dtype="int64") == (
        "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])"
    )


def test_summary_keeps_edge_rows_and_columns_of_a_matrix():
    assert show(np.arange(1100).reshape(110, 10), dtype="int64") == (
        "tensor([[   0,    1,    2,  ...,    7,    8,    9],\n"
        "        [  10,   11,   12,  ...,   17,   18,   19],\n"
        "        [  20,   21,   22,  ...,   27,   28,   29],\n"
        "        ...,\n"
        "        [1070, 1071, 1072,  ..., 1077, 1078, 1079],\n"
        "        [1080, 1081, 1082,  ..., 1087, 1088, 1089],\n"
        "        [1090, 1091, 1092,  ..., 1097, 1098, 1099]])"
    )


def test_summary_chooses_style_from_shown_elements_only():
    values = np.ones(1001)
    values[500] = 1e9  # hidden by the summary, so it cannot force scientific notation
    assert show(values) == "tensor([1., 1., 1.,  ..., 1., 1., 1.])"


# --- print options ----------------------------------------------------------------------------

def test_precision_option_changes_decimals(default_printoptions):
    set_printoptions(precision=2)
    assert show([1.12345]) == "tensor([1.12])"


def test_sci_mode_false_forces_fixed_notation(default_printoptions):
    set_printoptions(sci_mode=False)
    assert show([1.0, 1e5]) == "tensor([     1., 100000.])"
    assert show([1e-5]) == "tensor([0.0000])"


def test_threshold_and_edgeitems_options(default_printoptions):
    set_printoptions(threshold=5, edgeitems=2)
    assert show(np.arange(10), dtype="int64") == "tensor([0, 1,  ..., 8, 9])"


def test_zero_edgeitems_shows_only_an_ellipsis_and_the_size(default_printoptions):
    set_printoptions(threshold=5, edgeitems=0)
    assert show(np.arange(100.0).reshape(10, 10)) == "tensor([...], size=(10, 10))"


def test_linewidth_option_moves_the_wrap(default_printoptions):
    set_printoptions(linewidth=20)
    assert show(np.arange(6), dtype="int64") == "tensor([0, 1, 2, 3,\n        4, 5])"


def test_short_profile_and_back_to_default(default_printoptions):
    set_printoptions(profile="short")
    assert show([1 / 3]) == "tensor([0.33])"
    assert show(np.arange(2000), dtype="int64") == "tensor([   0,    1,  ..., 1998, 1999])"
    set_printoptions(profile="default")
    assert show([1 / 3]) == "tensor([0.3333])"


def test_full_profile_never_summarizes(default_printoptions):
    set_printoptions(profile="full")
    assert "..." not in show(np.arange(2000), dtype="int64")


def test_each_call_resets_sci_mode_like_torch(default_printoptions):
    set_printoptions(sci_mode=False)
    set_printoptions(precision=4)
    assert get_printoptions()["sci_mode"] is None


def test_complex_arrays_are_rejected():
    with pytest.raises(TypeError, match="complex"):
        tensor_repr(np.zeros(2, dtype=np.complex64), dtype_label="autograd_lab.complex64")


# --- PyTorch as the oracle --------------------------------------------------------------------

@contextlib.contextmanager
def printoptions_in_both(torch, options):
    """Apply ``options`` to autograd_lab and to torch alike, then restore both."""
    ours, theirs = get_printoptions(), torch._tensor_str.get_printoptions()
    set_printoptions(**options)
    torch.set_printoptions(**options)
    try:
        yield
    finally:
        set_printoptions(**ours)
        torch.set_printoptions(**theirs)


def assert_prints_like_torch(array, options, requires_grad=False, through_clone=False):
    import torch

    tensor = torch.from_numpy(array)
    grad_fn_name = None
    if array.dtype.kind == "f" and requires_grad:
        tensor.requires_grad_()
        if through_clone:
            tensor = tensor.clone()
            grad_fn_name = "CloneBackward0"
    # torch's own dtype names keep every line the same length, so wrapping is compared too.
    with printoptions_in_both(torch, options):
        expected = repr(tensor)
        got = tensor_repr(array, dtype_label=str(tensor.dtype), grad_fn_name=grad_fn_name,
                          requires_grad=tensor.requires_grad)
    assert got == expected


print_options = st.one_of(
    st.just({}),
    st.fixed_dictionaries({}, optional={
        "precision": st.integers(0, 8),
        "threshold": st.integers(0, 1500),
        "edgeitems": st.integers(0, 4),
        "linewidth": st.integers(10, 160),
        "sci_mode": st.sampled_from([None, True, False]),
        "profile": st.sampled_from(["default", "short", "full"]),
    }),
)


@st.composite
def generated_arrays(draw):
    """Arrays of any supported dtype whose values come in the mixes that change the layout."""
    dtype = np.dtype(draw(st.sampled_from(DTYPE_NAMES)))
    shape = draw(st.one_of(
        hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=7),
        st.tuples(st.integers(990, 1100)),                     # summarized row
        st.tuples(st.integers(30, 45), st.integers(30, 45)),   # summarized matrix
        st.tuples(st.integers(2, 12), st.integers(8, 15), st.integers(8, 15)),
    ))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    size = int(np.prod(shape))
    if dtype.kind == "b":
        return np.asarray(rng.random(size) < 0.5).reshape(shape)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        low, high = draw(st.sampled_from([(info.min, info.max), (max(info.min, -50), 50)]))
        return rng.integers(low, high, size, dtype=dtype, endpoint=True).reshape(shape)

    mix = draw(st.sampled_from(["whole", "normal", "one_scale", "many_scales"]))
    if mix == "whole":
        values = rng.integers(-100, 100, size) * 10.0 ** draw(st.integers(0, 10))
    elif mix == "normal":
        values = rng.standard_normal(size)
    elif mix == "one_scale":
        values = rng.standard_normal(size) * 10.0 ** draw(st.integers(-8, 12))
    else:
        values = rng.standard_normal(size) * 10.0 ** rng.uniform(-8, 12, size)
    special = rng.random(size) < draw(st.sampled_from([0.0, 0.05, 0.5]))
    values[special] = rng.choice([np.nan, np.inf, -np.inf, 0.0, -0.0], special.sum())
    with np.errstate(over="ignore"):  # float16 overflows to inf, as torch's would
        return values.astype(dtype).reshape(shape)


@pytest.mark.torch_reference
@needs_torch
@settings(max_examples=150, deadline=None)
@given(array=hnp.arrays(st.sampled_from(DTYPE_NAMES).map(np.dtype),
                        hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4)),
       requires_grad=st.booleans(), through_clone=st.booleans())
def test_small_arrays_print_like_torch(array, requires_grad, through_clone):
    assert_prints_like_torch(array, {}, requires_grad, through_clone)


@pytest.mark.torch_reference
@needs_torch
@settings(max_examples=150, deadline=None)
@given(array=generated_arrays(), options=print_options,
       requires_grad=st.booleans(), through_clone=st.booleans())
def test_generated_arrays_print_like_torch_under_any_options(array, options, requires_grad,
                                                             through_clone):
    assert_prints_like_torch(array, options, requires_grad, through_clone)
