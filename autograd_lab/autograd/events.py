"""A tiny publish/subscribe channel: the engine says what happens, viewers listen.

The engine never imports a viewer. It calls `emit(kind, **details)` only when someone is
listening (`if listeners:`), so nothing is paid when no one is: `listeners` is empty, and an
operation costs what it would cost without any viewer installed.

`subscribe` holds a listener weakly, so subscribing never keeps a viewer alive: when the
viewer (a live view, a recorder) is garbage-collected, its listener leaves `listeners` by
itself, and the engine stops paying for events. Keep a reference to whatever you subscribe
(a plain function or lambda that nothing else holds is collected at once).

Kinds emitted: "node_created" (node, outputs, during_backward: True for a node recorded by a
`create_graph=True` backward pass, the graph of a gradient), "backward_started" (roots,
create_graph), "node_started" (node, grad_outputs), "node_finished" (node, grad_inputs),
"grad_accumulated" (node, tensor, grad), "buffers_freed" (node), "backward_finished" (roots).
"""

import types
import weakref

listeners = []  # weak references to the listeners alive: empty (falsy) when no one listens
backward_passes_running = 0  # create_graph passes under way while someone listens (see engine)


def subscribe(listener):
    """Call `listener(kind, details_dict)` for every event while `listener` is alive.

    A bound method (`self.on_event`) lives as long as its object. Returns a function that
    unsubscribes before that.
    """
    if isinstance(listener, types.MethodType):
        reference = weakref.WeakMethod(listener, _forget)
    else:
        reference = weakref.ref(listener, _forget)
    listeners.append(reference)
    return lambda: _forget(reference)


def _forget(reference):
    """Drop `reference` from `listeners` (called when its listener is collected, or to
    unsubscribe; doing it twice is harmless)."""
    for index, held in enumerate(listeners):
        if held is reference:
            del listeners[index]
            return


def emit(kind, **details):
    """Tell every listener that `kind` happened."""
    for reference in list(listeners):
        listener = reference()
        if listener is not None:
            listener(kind, details)
