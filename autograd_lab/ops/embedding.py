"""`embedding`: look up rows of a weight matrix by index, the first layer of a language model.

`embedding(idx, C)` is `C[idx]`, a row of C for each index; PyTorch shows it as its own node,
`EmbeddingBackward0`, and so does autograd_lab. A row at `padding_idx` gets no gradient (it
stands for "no token" and should stay as it is).
"""

from autograd_lab.ops.base import scalar_type_name
from autograd_lab.ops.indexing import IndexAdd
from autograd_lab.ops.op import Op


class Embedding(Op):
    """y = weight[idx]  ->  dweight = zeros with each row of grad added at its index (an index
    that appears twice collects both rows); rows of padding_idx get nothing.

    The indices are saved, as PyTorch saves them: changing them in place before backward is
    an error, and a second backward needs `retain_graph=True`.
    """

    def forward(self, weight, indices, *, padding_idx):
        self.save_for_backward(indices)
        self.key, self.padding_idx, self.shape = indices, padding_idx, weight.shape
        return weight[indices]

    def backward(self, xp, saved, grad):
        (indices,) = saved
        if self.padding_idx is not None:
            grad = xp.where(xp.expand_dims(indices == self.padding_idx, -1), 0, grad)
        return IndexAdd.run(xp, grad, key=self.key, shape=self.shape), None


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """The rows of `weight` (num_embeddings, embedding_dim) picked by the int64 (or int32)
    indices in `input`: the result has shape input.shape + (embedding_dim,)."""
    if max_norm is not None or scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding: max_norm, scale_grad_by_freq and sparse are not "
                                  "supported by autograd_lab")
    if input._data.dtype.kind not in "iu" or input._data.dtype.itemsize not in (4, 8):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the "
                           "following scalar types: Long, Int; but got "
                           f"autograd_lab.{scalar_type_name(input)}Tensor instead (while "
                           "checking arguments for embedding)")
    rows = weight.shape[0]
    if input.numel() and (int(input._data.min()) < 0 or int(input._data.max()) >= rows):
        raise IndexError("index out of range in self")
    if padding_idx is not None and padding_idx < 0:
        padding_idx += rows
    return Embedding.apply(weight, input, padding_idx=padding_idx)
