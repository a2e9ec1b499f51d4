"""What backward needs is saved like any saved tensor, and edge cases behave as in PyTorch.

Each case is a small program written once against a module `L` (autograd_lab, or torch). It
returns what it computed, or the error it met. Every case states its expected outcome, worked
out by hand, and, where PyTorch is installed, is also run on PyTorch to check that it does the
same thing.
"""

import gc
import math

import numpy as np
import pytest
from op_examples import needs_torch

import autograd_lab as alt

nan, inf = float("nan"), float("inf")
SECOND_TIME = "Trying to backward through the graph a second time"
IN_PLACE = "one of the variables needed for gradient computation has been modified by an inplace"


def outcome(L, program):
    """What `program(L)` gave: its values (tensors as tuples of short strings, so that nan
    equals nan), or the error as `(type name, its message up to the first " [")` (the two
    libraries describe a tensor differently from there on)."""
    try:
        return _plain(program(L))
    except Exception as error:  # the error is the outcome
        return type(error).__name__, str(error).split(" [")[0]


def _plain(value):
    if isinstance(value, (tuple, list)):
        return tuple(_plain(v) for v in value)
    if hasattr(value, "detach"):  # (clone: PyTorch's all-zero gradients have no storage)
        value = np.asarray(value.detach().clone().tolist(), dtype=float)
    if isinstance(value, (np.ndarray, float)):
        return tuple(f"{v + 0.0:.5g}" for v in np.round(value, 12).reshape(-1))
    return value


def matches(actual, expected):
    """Values must be equal; an expected error names its type and how its message starts."""
    if isinstance(expected, tuple) and len(expected) == 2 and str(expected[0]).endswith("Error"):
        return actual[0] == expected[0] and actual[1].startswith(expected[1])
    return actual == expected


def grads(*tensors):
    return tuple(t.grad for t in tensors)


def leaf(L, values):
    return L.tensor(values, dtype=L.float64, requires_grad=True)


# -- programs --------------------------------------------------------------------------------

REDUCTIONS = {  # ops whose backward needs more than shapes: what they save, PyTorch saves
    "max": lambda L, h: h.max(),
    "min": lambda L, h: h.min(),
    "amax": lambda L, h: h.amax(),
    "amin": lambda L, h: h.amin(0),
    "max_dim": lambda L, h: h.max(0).values,
    "min_dim": lambda L, h: h.min(dim=0)[0],
    "where": lambda L, h: L.where(h > 1.5, h, 0.0),
    "index_list": lambda L, h: h[[0, 2]],
    "index_tensor": lambda L, h: h[L.tensor([2, 0])],
    "index_mask": lambda L, h: h[h > 1.5],
    "masked_fill": lambda L, h: h.masked_fill(h > 1.5, 0.0),
}

SAVES_OUTPUT = {  # ops PyTorch differentiates from their output, with dy/dx at x = [1, 3, 2]
    "relu": (lambda L, h: h.relu(), lambda x: np.ones(3)),
    "sqrt": (lambda L, h: h.sqrt(), lambda x: 0.5 / np.sqrt(x)),
    "reciprocal": (lambda L, h: h.reciprocal(), lambda x: -1 / x ** 2),
    "one_over_x": (lambda L, h: 1 / h, lambda x: -1 / x ** 2),  # reciprocal, then times 1
    "exp": (lambda L, h: h.exp(), np.exp),
    "tanh": (lambda L, h: h.tanh(), lambda x: 1 - np.tanh(x) ** 2),
    "sigmoid": (lambda L, h: h.sigmoid(), lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2),
    "softmax": (lambda L, h: h.softmax(0), lambda x: np.zeros(3)),  # a sum of softmax is 1
    "log_softmax": (lambda L, h: h.log_softmax(0),
                    lambda x: 1 - 3 * np.exp(x) / np.exp(x).sum()),
}
OUTPUT_ONLY = {  # these save their input too: only changing the output is the shared case
    "two_to_the_x": lambda L, h: 2 ** h,
    "x_to_the_y": lambda L, h: h ** (h * 0 + 2),
    "max_output": lambda L, h: h.max(),
    "amax_output": lambda L, h: h.amax(0),
    "prod": lambda L, h: h.prod(0, keepdim=True),
    "std": lambda L, h: h.std(),
    "norm": lambda L, h: h.norm(),
    "norm_1": lambda L, h: h.norm(1),
}


def nll_loss_target_changed(L):
    x = leaf(L, [[1.0, 2.0, 0.5]])
    target = L.tensor([1])
    loss = L.nn.functional.cross_entropy(x, target)
    target[0] = 0
    loss.backward()
    return x.grad


