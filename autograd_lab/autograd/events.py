"""A tiny publish/subscribe channel: the engine says what happens, viewers listen.

The engine never imports a viewer. It calls `emit(kind, **details)` only when someone is
listening (`if listeners:`), so nothing is paid when no one is.

Kinds emitted: "node_created" (node, outputs, during_backward: True for a node recorded by a
`create_graph=True` backward pass, the graph of a gradient), "backward_started" (roots,
create_graph), "node_started"
(node, grad_outputs), "node_finished" (node, grad_inputs), "grad_accumulated" (tensor, grad),
"buffers_freed" (node), "backward_finished" (roots).
"""

listeners = []
backward_passes_running = 0  # create_graph passes under way while someone listens (see engine)


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
