"""`meshgrid`: coordinate grids from 1-D tensors, as for plotting a function of two variables.

>>> import autograd_lab as alt
>>> rows, cols = alt.meshgrid(alt.tensor([1, 2]), alt.tensor([7, 8, 9]), indexing="ij")
>>> rows
tensor([[1, 1, 1],
        [2, 2, 2]])
>>> cols
tensor([[7, 8, 9],
        [7, 8, 9]])

Each grid is the input viewed along its own dimension and expanded along the others (no data
is copied), so gradients flow back to the inputs. `indexing="xy"` swaps the first two
dimensions, as numpy's default and matplotlib expect.
"""

import warnings

from autograd_lab.ops.base import exported


def meshgrid(*tensors, indexing=None):
    """One grid per input tensor (0-D or 1-D), all of shape (len(t0), len(t1), ...)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but '
                           f"received: {indexing}")
    for tensor in tensors:
        if tensor.dim() > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list "
                               f"but got: {tensor!r}")
    axes = list(range(len(tensors)))  # which grid dimension each input runs along
    if indexing == "xy" and len(tensors) >= 2:
        axes[0], axes[1] = 1, 0
    shape = [0] * len(tensors)
    for tensor, axis in zip(tensors, axes):
        shape[axis] = tensor.numel()
    grids = []
    for tensor, axis in zip(tensors, axes):
        along = [1] * len(tensors)
        along[axis] = -1
        grids.append(tensor.view(along).expand(shape))
    return tuple(grids)


exported["meshgrid"] = meshgrid  # a function only: tensors have no meshgrid method