def nll_loss_second_backward(L):
    x = leaf(L, [[1.0, 2.0, 0.5]])
    loss = L.nn.functional.nll_loss(x, L.tensor([1]))
    loss.backward()
    loss.backward()
    return x.grad


def second_backward(op):
    def program(L):
        x = leaf(L, [1.0, 3.0, 2.0])
        y = op(L, x).sum()
        y.backward()
        y.backward()
        return x.grad
    return program


def input_changed(op):
    def program(L):
        x = leaf(L, [1.0, 3.0, 2.0])
        h = x * 1
        y = op(L, h)
        h.mul_(2)
        y.sum().backward()
        return x.grad
    return program


def output_changed(op):
    def program(L):
        x = leaf(L, [1.0, 3.0, 2.0])
        y = op(L, x * 1)
        y.mul_(2)
        y.sum().backward()
        return x.grad
    return program


def in_place_op_then_changed(name, change):
    """`h.exp_()` saves h itself as the output: changing h afterwards is caught."""
    def program(L):
        x = leaf(L, [1.0, 3.0, 2.0])
        h = x * 1
        getattr(h, name)()
        if change:
            h.mul_(2)
        h.sum().backward()
        return x.grad
    return program


def changed_after(make, change):
    """`make(L, x)` returns (output, tensor it depends on); `change` edits that tensor."""
    def program(L):
        x = leaf(L, [1.0, 3.0, 2.0])
        out, kept = make(L, x)
        change(kept)
        out.sum().backward()
        return x.grad
    return program


def issue_example(L):
    x = leaf(L, [1.0, 3.0, 2.0])
    h = x * 1
    m = h.max()
    h[1] = 0.0
    m.backward()
    return x.grad


def upstream(op, gradient, values=(1.0, 3.0, 2.0)):
    def program(L):
        x = leaf(L, list(values))
        y = op(L, x)
        y.backward(L.full(tuple(y.shape), gradient, dtype=L.float64))
        return x.grad
    return program


def power_of_number(base, values):
    def program(L):
        x = leaf(L, values)
        (base ** x).sum().backward()
        return x.grad
    return program


def power_of_tensors(L):
    x, y = leaf(L, [0.0, 0.0, 2.0]), leaf(L, [0.0, 1.0, 0.0])
    (x ** y).sum().backward()
    return grads(x, y)


def both_sides(op, a, b):
    def program(L):
        x, y = leaf(L, a), leaf(L, b)
        op(L, x, y).sum().backward()
        return grads(x, y)
    return program


def relu_gradient_of_gradient(L):
    x = leaf(L, [-1.0, 0.0, 2.0])
    (g,) = L.autograd.grad(x.relu().sum(), x, create_graph=True)
    return g, g.requires_grad, L.autograd.grad(g.sum(), x)[0]


def abs_second_derivative(L):
    x = leaf(L, [-1.0, 0.0, 2.0])
    (g,) = L.autograd.grad(x.abs().sum(), x, create_graph=True)
    (g2,) = L.autograd.grad(g.sum(), x, create_graph=True)
    return g, g2, g2.requires_grad


def division_second_derivative_at_inf(L):
    x, y = leaf(L, [1.0, 2.0]), leaf(L, [inf, 2.0])
    (g,) = L.autograd.grad((x / y).sum(), y, create_graph=True)
    return g, L.autograd.grad(g.sum(), [x, y])


def accumulate_after_create_graph(L):
    x = leaf(L, [1.0, 2.0])
    (x ** 2).sum().backward(create_graph=True)
    saved = x.grad
    (x ** 3).sum().backward()
    return saved is x.grad, saved, x.grad.requires_grad


def accumulate_under_create_graph(L):
    x = leaf(L, [1.0, 2.0])
    (x ** 2).sum().backward(create_graph=True)
    saved = x.grad
    (x ** 3).sum().backward(create_graph=True)
    return saved is x.grad, saved, x.grad


def backward_with_non_leaf_inputs(L):
    x = leaf(L, [1.0, 2.0])
    t = x.exp()
    (t * 2).sum().backward(inputs=[t])
    result = [t.grad, x.grad]
    t.sum().backward()  # t's node ran and was freed: raises
    return result


def hooks_seen(L, run):
    seen = []
    x, w = leaf(L, [1.0, 2.0]), leaf(L, [3.0, 4.0])
    x.register_hook(lambda g: seen.append("x"))
    w.register_hook(lambda g: seen.append("w"))
    h = x * w
    h.register_hook(lambda g: seen.append("h"))
    y = h.sum()
    y.register_hook(lambda g: seen.append("y"))
    run(L, x, w, h, y)
    return tuple(seen)


