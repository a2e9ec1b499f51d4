"""`autograd_lab.utils`: helpers around training, with PyTorch's names (`utils.data`)."""

from autograd_lab.utils import data  # noqa: F401
