"""Views, expand, strides and in-place changes behave as in PyTorch: no silent wrong gradient.

Each program runs with `lib` = autograd_lab (checked against values worked out by hand) and,
where it is installed, with `lib` = torch (checked to give the very same observations). A
program returns what a learner could print: values, `requires_grad`, `is_leaf`, `.grad`,
`grad_fn` names, or the error raised (class and words).
"""

import random

import numpy as np
import pytest
from fidelity_programs import error_of, leaf, plain
from op_examples import needs_torch

import autograd_lab as alt

PROGRAMS = {}


def program(fn):
    """Register a program for the PyTorch comparison at the end of this file."""
    PROGRAMS[fn.__name__] = fn
    return fn


def name(tensor):
    """The grad_fn's name as printed (PyTorch's `name()` prefixes some with a C++ namespace)."""
    return None if tensor.grad_fn is None else tensor.grad_fn.name().split("::")[-1]


# -- a view follows its base's history ------------------------------------------------------

@program
def view_made_before_base_gets_history(lib):
    w = leaf(lib, [2.0, 3.0])
    buffer = lib.zeros(2, dtype=lib.float64)
    column = buffer.view(2, 1)
    buffer.add_(w)
    ((column * column).sum() + w.sum()).backward()
    return column.requires_grad, name(column), name(buffer), w.grad.tolist()


def test_view_made_before_base_gets_history_sends_gradient_through_it():
    # column = w, so d/dw (sum(w²) + sum(w)) = 2w + 1
    assert view_made_before_base_gets_history(alt) == (
        True, "AsStridedBackward0", "AddBackward0", [5.0, 7.0])


@program
def same_shape_reshape_made_before_base_gets_history(lib):
    w = leaf(lib, [2.0, 3.0])
    buffer = lib.zeros(2, dtype=lib.float64)
    alias = buffer.reshape(2)
    buffer.add_(w)
    (alias * alias).sum().backward()
    return w.grad.tolist()


def test_same_shape_reshape_is_a_view_that_follows_its_base():
    assert same_shape_reshape_made_before_base_gets_history(alt) == [4.0, 6.0]


@program
def base_starts_to_require_grad_after_the_view(lib):
    base = plain(lib, [1.0, 2.0])
    row = base.view(1, 2)
    base.requires_grad_()
    before = row.requires_grad, row.is_leaf
    with lib.no_grad():
        base.mul_(3)  # the view is made again from the base: it now leads to base's .grad
    (row * row).sum().backward()
    return before, row.is_leaf, base.grad.tolist()


def test_view_requires_grad_once_its_base_does():
    assert base_starts_to_require_grad_after_the_view(alt) == ((True, True), False, [6.0, 12.0])


# -- in-place changes through views (PyTorch's CopySlices) --------------------------------------

@program
def multiply_a_row_in_place(lib):
    x = leaf(lib, [1.0, 2.0])
    y = x * 1
    second = y[1]
    second.mul_(3)
    y.sum().backward()
    return y.tolist(), name(y), name(second), x.grad.tolist()


def test_in_place_change_through_a_view_rewrites_the_base_history():
    assert multiply_a_row_in_place(alt) == (
        [1.0, 6.0], "CopySlices", "AsStridedBackward0", [1.0, 3.0])


@program
def accumulate_into_a_row_of_a_buffer(lib):
    c = leaf(lib, [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]])
    d = lib.zeros(2, 3, dtype=lib.float64)
    d[1] += (c * 2)[0]
    (d * lib.arange(6.0, dtype=lib.float64).view(2, 3)).sum().backward()
    return d.tolist(), d.requires_grad, name(d), c.grad.tolist()


def test_accumulating_into_rows_of_a_plain_buffer_records_the_change():
    assert accumulate_into_a_row_of_a_buffer(alt) == (
        [[0.0, 0.0, 0.0], [2.0, 2.0, 2.0]], True, "CopySlices",
        [[6.0, 8.0, 10.0], [0.0, 0.0, 0.0]])


