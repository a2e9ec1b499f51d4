"""Edges where the order of PyTorch's checks, or the memory layout it picks, shows.

Each program runs with `lib` = autograd_lab (checked against what was worked out by hand) and,
where it is installed, with `lib` = torch (checked to give the very same observations).
"""

import pytest
from fidelity_programs import error_of, leaf
from op_examples import needs_torch

import autograd_lab as alt

PROGRAMS = {}


def program(fn):
    """Register a program for the PyTorch comparison at the end of this file."""
    PROGRAMS[fn.__name__] = fn
    return fn


# -- which error comes first ---------------------------------------------------------------------

@program
def backward_without_gradient_from_a_non_scalar(lib):
    x = leaf(lib, [1.0, 2.0])
    difference = x - x
    with lib.no_grad():
        empty_view = difference[:0].reshape(-1)  # requires grad, yet leads nowhere
    plain = lib.ones(2, dtype=lib.float64)
    return (empty_view.requires_grad, error_of(lambda: empty_view.backward()),
            error_of(lambda: plain.backward()),
            error_of(lambda: lib.autograd.grad(empty_view, [x])))


def test_a_non_scalar_output_is_refused_before_asking_whether_it_needs_grad():
    requires_grad, view, plain, grad = backward_without_gradient_from_a_non_scalar(alt)
    assert requires_grad
    assert view == grad == ("RuntimeError", "grad can be implicitly created only for scalar "
                                            "outputs")
    # a tensor that does not require grad gets no gradient made for it: that error comes first
    assert plain == ("RuntimeError", "element 0 of tensors does not require grad and does not "
                                     "have a grad_fn")


@program
def retain_grad_on_a_no_grad_view_whose_base_changed(lib):
    x = leaf(lib, [[-1.5], [2.5]])
    y = x.sign()
    with lib.no_grad():
        flat = y.flatten()
    y.abs_()
    flat.retain_grad()  # a leaf as far as retain_grad looks: nothing to do, nothing refused
    return flat.requires_grad, flat.retains_grad, error_of(lambda: flat.is_leaf)


def test_retain_grad_on_a_no_grad_view_whose_base_changed_does_nothing():
    requires_grad, retains_grad, asking_for_its_history = (
        retain_grad_on_a_no_grad_view_whose_base_changed(alt))
    assert requires_grad and not retains_grad
    assert asking_for_its_history[1].startswith(  # its history is still ambiguous
        "A view was created in no_grad mode and its base or another view of its base has been "
        "modified inplace with grad mode enabled.")


# -- overlapping memory: what PyTorch lets through -----------------------------------------------

@program
def writes_pytorch_lets_overlap(lib):
    row = lib.tensor([3.0, 2.5, 0.0], dtype=lib.float64)
    row[row > 2] = row[:1]  # one mask, one value: a masked_fill, reading the value first
    mean = lib.tensor([[3.0, 2.5, 0.0]], dtype=lib.float64).mean(-1)
    mean[mean > 0] = mean
    repeated = row.expand(2, 3, 3)
    repeated[-1] = row  # copies row's own elements onto themselves: nothing to do
    by_index = lib.tensor([3.0, 2.5, 0.0], dtype=lib.float64)
    smallest = by_index.min()  # a 0-d mask is made an index: its overlap is refused
    return (row.tolist(), mean.tolist(),
            error_of(lambda: smallest.__setitem__(smallest > -1, smallest)),
            error_of(lambda: by_index.__setitem__(lib.tensor([1]), by_index[:1])),
            error_of(lambda: repeated.__setitem__(-1, lib.ones(3, 3, dtype=lib.float64))))


def test_a_one_element_value_by_mask_and_a_copy_onto_itself_are_allowed():
    row, mean, zero_dim_mask, by_index, into_repeats = writes_pytorch_lets_overlap(alt)
    assert row == [3.0, 3.0, 0.0] and mean == [11 / 6]
    assert zero_dim_mask == by_index
    assert by_index[1].startswith("unsupported operation: some elements of the input tensor")
    assert into_repeats[1].startswith("unsupported operation: more than one element of the "
                                      "written-to tensor refers to a single memory location.")


