"""Anomaly detection: find the operation whose backward produced the first NaN.

With `set_detect_anomaly(True)` (or inside `with detect_anomaly():`) every node remembers
where in your code its forward ran, and backward checks each gradient it computes. The first
NaN raises an error naming the node and showing that forward line. It costs time, so it is
off by default.
"""

import os
import traceback

enabled = False
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def set_detect_anomaly(mode):
    """Turn anomaly detection on or off for the whole program."""
    global enabled
    enabled = bool(mode)


class detect_anomaly:
    """Anomaly detection inside a `with` block."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    def __enter__(self):
        self._previous = enabled
        set_detect_anomaly(self.check_nan)

    def __exit__(self, *exc_info):
        set_detect_anomaly(self._previous)
        return False


def record_forward(node):
    """Remember the user's code that created `node` (called as it is recorded, when enabled)."""
    stack = [frame for frame in traceback.extract_stack()
             if not frame.filename.startswith(_PACKAGE)]  # the learner's frames, not ours
    node.forward_trace = "".join(traceback.format_list(stack[-4:]))


def check_gradients(node, grad_inputs):
    """Raise if a gradient that `node` computed contains NaN (called by the engine when enabled)."""
    for index, grad in enumerate(grad_inputs):
        values = getattr(grad, "_data", grad)  # an array, or a Tensor under create_graph
        if grad is not None and bool((values != values).any()):  # NaN is not equal to itself
            where = getattr(node, "forward_trace", None)
            raise RuntimeError(
                f"Function '{node.name()}' returned nan values in its {index}th output."
                + (f"\nIts forward call was made here:\n{where}" if where else "")
            )
