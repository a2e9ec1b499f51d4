"""The engine runs, skips, hooks, captures and frees as PyTorch's does, even when a pass fails.

Each case is a small program written once against a module `L` (autograd_lab, or torch) that
returns what it saw, or the error it met. Every case states its expected outcome, worked out by
hand, and, where PyTorch is installed, is also run on PyTorch to check that it does the same.
"""

import warnings

import numpy as np
import pytest
from op_examples import needs_torch

import autograd_lab as alt

SECOND_TIME = "Trying to backward through the graph a second time"
UNUSED = ("The differentiated Tensor at index 1 appears to not have been used in the graph. "
          "Set allow_unused=True if this is the desired behavior.")
DETACHED = ("Trying to use a saved tensor that has been detached in-place, i.e. with "
            ".detach_().This is not supported, please use out-of-place `.detach()` instead")


def outcome(L, program):
    """What `program(L)` gave: tensors as nested tuples, or the error as `(type name, message)`."""
    try:
        return _plain(program(L))
    except Exception as error:  # the error is the outcome
        return type(error).__name__, str(error).split(" [")[0]


def _plain(value):
    if isinstance(value, (tuple, list)):
        return tuple(_plain(v) for v in value)
    if hasattr(value, "detach"):
        return _plain(value.detach().tolist())
    if isinstance(value, float):
        return "nan" if np.isnan(value) else round(value, 12)  # nan equals nan here
    return value


def leaf(L, values):
    return L.tensor(values, dtype=L.float64, requires_grad=True)


def logging_hook(log, name, scale=None):
    """A hook that notes its tensor's name (and multiplies the gradient by `scale`, if given)."""
    def hook(grad):
        log.append(name)
        return None if scale is None else grad * scale
    return hook


# -- hooks: which run, and what autograd.grad returns ------------------------------------------

def leaf_root_with_inputs_elsewhere(L):
    # the lone root of a pass is reached even when it leads to no input: its hooks run, but a
    # leaf's node that is not among the inputs accumulates nothing
    log = []
    x, w = leaf(L, [1.0, -2.0]), leaf(L, [3.0])
    x.register_hook(logging_hook(log, "x"))
    x.backward(L.ones_like(x), inputs=[w])
    return log, x.grad is None, w.grad is None


def root_leading_to_no_input(L):
    log = []
    x = leaf(L, [1.0, 2.0])
    y, z = x * 2, x * 3
    y.register_hook(logging_hook(log, "y"))
    (g,) = L.autograd.grad(y, [z], L.ones_like(y), allow_unused=True)
    return log, g is None


def two_roots_leading_to_no_input(L):
    # with several roots, a root that leads to no input is not reached: no hook runs
    log = []
    x = leaf(L, [1.0, 2.0])
    y, w, u = x * 2, x * 5, x * 7
    y.register_hook(logging_hook(log, "y"))
    w.register_hook(logging_hook(log, "w"))
    (g,) = L.autograd.grad([y.sum(), w.sum()], [u], allow_unused=True)
    return log, g is None


def root_asked_for_with_a_leaf(L):
    # y's node must run to reach x: y's gradient is captured before y's hook (x10) changes it,
    # and x gets the hooked gradient, 10 * 2
    log = []
    x = leaf(L, [1.0, 2.0])
    y = x * 2
    y.register_hook(logging_hook(log, "y", scale=10))
    return L.autograd.grad(y, [y, x], L.ones_like(y)), log


def root_asked_for_alone(L):
    # y's node need not run: its hook runs, and the hooked gradient is what grad returns
    log = []
    x = leaf(L, [1.0, 2.0])
    y = x * 2
    y.register_hook(logging_hook(log, "y", scale=10))
    return L.autograd.grad(y, [y], L.ones_like(y)), log


def non_leaf_asked_for_on_the_way(L):
    # z = 3y, y = 2x: y's gradient 3 is returned before its hook; x gets 3 * 10 * 2
    log = []
    x = leaf(L, [1.0, 2.0])
    y = x * 2
    y.register_hook(logging_hook(log, "y", scale=10))
    return L.autograd.grad((y * 3).sum(), [y, x]), log


