"""The steps of the classic PyTorch autograd tutorial behave and print exactly as in PyTorch."""

import numpy as np
import pytest

import autograd_lab as alt


@pytest.fixture
def tutorial():
    """x = ones(2, 2, requires_grad=True); y = x + 2; z = y * y * 3; out = z.mean()."""
    x = alt.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    out = z.mean()
    return x, y, z, out


def test_leaf_prints_requires_grad():
    x = alt.ones(2, 2, requires_grad=True)
    assert repr(x) == "tensor([[1., 1.],\n        [1., 1.]], requires_grad=True)"


def test_y_equals_x_plus_2_prints_add_backward(tutorial):
    _, y, _, _ = tutorial
    assert repr(y) == "tensor([[3., 3.],\n        [3., 3.]], grad_fn=<AddBackward0>)"
    assert y.grad_fn.name() == "AddBackward0"
    assert repr(y.grad_fn).startswith("<AddBackward0 object at 0x")


def test_z_prints_mul_backward_and_out_prints_mean_backward(tutorial):
    _, _, z, out = tutorial
    assert repr(z) == "tensor([[27., 27.],\n        [27., 27.]], grad_fn=<MulBackward0>)"
    assert repr(out) == "tensor(27., grad_fn=<MeanBackward0>)"


def test_backward_gives_four_and_a_half_everywhere(tutorial):
    x, _, _, out = tutorial
    out.backward()
    assert repr(x.grad) == "tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])"
    np.testing.assert_array_equal(x.grad.numpy(), np.full((2, 2), 4.5, np.float32))


def test_second_backward_raises_pytorch_message(tutorial):
    x, _, _, out = tutorial
    out.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        out.backward()
    assert x.grad.tolist() == [[4.5, 4.5], [4.5, 4.5]]  # the failed call changed nothing


def test_create_graph_accumulates_to_nine_with_a_grad_fn():
    x = alt.ones(2, 2, requires_grad=True)
    for _ in range(2):
        out = ((x + 2) * (x + 2) * 3).mean()
        out.backward(create_graph=True)
    assert x.grad.tolist() == [[9.0, 9.0], [9.0, 9.0]]
    assert x.grad.grad_fn is not None
    assert repr(x.grad) == "tensor([[9., 9.],\n        [9., 9.]], grad_fn=<AddBackward0>)"


def test_zero_resets_the_accumulated_gradient(tutorial):
    x, _, _, out = tutorial
    out.backward()
    x.grad.zero_()
    assert repr(x.grad) == "tensor([[0., 0.],\n        [0., 0.]])"
    ((x + 2) * (x + 2) * 3).mean().backward()
    assert x.grad.tolist() == [[4.5, 4.5], [4.5, 4.5]]


def test_requires_grad_underscore_switches_tracking_on():
    a = alt.randn(2, 2)
    a = (a * 3) / (a - 1)
    assert a.requires_grad is False
    a.requires_grad_(True)
    assert a.requires_grad is True
    b = (a * a).sum()
    assert b.grad_fn.name() == "SumBackward0"


def test_detach_shares_storage_and_does_not_require_grad(tutorial):
    x, _, _, _ = tutorial
    y = x.detach()
    assert y.requires_grad is False
    assert bool(y.eq(x).all())
    with alt.no_grad():
        y[0, 0] = 7.0
    assert x[0, 0].item() == 7.0


def test_no_grad_block_stops_tracking(tutorial):
    x, _, _, _ = tutorial
    assert (x ** 2).requires_grad
    with alt.no_grad():
        assert not (x ** 2).requires_grad
    assert (x ** 2).requires_grad


def test_all_of_a_comparison_prints_as_a_bool_scalar(tutorial):
    x, _, _, _ = tutorial
    assert repr(x.detach().eq(x).all()) == "tensor(True)"
    assert repr(x.eq(x).any()) == "tensor(True)"


def test_gradient_of_vector_output_is_a_vector_jacobian_product():
    x = alt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    v = alt.tensor([0.1, 1.0, 0.0001])
    y.backward(v)
    assert repr(x.grad) == "tensor([2.0000e-01, 2.0000e+00, 2.0000e-04])"
