"""gradcheck and gradgradcheck: finite differences against backward, first and second order."""

import numpy as np
import pytest

import autograd_lab as alt
from autograd_lab.autograd import Function, gradcheck, gradgradcheck
from autograd_lab.autograd.gradcheck import analytical_jacobian, numerical_jacobian


def leaf(values):
    return alt.tensor(values, dtype=alt.float64, requires_grad=True)


class DetachedSquare(Function):
    """Right first derivative, but its backward cannot be differentiated (it leaves the graph)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 2 * x.detach()


def test_numerical_and_analytical_jacobians_of_a_known_function():
    x = leaf([1.0, 2.0])
    w = alt.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=alt.float64)

    def f(t):
        return w.mm(t.reshape(2, 1)).reshape(-1) * t.sum()  # J = w * s + (w t) 1ᵀ

    expected = w.numpy() * 3.0 + (w.numpy() @ x.detach().numpy())[:, None]
    [[numerical]] = numerical_jacobian(f, (x,))
    [[analytical]] = analytical_jacobian(f, (x,))
    np.testing.assert_allclose(numerical, expected, rtol=1e-8)
    np.testing.assert_allclose(analytical, expected, rtol=1e-12)


def test_gradcheck_passes_for_several_inputs_and_outputs():
    x, y = leaf([0.5, -1.0, 2.0]), leaf([1.5, 0.3, -0.7])
    assert gradcheck(lambda a, b: (a * b.exp(), (a / (b * b + 1)).sum()), (x, y))


def test_gradcheck_skips_inputs_that_do_not_require_grad():
    x, c = leaf([0.5, 2.0]), alt.tensor([3.0, 4.0], dtype=alt.float64)
    assert gradcheck(lambda a, b, k: a * b * k, (x, c, 2.0))


def test_gradcheck_works_on_a_non_contiguous_input():
    x = alt.tensor(np.arange(6.0).reshape(3, 2), dtype=alt.float64).t().requires_grad_()
    assert not x.is_contiguous()
    assert gradcheck(lambda t: (t * t).exp().sum(dim=0), (x,))


def test_gradcheck_puts_the_input_back_even_when_the_function_fails():
    x = leaf([1.0, 2.0])
    calls = []

    def flaky(t):
        calls.append(1)
        if len(calls) == 2:  # the first perturbed call
            raise ValueError("boom")
        return t * 2

    with pytest.raises(ValueError, match="boom"):
        gradcheck(flaky, (x,))
    assert x.tolist() == [1.0, 2.0]


def test_gradcheck_warns_about_single_precision_inputs():
    x = alt.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning, match="is not a double precision floating point"):
        gradcheck(lambda t: t * 2, (x,), raise_exception=False)


class HalfSquare(Function):
    """y = x², with a backward that forgot the factor 2."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x


def test_gradcheck_reports_a_wrong_backward_with_both_jacobians():
    x = leaf([0.5, 1.5])
    with pytest.raises(RuntimeError, match="Jacobian mismatch for output 0 with respect to "
                                           "input 0") as info:
        gradcheck(HalfSquare.apply, (x,))
    assert "numerical:" in str(info.value) and "analytical:" in str(info.value)
    assert "3." in str(info.value) and "1.5" in str(info.value)


def test_gradgradcheck_catches_a_backward_that_cannot_be_differentiated():
    x = leaf([0.5, 1.5])
    assert gradcheck(DetachedSquare.apply, (x,))
    assert not gradgradcheck(DetachedSquare.apply, (x,), raise_exception=False)


def test_gradgradcheck_passes_for_built_in_ops():
    x, y = leaf([0.5, -1.2]), leaf([1.3, 0.4])
    assert gradgradcheck(lambda a, b: (a * a * b).exp() + a / (b * b + 1), (x, y))
