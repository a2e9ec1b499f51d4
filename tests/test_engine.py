"""The backward engine: accumulation, retain_graph, create_graph, autograd.grad, hooks, versions."""

import importlib.util
import warnings

import numpy as np
import pytest

import autograd_lab as alt
from autograd_lab.autograd import events

needs_torch = pytest.mark.skipif(importlib.util.find_spec("torch") is None,
                                 reason="PyTorch is not installed")


def leaf(values, dtype=alt.float64):
    return alt.tensor(values, dtype=dtype, requires_grad=True)


# -- leaves accumulate ----------------------------------------------------------------------------

def test_leaves_accumulate_gradients_across_backward_calls():
    x = leaf([1.0, 2.0])
    (x * x).sum().backward()
    (x * x).sum().backward()
    assert x.grad.tolist() == [4.0, 8.0]


def test_value_used_twice_gets_the_sum_of_both_paths():
    x = leaf(3.0)
    y = x * x + x  # dy/dx = 2x + 1
    y.backward()
    assert x.grad.item() == 7.0


def test_diamond_graph_sums_gradients_at_the_fan_in():
    x = leaf(2.0)
    a = x * 3
    b = a.exp()
    c = a * a
    (b + c).backward()  # d/dx = 3 exp(3x) + 2 * 3x * 3
    assert x.grad.item() == pytest.approx(3 * np.exp(6.0) + 36.0)


def test_broadcast_gradient_is_summed_back_to_each_input_shape():
    a = leaf(np.ones((3, 1)))
    b = leaf(np.ones((1, 4)))
    (a + b * 2).sum().backward()
    assert a.grad.shape == (3, 1) and a.grad.tolist() == [[4.0]] * 3
    assert b.grad.shape == (1, 4) and b.grad.tolist() == [[6.0] * 4]


def test_gradient_of_a_scalar_broadcast_to_a_matrix_is_summed_to_a_scalar():
    s = leaf(2.0)
    (s * alt.ones(2, 3, dtype=alt.float64)).sum().backward()
    assert s.grad.shape == () and s.grad.item() == 6.0


def test_leaf_grad_keeps_the_leaf_dtype():
    x = alt.ones(2, requires_grad=True)
    (x.double() * 2).sum().backward()
    assert x.grad.dtype is alt.float32


def test_two_leaves_never_share_a_grad_array():
    a, b = leaf([1.0]), leaf([1.0])
    (a + b).sum().backward()
    a.grad.zero_()
    assert b.grad.tolist() == [1.0]


def test_grad_of_leaf_does_not_alias_the_gradient_passed_to_backward():
    x = leaf([1.0, 2.0])
    g = alt.tensor([1.0, 1.0], dtype=alt.float64)
    x.backward(g)
    (x + 1).backward(g)  # Add passes the gradient through unchanged
    alt.autograd.backward([x + 1], [g], inputs=[x])
    x.grad.zero_()
    assert g.tolist() == [1.0, 1.0]
    y = leaf([1.0, 2.0])
    (y + 1).backward(g)
    y.grad.mul_(5)
    assert g.tolist() == [1.0, 1.0]


# -- non-scalar outputs and gradients ------------------------------------------------------------

def test_backward_of_non_scalar_needs_gradient():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar"):
        (x * 2).backward()
    assert x.grad is None


def test_backward_of_non_scalar_with_gradient_is_vector_jacobian_product():
    x = leaf([1.0, 2.0, 3.0])
    (x * x).backward(alt.tensor([1.0, 0.5, 0.0], dtype=alt.float64))
    assert x.grad.tolist() == [2.0, 2.0, 0.0]


def test_backward_of_one_element_tensor_needs_no_gradient():
    x = leaf([[2.0]])
    (x * 3).backward()
    assert x.grad.tolist() == [[3.0]]


def test_autograd_backward_takes_several_roots():
    x = leaf(1.0)
    alt.autograd.backward([x * 2, x * 3])
    assert x.grad.item() == 5.0


def test_backward_inputs_restricts_which_leaves_accumulate():
    x, y = leaf(1.0), leaf(1.0)
    (x * y * 2).backward(inputs=[x])
    assert x.grad.item() == 2.0 and y.grad is None


# -- retain_graph ----------------------------------------------------------------------------------

def test_retain_graph_allows_a_second_backward():
    x = leaf(2.0)
    y = x * x
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.item() == 8.0


