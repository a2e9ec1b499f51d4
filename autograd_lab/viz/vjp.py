"""Show what `backward(gradient=v)` computes: the vector-Jacobian product vᵀJ, next to J and v.

For a function `y = func(x)` with many outputs, backward never builds the Jacobian `J` (entry
`J[i, j] = ∂y_i/∂x_j`): it multiplies the vector `v` you pass as `gradient` by `J` from the
left, one node at a time. The explorer builds `J` anyway (one backward per output, which is
what makes it slow for big tensors) so you can check that `x.grad` is exactly `vᵀJ`. In a
notebook it has one box per entry of `v`: change one, and backward runs again with the new `v`.

>>> import autograd_lab as alt
>>> from autograd_lab import viz
>>> explorer = viz.vjp_explorer(lambda x: x * x, alt.tensor([1.0, 2.0, 3.0]),
...                             alt.tensor([1.0, 0.1, 0.01]))
>>> explorer.jacobian.tolist()
[[2.0, 0.0, 0.0], [0.0, 4.0, 0.0], [0.0, 0.0, 6.0]]
>>> [round(value, 4) for value in explorer.vjp.tolist()]
[2.0, 0.4, 0.06]
>>> [round(value, 4) for value in explorer.set_v([0.0, 1.0, 0.0]).vjp.tolist()]
[0.0, 4.0, 0.0]
"""

import html

import ipywidgets as widgets
import numpy as np

from autograd_lab.autograd import grad as autograd_grad
from autograd_lab.creation import from_numpy
from autograd_lab.tensor import Tensor
from autograd_lab.viz.draw import as_array

LIMIT = 64  # elements of x or y beyond which the Jacobian is too big to show
CONTROLS = 8  # at most this many entries of v get a box of their own


class VJPExplorer:
    """`jacobian` (m×n), `v` (m), `vjp` (n, from `backward(gradient=v)`) as numpy arrays.

    `set_v(values)` runs backward again with a new `v`; the boxes of the widget call it.
    """

    def __init__(self, func, x, jacobian, v, y_shape):
        self.func = func
        self.x = x
        self.jacobian = jacobian
        self.y_shape = y_shape
        self.x_shape = tuple(x.shape)
        self.v = v
        self.vjp = self._backward(v)
        self._widget = None

    def _backward(self, v):
        """`x.grad` after `func(x).backward(gradient=v)`, on a fresh copy of `x`."""
        x = self.x.detach().clone().requires_grad_(True)
        self.func(x).backward(gradient=from_numpy(v.reshape(self.y_shape)))
        return as_array(x.grad).reshape(-1).copy()

    def set_v(self, values):
        """Use `values` as `v`, run backward again, and update the widget; returns self."""
        v = np.asarray(values, dtype=self.v.dtype).reshape(-1)
        if v.shape != self.v.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[0] has a shape of "
                               f"{list(v.shape)} and output[0] has a shape of "
                               f"{list(self.y_shape)}.")
        self.v = v
        self.vjp = self._backward(v)
        if self._widget is not None:
            self._tables.value = self._repr_html_()
        return self

    @property
    def matches(self):
        """True when backward's result equals `v @ J` (up to float rounding)."""
        return bool(np.allclose(self.v @ self.jacobian, self.vjp, rtol=1e-5, atol=1e-6))

    @property
    def widget(self):
        """A box per entry of `v` (the first few) above the three tables."""
        if self._widget is None:
            self._boxes = [widgets.FloatText(value=float(value), description=f"v[{i}]",
                                             layout=widgets.Layout(width="160px"))
                           for i, value in enumerate(self.v[:CONTROLS])]
            for box in self._boxes:
                box.observe(self._on_box, names="value")
            self._tables = widgets.HTML(self._repr_html_())
            self._widget = widgets.VBox([widgets.HBox(self._boxes), self._tables])
            self._widget.add_class("autograd-lab-vjp-explorer")
        return self._widget

    def _on_box(self, change):
        values = self.v.copy()
        values[:len(self._boxes)] = [box.value for box in self._boxes]
        self.set_v(values)

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude, **kwargs)
        bundle["text/html"] = self._repr_html_()  # what a saved copy of the notebook shows
        bundle["text/plain"] = repr(self)
        return bundle

    def _repr_html_(self):
        table = _matrix_html
        m, n = self.jacobian.shape
        cells = [
            ("v (gradient=)", table(self.v.reshape(m, 1))),
            ("J = ∂y/∂x", table(self.jacobian)),
            ("vᵀJ = x.grad", table(self.vjp.reshape(1, n))),
        ]
        columns = "".join(
            f'<td style="vertical-align:top;padding:0 12px"><b>{html.escape(title)}</b>'
            f"<br>{body}</td>" for title, body in cells)
        check = "equals" if self.matches else "differs from"
        return (f'<table class="autograd-lab-vjp"><tr>{columns}</tr></table>'
                f"<p>x.grad from backward {check} v @ J computed from the Jacobian.</p>")

    def __repr__(self):
        m, n = self.jacobian.shape
        values = np.array2string(self.vjp, precision=4, separator=", ", suppress_small=True)
        return f"VJPExplorer(J: {m}×{n}, vᵀJ = {' '.join(values.split())})"


def vjp_explorer(func, x, v):
    """Compute `J`, `v` and `vᵀJ` for `y = func(x)`; a notebook shows them side by side.

    `x` is copied into a fresh leaf that requires grad; `v` must have the shape of `func(x)`.
    In a notebook, boxes above the tables change `v` and run backward again.
    """
    if not isinstance(x, Tensor):
        raise TypeError(f"vjp_explorer expects x to be a Tensor, got {type(x).__name__}")
    x = x.detach().clone().requires_grad_(True)
    y = func(x)
    if not isinstance(y, Tensor) or y.grad_fn is None:
        raise RuntimeError("func(x) must return a Tensor computed from x")
    if x.numel() > LIMIT or y.numel() > LIMIT:
        raise ValueError(f"vjp_explorer shows Jacobians of at most {LIMIT} rows and columns; "
                         f"got y with {y.numel()} and x with {x.numel()} elements")
    if not isinstance(v, Tensor):
        v = from_numpy(np.asarray(v, dtype=as_array(y).dtype))
    if tuple(v.shape) != tuple(y.shape):
        raise RuntimeError(f"Mismatch in shape: grad_output[0] has a shape of {list(v.shape)} "
                           f"and output[0] has a shape of {list(y.shape)}.")
    rows = []
    for i in range(y.numel()):
        one_hot = np.zeros(y.numel(), dtype=as_array(y).dtype)
        one_hot[i] = 1
        seed = from_numpy(one_hot.reshape(tuple(y.shape)))
        (row,) = autograd_grad(y, x, grad_outputs=seed, retain_graph=True, allow_unused=True)
        rows.append(np.zeros(x.numel()) if row is None
                    else as_array(row).reshape(-1))
    return VJPExplorer(func, x, np.array(rows), as_array(v).reshape(-1).copy(),
                       tuple(y.shape))


def _matrix_html(matrix):
    rows = "".join(
        "<tr>" + "".join(f'<td style="text-align:right;padding:1px 6px">{value:.4g}</td>'
                         for value in row) + "</tr>"
        for row in matrix)
    return f'<table style="border-left:1px solid;border-right:1px solid">{rows}</table>'