# -- what a backward frees -------------------------------------------------------------------------

@program
def writing_by_index_saves_its_index(lib):
    buffer = lib.tensor([[-3.0, -1.0, 2.5], [-2.0, -0.5, -2.5]], dtype=lib.float64)
    buffer[buffer > 0] += leaf(lib, [-1.5])
    buffer.backward(lib.ones_like(buffer))
    again = error_of(lambda: buffer.sum().backward())
    x = leaf(lib, [1.0, 2.0, 3.0])
    y = x * 1
    rows = lib.tensor([0, 2])
    y[rows] = leaf(lib, [5.0, 6.0])
    rows.add_(0)
    index_changed = error_of(lambda: y.sum().backward())
    return again, index_changed[1].split(":")[0]  # (then the tensor, in its own words)


def test_writing_by_index_saves_its_index_tensors_and_frees_them():
    again, index_changed = writing_by_index_saves_its_index(alt)
    assert again[1].startswith("Trying to backward through the graph a second time")
    assert index_changed.startswith("one of the variables needed for gradient computation "
                                       "has been modified by an inplace operation")


@program
def second_backward_through_a_change_made_through_a_view(lib):
    buffer = lib.zeros(3, dtype=lib.float64)
    buffer[1:] += leaf(lib, [1.0, 2.0])  # nothing saved, yet CopySlices lets go once run
    buffer.sum().backward()
    return buffer.grad_fn.name().split("::")[-1], error_of(lambda: buffer.sum().backward())[1][:50]


def test_a_second_backward_through_copy_slices_is_refused():
    assert second_backward_through_a_change_made_through_a_view(alt) == (
        "CopySlices", "Trying to backward through the graph a second time")


@program
def writing_into_the_whole_tensor(lib):
    x = leaf(lib, [[2.5], [0.5]])
    names = []
    for index in [Ellipsis, slice(None), (Ellipsis, slice(None))]:
        y = lib.tensor([[-1.0], [3.0]], dtype=lib.float64) + x
        y[index] = x  # y.copy_(x) itself, no view in between
        y.sum().backward()
        y.sum().backward()  # CopyBackwards saved nothing: a second backward is fine
        names.append(y.grad_fn.name().split("::")[-1])
    return names, x.grad.tolist()


def test_writing_into_the_whole_tensor_is_a_copy_not_a_change_through_a_view():
    names, grad = writing_into_the_whole_tensor(alt)
    assert names == ["CopyBackwards"] * 3 and grad == [[6.0], [6.0]]


# -- *_like keep the memory layout -----------------------------------------------------------------

@program
def ones_like_keeps_the_layout(lib):
    x = leaf(lib, [[-0.5, 2.5, -3.0], [1.5, 3.0, 0.5]])
    doubled = x.t() + x.t()
    (gradient,) = lib.autograd.grad(doubled, [x], lib.ones_like(doubled))
    transposed = x.t()
    (same,) = lib.autograd.grad(transposed, [transposed], lib.ones_like(transposed))
    return (gradient.view(1, 6).tolist(), error_of(lambda: same.view(-1)),
            lib.ones_like(transposed).stride(), lib.zeros_like(transposed).stride(),
            lib.full_like(transposed, 2.0).stride(),
            lib.ones_like(lib.zeros(3, 4)[:, ::2].t()).stride(),
            lib.ones_like(lib.zeros(3, 1).expand(3, 4)).stride())


def test_ones_like_of_a_transposed_tensor_is_laid_out_transposed():
    gradient, view_error, *strides = ones_like_keeps_the_layout(alt)
    # ones_like(x.t() + x.t()) has x.t()'s strides; its gradient through .t() is row-major again
    assert gradient == [[2.0] * 6]
    # the gradient of x.t() by itself is the ones_like(x.t()) given: not viewable flat
    assert view_error[1].startswith("view size is not compatible with input tensor's size")
    # the order of strides is kept, gaps closed, repeats given their own memory
    assert strides == [(1, 3), (1, 3), (1, 3), (1, 2), (4, 1)]


