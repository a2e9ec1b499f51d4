"""`autograd_lab.accelerator`: is there an accelerator (here: an NVIDIA GPU) to use?

PyTorch's tutorials pick their device with

    device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() \
        else "cpu"

and the same line works here: "cuda" where CuPy sees a GPU, "cpu" elsewhere.
"""

from autograd_lab import backend


def is_available():
    """True when a GPU can be used."""
    return backend.cuda_is_available()


def current_accelerator():
    """The accelerator's device (`device(type='cuda')`), or None without one."""
    return backend.as_device("cuda") if is_available() else None


def device_count():
    """How many GPUs there are (0 without one)."""
    return backend.cuda_device_count()


def synchronize():
    """Wait for all GPU work to finish (needed before timing GPU code)."""
    backend.cuda_synchronize()
