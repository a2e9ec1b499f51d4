"""The "cuda" device's plumbing, tested without a GPU on a fake CuPy built from numpy.

`FakeCupy` stands in for the cupy module: its arrays are numpy arrays of a subclass that
says it lives on GPU 0 and, like cupy's, refuses to be mixed with plain numpy arrays. With it
installed in `autograd_lab.backend`, every path a real GPU would take runs here: device
bookkeeping, moving data, creation functions, random numbers, every op of the op registry
(values and gradients against the CPU), scatter-add, and the errors when devices are mixed.
What it cannot show (speed, CUDA kernels) is left to tests/test_gpu.py on a real GPU.
"""

import functools
import types

import numpy as np
import pytest
from op_examples import EXAMPLES

import autograd_lab as alt
from autograd_lab import backend


class FakeGpuArray(np.ndarray):
    """A numpy array that claims to live on GPU 0 and, like cupy, does not mix with numpy."""

    device = types.SimpleNamespace(id=0)

    def get(self):
        """Copy to the host, as cupy's `.get()` does."""
        return np.array(self.view(np.ndarray))

    @property
    def data(self):
        """cupy's memory pointer: `.data.ptr` is the address of the first element."""
        return types.SimpleNamespace(ptr=self.__array_interface__["data"][0])

    def __getitem__(self, key):  # cupy gives a 0-d array where numpy gives a scalar
        return _on_gpu(super().__getitem__(key))

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method == "at":
            raise TypeError("cupy arrays have no ufunc.at: use cupyx.scatter_add")
        out = kwargs.get("out")
        if out is not None:
            kwargs["out"] = tuple(_host_view(o) for o in out)
        result = getattr(ufunc, method)(*[_host_view(x) for x in inputs], **kwargs)
        return _on_gpu(result)

    def __array_function__(self, func, types, args, kwargs):
        args = [_host_view(a) for a in args]
        kwargs = {key: _host_view(value) for key, value in kwargs.items()}
        return _on_gpu(func(*args, **kwargs))


def _host_view(value):
    """The numpy view of a fake GPU array; a plain numpy array here is a mixing error."""
    if isinstance(value, FakeGpuArray):
        return value.view(np.ndarray)
    if isinstance(value, np.ndarray):
        raise TypeError(f"Unsupported type {type(value)}")  # cupy's words for the same mistake
    if isinstance(value, (list, tuple)):
        return type(value)(_host_view(v) for v in value)
    return value


def _on_gpu(result):
    """Results of GPU work are GPU arrays (cupy returns 0-d arrays, never numpy scalars)."""
    if isinstance(result, tuple):
        return tuple(_on_gpu(r) for r in result)
    if isinstance(result, (np.ndarray, np.generic)) and not isinstance(result, FakeGpuArray):
        return np.asarray(result).view(FakeGpuArray)
    return result


class _FakeDevice:
    def __init__(self, index=0):
        self.id = index

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False

    def synchronize(self):
        pass


class _FakeGenerator:
    """cupy's Generator has numpy's methods; this one draws with numpy and moves the result."""

    def __init__(self, seed):
        self._numpy = np.random.default_rng(seed)

    def __getattr__(self, name):
        draw = getattr(self._numpy, name)
        return lambda *args, **kwargs: _on_gpu(draw(*args, **kwargs))


class FakeCupy(types.ModuleType):
    """The parts of the cupy module autograd_lab uses, on top of numpy."""

    ndarray = FakeGpuArray

    def __init__(self, gpu_present=True):
        super().__init__("cupy")
        self.gpu_present = gpu_present
        self.cuda = types.SimpleNamespace(
            Device=_FakeDevice, runtime=types.SimpleNamespace(getDeviceCount=lambda: 1))
        self.random = types.SimpleNamespace(default_rng=_FakeGenerator)
        self.lib = types.SimpleNamespace(stride_tricks=types.SimpleNamespace(
            as_strided=lambda x, shape, strides: np.lib.stride_tricks.as_strided(
                x, shape, strides, subok=True)))

    def is_available(self):
        return self.gpu_present

    def asarray(self, data, dtype=None, order=None):  # cupy.asarray's parameters
        return self.array(data, dtype=dtype, copy=False, order=order)

    def array(self, data, dtype=None, copy=True, order="K"):
        if isinstance(data, FakeGpuArray):
            data = data.view(np.ndarray)
        return np.array(data, dtype=dtype, copy=copy or None, order=order or "K").view(
            FakeGpuArray)

    def __getattr__(self, name):  # xp.exp, xp.zeros, xp.float32, ...: numpy's, on the GPU
        found = getattr(np, name)
        if callable(found) and not isinstance(found, type):
            @functools.wraps(found)
            def on_gpu(*args, **kwargs):
                args = [_host_view(a) for a in args]
                kwargs = {key: _host_view(value) for key, value in kwargs.items()}
                return _on_gpu(found(*args, **kwargs))
            return on_gpu
        return found