def retained_root_in_grad(L):
    # retain_grad works through the same hooks: the lone root's .grad is filled (with ones)
    x = leaf(L, [1.0, -0.5, -3.0])
    y, unrelated = x * 1, 2.0 / x
    y.retain_grad()
    (g,) = L.autograd.grad(y, [unrelated], L.ones_like(y), allow_unused=True)
    return y.grad, g is None


def same_input_twice(L):
    x = leaf(L, [1.0, 2.0])
    g1, g2 = L.autograd.grad((x * x).sum(), [x, x])
    return g1 is g2, g1


def root_asked_for_gets_the_given_gradient_itself(L):
    x = leaf(L, [1.0, 2.0])
    seed = L.tensor([0.5, 4.0], dtype=L.float64)
    (g,) = L.autograd.grad(x, [x], seed)
    return g is seed


# -- a pass that fails: what it has run, it has freed ------------------------------------------

def unused_input_after_the_pass(L):
    # the unused input is found once the pass has run: the graph is freed, the hook has run
    # and the retained .grad is filled, as in PyTorch. The second backward reaches y again
    # (hook, .grad + 1) before it meets the freed ExpBackward0.
    log = []
    x, unused = leaf(L, [1.0, 2.0]), leaf(L, [3.0])
    y = x.exp()
    y.register_hook(logging_hook(log, "y"))
    y.retain_grad()
    try:
        L.autograd.grad(y.sum(), [x, unused])
    except RuntimeError as error:
        log.append(str(error))
    try:
        y.sum().backward()
    except RuntimeError as error:
        log.append(str(error)[:len(SECOND_TIME)])
    return log, y.grad


def failed_backward_then_again(L):
    # tanh_ changed amax's saved output: TanhBackward ran, was freed, then amax failed
    x = leaf(L, [[-1.0, 2.5, -0.5]])
    y = x.amax(-2)
    y.tanh_()
    errors = []
    for _ in range(2):
        try:
            y.sum().backward()
        except RuntimeError as error:
            errors.append(str(error)[:40])
    return errors, x.grad is None


def grad_that_failed_in_a_node_keeps_that_node(L):
    # LogBackward raises (its saved x changed); through autograd.grad, which does not
    # accumulate, that node is not freed: the next backward meets the same error again
    x = leaf(L, [[1.0, 2.0]])
    y = x.log()
    with L.no_grad():
        x.div_(2.0)
    errors = []
    for run in (lambda: L.autograd.grad(y ** 2, [x], L.ones_like(y)),
                lambda: y.sum().backward()):
        try:
            run()
        except RuntimeError as error:
            errors.append(str(error)[:40])
    return errors


def returned_gradient_is_a_view(L):
    # the gradient of an unsqueeze is a view of the given gradient: detach_() is refused
    x = leaf(L, [[-3.0], [-2.5]])
    y = x.unsqueeze(-2)
    (g,) = L.autograd.grad(y, [x], L.ones_like(y))
    try:
        g.detach_()
    except RuntimeError as error:
        return str(error)[:40]
    return "no error"


def view_of_returned_gradient_follows_its_base(L):
    # the gradient of a permute is a view of a tensor that needs no grad: asking the view for
    # grad makes it a leaf that requires grad, and a view of it under no_grad needs none
    x = leaf(L, [[-1.5], [-2.5]])
    y = x.permute(1, 0) * 2
    (g,) = L.autograd.grad(y, [x], L.ones_like(y))
    g.requires_grad_()
    with L.no_grad():
        v = g.expand(2, 1)[:, 0]
    return g.requires_grad, v.requires_grad


def failed_backward_with_retain_graph_frees_nothing(L):
    x, w = leaf(L, [1.0, 2.0]), L.tensor([3.0, 4.0], dtype=L.float64)
    z = ((x * w) ** 2).sum()
    w.add_(1)
    errors = []
    for _ in range(2):
        try:
            z.backward(retain_graph=True)
        except RuntimeError as error:
            errors.append(str(error)[:40])
    return errors


def leaf_moved_into_the_graph(L):
    # x was a leaf when y used it; switched off and changed in place with w, it has a history
    # now: its old node refuses the gradient (no .grad on a non-leaf, no hook), as in PyTorch
    log = []
    x = leaf(L, [1.0, 2.0])
    x.register_hook(logging_hook(log, "x"))
    y = x * 3
    w = leaf(L, [1.0, 1.0])
    x.requires_grad_(False)
    x.add_(w)
    try:
        y.sum().backward()
    except RuntimeError as error:
        log.append(str(error))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # reading .grad of a non-leaf warns
        return log, x.grad is None, x.is_leaf


