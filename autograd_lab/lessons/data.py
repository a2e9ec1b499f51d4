"""Data makers for the lessons: the same random numbers as numpy arrays or as tensors."""

import numpy as np

import autograd_lab


def two_layer_data(N=64, D_in=1000, H=100, D_out=10, seed=0, backend="numpy", device="cpu",
                   requires_grad=False):
    """Random inputs, targets and weights for the classic two-layer network.

    Returns `(x, y, w1, w2)` with shapes `(N, D_in)`, `(N, D_out)`, `(D_in, H)` and `(H, D_out)`,
    all float32 draws from N(0, 1). `backend="numpy"` gives numpy arrays; `backend="autograd_lab"`
    gives tensors on `device` holding exactly the same numbers, so a lesson can compare the two.
    `requires_grad=True` (tensors only) marks the two weights as leaves that collect gradients.

    >>> x, y, w1, w2 = two_layer_data()
    >>> x.shape, y.shape, w1.shape, w2.shape
    ((64, 1000), (64, 10), (1000, 100), (100, 10))
    """
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(shape, dtype=np.float32)
              for shape in ((N, D_in), (N, D_out), (D_in, H), (H, D_out))]
    if backend == "numpy":
        if requires_grad:
            raise ValueError("requires_grad=True needs backend='autograd_lab'")
        return tuple(arrays)
    if backend != "autograd_lab":
        raise ValueError(f"backend must be 'numpy' or 'autograd_lab', got {backend!r}")
    x, y, w1, w2 = (autograd_lab.tensor(array, device=device) for array in arrays)
    if requires_grad:
        w1.requires_grad_()
        w2.requires_grad_()
    return x, y, w1, w2
