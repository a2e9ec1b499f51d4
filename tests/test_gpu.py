"""The "cuda" device on a real GPU with CuPy: skipped cleanly wherever there is none.

tests/test_device.py checks the same plumbing everywhere with a fake CuPy; this file checks
that real CuPy agrees: every op of the registry gives the CPU's values and gradients, index
backward scatters with cupyx, random numbers repeat after `manual_seed`.
"""

import numpy as np
import pytest
from op_examples import EXAMPLES
from test_device import CREATIONS, _CudaByDefault, _outputs

import autograd_lab as alt

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not alt.cuda.is_available(), reason="needs CuPy and a CUDA GPU"),
]


def on_gpu(tensor):
    import cupy

    return tensor.device == "cuda:0" and isinstance(tensor._data, cupy.ndarray)


def test_cuda_tensor_is_a_cupy_array_and_comes_back_to_numpy():
    x = alt.tensor([1.0, 2.0], device="cuda")
    assert on_gpu(x) and repr(x) == "tensor([1., 2.], device='cuda:0')"
    assert type(x.cpu().numpy()) is np.ndarray and x.cpu().tolist() == [1.0, 2.0]
    alt.cuda.synchronize()
    assert alt.cuda.device_count() >= 1


@pytest.mark.parametrize("name", sorted(CREATIONS))
def test_creation_functions_make_cupy_arrays(name):
    assert on_gpu(CREATIONS[name](device="cuda"))


def test_random_numbers_on_the_gpu_repeat_after_manual_seed():
    alt.manual_seed(11)
    first = alt.randn(5, device="cuda").tolist()
    alt.manual_seed(11)
    assert alt.randn(5, device="cuda").tolist() == first


@pytest.mark.parametrize("example", EXAMPLES, ids=repr)
def test_every_op_on_the_gpu_matches_the_cpu(example):
    arrays = example.arrays()
    cpu_inputs = [alt.tensor(a, dtype=alt.float64, requires_grad=True) for a in arrays]
    gpu_inputs = [alt.tensor(a, dtype=alt.float64, device="cuda", requires_grad=True)
                  for a in arrays]
    cpu_outputs = _outputs(example.fn(alt, *cpu_inputs))
    gpu_outputs = _outputs(example.fn(_CudaByDefault(), *gpu_inputs))
    for cpu, gpu in zip(cpu_outputs, gpu_outputs):
        assert on_gpu(gpu)
        np.testing.assert_allclose(gpu.detach().cpu().numpy(), cpu.detach().numpy(),
                                   rtol=1e-9, atol=1e-9)
    pairs = [(c, g) for c, g in zip(cpu_outputs, gpu_outputs) if c.requires_grad]
    if not pairs:
        return
    sum((c.double() * (i + 1)).sum() for i, (c, _) in enumerate(pairs)).backward()
    sum((g.double() * (i + 1)).sum() for i, (_, g) in enumerate(pairs)).backward()
    for cpu, gpu in zip(cpu_inputs, gpu_inputs):
        if cpu.grad is not None:
            assert on_gpu(gpu.grad)
            np.testing.assert_allclose(gpu.grad.cpu().numpy(), cpu.grad.numpy(),
                                       rtol=1e-9, atol=1e-9)


def test_index_backward_adds_repeated_indices_on_the_gpu():
    x = alt.arange(4.0, device="cuda").requires_grad_()
    x[alt.tensor([0, 2, 0, 0], device="cuda")].sum().backward()
    assert on_gpu(x.grad) and x.grad.tolist() == [3.0, 0.0, 1.0, 0.0]


def test_mixing_the_gpu_and_the_cpu_raises_pytorchs_error():
    with pytest.raises(RuntimeError, match="found at least two devices, cuda:0 and cpu!"):
        alt.ones(2, device="cuda") + alt.ones(2)
