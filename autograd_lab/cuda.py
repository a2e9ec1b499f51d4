"""`autograd_lab.cuda`: is there a GPU to use? (Arrays on "cuda" are cupy arrays.)"""

from autograd_lab import backend


def is_available():
    """True when CuPy is installed and sees a working GPU."""
    return backend.cuda_is_available()


def device_count():
    """How many GPUs CuPy sees (0 without CuPy or a GPU)."""
    return backend.cuda_device_count()


def manual_seed(seed):
    """Seed the GPU's random generator (`autograd_lab.manual_seed` seeds every generator)."""
    backend.manual_seed(seed)


def synchronize():
    """Wait for all GPU work to finish (needed before timing GPU code)."""
    backend.cuda_synchronize()
