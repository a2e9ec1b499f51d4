"""dtype behaviour of the ops: float32 stays float32, float64 stays float64, gradients keep
their tensor's dtype, and mixed dtypes promote as in PyTorch."""

import itertools
import operator

import numpy as np
import pytest
from op_examples import EXAMPLES, needs_torch

import autograd_lab as alt


def as_tuple(out):
    return out if isinstance(out, tuple) else (out,)


@pytest.mark.parametrize("dtype", [alt.float32, alt.float64], ids=repr)
@pytest.mark.parametrize("example", [e for e in EXAMPLES if e.same_dtype], ids=repr)
def test_ops_keep_the_float_dtype_and_gradients_keep_it_too(example, dtype):
    inputs = [alt.tensor(a, dtype=dtype, requires_grad=True) for a in example.arrays()]
    outputs = [o for o in as_tuple(example.fn(alt, *inputs)) if o.is_floating_point()]
    assert [o.dtype for o in outputs] == [dtype] * len(outputs)
    differentiable = [o for o in outputs if o.requires_grad]
    grads = alt.autograd.grad(differentiable, inputs,
                              [alt.ones_like(o) for o in differentiable], allow_unused=True)
    assert [g.dtype for g in grads if g is not None] == [dtype] * sum(
        g is not None for g in grads)


def test_leaf_gradient_keeps_the_leaf_dtype_when_mixed_with_float64():
    x = alt.ones(3, requires_grad=True)  # float32
    (x * alt.ones(3, dtype=alt.float64)).sum().backward()
    assert x.grad.dtype is alt.float32


@pytest.mark.parametrize("op", [alt.sqrt, alt.exp, alt.sin, alt.sigmoid, alt.tanh, alt.log])
def test_float_functions_of_integer_tensors_are_float32(op):
    assert op(alt.tensor([1, 2])).dtype is alt.float32


def test_integer_reductions_stay_integer_and_mean_refuses_them():
    x = alt.tensor([[1, 2], [3, 4]])
    assert x.sum().dtype is alt.int64 and x.prod(0).dtype is alt.int64
    assert x.max().item() == 4 and x.argmax().item() == 3
    with pytest.raises(RuntimeError, match="mean\\(\\): could not infer output dtype"):
        x.mean()


@pytest.mark.parametrize("number", [np.float64(0.5), np.float32(0.5), np.int64(2),
                                    np.sqrt(2.0)], ids=repr)
def test_numpy_scalars_act_like_python_numbers(number):
    x = alt.ones(2, requires_grad=True)
    results = [x * number, number * x, x / number, number - x, x ** number, number ** x,
               alt.where(x > 0, x, number), alt.maximum(x, alt.tensor(number))]
    assert [r.dtype for r in results] == [alt.float32] * len(results)
    sum(r.sum() for r in results).backward()
    assert x.grad.dtype is alt.float32


KINDS = {
    "int64": lambda t: t.tensor([1, 2]),
    "float32": lambda t: t.tensor([1.5, 2.0]),
    "float64": lambda t: t.tensor([1.5, 2.0], dtype=t.float64),
    "float64_0d": lambda t: t.tensor(1.5, dtype=t.float64),
    "float32_0d": lambda t: t.tensor(2.5),
    "int64_0d": lambda t: t.tensor(3),
    "bool": lambda t: t.tensor([True, False]),
    "python_int": lambda t: 2,
    "python_float": lambda t: 0.5,
}
OPERATORS = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
             "truediv": operator.truediv, "pow": operator.pow}
CASES = [(o, a, b) for o, a, b in itertools.product(OPERATORS, KINDS, KINDS)
         if not (a.startswith("python") and b.startswith("python"))]


@needs_torch
@pytest.mark.torch_reference
@pytest.mark.parametrize("name,left,right", CASES)
def test_mixed_dtypes_promote_as_in_pytorch(name, left, right):
    import torch

    op = OPERATORS[name]
    try:
        expected = op(KINDS[left](torch), KINDS[right](torch)).dtype
    except RuntimeError:  # e.g. bool - bool: PyTorch refuses
        return
    result = op(KINDS[left](alt), KINDS[right](alt))
    assert repr(result.dtype).split(".")[1] == str(expected).split(".")[1]