def _fake_scatter_add(target, index, values):
    if isinstance(index, tuple):
        index = tuple(_host_view(i) for i in index)
    else:
        index = _host_view(index)
    np.add.at(target.view(np.ndarray), index, _host_view(values))


@pytest.fixture
def fake_cuda(monkeypatch):
    """Install the fake cupy as if a GPU were present; undone after the test."""
    monkeypatch.setattr(backend, "_cupy", FakeCupy())
    monkeypatch.setattr(backend, "_cupyx", types.SimpleNamespace(scatter_add=_fake_scatter_add))
    monkeypatch.setattr(backend, "_devices", {"cpu": backend.CPU})
    monkeypatch.setattr(backend, "_generators", {})
    yield
    backend._generators.clear()


def on_fake_gpu(tensor):
    return tensor.device == "cuda:0" and type(tensor._data) is FakeGpuArray


# -- the device and moving data ----------------------------------------------------------------

def test_cuda_tensor_reports_its_device_and_prints_it(fake_cuda):
    x = alt.ones(2, device="cuda")
    assert on_fake_gpu(x) and x.is_cuda
    assert x.device == alt.device("cuda", 0) and str(x.device) == "cuda:0"
    assert repr(x) == "tensor([1., 1.], device='cuda:0')"
    assert alt.cuda.is_available() and alt.cuda.device_count() == 1
    alt.cuda.synchronize()


def test_cuda_and_cuda_0_name_the_same_device(fake_cuda):
    assert alt.zeros(1, device="cuda").device is alt.zeros(1, device="cuda:0").device


def test_to_cuda_and_back_keeps_values_and_sends_gradients_home(fake_cuda):
    x = alt.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = x.cuda()
    assert on_fake_gpu(y) and y.grad_fn.name() == "ToCopyBackward0"
    (y * y).sum().backward()
    assert x.grad.device == "cpu" and type(x.grad._data) is np.ndarray
    assert x.grad.tolist() == [2.0, -4.0, 6.0]
    back = y.cpu()
    assert back.device == "cpu" and type(back._data) is np.ndarray
    assert back.tolist() == [1.0, -2.0, 3.0]
    assert x.to("cuda:0").device == "cuda:0" and y.to("cuda") is y


def test_leaf_on_cuda_gets_its_gradient_on_cuda(fake_cuda):
    w = alt.randn(3, 2, device="cuda", requires_grad=True)
    x = alt.randn(4, 3, device="cuda")
    (x @ w).relu().sum().backward()
    assert on_fake_gpu(w.grad)
    expected = x.cpu().t() @ ((x.cpu() @ w.detach().cpu()) > 0).float()
    np.testing.assert_allclose(w.grad.cpu().numpy(), expected.numpy(), rtol=1e-5)


def test_numpy_of_a_cuda_tensor_says_to_copy_it_to_the_cpu_first(fake_cuda):
    with pytest.raises(TypeError, match=r"can't convert cuda:0 device type tensor to numpy\. "
                                        r"Use Tensor\.cpu\(\)"):
        alt.ones(2, device="cuda").numpy()
    assert alt.ones(2, device="cuda").tolist() == [1.0, 1.0]
    assert alt.ones(1, device="cuda").item() == 1.0


def test_mixing_devices_raises_pytorchs_error(fake_cuda):
    message = ("Expected all tensors to be on the same device, but found at least two "
               "devices, cuda:0 and cpu!")
    with pytest.raises(RuntimeError, match=message):
        alt.ones(2, device="cuda") + alt.ones(2)
    with pytest.raises(RuntimeError, match=message):
        alt.ones(2, 2, device="cuda") @ alt.ones(2, 2)
    with pytest.raises(RuntimeError, match="found at least two devices, cpu and cuda:0!"):
        alt.ones(2).mul(alt.ones(2, device="cuda"))


