"""Every mistake gets PyTorch's error class and words, raised at the user's call, and a failed
call leaves the tensors, their `.grad` and the graph exactly as they were."""

import numpy as np
import pytest

import autograd_lab as alt
from autograd_lab import backend


class Scene:
    """A small graph mid-training: leaves with gradients already accumulated, a live graph."""

    def __init__(self):
        self.x = alt.tensor([[1.0, -2.0, 3.0], [0.5, 1.5, -1.0]], requires_grad=True)
        self.w = alt.tensor([[0.5], [-1.0], [2.0]], requires_grad=True)
        self.plain = alt.tensor([1.0, 2.0, 3.0])
        self.ints = alt.tensor([1, 2, 3])
        (self.x.mm(self.w) ** 2).sum().backward()
        self.h = self.x * 2
        self.y = self.h.mm(self.w)  # (2, 1), not a scalar
        self.loss = (self.y ** 2).sum()
        with alt.no_grad():
            self.frozen = self.x * 3

    def snapshot(self):
        state = {}
        for name, t in vars(self).items():
            grad = t._grad
            state[name] = (t.numpy().copy() if not t.requires_grad else t.detach().numpy().copy(),
                           None if grad is None else grad.numpy().copy(), t.grad_fn, t._version,
                           t.requires_grad)
        return state


def assert_same_state(before, after):
    assert before.keys() == after.keys()
    for name in before:
        data0, grad0, fn0, version0, rg0 = before[name]
        data1, grad1, fn1, version1, rg1 = after[name]
        np.testing.assert_array_equal(data0, data1, err_msg=name)
        assert (grad0 is None) == (grad1 is None), name
        if grad0 is not None:
            np.testing.assert_array_equal(grad0, grad1, err_msg=name)
        assert fn0 is fn1 and version0 == version1 and rg0 == rg1, name


def assert_raised_at_the_call(info):
    """The error comes from autograd_lab's own checks, not from deep inside numpy."""
    last = info.traceback[-1]
    assert "numpy" not in str(last.path), f"raised inside numpy: {last.path}"
    error = info.value
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)


def run(scene, action, error, words):
    before = scene.snapshot()
    with pytest.raises(error, match=words) as info:
        action(scene)
    assert_raised_at_the_call(info)
    assert_same_state(before, scene.snapshot())
    scene.loss.backward()  # the graph still works after the failure
    return info


def fake_cuda_tensor(values):
    """A tensor that claims to live on another device (no GPU needed to test the check)."""
    t = alt.tensor(values)
    t._device = backend.device("cuda", 0)
    return t


def in_place_on_saved(s):
    s.h.add_(1)


def backward_after_in_place(s):
    h = s.x * 1
    out = (h * h).sum()
    h.mul_(2)
    out.backward()


def in_place_on_view_made_under_no_grad(s):
    with alt.no_grad():
        row = s.h[0]
    row.add_(1)


def in_place_on_output_of_unbind(s):
    s.h.unbind()[1].add_(1)


def set_item_on_leaf(s):
    s.x[0, 0] = 5.0


def in_place_on_view_of_leaf(s):
    s.x[0].add_(1)