def roots_hooks(L):
    seen = []
    x, w = leaf(L, [1.0, 2.0]), leaf(L, [3.0, 4.0])
    y, z = (x * 2).sum(), (w * 3).sum()
    y.register_hook(lambda g: seen.append("y"))
    z.register_hook(lambda g: seen.append("z"))
    L.autograd.grad([y, z], [x])
    return tuple(seen)


def where_shapes(condition, a, b):
    def program(L):
        other = L.zeros(b) if isinstance(b, tuple) else b
        return L.where(L.ones(condition, dtype=L.bool), L.ones(a), other)
    return program


def keep_max_indices(L, x):
    values, indices = x.max(0)
    return values, indices


def keep_embedding_indices(L, x):
    indices = L.tensor([0, 2])
    return L.nn.functional.embedding(indices, x.reshape(3, 1)), indices


def set_first_to_one(t):
    t[0] = 1

CASES = {
    # whatever backward needs is saved, freed by backward and checked for in-place changes
    **{f"second_backward_{name}_raises": (second_backward(op), ("RuntimeError", SECOND_TIME))
       for name, op in REDUCTIONS.items()},
    "issue_example_max_after_setitem_raises": (issue_example, ("RuntimeError", IN_PLACE)),
    **{f"input_changed_in_place_after_{name}_raises": (input_changed(REDUCTIONS[name]),
                                                        ("RuntimeError", IN_PLACE))
       for name in ("max", "min", "amax", "amin")},
    "input_changed_in_place_after_max_dim_is_allowed": (
        input_changed(REDUCTIONS["max_dim"]), ("0", "1", "0")),
    "nll_loss_target_changed_raises": (nll_loss_target_changed, ("RuntimeError", IN_PLACE)),
    "second_backward_nll_loss_raises": (nll_loss_second_backward,
                                        ("RuntimeError", SECOND_TIME)),
    "where_condition_changed_raises": (changed_after(
        lambda L, x: (lambda c: (L.where(c, x, 0.0), c))(x > 1.5), set_first_to_one),
        ("RuntimeError", IN_PLACE)),
    "masked_fill_mask_changed_raises": (changed_after(
        lambda L, x: (lambda m: (x.masked_fill(m, 0.0), m))(x > 1.5), set_first_to_one),
        ("RuntimeError", IN_PLACE)),
    "index_tensor_changed_raises": (changed_after(
        lambda L, x: (lambda i: (x[i], i))(L.tensor([0, 2])), set_first_to_one),
        ("RuntimeError", IN_PLACE)),
    "max_dim_indices_changed_raises": (changed_after(
        keep_max_indices, lambda i: i.fill_(0)), ("RuntimeError", IN_PLACE)),
    "embedding_indices_changed_raises": (changed_after(
        keep_embedding_indices, lambda i: i.fill_(1)), ("RuntimeError", IN_PLACE)),
    # the output is saved: changing the input in place is fine, changing the output is not
    **{f"input_changed_in_place_after_{name}_is_allowed": (
        input_changed(op), tuple(f"{v:.5g}" for v in slope(np.array([1.0, 3.0, 2.0]))))
       for name, (op, slope) in SAVES_OUTPUT.items()},
    **{f"output_of_{name}_changed_raises": (in_place_op_then_changed(name, True),
                                            ("RuntimeError", IN_PLACE))
       for name in ("exp_", "relu_", "sigmoid_", "tanh_", "sqrt_")},
    "output_of_exp_in_place_kept_for_backward": (in_place_op_then_changed("exp_", False),
                                                 tuple(f"{v:.5g}" for v in np.exp([1, 3, 2]))),
    "input_changed_in_place_after_number_to_the_x_raises": (
        input_changed(OUTPUT_ONLY["two_to_the_x"]), ("RuntimeError", IN_PLACE)),
    **{f"output_changed_in_place_after_{name}_raises": (output_changed(op),
                                                         ("RuntimeError", IN_PLACE))
       for name, op in {**{n: op for n, (op, _) in SAVES_OUTPUT.items() if n != "one_over_x"},
                        **OUTPUT_ONLY}.items()},
    # powers at the edges
    "zero_to_the_x": (power_of_number(0, [0.0, 1.0, 2.5]), ("0", "0", "0")),
    "zero_point_zero_to_the_x": (power_of_number(0.0, [-1.0, 0.5, 0.0]), ("-inf", "0", "0")),
    "minus_two_to_the_x": (power_of_number(-2.0, [0.0, 1.0, 2.5]), ("nan", "nan", "nan")),
    "x_to_the_y_at_zero_to_the_zero": (power_of_tensors,
                                       (("0", "1", "0"), ("0", "0", f"{math.log(2):.5g}"))),
    "square_root_as_a_power_at_minus_inf": (
        lambda L: (L.tensor([-inf, 4.0]) ** 0.5, L.tensor([-inf, 4.0]) ** -0.5),
        (("nan", "2"), ("nan", "0.5"))),
    "x_to_the_zero_with_inf_gradient": (upstream(lambda L, x: x ** 0, inf), ("0", "0", "0")),
    # relu and abs under create_graph
    "relu_gradient_is_differentiable": (relu_gradient_of_gradient,
                                        (("0", "0", "1"), True, ("0", "0", "0"))),
    "abs_second_derivative_needs_no_gradient": (abs_second_derivative,
                                                (("-1", "0", "1"), ("0", "0", "0"), False)),
    "division_second_derivative_at_inf_is_zero": (division_second_derivative_at_inf, (
        ("0", "-0.5"), (("0", "-0.25"), ("0", "0.5")))),
    # accumulation into .grad
    "plain_backward_adds_into_a_create_graph_grad_in_place": (
        accumulate_after_create_graph, (True, ("5", "16"), True)),
    "create_graph_backward_makes_a_new_grad": (
        accumulate_under_create_graph, (False, ("2", "4"), ("5", "16"))),
    # nan and inf
    **{f"{name}_sends_zero_to_elements_not_picked_{g}": (
        upstream(REDUCTIONS[name], value), tuple(g if i == picked else "0" for i in range(3)))
       for name, picked in (("max", 1), ("min", 0), ("max_dim", 1))
       for g, value in (("inf", inf), ("nan", nan))},
    "amax_spreads_nan_as_pytorch_does": (upstream(lambda L, x: x.amax(0), 1.0, (1.0, nan, 3.0)),
                                         ("nan", "nan", "nan")),
    "max_of_nan_goes_to_the_nan": (upstream(lambda L, x: x.max(), 1.0, (1.0, nan, 3.0)),
                                   ("0", "1", "0")),
    "sign_of_nan_is_zero": (lambda L: L.tensor([nan, 0.0, -2.0]).sign(), ("0", "0", "-1")),
    "abs_gradient_at_nan_is_zero": (upstream(lambda L, x: x.abs(), 1.0, (1.0, nan, -3.0)),
                                    ("1", "0", "-1")),
    "sign_gradient_is_zero_for_inf_gradient": (upstream(lambda L, x: x.sign(), inf),
                                               ("0", "0", "0")),
    "maximum_with_nan_gives_both_the_gradient": (both_sides(
        lambda L, x, y: L.maximum(x, y), [nan, 1.0, nan], [1.0, nan, nan]),
        (("1", "1", "1"), ("1", "1", "1"))),
    "minimum_with_nan_gives_both_the_gradient": (both_sides(
        lambda L, x, y: L.minimum(x, y), [nan, 1.0, 5.0], [1.0, nan, 5.0]),
        (("1", "1", "0.5"), ("1", "1", "0.5"))),
    "maximum_sends_zero_to_the_side_that_lost_for_inf_gradient": (upstream(
        lambda L, x: L.maximum(x, L.tensor(2.0, dtype=L.float64)), inf), ("0", "inf", "inf")),
    # errors
    "where_with_shapes_that_do_not_broadcast": (where_shapes((2,), (3,), (3,)), (
        "RuntimeError", "The size of tensor a (2) must match the size of tensor b (3) at "
        "non-singleton dimension 0")),
    "where_checks_the_condition_with_input_first": (where_shapes((3,), (2,), 0.0), (
        "RuntimeError", "The size of tensor a (3) must match the size of tensor b (2) at "
        "non-singleton dimension 0")),
    "max_over_an_empty_dim": (lambda L: L.ones(0, 3).max(0), (
        "IndexError", "max(): Expected reduction dim 0 to have non-zero size.")),
    "min_over_an_empty_dim": (lambda L: L.ones(0, 3).min(dim=0), (
        "IndexError", "min(): Expected reduction dim 0 to have non-zero size.")),
    "amax_over_an_empty_dim": (lambda L: L.ones(2, 0).amax((0, 1)), (
        "IndexError", "amax(): Expected reduction dim 1 to have non-zero size.")),
    "amax_of_an_empty_tensor": (lambda L: L.ones(0, 3).amax(), (
        "RuntimeError", "amax(): Expected reduction dim to be specified for input.numel() == 0. "
        "Specify the reduction dim with the 'dim' argument.")),
    "advanced_index_into_a_0d_tensor": (lambda L: L.tensor(2.0)[[0]], (
        "IndexError", "too many indices for tensor of dimension 0")),
    "amax_over_a_full_dim_of_an_empty_tensor": (lambda L: L.ones(0, 3).amax(1), ()),
    "softmax_of_an_empty_tensor": (lambda L: (L.ones(0, 3).softmax(0),
                                              L.ones(0).log_softmax(0)), ((), ())),
    # backward(inputs=...) and hooks
    "backward_with_a_non_leaf_input_frees_its_node": (backward_with_non_leaf_inputs,
                                                      ("RuntimeError", SECOND_TIME)),
    "grad_calls_no_hook_of_a_leaf_not_asked_for": (lambda L: hooks_seen(
        L, lambda L, x, w, h, y: L.autograd.grad(y, [x])), ("y", "h", "x")),
    "backward_inputs_calls_no_hook_of_a_leaf_not_asked_for": (lambda L: hooks_seen(
        L, lambda L, x, w, h, y: y.backward(inputs=[x])), ("y", "h", "x")),
    "grad_calls_no_hook_of_a_root_that_leads_to_no_input": (roots_hooks, ("y",)),
    "leaf_hooks_run_in_the_order_of_the_inputs": (lambda L: hooks_seen(
        L, lambda L, x, w, h, y: y.backward()), ("y", "h", "x", "w")),
}