def test_backward_with_a_gradient_on_another_device_raises(fake_cuda):
    y = alt.ones(2, device="cuda", requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="same device"):
        y.backward(alt.ones(2))


# -- creation and random numbers -----------------------------------------------------------------

CREATIONS = {
    "zeros": lambda **kw: alt.zeros(2, 3, **kw),
    "ones": lambda **kw: alt.ones(2, 3, **kw),
    "full": lambda **kw: alt.full((2, 3), 7.0, **kw),
    "empty": lambda **kw: alt.empty(2, 3, **kw),
    "eye": lambda **kw: alt.eye(3, **kw),
    "arange": lambda **kw: alt.arange(0, 6, 2, **kw),
    "linspace": lambda **kw: alt.linspace(0, 1, 5, **kw),
    "tensor": lambda **kw: alt.tensor([[1.0, 2.0], [3.0, 4.0]], **kw),
    "zeros_like": lambda **kw: alt.zeros_like(alt.ones(2), **kw),
    "ones_like": lambda **kw: alt.ones_like(alt.ones(2), **kw),
    "full_like": lambda **kw: alt.full_like(alt.ones(2), 3.0, **kw),
    "randn": lambda **kw: alt.randn(2, 3, **kw),
    "rand": lambda **kw: alt.rand(2, 3, **kw),
    "randint": lambda **kw: alt.randint(0, 10, (2, 3), **kw),
    "randperm": lambda **kw: alt.randperm(5, **kw),
}


@pytest.mark.parametrize("name", sorted(CREATIONS))
def test_creation_functions_make_tensors_on_the_device_asked_for(fake_cuda, name):
    made = CREATIONS[name](device="cuda")
    assert on_fake_gpu(made)
    if name not in ("empty", "randn", "rand", "randint", "randperm"):
        assert made.tolist() == CREATIONS[name]().tolist()


def test_random_tensors_on_cuda_repeat_after_manual_seed(fake_cuda):
    alt.manual_seed(7)
    first = alt.randn(4, device="cuda").tolist(), alt.rand(2, device="cuda").tolist()
    alt.manual_seed(7)
    again = alt.randn(4, device="cuda").tolist(), alt.rand(2, device="cuda").tolist()
    assert first == again
    assert sorted(alt.randperm(6, device="cuda").tolist()) == list(range(6))


def test_seeding_cuda_does_not_change_what_the_cpu_draws(fake_cuda):
    alt.manual_seed(3)
    cpu_only = alt.randn(3).tolist()
    alt.manual_seed(3)
    alt.randn(5, device="cuda")
    assert alt.randn(3).tolist() == cpu_only


# -- every op, on the device ---------------------------------------------------------------------

class _CudaByDefault(types.ModuleType):
    """autograd_lab with "cuda" as the default device of its creation functions, so that the
    constants an example makes (`lib.tensor([0, 2])`) live where its inputs live."""

    _MAKERS = {"tensor", "as_tensor", "zeros", "ones", "full", "empty", "eye", "arange",
               "linspace", "randn", "rand", "randint", "randperm"}

    def __init__(self):
        super().__init__("autograd_lab")

    def __getattr__(self, name):
        found = getattr(alt, name)
        if name in self._MAKERS:
            return functools.partial(found, device="cuda")
        return found


def _outputs(result):
    results = result if isinstance(result, (tuple, list)) else (result,)
    return [r for r in results if isinstance(r, alt.Tensor)]


