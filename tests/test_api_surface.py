"""The public API that torch-tutorial code expects is there, under PyTorch's names."""

import importlib.util
import inspect

import pytest

import autograd_lab as alt

needs_torch = pytest.mark.skipif(importlib.util.find_spec("torch") is None,
                                 reason="PyTorch is not installed")

MODULE_FUNCTIONS = [
    "tensor", "as_tensor", "from_numpy", "zeros", "ones", "full", "empty", "zeros_like",
    "ones_like", "full_like", "empty_like", "randn", "rand", "randint", "randn_like", "rand_like",
    "randperm", "arange", "linspace", "eye", "manual_seed", "no_grad", "enable_grad",
    "set_grad_enabled", "is_grad_enabled", "inference_mode", "is_tensor", "get_default_dtype",
    "set_printoptions", "numel", "is_floating_point", "add", "sub", "mul", "div", "neg", "pow",
    "exp", "log", "relu", "clamp", "sum", "mean", "mm", "matmul", "reshape", "eq", "lt", "gt",
    "all", "any", "clone", "Size", "Generator", "normal", "multinomial", "histogram", "histc",
    "meshgrid", "sinh", "cosh", "log10", "cumsum", "set_default_device", "get_default_device",
    "tril", "triu", "initial_seed", "seed",
]
DTYPES = ["float", "float32", "float64", "double", "half", "float16", "long", "int64", "int",
          "int32", "int16", "short", "int8", "uint8", "bool"]
AUTOGRAD = ["Function", "grad", "backward", "gradcheck", "gradgradcheck", "no_grad",
            "enable_grad", "set_grad_enabled", "detect_anomaly", "set_detect_anomaly"]
TENSOR_ATTRIBUTES = [
    "requires_grad", "grad", "grad_fn", "is_leaf", "shape", "dtype", "device", "data",
    "retains_grad", "ndim", "is_cuda",
]
TENSOR_METHODS = [
    "size", "dim", "numel", "item", "tolist", "numpy", "clone", "detach", "detach_",
    "requires_grad_", "retain_grad", "register_hook", "backward", "zero_", "fill_", "copy_",
    "to", "cpu", "cuda", "float", "double", "long", "int", "bool", "half", "type", "type_as",
    "add_", "sub_", "mul_", "div_", "pow_", "clamp_", "neg_", "add", "sub", "mul", "div",
    "pow", "neg", "exp", "log", "relu", "clamp", "sum", "mean", "mm", "matmul", "t",
    "reshape", "view", "eq", "all", "any", "is_floating_point", "is_contiguous", "contiguous",
    "element_size", "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
    "__truediv__", "__rtruediv__", "__pow__", "__neg__", "__matmul__", "__getitem__",
    "__setitem__", "__iadd__", "__isub__", "__imul__", "__lt__", "__gt__", "__eq__",
    "new_zeros", "new_ones", "new_full", "new_tensor", "new_empty", "exp_", "log_", "relu_",
    "sqrt_", "abs_", "sigmoid_", "tanh_", "masked_fill_", "uniform_", "normal_", "stride",
    "nelement", "output_nr", "expand_as", "view_as", "reshape_as", "sinh", "cosh", "log10",
    "cumsum", "tril", "triu",
]


@pytest.mark.parametrize("name", MODULE_FUNCTIONS)
def test_module_function_exists(name):
    assert callable(getattr(alt, name))


@pytest.mark.parametrize("name", DTYPES)
def test_dtype_exists(name):
    assert isinstance(getattr(alt, name), alt.dtype)


@pytest.mark.parametrize("name", AUTOGRAD)
def test_autograd_name_exists(name):
    assert hasattr(alt.autograd, name)


@pytest.mark.parametrize("name", TENSOR_ATTRIBUTES + TENSOR_METHODS)
def test_tensor_has(name):
    assert hasattr(alt.Tensor, name)


def test_device_and_cuda_namespace():
    assert alt.device("cpu") == "cpu"
    assert isinstance(alt.cuda.is_available(), bool)


@needs_torch
def test_every_listed_name_is_also_pytorchs():
    import torch

    for name in MODULE_FUNCTIONS + DTYPES:
        assert hasattr(torch, name), name
    for name in AUTOGRAD:
        assert hasattr(torch.autograd, name) or hasattr(torch, name), name
    for name in TENSOR_ATTRIBUTES + TENSOR_METHODS:
        assert hasattr(torch.Tensor, name), name


@pytest.mark.parametrize("name", ["zeros", "ones", "randn", "tensor", "arange", "full", "eye"])
def test_creation_functions_take_pytorchs_keywords(name):
    parameters = inspect.signature(getattr(alt, name)).parameters
    for keyword in ("dtype", "device", "requires_grad"):
        assert keyword in parameters, (name, keyword)


@needs_torch
@pytest.mark.parametrize("name", ["backward", "grad"])
def test_autograd_entry_points_take_pytorchs_keywords(name):
    import torch

    theirs = set(inspect.signature(getattr(torch.autograd, name)).parameters)
    ours = set(inspect.signature(getattr(alt.autograd, name)).parameters)
    wanted = {"retain_graph", "create_graph", "inputs", "grad_outputs", "allow_unused",
              "materialize_grads", "grad_tensors", "outputs", "tensors"} & theirs
    assert wanted <= ours, wanted - ours


def test_every_core_module_opens_with_a_docstring():
    from autograd_lab import creation, dtypes, tensor
    from autograd_lab.autograd import anomaly, engine, events, function, grad_mode, gradcheck

    for module in (alt, tensor, creation, dtypes, alt.autograd, anomaly, engine, events,
                   function, grad_mode, gradcheck):
        assert module.__doc__ and module.__doc__.strip(), module.__name__