@program
def gradient_buffer_filled_row_by_row(lib):
    # the character-level language model's hand-written backward: dC[ix] += demb[k]
    demb = leaf(lib, [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    dc = lib.zeros(4, 2, dtype=lib.float64)
    for k, ix in enumerate([1, 3, 1]):
        dc[ix] += demb[k]
    weights = lib.tensor([[1.0, 1.0], [2.0, 3.0], [0.0, 0.0], [4.0, 5.0]], dtype=lib.float64)
    (dc * weights).sum().backward()
    return dc.tolist(), demb.grad.tolist()


@program
def gradient_buffer_indexed_by_integer_tensors(lib):
    demb = leaf(lib, [[1.0, 2.0], [3.0, 4.0]])
    dc = lib.zeros(3, 2, dtype=lib.float64)
    rows = lib.tensor([2, 0])
    for k in range(2):
        dc[rows[k]] += demb[k]  # a 0-d integer tensor indexes like an int
    dc.sum().backward()
    return dc.tolist(), demb.grad.tolist()


def test_a_zero_dim_integer_tensor_index_writes_through_a_view():
    assert gradient_buffer_indexed_by_integer_tensors(alt) == (
        [[3.0, 4.0], [0.0, 0.0], [1.0, 2.0]], [[1.0, 1.0], [1.0, 1.0]])


def test_gradient_buffer_filled_row_by_row_gets_each_row_its_gradient():
    assert gradient_buffer_filled_row_by_row(alt) == (
        [[0.0, 0.0], [6.0, 8.0], [0.0, 0.0], [3.0, 4.0]],
        [[2.0, 3.0], [4.0, 5.0], [2.0, 3.0]])


@program
def write_through_a_view_of_a_view(lib):
    x = leaf(lib, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    y = x * 1
    column = y.t()[1]  # y[:, 1], through a transpose
    column.mul_(lib.tensor([10.0, 100.0], dtype=lib.float64))
    y.sum().backward()
    return y.tolist(), name(column), x.grad.tolist()


def test_write_through_a_view_of_a_view_reaches_the_base():
    assert write_through_a_view_of_a_view(alt) == (
        [[1.0, 20.0, 3.0], [4.0, 500.0, 6.0]], "AsStridedBackward0",
        [[1.0, 10.0, 1.0], [1.0, 100.0, 1.0]])


@program
def second_derivative_through_copy_slices(lib):
    x = leaf(lib, [1.0, 2.0, 3.0])
    y = x * x
    y[1:].mul_(x[:2])  # y = [x0², x1² x0, x2² x1]
    (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
    (h,) = lib.autograd.grad(g.sum(), x)
    return g.tolist(), h.tolist()


def test_second_derivatives_flow_through_copy_slices():
    # g = [2x0 + x1², 2x1 x0 + x2², 2x2 x1]
    # h = d(sum g)/dx = [2 + 2x1, 2x1 + 2x0 + 2x2, 2x2 + 2x1]
    assert second_derivative_through_copy_slices(alt) == ([6.0, 13.0, 12.0], [6.0, 12.0, 10.0])


@program
def in_place_on_view_refused_as_in_pytorch(lib):
    x = leaf(lib, [[1.0, 2.0], [3.0, 4.0]])
    y = x * 1
    with lib.no_grad():
        row = y[0]
    first, _ = y.unbind()
    return (error_of(lambda: x[0].add_(1)), error_of(lambda: row.add_(1)),
            error_of(lambda: first.add_(1)))


def test_in_place_on_views_pytorch_refuses_is_refused_with_its_words():
    leaf_view, no_grad_view, unbound = in_place_on_view_refused_as_in_pytorch(alt)
    assert leaf_view == ("RuntimeError", "a view of a leaf Variable that requires grad is being "
                                         "used in an in-place operation.")
    assert no_grad_view[1].startswith("A view was created in no_grad mode and is being "
                                      "modified inplace with grad mode enabled.")
    assert unbound[1].startswith("Output 0 of Unbind is a view and is being modified inplace. "
                                 "This view is the output of a function that returns multiple "
                                 "views.")


# -- expand --------------------------------------------------------------------------------------

@program
def expand_to_the_same_shape(lib):
    x = leaf(lib, [1.0, 2.0])
    same = x.expand(2)
    with lib.no_grad():
        frozen = x.expand(2)
    (x.sum() + (frozen * 10).sum()).backward()
    return (same is x, name(same), same.is_leaf, frozen.requires_grad, frozen.is_leaf,
            frozen.grad is None, x.grad.tolist())


def test_expand_to_the_same_shape_is_a_new_view_and_no_grad_cuts_it():
    assert expand_to_the_same_shape(alt) == (
        False, "ExpandBackward0", False, True, True, True, [1.0, 1.0])


@program
def in_place_on_expanded_tensors(lib):
    def expanded():
        return plain(lib, [[1.0, 2.0, 3.0]]).expand(2, 3)

    rows = expanded()
    rows[0].add_(1)  # one row of the expansion: no element written twice
    filled = expanded().fill_(2.0)
    zeroed = expanded().zero_()
    with lib.no_grad():
        refused_without_grad = error_of(lambda: expanded().add_(1))
    return (rows.tolist(), filled.tolist(), zeroed.tolist(), refused_without_grad,
            error_of(lambda: expanded().mul_(2)),
            error_of(lambda: expanded().__setitem__((slice(None), 0), 5.0)))


def test_in_place_on_expanded_tensors_allowed_and_refused_where_pytorch_does():
    rows, filled, zeroed, *refusals = in_place_on_expanded_tensors(alt)
    assert rows == [[2.0, 3.0, 4.0]] * 2 and filled == [[2.0] * 3] * 2
    assert zeroed == [[0.0] * 3] * 2
    for refusal in refusals:  # never numpy's "output array is read-only"
        assert refusal == ("RuntimeError", "unsupported operation: more than one element of the "
                           "written-to tensor refers to a single memory location. Please clone() "
                           "the tensor before performing the operation.")


# -- view() decided by strides; products with a vector are no views ----------------------------

@program
def view_of_strided_tensors(lib):
    m = lib.arange(6.0, dtype=lib.float64).view(2, 3)
    column = m[:, 0].view(2)
    column[1] = 30.0  # shares storage with m
    return (column.tolist(), m.tolist(), m[:, :2].view(2, 2, 1).shape == (2, 2, 1),
            error_of(lambda: m.t().view(6)))


def test_view_is_decided_by_strides_not_by_contiguity():
    column, m, reshaped, refused = view_of_strided_tensors(alt)
    assert column == [0.0, 30.0] and m == [[0.0, 1.0, 2.0], [30.0, 4.0, 5.0]] and reshaped
    assert refused == ("RuntimeError", "view size is not compatible with input tensor's size and "
                       "stride (at least one dimension spans across two contiguous subspaces). "
                       "Use .reshape(...) instead.")


@program
def add_bias_in_place_to_a_vector_times_matrix(lib):
    x = leaf(lib, [1.0, 2.0])
    w = leaf(lib, [[1.0, 0.0, 2.0], [0.0, 1.0, 3.0]])
    h = x @ w
    h += plain(lib, [1.0, 1.0, 1.0])
    batch = plain(lib, [[[1.0, 2.0], [3.0, 4.0]]]) @ x
    batch += 1
    (h.sum() + batch.sum()).backward()
    return h.tolist(), batch.tolist(), name(h), x.grad.tolist(), w.grad.tolist()


def test_products_with_a_vector_are_tensors_of_their_own():
    assert add_bias_in_place_to_a_vector_times_matrix(alt) == (
        [2.0, 3.0, 9.0], [[6.0, 12.0]], "AddBackward0", [7.0, 10.0],
        [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]])


# -- zero_, fill_ and copy_ on non-leaves ---------------------------------------------------------

@program
def overwrite_a_non_leaf(lib):
    x = leaf(lib, [1.0, 2.0])
    results = []
    for overwrite in (lambda y: y.zero_(), lambda y: y.fill_(3.0),
                      lambda y: y.copy_(plain(lib, [5.0, 6.0]))):
        x.grad = None
        y = x * 2
        overwrite(y)
        (y + 1).sum().backward()
        results.append((name(y), x.grad.tolist()))
    return results


def test_zero_fill_and_copy_send_zeros_to_the_overwritten_values():
    assert overwrite_a_non_leaf(alt) == [("ZeroBackward0", [0.0, 0.0]),
                                         ("FillBackward2", [0.0, 0.0]),
                                         ("CopyBackwards", [0.0, 0.0])]


# -- overlap checks, and what dot / mv save ------------------------------------------------------

@program
def exact_alias_is_fine_but_a_changed_factor_is_caught(lib):
    doubled = lib.arange(4.0, dtype=lib.float64)
    doubled += doubled.view(2, 2).view(4)  # exactly the same elements: fine
    x = leaf(lib, [1.0, 2.0])
    y = x * 1
    y.mul_(y)  # the factor backward needs is the tensor that changed
    return doubled.tolist(), error_of(lambda: y.sum().backward())[0]


def test_exact_alias_is_fine_but_a_changed_factor_is_caught():
    assert exact_alias_is_fine_but_a_changed_factor_is_caught(alt) == (
        [0.0, 2.0, 4.0, 6.0], "RuntimeError")


@program
def operand_overlapping_the_same_storage(lib):
    square = lib.arange(4.0, dtype=lib.float64).view(2, 2)
    flat = lib.arange(4.0, dtype=lib.float64)
    return (error_of(lambda: square.sub_(square[0])), error_of(lambda: square.add_(square.t())),
            error_of(lambda: flat[:3].copy_(flat[1:])), square.tolist())


def test_operand_partly_overlapping_the_written_memory_is_refused():
    minus_row, plus_transpose, shifted_copy, square = operand_overlapping_the_same_storage(alt)
    words = ("RuntimeError", "unsupported operation: some elements of the input tensor and the "
             "written-to tensor refer to a single memory location. Please clone() the tensor "
             "before performing the operation.")
    assert minus_row == plus_transpose == shifted_copy == words
    assert square == [[0.0, 1.0], [2.0, 3.0]]  # refused before anything was written


@program
def change_an_operand_products_do_not_save(lib):
    x = leaf(lib, [1.0, 2.0])
    a = plain(lib, [[1.0, 2.0], [3.0, 4.0]])
    h = x * 1
    dot = h.dot(plain(lib, [3.0, 4.0]))  # each product saves its plain operand only
    product = a.mv(h)
    batch = plain(lib, [[[1.0, 0.0], [0.0, 1.0]]]) @ h
    h.add_(1)
    (dot + product.sum() + batch.sum()).backward()
    return x.grad.tolist()


def test_changing_an_operand_the_product_does_not_need_is_fine():
    assert change_an_operand_products_do_not_save(alt) == [3.0 + 4.0 + 1.0, 4.0 + 6.0 + 1.0]


# -- views made under no_grad ---------------------------------------------------------------------

@program
def views_made_under_no_grad(lib):
    x = leaf(lib, [1.0, 2.0])
    with lib.no_grad():
        row = x[0]
        flat = x.view(2)
    return row.requires_grad, row.is_leaf, flat.requires_grad, name(flat)


def test_views_made_under_no_grad_require_grad_like_their_base():
    assert views_made_under_no_grad(alt) == (True, True, True, None)


@program
def change_the_output_of_an_op_that_saved_it(lib):
    x = leaf(lib, [1.0, 4.0])
    caught = []
    for make in (lambda: x.relu(), lambda: x.sqrt(), lambda: 2 ** x):
        out = make()
        out.add_(1)
        caught.append(error_of(lambda: out.sum().backward()) is not None)
    y = x * 1
    y[:1].sqrt_()  # through a view: the view is the output sqrt keeps
    y.mul_(2)
    caught.append(error_of(lambda: y.sum().backward()) is not None)
    return caught


def test_changing_an_output_that_backward_needs_is_caught():
    assert change_the_output_of_an_op_that_saved_it(alt) == [True, True, True, True]


@program
def what_a_view_made_under_no_grad_allows(lib):
    x = leaf(lib, [1.0, 2.0, 3.0])
    with lib.no_grad():
        row = x[:2]
    handle = row.register_hook(lambda grad: grad)  # allowed; the hook never runs
    row.retain_grad()
    through_sum = error_of(lambda: row.sum().backward())  # runs, and reaches no .grad
    refused = error_of(lambda: row.backward(lib.ones(2, dtype=lib.float64)))
    unused = error_of(lambda: lib.autograd.grad((x * 2).sum(), [row]))
    handle.remove()
    own = row.detach().clone()[:2]  # a view of a plain tensor, made in grad mode
    with lib.no_grad():
        own_view = own[:1]
    own_view.requires_grad_()  # now a leaf of its own, with its own .grad
    (own_view * 3).sum().backward()
    x.detach_()  # the base no longer requires grad, and neither does the view
    return (through_sum, x.grad, refused, unused, own_view.grad.tolist(),
            row.requires_grad)


def test_a_view_made_under_no_grad_requires_grad_but_leads_nowhere():
    through_sum, x_grad, refused, unused, own_grad, after_detach = (
        what_a_view_made_under_no_grad_allows(alt))
    assert through_sum is None and x_grad is None
    assert refused == ("RuntimeError", "element 0 of tensors does not require grad and does not "
                       "have a grad_fn")
    assert unused[1].startswith("The differentiated Tensor at index 0 appears to not have been "
                                "used in the graph.")
    assert own_grad == [3.0] and after_detach is False


@program
def overlap_by_index_and_of_empty_tensors(lib):
    y = plain(lib, [1.0, -2.0, 3.0])
    empty = lib.zeros(0, 3, dtype=lib.float64)
    halves = empty - empty
    halves.abs_()  # nothing to write, so nothing overlaps
    return (error_of(lambda: y.__setitem__(y > 0, y)), halves.shape == (0, 3),
            lib.zeros(3, 1).expand(3, 4).stride(), lib.zeros(3).expand(1, 3).stride())


def test_writing_by_index_refuses_any_overlap_and_expand_keeps_pytorchs_strides():
    by_index, empty_ok, repeated, not_repeated = overlap_by_index_and_of_empty_tensors(alt)
    assert by_index[1].startswith("unsupported operation: some elements of the input tensor")
    assert empty_ok and repeated == (1, 0) and not_repeated == (3, 1)


@program
def change_through_x_dots_of_a_zero_dim_tensor(lib):
    x = leaf(lib, [1.0, 2.0])
    total = (x * x).sum()
    total[...] *= 3  # `*=` through the view total[...] (CopySlices, a 0-d gradient), then
    # `total[...] = ` that view: a 0-d tensor written into a 0-d tensor is a copy_, not a fill_
    (g,) = lib.autograd.grad(total, x, create_graph=True)
    (h,) = lib.autograd.grad(g.sum(), x)
    return name(total), g.tolist(), h.tolist()


def test_a_change_through_x_dots_of_a_zero_dim_tensor_is_differentiated_twice():
    # total = 3 (x0² + x1²): g = 6x, h = d(sum g)/dx = [6, 6]
    assert change_through_x_dots_of_a_zero_dim_tensor(alt) == (
        "CopyBackwards", [6.0, 12.0], [6.0, 6.0])


@program
def view_of_an_advanced_index(lib):
    picked = plain(lib, [[3.0, 1.5], [-1.5, -1.0], [2.0, 1.0]])[:, [1, 0]]
    return picked.view(1, 6).tolist()


def test_the_result_of_an_advanced_index_is_laid_out_in_order():
    assert view_of_an_advanced_index(alt) == [[1.5, 3.0, -1.0, -1.5, 1.0, 2.0]]


# -- the same observations from PyTorch ------------------------------------------------------------

@needs_torch
@pytest.mark.torch_reference
@pytest.mark.parametrize("program_name", sorted(PROGRAMS))
def test_program_observes_what_pytorch_observes(program_name):
    import torch

    assert PROGRAMS[program_name](alt) == PROGRAMS[program_name](torch)


# -- random programs of views and in-place changes, step by step against PyTorch ------------------

VIEWS = [  # (name, make the view, which shapes it applies to)
    ("[0]", lambda t: t[0], lambda shape: len(shape) >= 1),
    ("[:, 1:]", lambda t: t[:, 1:], lambda shape: len(shape) == 2),
    ("[:, 0]", lambda t: t[:, 0], lambda shape: len(shape) == 2),
    (".t()", lambda t: t.t(), lambda shape: len(shape) == 2),
    (".view(-1)", lambda t: t.view(-1), lambda shape: True),
    (".reshape(shape)", lambda t: t.reshape(t.shape), lambda shape: True),
    (".unsqueeze(0)", lambda t: t.unsqueeze(0), lambda shape: len(shape) < 3),
    (".squeeze(0)", lambda t: t.squeeze(0), lambda shape: len(shape) >= 1),
    ("[...]", lambda t: t[...], lambda shape: True),
    (".expand(2, *shape)", lambda t: t.expand(2, *t.shape), lambda shape: len(shape) < 3),
    (".unbind()[0]", lambda t: t.unbind()[0], lambda shape: len(shape) >= 1),
    (".transpose(0, 1)", lambda t: t.transpose(0, 1), lambda shape: len(shape) >= 2),
    (".permute(1, 0)", lambda t: t.permute(1, 0), lambda shape: len(shape) == 2),
    (".split(1)[-1]", lambda t: t.split(1)[-1], lambda shape: len(shape) >= 1),
]
IN_PLACE = [  # (name, change t in place with operand o)
    (".add_(1)", lambda t, o: t.add_(1.0)),
    (".mul_(o)", lambda t, o: t.mul_(o)),
    (".sub_(o * 2)", lambda t, o: t.sub_(o * 2)),
    (".div_(2)", lambda t, o: t.div_(2.0)),
    (".neg_()", lambda t, o: t.neg_()),
    (".zero_()", lambda t, o: t.zero_()),
    (".fill_(2)", lambda t, o: t.fill_(2.0)),
    (".copy_(o)", lambda t, o: t.copy_(o)),
    ("[0] = o[0]", lambda t, o: t.__setitem__(0, o[0])),
    ("[0] += o[0]", lambda t, o: t.__setitem__(0, t[0].__iadd__(o[0]))),
    ("[..., 0] = 3", lambda t, o: t.__setitem__((..., 0), 3.0)),
    (".relu_()", lambda t, o: t.relu_()),
    (".exp_()", lambda t, o: t.exp_()),
    (".pow_(2)", lambda t, o: t.pow_(2)),
    (".clamp_(0, 2)", lambda t, o: t.clamp_(0.0, 2.0)),
    (".masked_fill_(t > 1, 0)", lambda t, o: t.masked_fill_(t > 1, 0.0)),
]


def random_program(lib, seed, steps=10):
    """Run a seeded random program of views, in-place changes (some under no_grad) and
    backward passes; return what is observable after each step."""
    rng = random.Random(seed)
    g = leaf(lib, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    w = leaf(lib, [0.5, -1.0, 2.0])
    p = plain(lib, [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]])
    pool = [g, w, p, g * 1, p.clone()]
    storage = [0, 1, 2, 3, 4]  # which storage each tensor shows (a view shares its base's)
    log = []
    for _ in range(steps):
        kind, no_grad = rng.random(), rng.random() < 0.3
        i = rng.randrange(2 if rng.random() < 0.15 else len(pool))  # the leaves g, w: rarely
        target = pool[i]
        try:
            with lib.set_grad_enabled(not no_grad or kind >= 0.9):
                if kind < 0.35:
                    name, make, fits = rng.choice([v for v in VIEWS if v[2](tuple(target.shape))])
                    pool.append(make(target))
                    storage.append(storage[i])
                elif kind < 0.8 and target.dim() >= 1:
                    name, change = rng.choice(IN_PLACE)
                    # an operand sharing the target's storage only when it is the target itself:
                    # PyTorch lets some partial overlaps through unchecked (see the README)
                    others = [j for j in range(len(pool))
                              if (storage[j] != storage[i] or j == i) and pool[j].dim() >= 1]
                    change(target, pool[rng.choice(others)])
                elif kind < 0.85:
                    pool.append(target * 2)
                    storage.append(len(storage))
                elif kind < 0.9:  # a gradient of a gradient, through whatever was recorded
                    losses = [((t * t) ** 2).sum() for t in pool[-2:] if t.requires_grad]
                    if not losses:
                        continue
                    (first,) = lib.autograd.grad(sum(losses), g, create_graph=True,
                                                 allow_unused=True)
                    pool.append(first if first is not None else g * 0)
                    storage.append(len(storage))
                    if first is not None and first.requires_grad:
                        (second,) = lib.autograd.grad(first.sum(), g, allow_unused=True)
                        pool.append(second if second is not None else g * 0)
                        storage.append(len(storage))
                else:
                    g.grad = w.grad = None
                    losses = [((t * (k + 1)) ** 2).sum()
                              for k, t in enumerate(pool[-3:]) if t.requires_grad]
                    if losses:
                        sum(losses).backward(retain_graph=True)
            outcome = "ok"
        except Exception as error:  # noqa: BLE001 - its class and words are compared
            outcome = (type(error).__name__, str(error)[:80])
            g.grad = w.grad = None  # a failed backward: PyTorch keeps part (see the README)
        log.append((outcome, [_state(t) for t in pool],
                    [None if t.grad is None else _rounded(t.grad.tolist()) for t in (g, w)]))
    return log


def _rounded(values):
    """Values to 10 significant digits (exp_ of exp_ reaches 1e15: decimals would not do)."""
    values = np.array(values, dtype=float)
    return np.array([float(f"{v:.10g}") for v in values.ravel()]).reshape(values.shape).tolist()


def _state(tensor):
    try:
        return _rounded(tensor.tolist()), tensor.requires_grad, tensor.is_leaf
    except RuntimeError as error:  # a view PyTorch refuses to bring up to date
        return str(error)[:80]


def test_random_programs_run_without_errors_from_inside_the_library():
    for seed in range(40):
        for outcome, _, _ in random_program(alt, seed):
            assert outcome == "ok" or outcome[0] in ("RuntimeError", "IndexError"), outcome


@needs_torch
@pytest.mark.torch_reference
@pytest.mark.filterwarnings("ignore:Use of masked_fill_ on expanded tensors is deprecated")
def test_random_programs_observe_what_pytorch_observes():
    import torch

    for seed in range(1500):
        ours, theirs = random_program(alt, seed), random_program(torch, seed)
        for step, (mine, its) in enumerate(zip(ours, theirs)):
            assert mine == its, f"seed {seed}, step {step}"

