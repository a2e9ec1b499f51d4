"""Remember what the engine reported, so a drawing can show which nodes received a gradient.

Importing `autograd_lab.viz` subscribes one `Recorder` to the engine's events. It keeps only weak
references, so it never keeps a graph alive. It records two things the graph itself does not say:

- which nodes have received a gradient in some backward pass (`received`), and
- which nodes were created *while* a backward pass was running, which only happens with
  `create_graph=True` (`second_order`): the graph of the gradient itself.

Everything else a drawing shows (`.grad`, freed buffers, fan-in) is read from the graph.
"""

import sys
import weakref

from autograd_lab.autograd import engine, events

_BACKWARD_CODE = engine.run_backward.__code__


class Recorder:
    """Listens to the engine's events and keeps weak sets of nodes by what happened to them."""

    def __init__(self):
        self.received = weakref.WeakSet()
        self.second_order = weakref.WeakSet()
        self._backward_depth = 0
        self._unsubscribe = None

    def start(self):
        """Begin listening (does nothing when already listening)."""
        if self._unsubscribe is None:
            self._unsubscribe = events.subscribe(self)

    def stop(self):
        """Stop listening; the engine pays nothing for events once no one listens."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def __call__(self, kind, details):
        if kind == "node_started":
            self.received.add(details["node"])
        elif kind == "grad_accumulated":
            self.received.add(details["node"])
        elif kind == "node_created":
            if self._backward_depth:
                if _inside_backward():
                    self.second_order.add(details["node"])
                else:  # a backward that raised never said it finished
                    self._backward_depth = 0
        elif kind == "backward_started":
            self._backward_depth += 1
        elif kind == "backward_finished":
            self._backward_depth = max(0, self._backward_depth - 1)


def _inside_backward():
    """True when the engine's backward pass is on the call stack."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code is _BACKWARD_CODE:
            return True
        frame = frame.f_back
    return False


recorder = Recorder()
