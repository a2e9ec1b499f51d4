"""The registry of op examples that drives the op tests: small inputs for every operation.

Each `Example` runs `fn(lib, *inputs)` where `lib` is `autograd_lab` or `torch`: the same
code serves both, because the APIs match. The inputs are float arrays made from a seed fixed
by the example's name; every one of them requires grad. Index tensors, masks and other
constants are made inside `fn` with `lib.tensor(...)`.

- `smooth=False` marks examples that sit on purpose where the op has a kink or a tie (a clamp
  at its bound, equal maxima): finite differences mean nothing there, so only PyTorch's
  values and gradients (its subgradient choices) are compared.
- `name_differs="why"` records a deliberate difference from PyTorch's `grad_fn` name.
- `same_dtype=False` marks examples that change dtype on purpose (`x.float()`).
- `second_order_differs="why"` records where second derivatives differ from PyTorch's (only
  at points where the op has no second derivative).
"""

import zlib

import numpy as np
import pytest

from autograd_lab.ops import functional


def F(t):
    """`torch.nn.functional` for torch; for autograd_lab, the ops module it is built on."""
    return functional if t.__name__ == "autograd_lab" else t.nn.functional


def _torch_importable():
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


# the mark for tests that compare with PyTorch: they skip cleanly where it cannot be imported
needs_torch = pytest.mark.skipif(not _torch_importable(), reason="PyTorch is not importable")


class Example:
    def __init__(self, name, fn, *specs, smooth=True, name_differs=None, same_dtype=True,
                 second_order_differs=None):
        self.name, self.fn, self.specs = name, fn, specs
        self.smooth, self.name_differs, self.same_dtype = smooth, name_differs, same_dtype
        self.second_order_differs = second_order_differs

    def arrays(self):
        """The example's inputs as float64 numpy arrays (the same on every call)."""
        rng = np.random.default_rng(zlib.crc32(self.name.encode()))
        return [spec(rng) for spec in self.specs]

    def __repr__(self):
        return self.name


def normal(*shape):
    return lambda rng: rng.standard_normal(shape)


def positive(*shape):
    return lambda rng: rng.uniform(0.5, 2.0, shape)


