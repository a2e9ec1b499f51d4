"""What the ops do beyond their math: errors in PyTorch's words, quiet inf/nan, indexing and
in-place writes, max/min's (values, indices) pair, module-level twins of the methods."""

import warnings

import numpy as np
import pytest
from op_examples import needs_torch

import autograd_lab as alt
from autograd_lab.ops import functional as F


def leaf(values, dtype=alt.float64):
    return alt.tensor(values, dtype=dtype, requires_grad=True)


# -- errors: the exception type and text PyTorch 2.13 gives -------------------------------------

ERRORS = {
    "broadcast": (lambda t: t.ones(3) + t.ones(4), RuntimeError,
                  "The size of tensor a (3) must match the size of tensor b (4) at "
                  "non-singleton dimension 0"),
    "mm": (lambda t: t.ones(2, 3).mm(t.ones(2, 3)), RuntimeError,
           "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)"),
    "matmul_vector_matrix": (lambda t: t.ones(3) @ t.ones(4, 2), RuntimeError,
                             "mat1 and mat2 shapes cannot be multiplied (1x3 and 4x2)"),
    "dot": (lambda t: t.ones(3) @ t.ones(4), RuntimeError,
            "inconsistent tensor size, expected tensor [3] and src [4] to have the same number "
            "of elements, but got 3 and 4 elements respectively"),
    "mv": (lambda t: t.ones(2, 3) @ t.ones(4), RuntimeError,
           "size mismatch, got input (2), mat (2x3), vec (4)"),
    "batched": (lambda t: t.ones(2, 2, 3) @ t.ones(2, 2, 3), RuntimeError,
                "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: "
                "[2, 2]."),
    "bmm_dims": (lambda t: t.bmm(t.ones(2, 3), t.ones(2, 3, 4)), RuntimeError,
                 "batch1 must be a 3D tensor"),
    "outer": (lambda t: t.outer(t.ones(2, 2), t.ones(2)), RuntimeError,
              "outer: Expected 1-D argument self, but got 2-D"),
    "cat_sizes": (lambda t: t.cat([t.ones(2, 3), t.ones(2, 4)]), RuntimeError,
                  "Sizes of tensors must match except in dimension 0. Expected size 3 but got "
                  "size 4 for tensor number 1 in the list."),
    "cat_dims": (lambda t: t.cat([t.ones(2), t.ones(2, 2)]), RuntimeError,
                 "Tensors must have same number of dimensions: got 1 and 2"),
    "cat_empty": (lambda t: t.cat([]), ValueError,
                  "torch.cat(): expected a non-empty list of Tensors"),
    "stack": (lambda t: t.stack([t.ones(2, 3), t.ones(2, 4)]), RuntimeError,
              "stack expects each tensor to be equal size, but got [2, 3] at entry 0 and "
              "[2, 4] at entry 1"),
    "split_sizes": (lambda t: t.ones(4).split([1, 2]), RuntimeError,
                    "split_with_sizes expects split_sizes to sum exactly to 4 (input tensor's "
                    "size at dimension 0), but got split_sizes=[1, 2]"),
    "chunk": (lambda t: t.ones(2).chunk(0), RuntimeError,
              "chunk expects `chunks` to be greater than 0, got: 0"),
    "view": (lambda t: t.ones(2, 3).reshape(4, -1), RuntimeError,
             "shape '[4, -1]' is invalid for input of size 6"),
    "expand": (lambda t: t.ones(2, 3).expand(3, 3), RuntimeError,
               "The expanded size of the tensor (3) must match the existing size (2) at "
               "non-singleton dimension 0.  Target sizes: [3, 3].  Tensor sizes: [2, 3]"),
    "dim_range": (lambda t: t.ones(2, 3).sum(2), IndexError,
                  "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    "dims_repeated": (lambda t: t.ones(2, 3).sum((0, 0)), RuntimeError,
                      "dim 0 appears multiple times in the list of dims"),
    "max_empty": (lambda t: t.ones(0).max(), RuntimeError,
                  "max(): Expected reduction dim to be specified for input.numel() == 0. "
                  "Specify the reduction dim with the 'dim' argument."),
    "clamp": (lambda t: t.ones(3).clamp(), RuntimeError,
              "torch.clamp: At least one of 'min' or 'max' must not be None"),
    "where_condition": (lambda t: t.where(t.tensor([1, 0]), t.ones(2), t.zeros(2)),
                        RuntimeError, "where expected condition to be a boolean tensor, but "
                        "got a tensor with dtype Long"),
    "index_int": (lambda t: t.ones(3)[5], IndexError,
                  "index 5 is out of bounds for dimension 0 with size 3"),
    "index_list": (lambda t: t.ones(3)[[0, 5]], IndexError,
                   "index 5 is out of bounds for dimension 0 with size 3"),
    "index_too_many": (lambda t: t.ones(3)[0, 0], IndexError,
                       "too many indices for tensor of dimension 1"),
    "index_mask": (lambda t: t.ones(3, 2)[t.tensor([True, False])], IndexError,
                   "The shape of the mask [2] at index 0 does not match the shape of the "
                   "indexed tensor [3, 2] at index 0"),
    "index_step": (lambda t: t.ones(3)[::-1], ValueError, "step must be greater than zero"),
    "index_float": (lambda t: t.ones(3)[t.tensor([0.0])], IndexError,
                    "tensors used as indices must be long, int, byte or bool tensors"),
    "var_int": (lambda t: t.tensor([1, 2]).var(), RuntimeError,
                "std and var only support floating point and complex dtypes"),
    "softmax_int": (lambda t: t.tensor([1, 2]).softmax(0), NotImplementedError,
                    "\"softmax_lastdim_kernel_impl\" not implemented for 'Long'"),
}
LOSS_ERRORS = {
    "nll_target": (lambda f, t: f.nll_loss(t.ones(2, 3), t.tensor([0, 5])), IndexError,
                   "Target 5 is out of bounds."),
    "nll_target_float": (lambda f, t: f.nll_loss(t.ones(2, 3), t.tensor([0.0, 1.0])),
                         RuntimeError, "expected target dtype to be Long or Byte, but got Float"),
    "batch_size": (lambda f, t: f.cross_entropy(t.ones(3, 2), t.tensor([0, 1])), ValueError,
                   "Expected input batch_size (3) to match target batch_size (2)."),
    "reduction": (lambda f, t: f.mse_loss(t.ones(2), t.ones(2), reduction="avg"), ValueError,
                  "avg is not a valid value for reduction"),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_errors_use_pytorchs_type_and_words(case):
    make, kind, text = ERRORS[case]
    with pytest.raises(kind) as error:
        make(alt)
    assert str(error.value) == text


@pytest.mark.parametrize("case", sorted(LOSS_ERRORS))
def test_loss_errors_use_pytorchs_type_and_words(case):
    make, kind, text = LOSS_ERRORS[case]
    with pytest.raises(kind) as error:
        make(F, alt)
    assert str(error.value) == text


@needs_torch
@pytest.mark.torch_reference
def test_the_error_texts_above_are_pytorchs():
    import torch

    cases = [(lambda make=make: make(torch), kind, text)
             for make, kind, text in ERRORS.values()]
    cases += [(lambda make=make: make(torch.nn.functional, torch), kind, text)
              for make, kind, text in LOSS_ERRORS.values()]
    for run, kind, text in cases:
        with pytest.raises(kind) as error:
            run()
        assert str(error.value).splitlines()[0] == text


def test_mse_loss_warns_like_pytorch_when_shapes_differ():
    with pytest.warns(UserWarning, match="Using a target size \\(autograd_lab.Size\\(\\[3\\]\\)\\) "
                                         "that is different to the input size "
                                         "\\(autograd_lab.Size\\(\\[2, 3\\]\\)\\)"):
        F.mse_loss(alt.ones(2, 3), alt.ones(3))


def test_var_warns_when_there_are_no_degrees_of_freedom():
    with pytest.warns(UserWarning, match="var\\(\\): degrees of freedom is <= 0"):
        assert alt.ones(1).var().isnan().item()


# -- inf and nan arrive quietly, as in PyTorch --------------------------------------------------

def test_ops_make_inf_and_nan_without_numpy_warnings():
    zero, one = leaf([0.0, 1.0]), leaf([-1.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        results = [zero.log(), 1 / zero, zero / zero, one.sqrt(), one.exp(), zero.reciprocal(),
                   one ** 0.5, (1 / zero) - (1 / zero), (1 / zero) * zero, zero ** -1.0]
        sum(r.sum() for r in results).backward()
    assert zero.log()[0].item() == -np.inf and (zero / zero).isnan()[0].item()
    assert one.exp()[1].item() == np.inf and one.sqrt().isnan()[0].item()
    assert zero.grad.isnan()[0].item()


@pytest.mark.parametrize("op", [alt.relu, lambda x: x.clamp(min=0), lambda x: x.clamp(-1, 1),
                                lambda x: x.masked_fill(x < 0, 0.0),
                                lambda x: alt.where(x > 0, x, 0.0)])
def test_an_infinite_gradient_gives_zero_where_the_op_cuts_it_off(op):
    x = leaf([-2.0, 0.5])
    op(x).backward(alt.tensor([np.inf, 1.0], dtype=alt.float64))
    assert x.grad.tolist() == [0.0, 1.0]


def test_log_softmax_and_cross_entropy_are_stable_for_huge_logits():
    logits = leaf([[1000.0, 0.0, -1000.0]])
    assert logits.log_softmax(1).tolist() == [[0.0, -1000.0, -2000.0]]
    loss = F.cross_entropy(logits, alt.tensor([1]))
    loss.backward()
    assert loss.item() == 1000.0
    assert np.isfinite(logits.grad.numpy()).all()


# -- max / min return (values, indices) ---------------------------------------------------------

def test_max_along_a_dim_returns_values_and_indices_by_name_or_unpacked():
    x = leaf([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]])
    out = x.max(dim=1)
    values, indices = out
    assert out.values is values and out.indices is indices
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
    assert indices.dtype is alt.int64 and not indices.requires_grad
    assert repr(out).startswith("autograd_lab.return_types.max(\nvalues=tensor([5., 7.]")
    assert alt.min(x, 0, keepdim=True).indices.tolist() == [[0, 1, 0]]


def test_max_with_a_tensor_is_maximum():
    x, y = leaf([1.0, 4.0]), leaf([3.0, 2.0])
    assert alt.max(x, y).tolist() == [3.0, 4.0]
    assert x.min(y).grad_fn.name() == "MinimumBackward0"


def test_argmax_without_dim_indexes_the_flattened_tensor():
    x = alt.tensor([[1.0, 9.0], [9.5, 0.0]])
    assert x.argmax().item() == 2 and x.argmin(dim=1).tolist() == [0, 1]
    assert x.argmax(1, keepdim=True).shape == (2, 1)


# -- indexing and writing ---------------------------------------------------------------------

def test_repeated_indices_accumulate_their_gradients():
    x = leaf([1.0, 2.0, 3.0])
    x[[0, 0, 2, 0]].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]
    y = leaf([[1.0, 2.0], [3.0, 4.0]])
    (y[alt.tensor([1, 1])] * leaf([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    assert y.grad.tolist() == [[0.0, 0.0], [4.0, 6.0]]


def test_basic_indexing_returns_views_that_share_storage():
    x = alt.zeros(3, 4)
    view = x[1:, ::2]
    x[2, 2] = 5.0
    assert view[1, 1].item() == 5.0 and view._base is x


def test_setitem_on_a_non_leaf_gives_the_untouched_part_its_gradient():
    x, v = leaf([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), leaf([10.0, 20.0])
    y = x * 2
    y[0, 1:] = v
    assert y.grad_fn.name() == "CopySlices"
    (y * leaf([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).sum().backward()
    assert x.grad.tolist() == [[2.0, 0.0, 0.0], [8.0, 10.0, 12.0]]
    assert v.grad.tolist() == [2.0, 3.0]


def test_setitem_with_a_mask_zeroes_the_gradient_where_written():
    x = leaf([-1.0, 2.0, -3.0])
    y = x * 3
    y[y < 0] = 0.0
    assert y.grad_fn.name() == "IndexPutBackward0"
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 3.0, 0.0]


def test_setitem_under_no_grad_changes_values_but_not_the_history():
    x = leaf([1.0, 2.0])
    y = x * 2
    with alt.no_grad():
        y[0] = 100.0
    assert y.tolist() == [100.0, 4.0] and y.grad_fn.name() == "MulBackward0"
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_setitem_on_a_leaf_under_no_grad_keeps_it_a_leaf():
    w = leaf([1.0, 2.0])
    with alt.no_grad():
        w[1] = 0.0
    assert w.is_leaf and w.requires_grad and w.tolist() == [1.0, 0.0]


def test_split_pieces_that_get_no_gradient_count_as_zeros():
    x = leaf([1.0, 2.0, 3.0, 4.0, 5.0])
    first, second, third = x.chunk(3)
    assert [p.shape for p in (first, second, third)] == [(2,), (2,), (1,)]
    (second * 3).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 3.0, 3.0, 0.0]


def test_gradients_of_all_pieces_of_a_split_reach_the_input():
    x = leaf([1.0, 2.0, 3.0, 4.0])
    first, second = x.split(2)
    seeds = [alt.ones(2, dtype=alt.float64), alt.full((2,), 2.0, dtype=alt.float64)]
    (grad,) = alt.autograd.grad([first, second], [x], seeds)
    assert grad.tolist() == [1.0, 1.0, 2.0, 2.0]


def test_comparisons_with_numpy_scalars_are_element_wise():
    x = alt.tensor([1.0, 2.0])
    assert (x == np.float32(1)).tolist() == [True, False]
    assert (np.int64(1) < x).tolist() == [False, True]


def test_numpy_integers_index_like_ints():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    assert x[np.int64(1)].grad_fn.name() == "SelectBackward0"
    assert x[np.int64(1), np.int32(0)].item() == 3.0


def test_where_with_only_a_condition_gives_the_indices():
    rows, cols = alt.where(alt.tensor([[True, False], [False, True]]))
    assert rows.tolist() == [0, 1] and cols.tolist() == [0, 1]


# -- 0-d tensors, reflected operators, module-level twins ---------------------------------------

def test_zero_dim_tensors_work_with_every_kind_of_op():
    x = leaf(2.0)
    y = (2 ** x) * (1 / x) - (3 - x) + x.sum() + x.max() + x.exp().log() + x.reshape(1)[0]
    y.backward()
    expected = 4 * np.log(2) / 2 - 4 / 4 + 1 + 1 + 1 + 1 + 1
    assert y.dim() == 0 and x.grad.item() == pytest.approx(expected)


def test_module_level_functions_are_the_tensor_methods():
    x = alt.tensor([[1.0, -2.0], [3.0, 4.0]])
    for name in ["exp", "abs", "relu", "sigmoid", "tanh", "sum", "mean", "t", "flatten",
                 "softmax", "argmax", "clamp", "unsqueeze", "chunk", "unbind", "prod", "var"]:
        method, function = getattr(alt.Tensor, name), getattr(alt, name)
        # the functions that take out= are that method with a wrapper for out=
        assert function is method or function.__wrapped__ is method, name
    assert alt.cat([x, x]).shape == (4, 2) and alt.concat([x, x], 1).shape == (2, 4)
    assert alt.stack([x, x]).shape == (2, 2, 2)
    assert alt.exp(x).tolist() == x.exp().tolist()


@needs_torch
@pytest.mark.torch_reference
def test_every_module_level_function_exists_in_pytorch_too():
    import torch

    missing = [name for name in alt.ops.exported if not hasattr(torch, name)]
    assert not missing
    methods = [name for name, value in vars(alt.Tensor).items()
               if value in alt.ops.exported.values() and not hasattr(torch.Tensor, name)]
    assert not methods


def test_an_integer_tensor_clamped_to_a_float_bound_becomes_float32_as_in_pytorch():
    ints = alt.tensor([1, 2, 3])
    assert ints.clamp(min=2.5).tolist() == [2.5, 2.5, 3.0]
    assert ints.clamp(min=2.5).dtype == alt.float32
    assert ints.clamp(max=1.5, min=0.5).tolist() == [1.0, 1.5, 1.5]
    assert ints.clamp(min=2).dtype == alt.int64
