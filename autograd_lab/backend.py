"""Where arrays live: numpy on "cpu", cupy on "cuda". The only module that names cupy.

Every op asks `array_module(array)` for `xp` and calls `xp.exp`, `xp.matmul`, ... which exist
in both libraries. The few things that differ (scatter-add, moving between devices, random
numbers) are the named helpers below. CuPy is imported the first time a "cuda" device is
asked for, so that machines without a GPU never need it.
"""

import numpy as np

_cupy = None  # the cupy module, once a "cuda" device has been asked for
_cupyx = None  # cupyx, imported along with it (for scatter_add)


class device:
    """Where a tensor's data lives: `device("cpu")` or `device("cuda", 0)` / `device("cuda:0")`.

    Compares equal to its string form, so `x.device == "cpu"` works.
    """

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        elif ":" in type:
            type, number = type.split(":", 1)
            index = int(number)
        if type not in ("cpu", "cuda"):
            raise RuntimeError(
                f"Expected one of cpu, cuda device type at start of device string: {type}"
            )
        if type == "cuda" and index is None:
            index = 0
        self.type = type
        self.index = index

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else (
            f"device(type='{self.type}', index={self.index})"
        )

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))


CPU = device("cpu")
_devices = {"cpu": CPU}
_default_device = CPU  # where tensors go when no device= is given


def set_default_device(spec):
    """Make new tensors go to this device when no `device=` is given (None: back to "cpu").

    `autograd_lab.set_default_device("cuda")` lets code written without `device=` run on the
    GPU; tensors made from numpy arrays (`from_numpy`) stay on the cpu, as in PyTorch.
    """
    global _default_device
    _default_device = CPU if spec is None else as_device(spec)


def get_default_device():
    """The device new tensors go to when no `device=` is given."""
    return _default_device


def as_device(spec):
    """Turn a string or a `device` into one shared `device` object (None: the default)."""
    if spec is None:
        return _default_device
    key = str(spec) if isinstance(spec, device) else spec
    found = _devices.get(key)
    if found is None:
        found = device(spec)
        if found.type == "cuda":
            _require_cuda()
        found = _devices.setdefault(str(found), found)
        _devices[key] = found
    return found


def _require_cuda():
    """Import cupy on first use of "cuda", with a message that says what is missing."""
    global _cupy, _cupyx
    if _cupy is not None:
        return _cupy
    try:
        import cupy
        import cupyx
    except ImportError:
        raise RuntimeError(
            "device 'cuda' needs CuPy, which is not installed. "
            "Install it with: pip install -e \".[gpu]\"  (or pip install cupy-cuda12x)"
        ) from None
    if not cupy.is_available():
        raise RuntimeError(
            "Torch not compiled with CUDA enabled: no usable NVIDIA GPU was found "
            "(CuPy is installed but cupy.is_available() is False). Use device='cpu'."
        )
    _cupy, _cupyx = cupy, cupyx
    return cupy


def cuda_is_available():
    """True when CuPy is installed and sees a GPU (`autograd_lab.cuda.is_available()`)."""
    try:
        _require_cuda()
    except RuntimeError:
        return False
    return True


def cuda_device_count():
    """How many GPUs CuPy sees (0 without CuPy or a GPU)."""
    return _cupy.cuda.runtime.getDeviceCount() if cuda_is_available() else 0


def cuda_synchronize():
    """Wait until the GPU has finished all work queued so far (GPU calls return early)."""
    if cuda_is_available():
        _cupy.cuda.Device().synchronize()


def is_gpu_array(array):
    """True for a cupy array. (False for everything while cupy has not been loaded.)"""
    return _cupy is not None and isinstance(array, _cupy.ndarray)


def array_module(array):
    """numpy for a numpy array, cupy for a cupy array: `xp = array_module(x._data)`."""
    if _cupy is not None and isinstance(array, _cupy.ndarray):
        return _cupy
    return np


def module_for(dev):
    """numpy for the cpu device, cupy for a cuda device."""
    return np if dev.type == "cpu" else _require_cuda()


def device_of(array):
    """The device an array lives on."""
    if is_gpu_array(array):
        return as_device(f"cuda:{array.device.id}")
    return CPU


def move(array, dev):
    """Copy an array to a device (no copy when it is already there)."""
    if dev.type == "cpu":
        return array.get() if is_gpu_array(array) else array
    cupy = _require_cuda()
    if is_gpu_array(array) and array.device.id == dev.index:
        return array
    with cupy.cuda.Device(dev.index):
        return cupy.array(array)  # host -> GPU, or GPU -> another GPU


def to_numpy(array):
    """A numpy array for any array (copies from the GPU when needed)."""
    return array.get() if is_gpu_array(array) else array


def as_strided(array, shape, strides):
    """A view of `array`'s memory with other shape and strides (in bytes), writeable.

    `expand` uses it with strides of 0; numpy's own `broadcast_to` would be read-only.
    """
    if is_gpu_array(array):
        return _cupy.lib.stride_tricks.as_strided(array, shape, strides)
    if array.flags.c_contiguous:  # its memory is one buffer: a new header over it is enough
        return np.ndarray(shape, array.dtype, array, 0, strides)
    return np.lib.stride_tricks.as_strided(array, shape, strides, subok=True)


def memory_start(array):
    """The address of an array's first element (where two views of one storage may meet)."""
    return array.data.ptr if is_gpu_array(array) else array.__array_interface__["data"][0]


def scatter_add(target, index, values):
    """`target[index] += values`, adding up repeated indices (numpy's `add.at`).

    Plain `target[index] += values` would add only once per repeated index; this is what the
    backward of indexing needs, since an element picked twice gets both gradients.
    """
    if is_gpu_array(target):
        _cupyx.scatter_add(target, index, values)
    else:
        np.add.at(target, index, values)
    return target


# -- random numbers: one generator per device, all reseeded by `manual_seed` -------------------

_seed = 0
_generators = {}  # device -> numpy (cpu) or cupy (cuda) Generator, made on first use


def manual_seed(seed):
    """Seed every random generator autograd_lab uses, on every device (as PyTorch does)."""
    global _seed
    _seed = seed
    _generators.clear()


def random_generator(dev):
    """The generator that `randn`, `rand`, ... draw from on a device.

    numpy's and cupy's Generators share the methods used here (`standard_normal`, `random`,
    `integers`, `permutation`), so the creation functions need not know which one they got.
    """
    generator = _generators.get(dev)
    if generator is None:
        generator = _generators[dev] = new_random_generator(dev, _seed)
    return generator


def new_random_generator(dev, seed):
    """A numpy (cpu) or cupy (cuda) Generator started from `seed`."""
    if dev.type == "cpu":
        return np.random.default_rng(seed)
    cupy = _require_cuda()
    with cupy.cuda.Device(dev.index):
        return cupy.random.default_rng(seed)