@pytest.mark.parametrize("example", EXAMPLES, ids=repr)
def test_every_op_runs_on_cuda_with_the_cpus_values_and_gradients(fake_cuda, example):
    arrays = example.arrays()
    cpu_inputs = [alt.tensor(a, dtype=alt.float64, requires_grad=True) for a in arrays]
    gpu_inputs = [alt.tensor(a, dtype=alt.float64, device="cuda", requires_grad=True)
                  for a in arrays]
    cpu_outputs = _outputs(example.fn(alt, *cpu_inputs))
    gpu_outputs = _outputs(example.fn(_CudaByDefault(), *gpu_inputs))
    assert len(cpu_outputs) == len(gpu_outputs)
    for cpu, gpu in zip(cpu_outputs, gpu_outputs):
        assert on_fake_gpu(gpu), f"{example.name}: result on {gpu.device}"
        assert gpu.dtype == cpu.dtype and gpu.shape == cpu.shape
        np.testing.assert_allclose(gpu.detach().cpu().numpy(), cpu.detach().numpy(),
                                   rtol=1e-12, atol=1e-12)
    differentiable = [(c, g) for c, g in zip(cpu_outputs, gpu_outputs) if c.requires_grad]
    if not differentiable:
        return
    cpu_total = sum((c.double() * (i + 1)).sum() for i, (c, _) in enumerate(differentiable))
    gpu_total = sum((g.double() * (i + 1)).sum() for i, (_, g) in enumerate(differentiable))
    cpu_total.backward()
    gpu_total.backward()
    for cpu, gpu in zip(cpu_inputs, gpu_inputs):
        if cpu.grad is None:
            assert gpu.grad is None
            continue
        assert on_fake_gpu(gpu.grad), f"{example.name}: gradient on {gpu.grad.device}"
        np.testing.assert_allclose(gpu.grad.cpu().numpy(), cpu.grad.numpy(),
                                   rtol=1e-12, atol=1e-12)


def test_index_backward_adds_repeated_indices_with_the_gpus_scatter_add(fake_cuda):
    x = alt.arange(4.0, device="cuda").requires_grad_()
    x[alt.tensor([0, 2, 0, 0], device="cuda")].sum().backward()
    assert on_fake_gpu(x.grad) and x.grad.tolist() == [3.0, 0.0, 1.0, 0.0]


def test_scatter_add_on_the_cpu_adds_repeated_indices():
    target = np.zeros(3)
    backend.scatter_add(target, np.array([1, 1, 2]), np.array([1.0, 2.0, 5.0]))
    assert target.tolist() == [0.0, 3.0, 5.0]


def test_two_layer_training_step_on_cuda_matches_the_cpu(fake_cuda):
    alt.manual_seed(0)
    x, y = alt.randn(8, 5), alt.randn(8, 2)
    w1, w2 = alt.randn(5, 4), alt.randn(4, 2)
    losses = {}
    for device in ("cpu", "cuda"):
        params = [w.detach().clone().to(device).requires_grad_() for w in (w1, w2)]
        for _ in range(3):
            loss = (x.to(device).mm(params[0]).clamp(min=0).mm(params[1])
                    - y.to(device)).pow(2).sum()
            loss.backward()
            with alt.no_grad():
                for w in params:
                    w -= 1e-3 * w.grad
                    w.grad = None
        losses[device] = loss.item()
        assert all(on_fake_gpu(w) for w in params) == (device == "cuda")
    assert losses["cuda"] == pytest.approx(losses["cpu"], rel=1e-6)


# -- what a machine without cupy or without a GPU says ------------------------------------------

@pytest.fixture
def no_cupy_loaded(monkeypatch):
    monkeypatch.setattr(backend, "_cupy", None)
    monkeypatch.setattr(backend, "_cupyx", None)
    monkeypatch.setattr(backend, "_devices", {"cpu": backend.CPU})


def test_cuda_without_cupy_installed_says_how_to_install_it(no_cupy_loaded, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "cupy", None)  # import cupy now fails
    assert not alt.cuda.is_available() and alt.cuda.device_count() == 0
    alt.cuda.synchronize()  # nothing to wait for: no error
    with pytest.raises(RuntimeError, match=r"needs CuPy, which is not installed.*\[gpu\]"):
        alt.ones(2, device="cuda")
    with pytest.raises(RuntimeError, match="needs CuPy"):
        alt.ones(2).cuda()


def test_cuda_with_cupy_but_no_gpu_says_there_is_no_gpu(no_cupy_loaded, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "cupy", FakeCupy(gpu_present=False))
    monkeypatch.setitem(__import__("sys").modules, "cupyx", types.ModuleType("cupyx"))
    assert not alt.cuda.is_available()
    with pytest.raises(RuntimeError, match="no usable NVIDIA GPU was found"):
        alt.randn(2, device="cuda:0")


def test_device_names_other_than_cpu_and_cuda_are_refused():
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda device type at start of "
                                           "device string: tpu"):
        alt.ones(2, device="tpu")