# -- derivatives of derivatives -------------------------------------------------------------------

def derivatives_of_a_square(L):
    # y = x²: y' = 2x, then 2, then 0, each from the one before with create_graph. PyTorch's
    # second derivative is 2 * x ** 0, which still depends on x: the third is zeros, not an error
    x = leaf(L, [1.5, -2.0])
    y = (x ** 2).sum()
    derivatives = []
    for _ in range(3):
        (y,) = L.autograd.grad(y.sum(), [x], create_graph=True)
        derivatives.append((y, y.requires_grad))
    return derivatives


# -- detach_() of a tensor that backward still needs -------------------------------------------

def detached_saved_input(L):
    x = leaf(L, [1.0, 2.0])
    h = x * 2
    y = h * h
    h.detach_()
    y.sum().backward()


def detached_saved_output(L):
    # exp saves its output: PyTorch still finds it, so detaching it in place is harmless
    x = leaf(L, [0.0, 1.0])
    y = (x * 2).exp()
    z = y * 1.0
    y.detach_()
    z.sum().backward()
    return x.grad


# -- nan and inf: where a gradient divides by zero, and pow at -inf -------------------------------

def norm_gradient(L, values, p=2, seed=1.0, dim=None):
    x = leaf(L, values)
    y = x.norm(p=p) if dim is None else x.norm(p=p, dim=dim)
    return L.autograd.grad(y, [x], L.full(y.shape, seed, dtype=L.float64))[0]


def norm_second_derivative_at_zero(L):
    x = leaf(L, [0.0, 0.0])
    (g,) = L.autograd.grad(x.norm(), [x], create_graph=True)
    return g, L.autograd.grad(g.sum(), [x])[0]


# -- which error comes first ------------------------------------------------------------------

def first_error(L, action):
    try:
        action(L)
    except RuntimeError as error:
        return str(error)[:48]


