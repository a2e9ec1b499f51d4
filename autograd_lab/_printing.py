"""Turn an array into the exact text PyTorch prints for a tensor, under adjustable print options.

How PyTorch lays a tensor out, in the order this module does it:

1. **Pick one style for every element.** A float tensor looks at its finite, non-zero values:

   * if they are all whole numbers, they print without decimals but with a dot (``3.``);
   * otherwise they print with ``precision`` decimals (``4.5000``);
   * scientific notation (``1.0000e+05``) takes over when the largest magnitude is more than
     1000 times the smallest, above ``1e8``, or below ``1e-4`` (``sci_mode`` forces it on or off).

   Every element is then right-justified to the width of the widest of those values, which is
   why a negative number pushes its positive neighbours one column to the right. Zeros, ``nan``
   and ``inf`` take part in the layout but not in the choice of style or width. Integer and
   boolean tensors print their values as Python does, right-justified to the longest one
   (so next to a ``False``, ``True`` gets a leading space).

2. **Summarize big tensors.** Above ``threshold`` elements, only ``edgeitems`` entries at each
   end of every dimension are shown, with ``...`` in between; the style of step 1 is chosen from
   the shown entries only.

3. **Nest the brackets.** A line of a row holds as many elements as fit in ``linewidth``, each
   counted as its width plus two for the ``, `` after it; continuation lines, and the rows of a
   matrix, are indented to sit under the first element.
   Slices of a 3-D tensor are separated by one blank line, of a 4-D tensor by two, and so on.

4. **Add the suffixes** that the values alone do not reveal, in this order:

   * ``device=``, when given;
   * ``size=``, for empty tensors that are not 1-D (and for all tensors when ``edgeitems`` is 0);
   * ``dtype=``, unless it is the default float type, ``int64`` or ``bool``, which the values
     make plain; an empty tensor has no values, so there only float32 goes unsaid;
   * ``grad_fn=<...>``, or else ``requires_grad=True``.

   A suffix that would push the last line past ``linewidth`` starts a new line instead.

>>> import numpy as np
>>> print(tensor_repr(np.full((2, 2), 3.0, dtype=np.float32),
...                   dtype_label="autograd_lab.float32", grad_fn_name="AddBackward0"))
tensor([[3., 3.],
        [3., 3.]], grad_fn=<AddBackward0>)
"""

import dataclasses
import math

import numpy as np

__all__ = ["get_printoptions", "set_printoptions", "tensor_repr"]

_PREFIX = "tensor("


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


_OPTIONS = _PrintOptions()

_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}