@pytest.mark.parametrize("name", CASES)
def test_case_gives_the_expected_outcome(name):
    program, expected = CASES[name]
    assert matches(outcome(alt, program), expected)


@needs_torch
@pytest.mark.torch_reference
@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
@pytest.mark.parametrize("name", CASES)
def test_case_does_what_pytorch_does(name):
    import torch

    program, _ = CASES[name]
    assert outcome(alt, program) == outcome(torch, program)


# -- what only autograd_lab shows -----------------------------------------------------------

def test_a_changed_saved_output_is_named_as_the_output_of_its_node():
    y = alt.tensor([1.0, -2.0], requires_grad=True).relu()
    y.mul_(2)
    with pytest.raises(RuntimeError, match=r"which is output 0 of ReluBackward0, is at version 1; "
                                           r"expected version 0"):
        y.sum().backward()


@pytest.mark.parametrize("op, second", [
    (alt.exp, lambda x: np.exp(x)),
    (alt.tanh, lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2)),
    (alt.sigmoid, lambda x: (lambda s: s * (1 - s) * (1 - 2 * s))(1 / (1 + np.exp(-x)))),
    (alt.sqrt, lambda x: -0.25 * x ** -1.5),
    (alt.reciprocal, lambda x: 2 / x ** 3),
    (lambda x: 3 ** x, lambda x: 3 ** x * np.log(3) ** 2),
])
def test_second_derivative_through_a_saved_output(op, second):
    values = np.array([0.5, 1.0, 2.0])
    x = alt.tensor(values, dtype=alt.float64, requires_grad=True)
    (g,) = alt.autograd.grad(op(x).sum(), x, create_graph=True)
    (g2,) = alt.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(g2.numpy(), second(values), rtol=1e-12)