def spread(*shape):
    """Distinct values at least 0.5 apart, none within 0.15 of 0, ±1 or another integer/half:
    safe for finite differences of relu, abs, clamp(-1, 1), max, sort-like ops."""
    def make(rng):
        n = int(np.prod(shape))
        return ((rng.permutation(n) - n // 2) * 0.5 + 0.15).reshape(shape)
    return make


def values(data):
    return lambda rng: np.array(data, dtype=np.float64)


def _setitem_basic(t, x, v):
    y = x * 1
    y[0, 1:] = v
    return y


def _setitem_mask(t, x):
    y = x * 1
    y[y > 0] = 0.0
    return y


def _setitem_list(t, x, v):
    y = x * 1
    y[[0, 2]] = v
    return y


def _copy(t, x, v):
    y = x * 1
    return y.copy_(v)


def _mul_through_view(t, x, v):
    y = x * 1
    y[1:].mul_(v)  # CopySlices on y
    return y


def _add_through_view_then_use_it(t, x, v):
    y = x * 1
    row = y[0]
    row.add_(v)
    return y, row * 3  # the row's grad_fn is made again from y's new history (AsStrided)


def _accumulate_into_rows_of_a_buffer(t, x):
    buffer = x.new_zeros(3, 2)
    buffer[1] += x[0] * 2  # in place through a view, then written back with setitem
    buffer[2] += x[0] ** 2
    return buffer


def _zero_a_row(t, x):
    y = x * 1
    y[0].zero_()
    return y


def _fill_with_a_tensor(t, x, v):
    y = x * 1
    return y.fill_(v.sum())


def _max_dim(t, x):
    out = x.max(dim=1)
    return out.values, out.indices


def _max_dim_zero(t, x):
    values, indices = x.max(0, keepdim=True)
    return values, indices


def _min_dim_keepdim(t, x):
    values, indices = t.min(x, -1, keepdim=True)
    return values, indices


BATCHED = "matmul of batches is one node named BmmBackward0; PyTorch reshapes to a bmm (or mm) " \
          "and shows UnsafeViewBackward0 (or Clone/Transpose views) on top"

EXAMPLES = [
    # -- arithmetic -----------------------------------------------------------------------------
    Example("add_broadcast", lambda t, x, y: x + y, normal(3, 1), normal(1, 4)),
    Example("add_alpha", lambda t, x, y: t.add(x, y, alpha=2), normal(2, 3), normal(3)),
    Example("add_number_both_sides", lambda t, x: (x + 2) * (2 + x), normal(3)),
    Example("sub_broadcast", lambda t, x, y: x - y, normal(2, 3), normal(3)),
    Example("sub_alpha", lambda t, x, y: x.sub(y, alpha=3), normal(2), normal(2)),
    Example("rsub_number", lambda t, x: 2 - x, normal(3)),
    Example("mul_broadcast", lambda t, x, y: x * y, normal(3, 1), normal(1, 4)),
    Example("mul_number_both_sides", lambda t, x: 3 * x * 0.5, normal(2, 2)),
    Example("mul_value_used_twice", lambda t, x: x * x, normal(4)),
    Example("div_broadcast", lambda t, x, y: x / y, normal(2, 3), positive(3)),
    Example("div_number", lambda t, x: x / 4, normal(3)),
    Example("rdiv_number", lambda t, x: 1 / x, positive(3)),
    Example("neg", lambda t, x: -x, normal(3)),
    Example("pow_square", lambda t, x: x ** 2, normal(3)),
    Example("pow_cube", lambda t, x: x.pow(3), normal(3)),
    Example("pow_fraction", lambda t, x: x ** 0.5, positive(3)),
    Example("pow_negative", lambda t, x: x ** -1.5, positive(3)),
    Example("pow_zero", lambda t, x: x ** 0, normal(3)),
    Example("pow_tensor", lambda t, x, y: x ** y, positive(2, 3), normal(3)),
    Example("pow_number_base", lambda t, x: 2 ** x, normal(3)),
    Example("pow_function_number_base", lambda t, x: t.pow(3, x), normal(3)),
    Example("zero_dim_with_vector", lambda t, x, y: x * y + x, normal(), normal(3)),
    Example("zero_dim_sum_dim", lambda t, x: x.sum(0), normal()),
    Example("zero_dim_mean_keepdim", lambda t, x: x.mean(-1, keepdim=True), normal()),
    Example("zero_dim_prod_dim", lambda t, x: x.prod(0), normal()),
    Example("zero_dim_var", lambda t, x: x.var(0, correction=0), normal()),
    Example("zero_dim_max_dim", _max_dim_zero, normal()),
    Example("zero_dim_amax", lambda t, x: x.amax(0), normal()),
    Example("zero_dim_softmax", lambda t, x: x.softmax(0) + x.log_softmax(-1), normal()),
    Example("zero_dim_t_transpose", lambda t, x: x.t() * x.transpose(0, -1), normal()),
    Example("zero_dim_argmax", lambda t, x: (x * 1, x.argmax(0), x.argmin(-1, keepdim=True)),
            normal()),
    # -- element-wise -------------------------------------------------------------------------
    Example("exp", lambda t, x: t.exp(x), normal(2, 3)),
    Example("log", lambda t, x: x.log(), positive(2, 3)),
    Example("sqrt", lambda t, x: x.sqrt(), positive(4)),
    Example("sin", lambda t, x: t.sin(x), normal(4)),
    Example("cos", lambda t, x: x.cos(), normal(4)),
    Example("tanh", lambda t, x: x.tanh(), normal(4)),
    Example("sigmoid", lambda t, x: t.sigmoid(x), normal(4)),
    Example("sinh", lambda t, x: t.sinh(x), normal(4)),
    Example("cosh", lambda t, x: x.cosh(), normal(4)),
    Example("log10", lambda t, x: t.log10(x) + x.log10(), positive(2, 3)),
    Example("abs", lambda t, x: x.abs(), spread(5)),
    Example("abs_builtin", lambda t, x: abs(x), spread(3)),
    Example("sign", lambda t, x: x.sign() * x, spread(4)),
    Example("square", lambda t, x: x.square() + t.square(x), normal(3)),
    Example("reciprocal", lambda t, x: x.reciprocal(), positive(3)),
    Example("relu", lambda t, x: t.relu(x), spread(6)),
    Example("clamp_both", lambda t, x: x.clamp(-1, 1), spread(8)),
    Example("clamp_min", lambda t, x: x.clamp(min=0), spread(6)),
    Example("clamp_max", lambda t, x: t.clamp(x, max=0.5), spread(6)),
    Example("clip", lambda t, x: x.clip(-0.5, 0.5), spread(6)),
    Example("clamp_tensor_bounds", lambda t, x, lo, hi: x.clamp(lo, lo + hi.abs() + 0.1),
            normal(5), normal(5), normal(5)),
    Example("clamp_tensor_min", lambda t, x, lo: t.clamp(x, min=lo), normal(2, 3), normal(3)),
    Example("maximum_broadcast", lambda t, x, y: t.maximum(x, y), normal(3, 1), normal(4)),
    Example("minimum", lambda t, x, y: x.minimum(y), normal(4), normal(4)),
    Example("max_of_two_tensors", lambda t, x, y: t.max(x, y), normal(4), normal(4)),
    Example("where", lambda t, x, y: t.where(x > 0, x, y), normal(2, 3), normal(3)),
    Example("where_number", lambda t, x: t.where(x > 0, x, 0.0), normal(5)),
    Example("masked_fill", lambda t, x: x.masked_fill(x > 0, 0.5), normal(2, 3)),
    # -- reductions ---------------------------------------------------------------------------
    Example("sum_all", lambda t, x: x.sum(), normal(2, 3)),
    Example("sum_dim", lambda t, x: x.sum(0), normal(2, 3)),
    Example("sum_negative_dim_keepdim", lambda t, x: x.sum(-1, keepdim=True), normal(2, 3)),
    Example("sum_tuple", lambda t, x: t.sum(x, (0, 2)), normal(2, 3, 2)),
    Example("mean_all", lambda t, x: x.mean(), normal(2, 3)),
    Example("mean_dim", lambda t, x: x.mean(dim=1), normal(2, 3)),
    Example("mean_tuple_keepdim", lambda t, x: x.mean((-1, 0), keepdim=True), normal(2, 3, 2)),
    Example("prod_all", lambda t, x: x.prod(), normal(2, 3)),
    Example("prod_dim", lambda t, x: t.prod(x, 1), normal(2, 3)),
    Example("prod_dim_keepdim", lambda t, x: x.prod(-1, keepdim=True), normal(2, 3)),
    Example("prod_one_zero", lambda t, x: x.prod(), values([2.0, 0.0, 3.0])),
    Example("prod_two_zeros", lambda t, x: x.prod(0), values([[0.0, 1.0], [0.0, 2.0]])),
    Example("cumsum", lambda t, x: x.cumsum(1) + t.cumsum(x, dim=0), normal(3, 4)),
    Example("cumsum_zero_dim", lambda t, x: x.cumsum(-1), normal()),
    Example("var_all", lambda t, x: x.var(), normal(2, 3)),
    Example("var_dim_correction", lambda t, x: x.var(1, correction=0), normal(2, 3)),
    Example("var_tuple_keepdim", lambda t, x: t.var(x, (0, 1), keepdim=True), normal(2, 2, 2)),
    Example("var_unbiased_false", lambda t, x: x.var(0, unbiased=False), normal(3, 2)),
    Example("std_all", lambda t, x: x.std(), normal(2, 3)),
    Example("std_dim", lambda t, x: t.std(x, -1, keepdim=True), normal(2, 3)),
    Example("std_constant", lambda t, x: x.std(), values([2.0, 2.0, 2.0]), smooth=False),
    Example("norm_all", lambda t, x: x.norm(), normal(2, 3)),
    Example("norm_dim_keepdim", lambda t, x: t.norm(x, dim=1, keepdim=True), normal(2, 3)),
    Example("norm_p1", lambda t, x: x.norm(p=1), spread(4)),
    Example("norm_p3_tuple", lambda t, x: x.norm(3, (0, 1)), normal(2, 2)),
    Example("norm_of_zeros", lambda t, x: x.norm(), values([0.0, 0.0]), smooth=False,
            second_order_differs="the norm has no second derivative at 0: PyTorch gives NaN, "
                                 "the zero-norm mask here gives 0"),
    Example("max_all", lambda t, x: x.max(), spread(2, 3)),
    Example("min_all", lambda t, x: t.min(x), spread(2, 3)),
    Example("max_dim", _max_dim, spread(3, 4)),
    Example("min_dim_keepdim", _min_dim_keepdim, spread(3, 4)),
    Example("amax", lambda t, x: x.amax(1), spread(3, 4)),
    Example("amin_tuple", lambda t, x: t.amin(x, (0, 1)), spread(2, 3)),
    Example("max_ties_share", lambda t, x: x.max(), values([1.0, 3.0, 3.0, 2.0]), smooth=False),
    Example("max_dim_ties_pick_first", _max_dim, values([[3.0, 3.0], [1.0, 1.0]]),
            smooth=False),
    Example("amax_ties_share", lambda t, x: x.amax(0), values([[3.0, 1.0], [3.0, 2.0]]),
            smooth=False),
    Example("argmax_argmin", lambda t, x: (x * 1, x.argmax(), x.argmin(1),
                                           t.argmax(x, 0, keepdim=True)), spread(3, 4)),
    # -- linear algebra -------------------------------------------------------------------------
    Example("mm", lambda t, x, y: x.mm(y), normal(2, 3), normal(3, 4)),
    Example("matmul_2d_2d", lambda t, x, y: x @ y, normal(2, 3), normal(3, 2)),
    Example("matmul_1d_1d", lambda t, x, y: t.matmul(x, y), normal(3), normal(3)),
    Example("matmul_1d_2d", lambda t, x, y: x @ y, normal(3), normal(3, 2)),
    Example("matmul_2d_1d", lambda t, x, y: x @ y, normal(2, 3), normal(3)),
    Example("matmul_3d_3d", lambda t, x, y: x @ y, normal(2, 2, 3), normal(2, 3, 2),
            name_differs=BATCHED),
    Example("matmul_3d_2d", lambda t, x, y: x @ y, normal(2, 2, 3), normal(3, 2),
            name_differs=BATCHED),
    Example("matmul_2d_3d", lambda t, x, y: x @ y, normal(2, 3), normal(2, 3, 2),
            name_differs=BATCHED),
    Example("matmul_batch_broadcast", lambda t, x, y: x @ y, normal(2, 1, 2, 3),
            normal(3, 3, 2), name_differs=BATCHED),
    Example("matmul_3d_1d", lambda t, x, y: x @ y, normal(2, 2, 3), normal(3)),
    Example("matmul_1d_3d", lambda t, x, y: x @ y, normal(3), normal(2, 3, 2),
            name_differs="PyTorch folds the batch into an mv and shows UnsafeViewBackward0; "
                         "here the vector becomes a row and is squeezed off again "
                         "(SqueezeBackward4)"),
    Example("bmm", lambda t, x, y: t.bmm(x, y), normal(2, 2, 3), normal(2, 3, 2)),
    Example("dot", lambda t, x, y: x.dot(y), normal(4), normal(4)),
    Example("mv", lambda t, x, y: t.mv(x, y), normal(2, 3), normal(3)),
    Example("outer", lambda t, x, y: t.outer(x, y), normal(3), normal(2)),
    # -- shape ----------------------------------------------------------------------------------
    Example("reshape", lambda t, x: x.reshape(3, -1) * 1, normal(2, 3)),
    Example("reshape_after_transpose", lambda t, x: x.t().reshape(6), normal(2, 3)),
    Example("reshape_a_column_without_copy", lambda t, x: x[:, 0].reshape(1, 2), normal(2, 3)),
    Example("flatten_after_permute", lambda t, x: x.permute(1, 0, 2).flatten(1), normal(2, 2, 2)),
    Example("view", lambda t, x: x.view(6), normal(2, 3)),
    Example("t", lambda t, x: x.t(), normal(2, 3)),
    Example("T_property", lambda t, x: x.T, normal(2, 3)),
    Example("transpose_negative", lambda t, x: x.transpose(-1, 0), normal(2, 3, 2)),
    Example("permute", lambda t, x: x.permute(2, 0, 1), normal(2, 3, 2)),
    Example("unsqueeze", lambda t, x: x.unsqueeze(-1), normal(2, 3)),
    Example("squeeze_all", lambda t, x: x.squeeze(), normal(1, 3, 1)),
    Example("squeeze_dim", lambda t, x: x.squeeze(0), normal(1, 3, 1)),
    Example("squeeze_tuple", lambda t, x: x.squeeze((0, 2)), normal(1, 3, 1)),
    Example("flatten", lambda t, x: x.flatten(1), normal(2, 2, 2)),
    Example("expand", lambda t, x: x.expand(2, -1, 3), normal(2, 1)),
    Example("cat", lambda t, x, y: t.cat([x, y]), normal(1, 3), normal(2, 3)),
    Example("cat_last_dim", lambda t, x, y, z: t.cat((x, y, z), dim=-1), normal(2, 1),
            normal(2, 2), normal(2, 1)),
    Example("stack", lambda t, x, y: t.stack([x, y], dim=1), normal(2, 3), normal(2, 3)),
    Example("chunk", lambda t, x: x.chunk(2), normal(3, 2)),
    Example("split_size", lambda t, x: t.split(x, 2, dim=1), normal(2, 5)),
    Example("split_sizes", lambda t, x: x.split([1, 3]), normal(4, 2)),
    Example("split_piece_unused", lambda t, x: x.split(1)[1] * 2, normal(3, 2)),
    Example("unbind", lambda t, x: x.unbind(1), normal(2, 3)),
    Example("expand_as", lambda t, x, y: x.expand_as(y) * y, normal(3, 1), normal(2, 3, 4)),
    Example("tril_triu", lambda t, x: x.tril() + t.triu(x, 1) * 2, normal(3, 4)),
    Example("tril_batch_diagonal", lambda t, x: t.tril(x, diagonal=-1), normal(2, 3, 3)),
    Example("meshgrid_ij", lambda t, x, y: t.meshgrid(x, y, indexing="ij"), normal(3), normal(2)),
    Example("meshgrid_xy", lambda t, x, y, z: t.meshgrid([x, y, z], indexing="xy"), normal(3),
            normal(2), normal()),
    Example("view_as_reshape_as", lambda t, x, y: x.view_as(y) + x.t().reshape_as(y),
            normal(2, 3), normal(3, 2)),
    # -- indexing -------------------------------------------------------------------------------
    Example("embedding", lambda t, w: t.nn.functional.embedding(
        t.tensor([[0, 2], [2, 4]]), w), normal(5, 3)),
    Example("embedding_repeated", lambda t, w: t.nn.functional.embedding(
        t.tensor([1, 1, 0, 1]), w) * w.sum(), normal(4, 2)),
    # the padding row gets no gradient although the output uses it: PyTorch's rule, not a
    # derivative, so only PyTorch can check it
    Example("embedding_padding", lambda t, w: t.nn.functional.embedding(
        t.tensor([1, 3, 0, 3]), w, padding_idx=-1), normal(4, 2), smooth=False),
    Example("index_int", lambda t, x: x[1], normal(3, 2)),
    Example("index_negative_int", lambda t, x: x[-1, -2], normal(3, 2)),
    Example("index_slice_step", lambda t, x: x[::2, 1:], normal(5, 3)),
    Example("index_whole_slice", lambda t, x: x[:], normal(3)),
    Example("index_ellipsis", lambda t, x: x[..., 0], normal(2, 2, 3)),
    Example("index_ellipsis_alone", lambda t, x: x[...], normal(2, 3)),
    Example("index_none", lambda t, x: x[None, 1:, None], normal(3, 2)),
    Example("index_int_then_slice", lambda t, x: x[0, 1:], normal(2, 3)),
    Example("index_list_repeated", lambda t, x: x[[0, 0, 2]], normal(3, 2)),
    Example("index_tensor_repeated", lambda t, x: x[t.tensor([1, 1, 0, 1])], normal(3)),
    Example("index_tensor_2d", lambda t, x: x[t.tensor([[0, 2], [2, 2]])], normal(3, 2)),
    Example("index_zero_dim_tensor", lambda t, x: x[t.tensor(1)], normal(3, 2)),
    Example("index_bool_mask", lambda t, x: x[x > 0], normal(3, 4)),
    Example("index_row_mask", lambda t, x: x[t.tensor([True, False, True])], normal(3, 2)),
    Example("index_pairs", lambda t, x: x[[0, 1, 0], [1, 1, 1]], normal(2, 3)),
    Example("index_slice_and_list", lambda t, x: x[1:, [0, 0]], normal(3, 2)),
    Example("setitem_slice_non_leaf", _setitem_basic, normal(2, 3), normal(2)),
    Example("setitem_mask_non_leaf", _setitem_mask, normal(3, 2)),
    Example("setitem_list_non_leaf", _setitem_list, normal(3, 2), normal(2)),
    # -- copies ---------------------------------------------------------------------------------
    Example("clone", lambda t, x: x.clone(), normal(3)),
    Example("copy_", _copy, normal(2, 3), normal(3)),
    Example("zero_row_of_non_leaf", _zero_a_row, normal(2, 3)),
    Example("fill_non_leaf_with_tensor", _fill_with_a_tensor, normal(2, 3), normal(2)),
    # -- in place through views -----------------------------------------------------------------
    Example("mul_through_view", _mul_through_view, normal(3, 2), normal(2, 2)),
    Example("add_through_view_then_use_it", _add_through_view_then_use_it, normal(2, 3),
            normal(3)),
    Example("accumulate_into_rows_of_buffer", _accumulate_into_rows_of_a_buffer, normal(2, 2)),
    Example("to_float32", lambda t, x: x.float(), normal(3), smooth=False, same_dtype=False),
    # -- softmax and losses ---------------------------------------------------------------------
    Example("softmax", lambda t, x: x.softmax(1), normal(2, 3)),
    Example("softmax_dim0", lambda t, x: t.softmax(x, 0), normal(2, 3)),
    Example("log_softmax", lambda t, x: t.log_softmax(x, -1), normal(2, 3)),
    Example("log_softmax_large", lambda t, x: (x * 1000).log_softmax(0), normal(3)),
    Example("cross_entropy", lambda t, x: F(t).cross_entropy(
        x, t.tensor([0, 2, 1])), normal(3, 3)),
    Example("cross_entropy_sum_weight", lambda t, x: F(t).cross_entropy(
        x, t.tensor([0, 2]), weight=t.tensor([1.0, 2.0, 0.5], dtype=x.dtype), reduction="sum"),
        normal(2, 3)),
    Example("cross_entropy_none_ignore", lambda t, x: F(t).cross_entropy(
        x, t.tensor([1, -100, 0]), reduction="none"), normal(3, 2)),
    Example("cross_entropy_mean_ignore", lambda t, x: F(t).cross_entropy(
        x, t.tensor([1, 4, 0]), ignore_index=4), normal(3, 2)),
    Example("cross_entropy_1d", lambda t, x: F(t).cross_entropy(
        x, t.tensor(2)), normal(3)),
    Example("cross_entropy_k_dim", lambda t, x: F(t).cross_entropy(
        x, t.tensor([[0, 1], [2, 2]])), normal(2, 3, 2)),
    Example("cross_entropy_probabilities", lambda t, x, p: F(t).cross_entropy(
        x, p.softmax(1)), normal(2, 3), normal(2, 3),
        name_differs="PyTorch divides by the batch size with an internal DivBackward1; "
                     "here it is the public division, DivBackward0"),
    Example("nll_loss", lambda t, x: F(t).nll_loss(x, t.tensor([1, 0])),
            normal(2, 3)),
    Example("nll_loss_weight_mean", lambda t, x: F(t).nll_loss(
        x, t.tensor([1, 0, 1]), weight=t.tensor([1.0, 3.0], dtype=x.dtype)), normal(3, 2)),
    Example("bce_with_logits", lambda t, x, y: t.nn.functional.binary_cross_entropy_with_logits(
        x, y.sigmoid()), normal(2, 3), normal(2, 3)),
    Example("bce_with_logits_weights_sum", lambda t, x, y:
            t.nn.functional.binary_cross_entropy_with_logits(
                x, y.sigmoid(), weight=t.tensor([0.5, 2.0, 1.0], dtype=x.dtype),
                reduction="sum", pos_weight=t.tensor([3.0, 0.5, 1.0], dtype=x.dtype)),
            normal(2, 3), normal(2, 3)),
    Example("bce_with_logits_none", lambda t, x, y:
            t.nn.functional.binary_cross_entropy_with_logits(x, y, reduction="none"),
            normal(4), values([0.0, 1.0, 1.0, 0.0])),
    Example("binary_cross_entropy", lambda t, p, y: t.nn.functional.binary_cross_entropy(
        p.sigmoid(), y.sigmoid()), normal(2, 3), normal(2, 3)),
    Example("binary_cross_entropy_weight_none", lambda t, p, y:
            t.nn.functional.binary_cross_entropy(
                p.sigmoid(), y, weight=t.tensor([0.5, 2.0, 1.0], dtype=p.dtype),
                reduction="none"), normal(3), values([1.0, 0.0, 1.0])),
    Example("mse_loss", lambda t, x, y: F(t).mse_loss(x, y), normal(2, 3),
            normal(2, 3)),
    Example("mse_loss_sum", lambda t, x, y: F(t).mse_loss(x, y, reduction="sum"),
            normal(3), normal(3)),
    Example("mse_loss_none", lambda t, x, y: F(t).mse_loss(x, y, reduction="none"),
            normal(3), normal(3)),
    # -- at the kinks: PyTorch's subgradient choices ----------------------------------------------
    Example("relu_at_zero", lambda t, x: x.relu(), values([-1.0, 0.0, 2.0]), smooth=False),
    Example("abs_at_zero", lambda t, x: x.abs(), values([-1.0, 0.0, 2.0]), smooth=False),
    Example("clamp_at_bounds", lambda t, x: x.clamp(-1, 1), values([-1.0, 0.0, 1.0, 2.0]),
            smooth=False),
    Example("clamp_min_at_bound", lambda t, x: x.clamp(min=0), values([0.0, 1.0]),
            smooth=False),
    Example("maximum_ties_share", lambda t, x, y: t.maximum(x, y), values([1.0, 2.0, 3.0]),
            values([1.0, 5.0, 3.0]), smooth=False),
    Example("minimum_ties_share", lambda t, x, y: t.minimum(x, y), values([1.0, 2.0]),
            values([1.0, 5.0]), smooth=False),
    Example("sqrt_at_zero", lambda t, x: x.sqrt(), values([0.0, 4.0]), smooth=False),
    Example("pow_tensor_at_zero", lambda t, x, y: x ** y, values([0.0, 0.0, 2.0]),
            values([2.0, 0.5, 1.0]), smooth=False),
    Example("pow_zero_at_zero", lambda t, x: x ** 0, values([0.0, 1.0]), smooth=False),
    Example("where_inf_on_unused_side", lambda t, x: t.where(x > 0, x, 1 / x),
            values([0.0, 2.0]), smooth=False,
            second_order_differs="1/x at x = 0 has no second derivative: PyTorch gives inf, "
                                 "this gives NaN"),
]
