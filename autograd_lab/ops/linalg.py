"""Matrix products: `mm`, `matmul` / `@` (vectors, matrices, batches), `bmm`, `dot`, `mv`,
`outer`."""

import math

from autograd_lab.ops.base import broadcast_shapes, export
from autograd_lab.ops.op import Op
from autograd_lab.ops.shape import SqueezeDim, T, UnsafeView


def _shape_text(shape):
    return "x".join(str(s) for s in shape)


class Mm(Op):
    """Z = X @ Y  ->  dZ/dX: G @ Yᵀ,  dZ/dY: Xᵀ @ G   (G is the gradient of Z)"""

    def forward(self, x, y):
        if x.ndim != 2 or y.ndim != 2:
            raise RuntimeError(f"{'self' if x.ndim != 2 else 'mat2'} must be a matrix")
        if x.shape[1] != y.shape[0]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                               f"({_shape_text(x.shape)} and {_shape_text(y.shape)})")
        if x.dtype != y.dtype:
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                               f"{x.dtype.name} != {y.dtype.name}")
        needs_x, needs_y = self.needs_input_grad
        self.save_for_backward(x if needs_y else None, y if needs_x else None)
        return x @ y

    def backward(self, xp, saved, grad):
        x, y = saved
        return (xp.matmul(grad, _t(xp, y)) if self.needs_input_grad[0] else None,
                xp.matmul(_t(xp, x), grad) if self.needs_input_grad[1] else None)


def _t(xp, matrix):
    """`matrix.t()`, recorded as PyTorch records it (a TBackward0) under create_graph."""
    return T.run(xp, matrix, dim0=0, dim1=1)


class Dot(Op):
    """z = Σ x_i y_i  ->  dz/dx = y, dz/dy = x"""

    def forward(self, x, y):
        if x.ndim != 1 or y.ndim != 1:
            raise RuntimeError(f"1D tensors expected, but got {x.ndim}D and {y.ndim}D tensors")
        if x.shape != y.shape:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{x.shape[0]}] and src "
                               f"[{y.shape[0]}] to have the same number of elements, but got "
                               f"{x.shape[0]} and {y.shape[0]} elements respectively")
        needs_x, needs_y = self.needs_input_grad
        self.save_for_backward(x if needs_y else None, y if needs_x else None)
        return x @ y

    def backward(self, xp, saved, grad):
        x, y = saved
        return (grad * y if self.needs_input_grad[0] else None,
                grad * x if self.needs_input_grad[1] else None)


class Mv(Op):
    """z = A @ v  ->  dz/dA: outer(G, v),  dz/dv: Aᵀ @ G"""

    def forward(self, a, v):
        if a.shape[1] != v.shape[0]:
            raise RuntimeError(f"size mismatch, got input ({a.shape[0]}), mat "
                               f"({_shape_text(a.shape)}), vec ({v.shape[0]})")
        needs_a, needs_v = self.needs_input_grad
        self.save_for_backward(a if needs_v else None, v if needs_a else None)
        return a @ v

    def backward(self, xp, saved, grad):
        a, v = saved
        return (xp.expand_dims(grad, 1) * xp.expand_dims(v, 0) if self.needs_input_grad[0]
                else None,
                xp.matmul(_t(xp, a), grad) if self.needs_input_grad[1] else None)


class SqueezeProduct(SqueezeDim):
    """The vector's dim taken off a product again: PyTorch does it in place (`squeeze_`), so
    the result is a tensor of its own, not a view"""

    node_name = "SqueezeBackward4"
    is_view = False


class BatchedMatmul(Op):
    """Z = X @ Y on stacks of matrices (batch dims broadcast)  ->  G @ Yᵀ and Xᵀ @ G

    The engine sums each gradient back over the batch dims that broadcasting added.
    """

    node_name = "BmmBackward0"

    def forward(self, x, y):
        batch = math.prod(broadcast_shapes(x.shape[:-2], y.shape[:-2]))
        if x.shape[-1] != y.shape[-2] and y.ndim == 2:  # PyTorch stacks x's rows into one matrix
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                               f"({math.prod(x.shape[:-1])}x{x.shape[-1]} and "
                               f"{_shape_text(y.shape)})")
        if x.shape[-1] != y.shape[-2]:
            raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                               f"[{batch}, {x.shape[-1]}] but got: [{batch}, {y.shape[-2]}].")
        needs_x, needs_y = self.needs_input_grad
        self.save_for_backward(x if needs_y else None, y if needs_x else None)
        return x @ y

    def backward(self, xp, saved, grad):
        x, y = saved
        return (xp.matmul(grad, xp.swapaxes(y, -1, -2)) if self.needs_input_grad[0] else None,
                xp.matmul(xp.swapaxes(x, -1, -2), grad) if self.needs_input_grad[1] else None)


@export("mm")
def mm(input, mat2):
    """Product of two matrices (2-D tensors)."""
    return Mm.apply(input, mat2)


@export("dot")
def dot(input, other):
    """Dot product of two vectors."""
    return Dot.apply(input, other)


@export("mv")
def mv(input, vec):
    """Matrix times vector."""
    if input.dim() != 2 or vec.dim() != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input.dim()}, "
                           f"{vec.dim()}")
    return Mv.apply(input, vec)


@export("bmm")
def bmm(input, mat2):
    """Batched matrix product: (b, n, m) @ (b, m, p) -> (b, n, p), with equal batch sizes."""
    for name, tensor in (("batch1", input), ("batch2", mat2)):
        if tensor.dim() != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    if input.shape[0] != mat2.shape[0]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{input.shape[0]}, {input.shape[2]}] but got: "
                           f"[{mat2.shape[0]}, {mat2.shape[1]}].")
    return BatchedMatmul.apply(input, mat2)


@export("outer", "ger")
def outer(input, vec2):
    """Outer product of two vectors: `out[i, j] = input[i] * vec2[j]` (a product, as in
    PyTorch: its node is a MulBackward0)."""
    for name, tensor in (("self", input), ("vec2", vec2)):
        if tensor.dim() != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got "
                               f"{tensor.dim()}-D")
    return input.unsqueeze(1) * vec2


ger = outer


@export("matmul", "__matmul__")
def matmul(input, other):
    """Matrix product with numpy's rules: vectors, matrices, and broadcast batches of matrices."""
    if input.dim() == 0 or other.dim() == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{input.dim()}D and {other.dim()}D")
    if input.dim() == 2 and other.dim() == 2:
        return Mm.apply(input, other)
    if input.dim() == 1 and other.dim() == 1:
        return Dot.apply(input, other)
    if input.dim() == 2 and other.dim() == 1:
        return Mv.apply(input, other)
    if input.dim() == 1:  # a row vector times a matrix (or a batch of them)
        product = matmul(input.unsqueeze(0), other)
        return SqueezeProduct.apply(product, shape=product.shape[:-2] + product.shape[-1:])
    if other.dim() == 1:  # a batch of matrices times a vector: one tall matrix times it
        product = Mv.apply(input.reshape(-1, input.shape[-1]), other)
        return UnsafeView.apply(product, shape=input.shape[:-1])
    return BatchedMatmul.apply(input, other)


@export("__rmatmul__")
def rmatmul(input, other):
    return matmul(other, input)