MODIFIED = "one of the variables needed for gradient computation has been modified by an inpl"
CASES = {
    "lone_leaf_root_runs_its_hook_with_inputs_elsewhere": (
        leaf_root_with_inputs_elsewhere, (("x",), True, True)),
    "lone_root_runs_its_hook_in_grad_when_it_leads_to_no_input": (
        root_leading_to_no_input, (("y",), True)),
    "one_of_two_roots_leading_to_no_input_runs_no_hook": (
        two_roots_leading_to_no_input, ((), True)),
    "grad_returns_a_root_needed_on_the_way_before_its_hook": (
        root_asked_for_with_a_leaf, (([1.0, 1.0], [20.0, 20.0]), ("y",))),
    "grad_returns_a_root_asked_for_alone_after_its_hook": (
        root_asked_for_alone, (([10.0, 10.0],), ("y",))),
    "grad_returns_a_non_leaf_needed_on_the_way_before_its_hook": (
        non_leaf_asked_for_on_the_way, (([3.0, 3.0], [60.0, 60.0]), ("y",))),
    "retain_grad_fills_the_lone_roots_grad_in_autograd_grad": (
        retained_root_in_grad, ([1.0, 1.0, 1.0], True)),
    "an_input_asked_for_twice_gets_one_tensor": (same_input_twice, (True, [2.0, 4.0])),
    "a_root_asked_for_gets_the_gradient_given_for_it": (
        root_asked_for_gets_the_given_gradient_itself, True),
    "an_unused_input_is_found_after_the_pass_has_run_and_freed_the_graph": (
        unused_input_after_the_pass, (("y", UNUSED, "y", SECOND_TIME), [2.0, 2.0])),
    "a_failed_backward_has_freed_the_nodes_that_ran": (
        failed_backward_then_again, ((MODIFIED[:40], SECOND_TIME[:40]), True)),
    "a_node_whose_backward_raised_keeps_what_it_saved": (
        grad_that_failed_in_a_node_keeps_that_node, (MODIFIED[:40], MODIFIED[:40])),
    "a_gradient_returned_as_a_view_refuses_detach_in_place": (
        returned_gradient_is_a_view, "Can't detach views in-place. Use detach("),
    "a_view_of_a_returned_gradient_made_under_no_grad": (
        view_of_returned_gradient_follows_its_base, (True, False)),
    "a_failed_backward_with_retain_graph_frees_nothing": (
        failed_backward_with_retain_graph_frees_nothing, (MODIFIED[:40], MODIFIED[:40])),
    "a_leaf_moved_into_the_graph_refuses_its_old_gradient": (
        leaf_moved_into_the_graph, (("leaf variable has been moved into the graph interior",),
                                    True, False)),
    "every_derivative_of_a_square_can_be_differentiated_again": (
        derivatives_of_a_square, (([3.0, -4.0], True), ([2.0, 2.0], True), ([0.0, 0.0], False))),
    # PyTorch checks the gradients given (or made) for the roots before whether they need one
    "a_gradient_of_the_wrong_shape_is_named_before_a_root_that_needs_none": (
        lambda L: first_error(L, lambda L: L.ones(2).backward(L.ones(3))),
        "Mismatch in shape: grad_output[0] has a shape of"),
    "a_non_scalar_root_that_needs_no_gradient_is_refused_for_that": (
        lambda L: first_error(L, lambda L: L.ones(2).backward()),
        "element 0 of tensors does not require grad and d"),
    "backward_through_a_saved_tensor_detached_in_place_raises": (
        detached_saved_input, ("RuntimeError", DETACHED)),
    "a_saved_output_detached_in_place_is_still_found": (
        detached_saved_output, [2.0, 2 * np.exp(2.0)]),
    # PyTorch: grad * (x / y) with x / y taken as 0 where y == 0, so an infinite grad gives nan
    "norm_of_zeros_with_an_infinite_gradient_is_nan": (
        lambda L: norm_gradient(L, [0.0, 0.0], seed=float("inf")), ["nan", "nan"]),
    # p = 1.5: sign(x) |x|^0.5 * (grad / y^0.5, taken as 0 where y == 0): 0, not 0 * inf
    "norm_with_p_between_1_and_2_of_zeros_has_gradient_zero": (
        lambda L: norm_gradient(L, [0.0, 0.0], p=1.5), [0.0, 0.0]),
    # p = 0.5 over columns: |x|^-0.5 is taken as 0 where x == 0; column [1, 2] has
    # y = (1 + √2)², dy/dx = |x|^-0.5 √y = [1 + √2, (1 + √2) / √2]
    "norm_with_p_below_1_at_a_zero_element_has_gradient_zero": (
        lambda L: norm_gradient(L, [[0.0, 1.0], [0.0, 2.0]], p=0.5, dim=0),
        [[0.0, 1 + 2 ** 0.5], [0.0, (1 + 2 ** 0.5) / 2 ** 0.5]]),
    # the gradient at 0 is 0 * (x / y), whose derivative meets 0 / 0: nan, as in PyTorch
    "norm_second_derivative_at_zero_is_nan": (
        norm_second_derivative_at_zero, ([0.0, 0.0], ["nan", "nan"])),
    # a tensor exponent is C's pow even when it is one 0.5: pow(-inf, 0.5) = inf, not √-inf
    "tensor_power_of_a_single_half_is_c_pow_not_a_square_root": (
        lambda L: (L.tensor([-float("inf"), 4.0], dtype=L.float64) ** L.tensor(
            0.5, dtype=L.float64), L.tensor(-float("inf"), dtype=L.float64) ** L.tensor(
            0.5, dtype=L.float64)), ([float("inf"), 2.0], float("inf"))),
}


@pytest.mark.parametrize("name", CASES)
def test_case_gives_the_expected_outcome(name):
    program, expected = CASES[name]
    assert outcome(alt, program) == _plain(expected)


@needs_torch
@pytest.mark.torch_reference
@pytest.mark.parametrize("name", CASES)
def test_case_does_what_pytorch_does(name):
    import torch

    program, _ = CASES[name]
    assert outcome(alt, program) == outcome(torch, program)


def test_backward_of_something_that_is_not_a_tensor_says_so():
    with pytest.raises(TypeError, match="expected a Tensor to differentiate, got float"):
        alt.autograd.backward([3.0])
    with pytest.raises(TypeError, match="got list"):
        alt.autograd.grad([[1.0]], [alt.ones(1, requires_grad=True)])