# Dtypes whose values already say what they are, so a non-empty tensor does not print them.
_IMPLIED_DTYPES = (np.dtype(np.float32), np.dtype(np.int64), np.dtype(np.bool_))


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Change how tensors print, like ``torch.set_printoptions``.

    Args:
        precision: digits after the decimal point for floats (default 4).
        threshold: tensors with more elements than this are summarized (default 1000).
        edgeitems: entries kept at each end of a dimension when summarizing (default 3).
        linewidth: characters per line before a row wraps (default 80).
        profile: ``"default"``, ``"short"`` (precision 2, edgeitems 2) or ``"full"`` (never
            summarize); applied first, so the other arguments can adjust it.
        sci_mode: ``True`` or ``False`` forces scientific notation on or off; ``None`` lets the
            values decide. As in PyTorch, every call sets it, so leaving it out turns it back
            to ``None``.

    >>> import numpy as np
    >>> set_printoptions(precision=2)
    >>> tensor_repr(np.array([1.12345], dtype=np.float32), dtype_label="autograd_lab.float32")
    'tensor([1.12])'
    >>> set_printoptions(profile="default")
    """
    if profile in _PROFILES:
        for name, value in _PROFILES[profile].items():
            setattr(_OPTIONS, name, value)
    if precision is not None:
        _OPTIONS.precision = precision
    if threshold is not None:
        _OPTIONS.threshold = threshold
    if edgeitems is not None:
        _OPTIONS.edgeitems = edgeitems
    if linewidth is not None:
        _OPTIONS.linewidth = linewidth
    _OPTIONS.sci_mode = sci_mode


def get_printoptions():
    """Return the current print options as a dict that ``set_printoptions(**d)`` accepts."""
    return dataclasses.asdict(_OPTIONS)


class _ElementFormatter:
    """One style and one width for every element of a tensor (step 1 of the module docstring)."""

    def __init__(self, shown):
        self.is_float = shown.dtype.kind == "f"
        self.sci_mode = False
        self.int_mode = True
        self.width = 1
        if not self.is_float:
            for value in shown.ravel().tolist():
                self.width = max(self.width, len(str(value)))
            return

        values = shown.astype(np.float64).ravel()
        values = values[np.isfinite(values) & (values != 0)]
        if values.size == 0:
            return  # only zeros, nan and inf: nothing to choose a style from
        magnitudes = np.abs(values)
        smallest, largest = float(magnitudes.min()), float(magnitudes.max())
        self.int_mode = bool(np.all(values == np.ceil(values)))
        if _OPTIONS.sci_mode is None:
            self.sci_mode = (largest / smallest > 1000.0 or largest > 1.0e8
                             or smallest < 1.0e-4)
        else:
            self.sci_mode = _OPTIONS.sci_mode

        for value in values.tolist():
            if self.sci_mode:
                text = f"{value:.{_OPTIONS.precision}e}"
            elif self.int_mode:
                text = f"{value:.0f}."
            else:
                text = f"{value:.{_OPTIONS.precision}f}"
            self.width = max(self.width, len(text))

    def format(self, value):
        """Return ``value`` in the chosen style, right-justified to the common width."""
        if not self.is_float:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:.{_OPTIONS.precision}e}"
        elif self.int_mode:
            # The dot marks a whole number as a float; nan and inf need no such mark.
            text = f"{value:.0f}" + ("" if math.isinf(value) or math.isnan(value) else ".")
        else:
            text = f"{value:.{_OPTIONS.precision}f}"
        return text.rjust(self.width)


def _kept_indices(size):
    """Indices shown along a dimension of ``size`` entries when the tensor is summarized."""
    edge = _OPTIONS.edgeitems
    if size <= 2 * edge:
        return list(range(size))
    return list(range(edge)) + list(range(size - edge, size))


def _shown_values(array):
    """The entries a summarized tensor displays; the element style is chosen from these alone."""
    if array.ndim == 0:
        return array
    if _OPTIONS.edgeitems == 0:
        return array[:0]  # the tensor prints as a bare "[...]": no values, no style to pick
    return array[np.ix_(*(_kept_indices(size) for size in array.shape))]


def _row_text(row, indent, summarize, formatter):
    """Format a 1-D array as ``[a, b, c]``, wrapping so each line fits in ``linewidth``."""
    edge = _OPTIONS.edgeitems
    if summarize and edge == 0:
        items = ["..."]
    elif summarize and len(row) > 2 * edge:
        items = ([formatter.format(v) for v in row[:edge].tolist()] + [" ..."]
                 + [formatter.format(v) for v in row[-edge:].tolist()])
    else:
        items = [formatter.format(v) for v in row.tolist()]

    # Each element takes its width plus ", "; the "..." marker counts as one element.
    per_line = max(1, math.floor((_OPTIONS.linewidth - indent) / (formatter.width + 2)))
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_text(array, indent, summarize, formatter):
    """Format an array of any rank; ``indent`` is the column of its opening bracket.

    Recursion goes over the array's dimensions (at most a few levels), not over a graph.
    """
    if array.ndim == 0:
        return formatter.format(array.item())
    if array.ndim == 1:
        return _row_text(array, indent, summarize, formatter)

    edge = _OPTIONS.edgeitems
    count = array.shape[0]
    if summarize and count > 2 * edge:
        head = [_nested_text(array[i], indent + 1, summarize, formatter) for i in range(edge)]
        tail = [_nested_text(array[i], indent + 1, summarize, formatter)
                for i in range(count - edge, count)]
        slices = head + ["..."] + tail
    else:
        slices = [_nested_text(sub, indent + 1, summarize, formatter) for sub in array]
    # A k-D tensor leaves k - 2 blank lines between its slices.
    separator = "," + "\n" * (array.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(slices) + "]"


def _add_suffixes(text, suffixes, indent):
    """Append ``, suffix`` pieces and the closing parenthesis, wrapping as PyTorch does.

    PyTorch's measure of the last line counts two characters more than the line holds (room
    for the ``, `` before a suffix); a suffix that would make it pass ``linewidth`` goes on a
    new line, indented to sit under the first element.
    """
    pieces = [text]
    last_line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line + len(suffix) + 2 > _OPTIONS.linewidth:
            pieces.append(",\n" + " " * indent + suffix)
            last_line = indent + len(suffix)
        else:
            pieces.append(", " + suffix)
            last_line += len(suffix) + 2
    return "".join(pieces) + ")"


def tensor_repr(array, *, dtype_label: str, device_label: str | None = None,
                grad_fn_name: str | None = None, requires_grad: bool = False) -> str:
    """Return the text ``repr()`` of a PyTorch tensor holding ``array`` would show.

    Args:
        array: a numpy array (bool, signed or unsigned integers, float16/32/64).
        dtype_label: the dtype's printed name, e.g. ``"autograd_lab.float64"``; shown only
            where PyTorch shows the dtype.
        device_label: e.g. ``"cuda:0"``; printed as ``device='cuda:0'`` unless ``None``.
        grad_fn_name: the class name of the node that made the tensor, e.g. ``"MulBackward0"``.
        requires_grad: printed as ``requires_grad=True`` when there is no ``grad_fn``.

    >>> import numpy as np
    >>> tensor_repr(np.array(27.0, dtype=np.float32), dtype_label="autograd_lab.float32",
    ...             grad_fn_name="MeanBackward0")
    'tensor(27., grad_fn=<MeanBackward0>)'
    >>> tensor_repr(np.array([1, 2], dtype=np.int64), dtype_label="autograd_lab.int64")
    'tensor([1, 2])'
    >>> tensor_repr(np.array([1, 2], dtype=np.int32), dtype_label="autograd_lab.int32")
    'tensor([1, 2], dtype=autograd_lab.int32)'
    >>> tensor_repr(np.zeros((0, 3)), dtype_label="autograd_lab.float64")
    'tensor([], size=(0, 3), dtype=autograd_lab.float64)'
    """
    array = np.asarray(array)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"cannot print an array of dtype {array.dtype}")
    indent = len(_PREFIX)
    suffixes = []
    if device_label is not None:
        suffixes.append(f"device='{device_label}'")

    if array.size == 0:
        # No values to read the dtype from, so only the default float type goes unsaid.
        if array.ndim != 1:
            suffixes.append(f"size={tuple(array.shape)}")
        if array.dtype != np.float32:
            suffixes.append(f"dtype={dtype_label}")
        body = "[]"
    else:
        if _OPTIONS.edgeitems == 0:
            suffixes.append(f"size={tuple(array.shape)}")
        if array.dtype not in _IMPLIED_DTYPES:
            suffixes.append(f"dtype={dtype_label}")
        summarize = array.size > _OPTIONS.threshold
        formatter = _ElementFormatter(_shown_values(array) if summarize else array)
        body = _nested_text(array, indent, summarize, formatter)

    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(_PREFIX + body, suffixes, indent)