def test_second_backward_without_retain_graph_raises():
    x = leaf(2.0)
    y = x * x
    y.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()


def test_graph_without_saved_tensors_can_be_run_twice():
    x = leaf(2.0)
    y = x + 1  # Add saves nothing, so nothing is freed (as in PyTorch)
    y.backward()
    y.backward()
    assert x.grad.item() == 2.0


def test_saved_tensors_are_freed_after_backward():
    x = leaf(2.0)
    y = x * x
    node = y.grad_fn
    y.backward()
    assert node._saved == ()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        node.saved_tensors


# -- create_graph and higher derivatives ----------------------------------------------------------

def test_create_graph_makes_grad_differentiable():
    x = leaf(2.0)
    (x ** 3).backward(create_graph=True)
    assert x.grad.item() == 12.0 and x.grad.grad_fn is not None
    (d2,) = alt.autograd.grad(x.grad, x)
    assert d2.item() == 12.0  # d²/dx² x³ = 6x


def test_without_create_graph_the_grad_has_no_history():
    x = leaf(2.0)
    (x ** 3).backward()
    assert x.grad.grad_fn is None and not x.grad.requires_grad


def test_third_derivative_through_repeated_grad():
    x = leaf(1.5)
    y = x.exp() * x  # y''' = exp(x) (x + 3)
    (g1,) = alt.autograd.grad(y, x, create_graph=True)
    (g2,) = alt.autograd.grad(g1, x, create_graph=True)
    (g3,) = alt.autograd.grad(g2, x)
    assert g3.item() == pytest.approx(np.exp(1.5) * 4.5)


def test_second_derivative_of_a_mixed_term():
    x, y = leaf(2.0), leaf(3.0)
    z = x * x * y  # dz/dx = 2xy, d/dy (dz/dx) = 2x
    (gx,) = alt.autograd.grad(z, x, create_graph=True)
    (gxy,) = alt.autograd.grad(gx, y)
    assert gx.item() == 12.0 and gxy.item() == 4.0


@pytest.mark.parametrize("make", [lambda x: x.sum(), lambda x: (x * 3).sum(),
                                  lambda x: (x * x).sum(), lambda x: x.reshape(-1).sum()])
def test_grad_stored_by_create_graph_is_its_own_writable_array(make):
    x = leaf(np.ones((2, 2)))
    make(x).backward(create_graph=True)
    first = x.grad.detach().numpy().copy()
    x.grad.zero_()  # must not hit a read-only broadcast view
    make(x).backward()
    np.testing.assert_array_equal(x.grad.detach().numpy(), first)


def test_create_graph_copy_of_a_view_gradient_stays_in_the_graph():
    x = leaf([1.0, 2.0])
    w = leaf(3.0)
    (x * w).sum().backward(create_graph=True)  # dL/dw = sum(x): a reduction, fine
    y = leaf(np.ones((2, 1)))
    (y * w).expand(2, 3).sum().backward(create_graph=True)
    assert y.grad.requires_grad and y.grad._data.base is None
    (g,) = alt.autograd.grad(y.grad.sum(), w)
    assert g.item() == 6.0


def test_create_graph_keeps_the_graph_by_default():
    x = leaf(2.0)
    y = x * x
    y.backward(create_graph=True)
    y.backward()
    assert x.grad.item() == 8.0


# -- autograd.grad ---------------------------------------------------------------------------------

def test_grad_returns_gradients_without_touching_dot_grad():
    x = leaf([1.0, 2.0])
    (g,) = alt.autograd.grad((x * x).sum(), x)
    assert g.tolist() == [2.0, 4.0] and x.grad is None and g.grad_fn is None


def test_grad_with_several_inputs_and_grad_outputs():
    x, y = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    gx, gy = alt.autograd.grad(x * y, (x, y), alt.tensor([1.0, 10.0], dtype=alt.float64))
    assert gx.tolist() == [3.0, 40.0] and gy.tolist() == [1.0, 20.0]


def test_grad_frees_the_graph_unless_retain_graph():
    x = leaf(2.0)
    y = x * x
    alt.autograd.grad(y, x, retain_graph=True)
    alt.autograd.grad(y, x)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        alt.autograd.grad(y, x)


def test_grad_of_an_unused_input_raises_without_allow_unused():
    x, unused = leaf(1.0), leaf(1.0)
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        alt.autograd.grad(x * 2, [x, unused])