@program
def ops_that_give_a_row_major_result(lib):
    x = lib.tensor([[1.5, -1.5, 0.5], [-3.0, -1.0, -2.5]], dtype=lib.float64).t()
    results = [x.softmax(0), x.log_softmax(1), x.cumsum(0), x.masked_fill(x > 0, 0.0), 2 ** x,
               x.contiguous()]
    return ([r.view(-1).shape[0] for r in results], x.clone().stride(),
            error_of(lambda: x.clone().view(-1)) is not None)


def test_softmax_cumsum_masked_fill_give_row_major_results_clone_keeps_the_layout():
    flat_lengths, clone_strides, clone_refuses_view = ops_that_give_a_row_major_result(alt)
    assert flat_lengths == [6] * 6  # view(-1) works on each: they are laid out row-major
    assert clone_strides == (1, 3) and clone_refuses_view  # clone keeps x.t()'s layout


@program
def advanced_index_results_laid_out_as_in_pytorch(lib):
    x = lib.zeros((3, 4, 5), dtype=lib.float64).permute(1, 2, 0)  # strides (5, 1, 20)
    rows, grid = lib.tensor([0, 1]), lib.tensor([[0, 1], [1, 2]])
    results = [x[rows], x[:, rows], x[..., rows], x[grid], x[:, [0, 2]], x[rows, 1:], x[0, rows]]
    permuted = lib.zeros((2, 2, 3), dtype=lib.float64).permute(2, 1, 0)[lib.tensor([0, 2])]
    return [r.stride() for r in results], error_of(lambda: permuted.view(2, -1)) is not None


def test_an_advanced_index_lays_its_result_out_in_the_order_of_its_operands():
    strides, permuted_refuses_view = advanced_index_results_laid_out_as_in_pytorch(alt)
    # x[rows]: x's dims 1 and 2 keep their order (1 fastest, then 2); the indexed dim is slowest
    assert strides == [(15, 1, 5), (1, 4, 8), (10, 2, 1), (30, 15, 1, 5), (1, 4, 8), (12, 1, 4),
                       (3, 1)]
    assert permuted_refuses_view


@program
def reductions_laid_out_row_major(lib):
    x = lib.tensor([[[-0.5, 1.0]], [[2.0, -2.5]]], dtype=lib.float64).permute(2, 1, 0)
    return [r.is_contiguous() for r in (x.sum(1), x.mean(1), x.amax(1), x.prod(1))]


def test_reductions_lay_their_results_out_row_major():
    assert reductions_laid_out_row_major(alt) == [True] * 4


# -- numbers at the edges ------------------------------------------------------------------------

@program
def minus_infinity_to_a_fractional_power(lib):
    x = lib.tensor([-float("inf"), 4.0, 9.0], dtype=lib.float64)
    return ((x ** lib.tensor(0.5, dtype=lib.float64)).tolist(), (x ** 1.5).tolist(),
            (x ** lib.tensor([3.0, 2.0, -0.5], dtype=lib.float64)).tolist())


def test_minus_infinity_to_a_fractional_power_is_infinity_as_in_c():
    inf = float("inf")
    assert minus_infinity_to_a_fractional_power(alt) == (
        [inf, 2.0, 3.0], [inf, 8.0, 27.0],
        [-inf, 16.0, 1 / 3])  # a whole power keeps the sign


@program
def relu_of_a_negative_zero(lib):
    x = lib.tensor([-0.0, 0.0, -1.0, 2.0], dtype=lib.float64)
    return (1 / x.relu()).tolist()


def test_relu_keeps_a_negative_zero_as_pytorch_does():
    assert relu_of_a_negative_zero(alt) == [-float("inf"), float("inf"), float("inf"), 0.5]


# -- the same observations from PyTorch ------------------------------------------------------------

@needs_torch
@pytest.mark.torch_reference
@pytest.mark.parametrize("program_name", sorted(PROGRAMS))
def test_program_observes_what_pytorch_observes(program_name):
    import torch

    assert PROGRAMS[program_name](alt) == PROGRAMS[program_name](torch)
