"""Undoing broadcasting: the one shape helper the engine and the ops share."""


def sum_to_shape(grad, shape):
    """Sum `grad` over the dimensions that broadcasting added or stretched, to get `shape`.

    (3, 4) -> (1, 4) sums dim 0 and keeps it; (2, 3, 4) -> (3, 4) sums the leading dim away.
    `grad` may be an array or a Tensor (under `create_graph`).
    """
    shape = tuple(shape)
    if tuple(grad.shape) == shape:
        return grad
    extra = len(grad.shape) - len(shape)
    if extra < 0:
        raise ValueError("gradient has fewer dimensions than its input")
    for i, size in enumerate(shape):
        if size != 1 and grad.shape[extra + i] != size:
            raise ValueError("shapes cannot be matched")
    stretched = tuple(i for i, size in enumerate(shape) if size == 1 and grad.shape[extra + i] != 1)
    if extra:
        grad = grad.sum(tuple(range(extra)))
    if stretched:  # PyTorch's `keepdim` is numpy's `keepdims`
        keep = {"keepdim": True} if hasattr(grad, "requires_grad") else {"keepdims": True}
        grad = grad.sum(stretched, **keep)
    return grad
