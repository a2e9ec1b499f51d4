"""Custom `autograd.Function`: the same contract the built-in ops use, as in PyTorch."""

import importlib.util

import numpy as np
import pytest

import autograd_lab as alt
from autograd_lab.autograd import Function, gradcheck, gradgradcheck

needs_torch = pytest.mark.skipif(importlib.util.find_spec("torch") is None,
                                 reason="PyTorch is not installed")


class MyReLU(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        grad = grad_output.clone()
        grad[x < 0] = 0
        return grad


class ScaleShift(Function):
    """y = x * scale + shift, with a Python number as a positional argument."""

    @staticmethod
    def forward(ctx, x, scale, shift=0.0):
        ctx.scale = scale
        return x * scale + shift

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.scale, None, None


class Cube(Function):
    """y = x³, backward written with tensor ops so that it can be differentiated again."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x * x


def test_apply_runs_forward_and_records_a_node_named_after_the_class():
    x = alt.tensor([-1.0, 2.0], requires_grad=True)
    y = MyReLU.apply(x)
    assert y.tolist() == [0.0, 2.0]
    assert y.grad_fn.name() == "MyReLUBackward"
    assert repr(y) == "tensor([0., 2.], grad_fn=<MyReLUBackward>)"


def test_save_for_backward_gives_saved_tensors_to_backward():
    x = alt.tensor([-1.0, 2.0, -3.0, 4.0], requires_grad=True)
    MyReLU.apply(x).sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0, 1.0]


def test_saved_tensors_are_the_objects_that_were_saved():
    x = alt.ones(2, requires_grad=True)
    y = MyReLU.apply(x)
    assert y.grad_fn.saved_tensors[0] is x


def test_forward_runs_without_recording():
    seen = []

    class Probe(Function):
        @staticmethod
        def forward(ctx, x):
            inner = x * 2
            seen.append((alt.is_grad_enabled(), inner.requires_grad))
            return inner

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    y = Probe.apply(alt.ones(1, requires_grad=True))
    assert seen == [(False, False)] and y.requires_grad


def test_needs_input_grad_tells_which_inputs_want_a_gradient():
    seen = []

    class Mul(Function):
        @staticmethod
        def forward(ctx, a, b):
            seen.append(ctx.needs_input_grad)
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, grad):
            a, b = ctx.saved_tensors
            return (grad * b if ctx.needs_input_grad[0] else None,
                    grad * a if ctx.needs_input_grad[1] else None)

    a, b = alt.tensor(2.0, requires_grad=True), alt.tensor(3.0)
    Mul.apply(a, b).backward()
    assert seen == [(True, False)] and a.grad.item() == 3.0 and b.grad is None


def test_non_tensor_arguments_get_none_gradients():
    x = alt.tensor([1.0, 2.0], requires_grad=True)
    y = ScaleShift.apply(x, 3.0, 1.0)
    assert y.tolist() == [4.0, 7.0]
    assert y.grad_fn.needs_input_grad == (True, False, False)
    assert y.grad_fn.next_functions[1:] == ((None, 0), (None, 0))
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_keyword_settings_are_passed_to_forward():
    x = alt.tensor([1.0, 2.0], requires_grad=True)
    y = ScaleShift.apply(x, 2.0, shift=10.0)
    assert y.tolist() == [12.0, 14.0]


def test_ctx_attributes_set_in_forward_reach_backward():
    x = alt.tensor(1.0, requires_grad=True)
    y = ScaleShift.apply(x, 5.0)
    assert y.grad_fn.scale == 5.0


def test_without_any_input_requiring_grad_no_node_is_recorded():
    y = MyReLU.apply(alt.tensor([-1.0, 1.0]))
    assert y.grad_fn is None and not y.requires_grad


def test_under_no_grad_no_node_is_recorded():
    with alt.no_grad():
        y = MyReLU.apply(alt.tensor([-1.0, 1.0], requires_grad=True))
    assert y.grad_fn is None


def test_several_outputs_each_get_their_gradient():
    class SplitScale(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, grad_a, grad_b):
            return grad_a * 2 + grad_b * 3

    x = alt.tensor(1.0, requires_grad=True)
    a, b = SplitScale.apply(x)
    assert a.grad_fn is b.grad_fn and b._output_nr == 1
    (a * 10 + b).backward()
    assert x.grad.item() == 23.0
    x.grad = None
    a2, _ = SplitScale.apply(x)
    a2.backward()  # the unused output's gradient arrives as zeros
    assert x.grad.item() == 2.0


def test_returning_an_input_unchanged_gives_a_new_tensor():
    class Identity(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad

    x = alt.ones(2, requires_grad=True)
    y = Identity.apply(x)
    assert y is not x and x.is_leaf and y.grad_fn.name() == "IdentityBackward"


def test_backward_returning_the_wrong_number_of_gradients_raises():
    class TooMany(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad, grad

    x = alt.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"returned an incorrect number of gradients "
                                           r"\(expected 1, got 2\)"):
        TooMany.apply(x).sum().backward()
    assert x.grad is None


def test_backward_returning_a_gradient_of_the_wrong_shape_raises():
    class WrongShape(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return alt.ones(5)

    x = alt.ones(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"returned an invalid gradient at index 0 - got \[5\] "
                                           r"but expected shape compatible with \[2, 3\]"):
        WrongShape.apply(x).sum().backward()
    assert x.grad is None


def test_forgetting_backward_raises_pytorch_message():
    class NoBackward(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

    with pytest.raises(NotImplementedError, match="You must implement either the backward"):
        NoBackward.apply(alt.ones(1, requires_grad=True)).backward()


def test_saved_tensor_changed_in_place_is_caught():
    x = alt.tensor([1.0, -1.0], requires_grad=True)
    h = x * 1
    y = MyReLU.apply(h)
    h.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_custom_function_passes_gradcheck_and_gradgradcheck():
    x = alt.tensor([0.3, -1.2, 2.0], dtype=alt.float64, requires_grad=True)
    assert gradcheck(Cube.apply, (x,))
    assert gradgradcheck(Cube.apply, (x,))


def test_gradcheck_catches_a_wrong_backward():
    class WrongSquare(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * x  # should be 2x

    x = alt.tensor([0.5, 1.5], dtype=alt.float64, requires_grad=True)
    assert gradcheck(WrongSquare.apply, (x,), raise_exception=False) is False
    with pytest.raises(RuntimeError, match="Jacobian mismatch for output 0 with respect to input"):
        gradcheck(WrongSquare.apply, (x,))


def test_create_graph_through_a_custom_function_gives_second_derivatives():
    x = alt.tensor(2.0, dtype=alt.float64, requires_grad=True)
    (g,) = alt.autograd.grad(Cube.apply(x), x, create_graph=True)
    (gg,) = alt.autograd.grad(g, x)
    assert g.item() == 12.0 and gg.item() == 12.0


@needs_torch
def test_custom_relu_matches_pytorch_custom_relu():
    import torch

    class TorchReLU(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            grad = grad_output.clone()
            grad[x < 0] = 0
            return grad

    data = np.random.default_rng(0).standard_normal((4, 5))
    ours = alt.tensor(data, requires_grad=True)
    theirs = torch.tensor(data, requires_grad=True)
    (MyReLU.apply(ours) * alt.tensor(data)).sum().backward()
    (TorchReLU.apply(theirs) * torch.tensor(data)).sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12)


class Sigmoid(Function):
    """Saves its own output, as PyTorch's documentation examples do."""

    @staticmethod
    def forward(ctx, x):
        y = 1 / (1 + (-x).exp())
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * y * (1 - y)


def test_function_that_saves_its_output_has_first_and_second_derivatives():
    x = alt.tensor([-1.5, 0.2, 3.0], dtype=alt.float64, requires_grad=True)
    assert gradcheck(Sigmoid.apply, (x,)) and gradgradcheck(Sigmoid.apply, (x,))
    y = Sigmoid.apply(x)
    assert y.grad_fn.saved_tensors[0] is y


def test_changing_the_saved_output_in_place_is_caught():
    x = alt.tensor([0.5], requires_grad=True)
    y = Sigmoid.apply(x)
    out = y.sum()
    with alt.no_grad():
        y.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.backward()


@needs_torch
def test_function_that_saves_its_output_matches_pytorch_to_second_order():
    import torch

    class TorchSigmoid(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = 1 / (1 + (-x).exp())
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y * (1 - y)

    def second(lib, function):
        x = lib.tensor([-1.5, 0.2, 3.0], dtype=lib.float64, requires_grad=True)
        (g,) = lib.autograd.grad(function.apply(x).sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        return g.tolist(), gg.tolist()

    ours, theirs = second(alt, Sigmoid), second(torch, TorchSigmoid)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