def test_grad_allow_unused_returns_none():
    x, unused = leaf(1.0), leaf(1.0)
    gx, gu = alt.autograd.grad(x * 2, [x, unused], allow_unused=True)
    assert gx.item() == 2.0 and gu is None


def test_grad_materialize_grads_returns_zeros_for_unused():
    x, unused = leaf(1.0), leaf([1.0, 1.0])
    _, gu = alt.autograd.grad(x * 2, [x, unused], materialize_grads=True)
    assert gu.tolist() == [0.0, 0.0]


def test_grad_with_respect_to_an_intermediate_tensor():
    x = leaf(3.0)
    h = x * 2
    y = h * h
    (gh,) = alt.autograd.grad(y, h)
    assert gh.item() == 12.0


def test_grad_does_not_run_parts_of_the_graph_it_does_not_need():
    x, other = leaf(1.0), leaf(1.0)
    ran = []

    def listener(kind, details):  # held weakly by events: this name keeps it alive
        if kind == "node_started":
            ran.append(details["node"].name())

    unsubscribe = events.subscribe(listener)
    try:
        alt.autograd.grad(x * 2 + other.exp(), x)
    finally:
        unsubscribe()
    assert "ExpBackward0" not in ran and "MulBackward0" in ran


# -- non-leaf .grad --------------------------------------------------------------------------------

def test_grad_of_non_leaf_warns_and_is_none():
    y = leaf(1.0) * 2
    y.backward()
    with pytest.warns(UserWarning, match="is not a leaf Tensor is being accessed"):
        assert y.grad is None