class TooManyGrads(alt.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        return a * 2

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


CASES = {
    # shapes
    "mm_shape_mismatch": (lambda s: s.x.mm(s.x), RuntimeError,
                          r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\)"),
    "matmul_shape_mismatch": (lambda s: alt.matmul(s.x, s.x), RuntimeError,
                              r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\)"),
    "at_operator_shape_mismatch": (lambda s: s.x @ s.x, RuntimeError,
                                   r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\)"),
    "broadcast_mismatch": (lambda s: s.x + alt.ones(4, 3), RuntimeError,
                           r"The size of tensor a \(2\) must match the size of tensor b \(4\) at "
                           r"non-singleton dimension 0"),
    "in_place_broadcast_mismatch": (lambda s: s.plain.add_(alt.ones(2, 3)), RuntimeError,
                                    r"output with shape \[3\] doesn't match the broadcast shape "
                                    r"\[2, 3\]"),
    "view_to_impossible_shape": (lambda s: s.x.view(4, 2), RuntimeError,
                                 r"shape '\[4, 2\]' is invalid for input of size 6"),
    "backward_gradient_of_wrong_shape": (lambda s: s.y.backward(alt.ones(3)), RuntimeError,
                                         r"Mismatch in shape: grad_output\[0\] has a shape of "
                                         r"\[3\] and output\[0\] has a shape of \[2, 1\]"),
    "assigning_grad_of_wrong_size": (lambda s: setattr(s.x, "grad", alt.ones(3)), RuntimeError,
                                     r"attempting to assign a gradient of size '\[3\]' to a "
                                     r"tensor of size '\[2, 3\]'"),
    "assigning_grad_of_another_dtype": (lambda s: setattr(s.x, "grad", alt.ones(
        2, 3, dtype=alt.float64)), RuntimeError, "attempting to assign a gradient with dtype "
        "'float64' to a tensor with dtype 'float32'"),
    "assigning_grad_that_is_not_a_tensor": (lambda s: setattr(s.x, "grad", 3), TypeError,
                                            "assigned grad expected to be a Tensor or None but "
                                            "got grad of type int"),
    # leaving autograd_lab
    "item_of_many_elements": (lambda s: s.x.item(), RuntimeError,
                              "a Tensor with 6 elements cannot be converted to Scalar"),
    "bool_of_many_elements": (lambda s: bool(s.plain), RuntimeError,
                              "Boolean value of Tensor with more than one value is ambiguous"),
    "numpy_of_tensor_that_requires_grad": (lambda s: s.x.numpy(), RuntimeError,
                                           r"Can't call numpy\(\) on Tensor that requires grad. "
                                           r"Use tensor.detach\(\).numpy\(\) instead."),
    # backward
    "backward_of_non_scalar_without_gradient": (lambda s: s.y.backward(), RuntimeError,
                                                "grad can be implicitly created only for scalar "
                                                "outputs"),
    "backward_through_result_made_under_no_grad": (lambda s: s.frozen.sum().backward(),
                                                   RuntimeError, "element 0 of tensors does not "
                                                   "require grad and does not have a grad_fn"),
    "backward_of_tensor_without_grad": (lambda s: s.plain.sum().backward(), RuntimeError,
                                        "element 0 of tensors does not require grad"),
    "grad_of_input_not_in_the_graph": (lambda s: alt.autograd.grad(s.loss, [s.x, alt.ones(
        1, requires_grad=True)]), RuntimeError, "The differentiated Tensor at index 1 appears to "
        "not have been used in the graph. Set allow_unused=True"),
    "grad_of_input_that_does_not_require_grad": (lambda s: alt.autograd.grad(s.loss, s.plain),
                                                 RuntimeError, "One of the differentiated Tensors "
                                                 "does not require grad"),
    "custom_backward_with_too_many_gradients": (lambda s: TooManyGrads.apply(s.x).sum().backward(),
                                                RuntimeError, r"function TooManyGradsBackward "
                                                r"returned an incorrect number of gradients"),
    # in place
    "backward_after_in_place_change_of_saved_tensor": (backward_after_in_place, RuntimeError,
                                                       "one of the variables needed for gradient "
                                                       "computation has been modified by an "
                                                       "inplace operation"),
    "in_place_op_on_leaf_that_requires_grad": (lambda s: s.x.add_(1), RuntimeError,
                                               "a leaf Variable that requires grad is being used "
                                               "in an in-place operation."),
    "augmented_assignment_on_leaf": (lambda s: s.x.__imul__(2), RuntimeError,
                                     "a leaf Variable that requires grad is being used in an "
                                     "in-place operation."),
    "zero_on_leaf_that_requires_grad": (lambda s: s.x.zero_(), RuntimeError,
                                        "a leaf Variable that requires grad is being used in an "
                                        "in-place operation."),
    "copy_into_leaf_that_requires_grad": (lambda s: s.x.copy_(alt.zeros(2, 3)), RuntimeError,
                                          "a leaf Variable that requires grad is being used in an "
                                          "in-place operation."),
    "setitem_on_leaf_that_requires_grad": (set_item_on_leaf, RuntimeError,
                                           "a view of a leaf Variable that requires grad is being "
                                           "used in an in-place operation."),
    "in_place_on_view_of_leaf": (in_place_on_view_of_leaf, RuntimeError,
                                 "a view of a leaf Variable that requires grad is being used in "
                                 "an in-place operation."),
    "in_place_on_view_made_under_no_grad": (
        in_place_on_view_made_under_no_grad, RuntimeError,
        "A view was created in no_grad mode and is being modified inplace with grad mode "
        "enabled."),
    "in_place_on_output_of_unbind": (
        in_place_on_output_of_unbind, RuntimeError,
        "Output 1 of Unbind is a view and is being modified inplace. This view is the output of "
        "a function that returns multiple views."),
    "in_place_with_partly_overlapping_operand": (
        lambda s: s.plain[1:].add_(s.plain[:-1]), RuntimeError,
        "unsupported operation: some elements of the input tensor and the written-to tensor "
        "refer to a single memory location. Please clone"),
    "in_place_on_expanded_tensor": (lambda s: s.plain.reshape(3, 1).expand(3, 2).add_(1),
                                    RuntimeError, "unsupported operation: more than one element "
                                    "of the written-to tensor refers to a single memory location"),
    "in_place_result_that_cannot_be_cast": (lambda s: s.ints.add_(1.5), RuntimeError,
                                            "result type Float can't be cast to the desired "
                                            "output type Long"),
    # requires_grad
    "requires_grad_on_integer_tensor_at_creation": (lambda s: alt.tensor([1, 2],
                                                                         requires_grad=True),
                                                    RuntimeError, "Only Tensors of floating point "
                                                    "and complex dtype can require gradients"),
    "requires_grad_on_integer_ones": (lambda s: alt.ones(2, dtype=alt.int64, requires_grad=True),
                                      RuntimeError, "Only Tensors of floating point and complex "
                                      "dtype can require gradients"),
    "requires_grad_underscore_on_integer_tensor": (lambda s: s.ints.requires_grad_(),
                                                   RuntimeError, "only Tensors of floating point "
                                                   "dtype can require gradients"),
    "setting_requires_grad_on_integer_tensor": (lambda s: setattr(s.ints, "requires_grad", True),
                                                RuntimeError, "only Tensors of floating point and "
                                                "complex dtype can require gradients"),
    "changing_requires_grad_of_non_leaf": (lambda s: setattr(s.h, "requires_grad", False),
                                           RuntimeError, "you can only change requires_grad "
                                           "flags of leaf variables"),
    "retain_grad_without_requires_grad": (lambda s: s.plain.retain_grad(), RuntimeError,
                                          "can't retain_grad on Tensor that has "
                                          "requires_grad=False"),
    "hook_on_tensor_without_requires_grad": (lambda s: s.plain.register_hook(print), RuntimeError,
                                             "cannot register a hook on a tensor that doesn't "
                                             "require gradient"),
    "detach_in_place_of_a_view": (lambda s: s.x[0].detach_(), RuntimeError,
                                  r"Can't detach views in-place. Use detach\(\) instead."),
    # devices
    "mixing_devices_in_an_op": (lambda s: s.x + fake_cuda_tensor([1.0, 2.0, 3.0]), RuntimeError,
                                "Expected all tensors to be on the same device, but found at "
                                "least two devices, cpu and cuda:0!"),
    "unknown_device_string": (lambda s: alt.device("tpu"), RuntimeError,
                              "Expected one of cpu, cuda device type at start of device string: "
                              "tpu"),
    # indexing and dims
    "index_out_of_range": (lambda s: s.plain[5], IndexError,
                           "index 5 is out of bounds for dimension 0 with size 3"),
    "dim_out_of_range": (lambda s: s.x.sum(dim=2), IndexError,
                         r"Dimension out of range \(expected to be in range of \[-2, 1\], but "
                         r"got 2\)"),
    "size_of_missing_dim": (lambda s: s.x.size(3), IndexError, "Dimension out of range"),
    "float_tensor_as_index": (lambda s: s.plain[alt.tensor([0.0])], IndexError,
                              "tensors used as indices must be long, int, byte or bool tensors"),
    "len_of_zero_dim_tensor": (lambda s: len(alt.tensor(1.0)), TypeError,
                               "len\\(\\) of a 0-d tensor"),
    "transpose_of_3d_with_t": (lambda s: alt.ones(2, 2, 2).t(), RuntimeError,
                               r"t\(\) expects a tensor with <= 2 dimensions, but self is 3D"),
    # creation
    "from_numpy_of_a_list": (lambda s: alt.from_numpy([1, 2]), TypeError,
                             r"expected np.ndarray \(got list\)"),
    "tensor_of_strings": (lambda s: alt.tensor(["a", "b"]), TypeError,
                          "new\\(\\): invalid data type 'str'"),
    "tensor_of_a_dict": (lambda s: alt.tensor({"a": 1}), RuntimeError,
                         "Could not infer dtype of dict"),
    "tensor_of_ragged_lists": (lambda s: alt.tensor([[1, 2], [3]]), ValueError,
                               "expected sequences of the same length"),
    "data_set_to_a_list": (lambda s: setattr(s.plain, "data", [1, 2]), TypeError,
                           "Variable data has to be a tensor, but got list"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_error_has_pytorch_class_and_words_and_changes_nothing(case):
    action, error, words = CASES[case]
    run(Scene(), action, error, words)


def test_second_backward_through_freed_graph_raises_and_changes_nothing():
    s = Scene()
    s.loss.backward()
    before = s.snapshot()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"
                       ) as info:
        s.loss.backward()
    assert_raised_at_the_call(info)
    assert_same_state(before, s.snapshot())
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        alt.autograd.grad(s.loss, s.x)


def test_failed_backward_leaves_accumulated_grads_unchanged():
    s = Scene()
    grad_before = s.x.grad.numpy().copy()
    h = s.x * 1
    out = (h * h).sum() + (s.x * s.w.t()).sum()
    h.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.backward()
    np.testing.assert_array_equal(s.x.grad.numpy(), grad_before)
    assert s.w.grad.tolist() == Scene().w.grad.tolist()


def test_failed_backward_does_not_free_the_graph():
    x = alt.tensor([1.0, 2.0], requires_grad=True)
    w = alt.tensor([3.0, 4.0])
    y = x * w  # saves w
    z = (y * y).sum()
    w_saved_version = w._version
    w.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()
    assert x.grad is None
    w.sub_(1)  # the version moved on: still refused, and still not freed
    assert w._version == w_saved_version + 2
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()


def test_failing_hook_leaves_grads_and_graph_as_they_were():
    s = Scene()
    before = s.snapshot()

    def broken(grad):
        raise ValueError("hook failed")

    handle = s.h.register_hook(broken)
    with pytest.raises(ValueError, match="hook failed"):
        s.loss.backward()
    assert_same_state(before, s.snapshot())
    handle.remove()
    s.loss.backward()
    assert s.w.grad is not None


def test_failed_autograd_grad_leaves_graph_usable():
    s = Scene()
    with pytest.raises(RuntimeError, match="appears to not have been used"):
        alt.autograd.grad(s.loss, [s.x, alt.ones(1, requires_grad=True)])
    (gx,) = alt.autograd.grad(s.loss, s.x)
    assert gx.shape == (2, 3)


def test_failed_op_records_no_node():
    x = alt.ones(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError):
        x.mm(x)
    assert x.is_leaf and x._version == 0 and x.grad is None


def test_failed_second_backward_adds_nothing_even_to_leaves_reached_before_the_failure():
    # PyTorch has already added to a.grad when it reaches the freed MulBackward0 and fails;
    # autograd_lab applies leaf gradients only once the whole pass has succeeded.
    a = alt.tensor([1.0, 2.0], requires_grad=True)
    b = alt.tensor([3.0, 4.0], requires_grad=True)
    out = (a + b * b).sum()
    out.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        out.backward()
    assert a.grad.tolist() == [1.0, 1.0] and b.grad.tolist() == [6.0, 8.0]


# -- messages worded as PyTorch words them, in the ops ------------------------------------------


def test_batched_matmul_shape_mismatch_names_both_matrices():
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied "
                                           r"\(4x3 and 4x5\)"):
        alt.matmul(alt.ones(2, 2, 3), alt.ones(4, 5))


def test_mean_of_integer_tensor_names_the_dtype_as_pytorch_does():
    with pytest.raises(RuntimeError, match="Input dtype must be either a floating point or "
                                           "complex dtype. Got: Long"):
        alt.arange(3).mean()


def test_integer_to_negative_integer_power_is_a_runtime_error():
    with pytest.raises(RuntimeError, match="Integers to negative integer powers are not allowed"):
        alt.arange(3) ** -1