def test_saving_an_output_makes_no_reference_cycle():
    gc.collect()
    gc.disable()
    try:
        x = alt.randn(3, requires_grad=True)
        for _ in range(3):
            x.exp().tanh().sigmoid().relu().softmax(0).log_softmax(0).sum().backward()
            (2 ** x).sqrt().reciprocal().sum()  # dropped without backward
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_a_failed_backward_leaves_every_leaf_grad_as_it_was():
    """PyTorch fills w.grad before meeting the changed h; autograd_lab adds nothing (README)."""
    w = alt.tensor([1.0, 2.0], requires_grad=True)
    x = alt.tensor([3.0, 4.0], requires_grad=True)
    h = x * 1
    out = (h * h).sum() + (w * 2).sum()
    h.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.backward()
    assert w.grad is None and x.grad is None


def test_show_saved_draws_a_saved_output_as_that_output():
    from autograd_lab import viz

    x = alt.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    out = (y * 2).sum()
    source = viz.draw(out, names={"x": x, "y": y, "out": out}, show_saved=True).source
    lines = source.splitlines()
    y_key = next(line.split()[0] for line in lines if "{y|" in line)
    exp_key = next(line.split()[0] for line in lines if "label=ExpBackward0" in line)
    assert "(saved)" not in source
    # the node points at what it saved (arrows run the way backward reads them)
    assert any(line.strip().startswith(f"{exp_key} -> {y_key} [arrowhead=odot")
               for line in lines)
