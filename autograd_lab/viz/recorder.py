"""Remember what the engine reported, so a drawing can show what the graph itself does not say.

A `Recorder` listens to the engine's events from the moment it is made, and remembers two
things the graph does not record:

- which nodes received a gradient in a backward pass (`received`), also the nodes that saved
  nothing, so that backward freed nothing there;
- which nodes a `create_graph=True` backward pass made (`second_order`): the graph of the
  gradient itself (the engine says so in its "node_created" event: `during_backward`).

Drawings consult every recorder alive (`alive()`). Nothing listens unless you hold a recorder
(or a live view, which holds one): importing `autograd_lab.viz` subscribes nothing, and the
engine pays for events only while someone listens.

>>> import autograd_lab as alt
>>> from autograd_lab import viz
>>> x = alt.tensor(2.0, requires_grad=True)
>>> y = x ** 3
>>> with viz.Recorder() as recorder:      # listens inside the block, remembers afterwards
...     y.backward(create_graph=True)
>>> y.grad_fn in recorder.received, x.grad.grad_fn in recorder.second_order
(True, True)

The recorder keeps only weak references, so it never keeps a graph alive. It listens until
`stop()` (or the end of the `with` block) and is forgotten when you drop it.
"""

import weakref

from autograd_lab.autograd import events

_recorders = weakref.WeakSet()  # every Recorder alive, listening or not


class Recorder:
    """Listens to the engine's events and keeps weak sets of nodes by what happened to them."""

    def __init__(self):
        self.received = weakref.WeakSet()
        self.second_order = weakref.WeakSet()
        self._unsubscribe = events.subscribe(self)  # held weakly: dropping self unsubscribes
        _recorders.add(self)

    @property
    def listening(self):
        return self._unsubscribe is not None

    def stop(self):
        """Stop listening; what was recorded stays (drawings use it while you hold this)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        self.stop()

    def __call__(self, kind, details):
        """What the engine calls for each event (a listener: see `autograd_lab.autograd.events`)."""
        if kind in ("node_started", "grad_accumulated"):
            self.received.add(details["node"])
        elif kind == "node_created" and details["during_backward"]:
            self.second_order.add(details["node"])

    def __repr__(self):
        state = "listening" if self.listening else "stopped"
        return (f"Recorder({state}, {len(self.received)} nodes received a gradient, "
                f"{len(self.second_order)} made by create_graph)")


def alive():
    """The recorders that exist now (a drawing reads what each of them saw)."""
    return list(_recorders)


def received(node):
    """True when a recorder alive saw `node` receive a gradient."""
    return any(node in recorder.received for recorder in alive())


def second_order(node):
    """True when a recorder alive saw a `create_graph=True` backward pass make `node`."""
    return any(node in recorder.second_order for recorder in alive())