def test_grad_of_leaf_does_not_warn():
    x = leaf(1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert x.grad is None


def test_retain_grad_keeps_the_gradient_of_a_non_leaf():
    x = leaf(2.0)
    y = x * 3
    y.retain_grad()
    z = y * y
    z.backward()
    assert y.grad.item() == 12.0 and x.grad.item() == 36.0


def test_retain_grad_accumulates_like_a_leaf():
    x = leaf(2.0)
    y = x * 3
    y.retain_grad()
    (y * 2).backward(retain_graph=True)
    (y * 2).backward()
    assert y.grad.item() == 4.0


def test_retain_grad_on_a_leaf_is_a_no_op():
    x = leaf(1.0)
    x.retain_grad()
    (x * 2).backward()
    assert x.grad.item() == 2.0


# -- hooks -----------------------------------------------------------------------------------------

def test_hook_return_value_replaces_the_gradient():
    x = leaf([1.0, 2.0])
    x.register_hook(lambda g: g * 10)
    (x * 1).sum().backward()
    assert x.grad.tolist() == [10.0, 10.0]


def test_hook_on_non_leaf_changes_what_flows_further_back():
    x = leaf(1.0)
    y = x * 2
    y.register_hook(lambda g: g * 100)
    (y * 3).backward()
    assert x.grad.item() == 600.0


def test_hook_handle_remove_takes_the_hook_off():
    x = leaf(1.0)
    calls = []
    handle = x.register_hook(lambda g: calls.append(1))
    (x * 2).backward()
    handle.remove()
    (x * 2).backward()
    assert calls == [1]
    y = x * 2
    handle = y.register_hook(lambda g: calls.append(2))
    handle.remove()
    y.backward()
    assert calls == [1]


def test_hook_sees_the_summed_gradient_once_at_a_fan_in():
    x = leaf(1.0)
    y = x * 2
    seen = []
    y.register_hook(lambda g: seen.append(g.item()))
    (y * 3 + y * 4).backward()
    assert seen == [7.0]


def test_node_hook_sees_grad_inputs_and_grad_outputs():
    x = leaf(2.0)
    y = x * 3
    seen = []
    y.grad_fn.register_hook(lambda gin, gout: seen.append((gin[0].item(), gout[0].item())))
    (y * 5).backward()
    assert seen == [(15.0, 5.0)]


# -- graph structure -------------------------------------------------------------------------------

def test_next_functions_link_to_producers_and_accumulate_grad():
    x = leaf(1.0)
    w = alt.tensor(2.0, dtype=alt.float64)
    y = x * w
    z = y + 1
    (mul, nr), = [z.grad_fn.next_functions[0]]
    assert mul is y.grad_fn and nr == 0
    acc, none = y.grad_fn.next_functions
    assert acc[0].name() == "AccumulateGrad" and acc[0].variable is x
    assert none == (None, 0)


def test_one_accumulate_grad_node_per_leaf():
    x = leaf(1.0)
    a, b = x * 2, x * 3
    assert a.grad_fn.next_functions[0][0] is b.grad_fn.next_functions[0][0]


def test_backward_runs_nodes_latest_created_first():
    x = leaf(1.0)
    a = x * 2
    b = a.exp()
    c = a * 3
    order = []

    def listener(kind, details):  # held weakly by events: this name keeps it alive
        if kind == "node_started":
            order.append(details["node"].name())

    unsubscribe = events.subscribe(listener)
    try:
        (b + c).backward()
    finally:
        unsubscribe()
    assert order == ["AddBackward0", "MulBackward0", "ExpBackward0", "MulBackward0"]


def test_events_report_backward_from_start_to_finish():
    x = leaf(1.0)
    y = (x * 2).sum()
    kinds = []

    def listener(kind, details):
        kinds.append(kind)

    unsubscribe = events.subscribe(listener)
    try:
        y.backward()
    finally:
        unsubscribe()
    assert kinds[0] == "backward_started" and kinds[-1] == "backward_finished"
    assert "grad_accumulated" in kinds and "buffers_freed" in kinds
    assert listener not in events.listeners


# -- version counter -------------------------------------------------------------------------------

def test_in_place_change_of_a_saved_tensor_is_caught():
    x = leaf([1.0, 2.0])
    y = x * 2
    z = y * y
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation") as info:
        z.sum().backward()
    assert "output 0 of Add" in str(info.value)
    assert "version 1; expected version 0" in str(info.value)
    assert x.grad is None


def test_in_place_change_of_a_saved_leaf_input_is_caught():
    x = leaf([1.0, 2.0])
    w = alt.ones(2, dtype=alt.float64)
    y = (x * w).sum()
    w.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_in_place_change_through_a_detached_alias_is_caught():
    x = leaf([1.0, 2.0])
    y = x * 2
    z = y * y
    y.detach().zero_()  # same storage, same version counter
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_in_place_change_of_an_unsaved_tensor_is_fine():
    x = leaf([1.0, 2.0])
    y = x + 1  # Add saves nothing
    y.mul_(3)
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_in_place_ops_on_non_leaves_are_differentiable():
    x = leaf([1.0, 2.0])
    y = x * 1
    y += 2
    y -= 1
    y.sub_(x, alpha=2)
    y.add_(x, alpha=3)
    y *= x
    y.sum().backward()  # y = (2x + 1) x  ->  dy/dx = 4x + 1
    assert x.grad.tolist() == [5.0, 9.0]
    assert y._version == 5


def test_boolean_mask_assignment_on_a_non_leaf_is_differentiable():
    x = leaf([-1.0, 2.0, -3.0])
    h = x * 1
    h[h < 0] = 0
    (h * h).sum().backward()
    assert x.grad.tolist() == [0.0, 4.0, 0.0]


def test_setitem_with_a_value_that_requires_grad():
    x = alt.zeros(3, dtype=alt.float64)
    v = leaf(2.0)
    x[1] = v
    (x * 5).sum().backward()
    assert v.grad.item() == 5.0 and x.grad_fn is not None


# -- NaN and inf -----------------------------------------------------------------------------------

def test_nan_and_inf_flow_through_backward_without_error():
    x = leaf([0.0, 1.0])
    with np.errstate(all="ignore"):
        y = (x.log() * x).sum()
        y.backward()
    assert np.isnan(x.grad[0].item()) and x.grad[1].item() == pytest.approx(1.0)


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("make", [
    lambda x: x.log(), lambda x: x.exp(), lambda x: x / x, lambda x: 1 / x, lambda x: x ** 0.5,
    lambda x: x ** -1.0, lambda x: x.exp() * 0, lambda x: x.reciprocal(),
])
def test_inf_and_nan_in_forward_and_backward_raise_no_warnings_and_no_errors(make):
    x = alt.tensor([0.0, 1000.0, -1.0, float("inf"), float("nan")], requires_grad=True)
    y = make(x)
    y.sum().backward()
    assert x.grad.shape == (5,)
    assert not np.isfinite(y.detach().numpy()).all() or not np.isfinite(x.grad.numpy()).all()


def test_anomaly_mode_names_the_op_that_made_the_first_nan():
    x = leaf([0.0, 1.0])
    with alt.autograd.detect_anomaly(), np.errstate(all="ignore"):
        y = (x / x).sum()
        expected = "Function 'DivBackward0' returned nan values"
        with pytest.raises(RuntimeError, match=expected) as info:
            y.backward()
    assert "test_engine.py" in str(info.value)  # points at the forward line
    assert x.grad is None


def test_anomaly_mode_points_at_the_learners_line_not_inside_the_library():
    x = alt.tensor([[float("inf"), 1.0]], requires_grad=True)
    with alt.autograd.detect_anomaly(), np.errstate(all="ignore"):
        y = alt.nn.functional.softmax(x, dim=1)  # the NaN is born inside the library's softmax
        with pytest.raises(RuntimeError, match="returned nan values") as info:
            y.sum().backward()
    trace = str(info.value).split("Its forward call was made here:")[1]
    assert "test_engine.py" in trace and "functional.py" not in trace


def test_anomaly_mode_is_restored_after_the_block():
    from autograd_lab.autograd import anomaly

    with alt.autograd.detect_anomaly():
        assert anomaly.enabled
    assert not anomaly.enabled
    alt.autograd.set_detect_anomaly(True)
    alt.autograd.set_detect_anomaly(False)
    assert not anomaly.enabled


# -- against PyTorch -------------------------------------------------------------------------------

@needs_torch
@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_accumulation_retain_and_create_graph_match_pytorch():
    import torch

    def run(lib):
        x = lib.tensor([0.5, -1.5, 2.0], dtype=lib.float64, requires_grad=True)
        y = (x * x * x).sum()
        y.backward(retain_graph=True)
        first = x.grad.tolist()
        y.backward(create_graph=True)
        (second,) = lib.autograd.grad(x.grad.sum(), x)
        return first, x.grad.tolist(), second.tolist()

    for ours, theirs in zip(run(alt), run(torch)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


@pytest.mark.parametrize("op, expected", [
    (lambda y, x: y.mul_(x), [2.0, 4.0]),  # y = x * x
    (lambda y, x: y.pow_(2), [2.0, 4.0]),
    (lambda y, x: y.div_(x), [0.0, 0.0]),  # y = x / x = 1
    (lambda y, x: y.clamp_(min=1.5), [0.0, 1.0]),
    (lambda y, x: y.neg_(), [-1.0, -1.0]),
])
def test_in_place_op_on_a_non_leaf_that_saves_it_uses_the_old_values(op, expected):
    x = leaf([1.0, 2.0])
    y = x * 1
    op(y, x)
    y.sum().backward()
    assert x.grad.tolist() == expected


@needs_torch
def test_in_place_ops_on_non_leaves_match_pytorch():
    import torch

    def run(lib):
        x = lib.tensor([0.5, -1.5, 2.0], dtype=lib.float64, requires_grad=True)
        w = lib.tensor([2.0, 3.0, -1.0], dtype=lib.float64, requires_grad=True)
        y = x * 2
        y += w
        y.mul_(w)
        y.clamp_(min=-1.0)
        y.pow_(2)
        y.div_(w)
        y.sum().backward()
        return x.grad.tolist(), w.grad.tolist()

    for ours, theirs in zip(run(alt), run(torch)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


@pytest.mark.parametrize("fill", [lambda y: y.fill_(3.0), lambda y: y.zero_()])
def test_filling_a_non_leaf_keeps_it_in_the_graph_with_no_gradient_to_the_old_values(fill):
    x = leaf([1.0, 2.0])
    y = x * 2
    fill(y)
    assert y.requires_grad and y.grad_fn is not None
    (y * x).sum().backward()  # only the direct use of x contributes
    assert x.grad.tolist() == y.tolist()


def test_retained_grad_follows_the_tensor_through_an_in_place_change():
    x = leaf([1.0, 2.0])
    h = x + x
    old_root = h.sum()
    h.retain_grad()
    h.add_(1)
    alt.autograd.grad(old_root, x, retain_graph=True)
    assert h.grad is None  # the old version of h is not h any more
    (h * 3).sum().backward()
    assert h.grad.tolist() == [3.0, 3.0] and h.retains_grad


def test_autograd_grad_sees_what_hooks_made_of_a_leaf_gradient():
    x = leaf([1.0, 2.0])
    x.register_hook(lambda g: g * 2)
    (g,) = alt.autograd.grad((x * 3).sum(), x)
    assert g.tolist() == [6.0, 6.0] and x.grad is None


def test_autograd_grad_sees_what_hooks_made_of_a_non_leaf_gradient():
    x = leaf([1.0, 2.0])
    h = x * 1
    h.register_hook(lambda g: g * 10)
    (g,) = alt.autograd.grad((h * 3).sum(), h)
    assert g.tolist() == [30.0, 30.0]


def test_retained_grad_is_taken_after_every_other_hook():
    x = leaf([1.0, 2.0])
    h = x * 1
    h.retain_grad()
    h.register_hook(lambda g: g * 10)  # registered later, still runs first
    (h * 3).sum().backward()
    assert h.grad.tolist() == [30.0, 30.0] and x.grad.tolist() == [30.0, 30.0]


def test_backward_inputs_with_a_non_leaf_fills_its_grad_once():
    x = leaf([1.0, 2.0])
    h = x * 1
    h.register_hook(lambda g: g * 10)
    (h * 3).sum().backward(inputs=[h])
    assert h.grad.tolist() == [30.0, 30.0] and h.retains_grad and x.grad is None


@needs_torch
def test_hooks_retain_grad_and_capture_match_pytorch():
    import torch

    def run(lib):
        x = lib.tensor([1.0, -2.0], dtype=lib.float64, requires_grad=True)
        x.register_hook(lambda g: g * 2)
        h = x * x
        h.retain_grad()
        h.register_hook(lambda g: g + 1)
        out = (h * 3).sum()
        # (PyTorch captures h before its hooks when it must also run h's node for x, and
        # after them otherwise; autograd_lab always captures after the hooks)
        (gx,) = lib.autograd.grad(out, [x], retain_graph=True)
        (gh,) = lib.autograd.grad(out, [h], retain_graph=True)
        out.backward()
        return gx.tolist(), gh.tolist(), h.grad.tolist(), x.grad.tolist()

    assert run(alt) == run(torch)


def test_leaf_that_stopped_requiring_grad_gets_no_gradient():
    x, w = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    out = (x * w).sum()
    x.requires_grad_(False)
    out.backward()
    assert x.grad is None and w.grad.tolist() == [1.0, 2.0]


def test_backward_in_several_threads_at_once_keeps_each_threads_gradients():
    import threading

    failures = []

    def train(scale):
        try:
            rng = np.random.default_rng(int(scale))
            for _ in range(100):
                x = alt.tensor(rng.standard_normal(5), requires_grad=True)
                with alt.no_grad():
                    x.mul_(1.0)
                ((x * x).sum() * scale).backward()
                np.testing.assert_allclose(x.grad.numpy(), 2 * scale * x.detach().numpy())
        except Exception as error:  # reported below, in the main thread
            failures.append(error)

    threads = [threading.Thread(target=train, args=(scale,)) for scale in (1.0, 2.0, 3.0)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert failures == [] and alt.is_grad_enabled()


def test_gradient_sent_back_to_a_float32_input_of_a_float64_op_is_float32():
    x = alt.randn(4, 3)
    w = alt.randn(3, 2, requires_grad=True)
    scale = alt.tensor(np.full((4, 2), 2.0))  # numpy data keeps float64
    loss = (x.mm(w) * scale).sum()  # float32 mm, then float64 from the promotion
    assert loss.dtype is alt.float64
    loss.backward()  # MmBackward0 must receive float32, or its own mm fails
    assert w.grad.dtype is alt.float32
    np.testing.assert_allclose(w.grad.numpy(), x.numpy().T @ np.full((4, 2), 2.0), rtol=1e-5)


def test_mixed_precision_second_derivative():
    x = alt.tensor([0.5, -1.0], requires_grad=True)
    y = (x * x).exp() * alt.tensor([2.0, 3.0], dtype=alt.float64)
    (g,) = alt.autograd.grad(y.sum(), x, create_graph=True)
    (gg,) = alt.autograd.grad(g.sum(), x)
    assert g.dtype is alt.float32 and gg.dtype is alt.float32
    data = np.array([0.5, -1.0])
    expected = np.array([2.0, 3.0]) * np.exp(data ** 2) * (2 + 4 * data ** 2)
    np.testing.assert_allclose(gg.numpy(), expected, rtol=1e-5)


def test_a_leaf_grad_never_shares_the_gradient_given_to_backward():
    for create_graph in (False, True):
        x = alt.tensor([1.0, 2.0], requires_grad=True)
        given = alt.tensor([3.0, 4.0])
        x.backward(given, create_graph=create_graph)
        with alt.no_grad():
            x.grad.add_(1)
        assert given.tolist() == [3.0, 4.0]
