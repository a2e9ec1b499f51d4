"""A tiny publish/subscribe channel: the engine says what happens, viewers listen.

The engine never imports a viewer. It calls `emit(kind, **details)` only when someone is
listening (`if listeners:`), so nothing is paid when no one is.

Kinds emitted: "node_created" (node, outputs), "backward_started" (roots), "node_started"
(node, grad_outputs), "node_finished" (node, grad_inputs), "grad_accumulated" (tensor, grad),
"buffers_freed" (node), "backward_finished" (roots).
"""

listeners = []


def subscribe(listener):
    """Call `listener(kind, details_dict)` for every event; returns a function that unsubscribes."""
    listeners.append(listener)

    def unsubscribe():
        if listener in listeners:
            listeners.remove(listener)

    return unsubscribe


def emit(kind, **details):
    """Tell every listener that `kind` happened."""
    for listener in list(listeners):
        listener(kind, details)
