"""Turn a computation graph into a Graphviz picture: tensors as records, operations as boxes.

Arrows point the way gradients flow in backward: from the output at the top down to the leaves
at the bottom, along `grad_fn.next_functions`. The computation itself went the other way, up
against the arrows (the leaves were computed with first). One convention everywhere: the backward
stepper writes each gradient on the arrow it travels along.

Colours (`draw(..., legend=True)` draws a legend of the colours and states present):

- light blue:   a leaf that requires grad (an input or a parameter): backward fills its `.grad`
- light green:  an output, one of the tensors given to `draw`
- light yellow: a tensor made by an operation, which you gave a name (`y = x + 2`)
- orange:       a tensor saved for backward (`show_saved=True`)
- light grey:   a backward function, one per operation (`AddBackward0`, `MulBackward0`, ...)
- plum:         a node made by `backward(create_graph=True)`: the graph of the gradient itself
                (as seen by a recorder, below)
- gold:         the node the backward stepper is processing now

State:

- a thick green border: the node has received its gradient (as far as the drawing knows, below);
- "sum of N gradients": a fan-in, where backward adds up the gradients of N uses of one value;
- a dashed border and "buffers freed": a backward without `retain_graph=True` has released
  what this node saved, so a second backward through it fails (the border stays green: the node
  did receive its gradient).

What a drawing knows about a backward pass. The graph itself says which leaves have a `.grad`
and which nodes backward freed (`node.released`): those nodes ran, so they are drawn as having
received their gradient. Which of the other nodes received one, and which nodes a
`create_graph=True` pass made (plum), only a witness can say: a `viz.Recorder` (or a live view,
which holds one) that listened while backward ran and is still held when you draw. Without one,
a node that saved nothing shows no green border after backward, and the graph of a gradient is
drawn grey like any other.

Everything is read through public attributes: `grad_fn`, `next_functions`, `name()`,
`AccumulateGrad.variable`, `node.saved`, `node.released`, `tensor.output_nr`, `.grad`.
"""

import numpy as np
from graphviz import nohtml

from autograd_lab.autograd import AccumulateGrad
from autograd_lab.tensor import Tensor
from autograd_lab.viz import names as names_module
from autograd_lab.viz import recorder as recorders
from autograd_lab.viz.graph import Group, collect, fold
from autograd_lab.viz.render import GraphPicture

COLORS = {
    "leaf": "lightblue",
    "output": "darkolivegreen1",
    "intermediate": "lightyellow",
    "saved": "orange",
    "function": "lightgrey",
    "second_order": "plum",
    "current": "gold",
    "group": "white",
}
RECEIVED_BORDER = "forestgreen"
FREED_BORDER = "grey50"
GRADIENT_COLOR = "red3"
SMALL = 6  # tensors with at most this many elements show their values


def draw(tensor_or_tensors, params=None, show_saved=False, names="auto", legend=False,
         max_nodes=200):
    """Draw the graph that produced `tensor_or_tensors`; returns a `graphviz.Digraph`.

    - `params`: names for parameters, e.g. `dict(model.named_parameters())`.
    - `show_saved`: also draw the tensors each operation saved for backward.
    - `names`: `"auto"` takes your variable names (`x`, `y`, `out`) from the notebook (or the
      calling code); a dict `{name: tensor}` gives them explicitly; None draws no names.
    - `legend`: draw the colour legend (see this module's docstring) next to the graph.
    - `max_nodes`: above this many nodes, long runs of identical operations are folded into one
      box and the nodes farthest from the outputs into a "more nodes" box.

    In a notebook the result displays as a picture (see `autograd_lab.viz.render`).

    >>> import autograd_lab as alt
    >>> from autograd_lab import viz
    >>> x = alt.ones(2, 2, requires_grad=True)
    >>> out = ((x + 2) * (x + 2) * 3).mean()
    >>> picture = viz.draw(out)
    >>> "MeanBackward0" in picture.source
    True
    """
    tensors = as_tensor_list(tensor_or_tensors)
    name_map = names_module.resolve(names, params)
    return build(tensors, name_map, show_saved=show_saved, legend=legend, max_nodes=max_nodes)


def show(tensor_or_tensors, **draw_kwargs):
    """Display the graph of `tensor_or_tensors` now (a notice instead when Graphviz is missing).

    Takes the same keywords as `draw`. Outside a notebook it prints the notice or the summary.
    """
    bundle = draw(tensor_or_tensors, **draw_kwargs)._repr_mimebundle_()
    if "image/svg+xml" in bundle and names_module.notebook_namespace() is not None:
        from IPython.display import display

        display(bundle, raw=True)
    else:
        print(bundle["text/plain"])


def as_tensor_list(tensor_or_tensors):
    """One tensor or several, as a list; anything else is a clear error."""
    if isinstance(tensor_or_tensors, Tensor):
        return [tensor_or_tensors]
    tensors = list(tensor_or_tensors)
    for tensor in tensors:
        if not isinstance(tensor, Tensor):
            raise TypeError(f"draw() expects a Tensor or a list of Tensors, got "
                            f"{type(tensor).__name__}")
    return tensors


class CurrentState:
    """The graph's state as it is now: what `draw` shows (the stepper shows its own).

    A node received its gradient when a recorder alive saw it, or when the graph shows it:
    a leaf's `.grad` is set, or backward freed the node's saved tensors.
    """

    def received(self, node):
        if isinstance(node, AccumulateGrad):
            return node.variable.grad is not None or recorders.received(node)
        return node.released or recorders.received(node)

    def is_current(self, node):
        return False

    def freed(self, node):
        return not isinstance(node, AccumulateGrad) and node.released

    def leaf_grad(self, tensor):
        return _grad_array(tensor)

    def notes(self, node):
        return []

    def edge_note(self, edge):
        return None


def build(tensors, name_map, show_saved=False, legend=False, max_nodes=200, state=None):
    """The `GraphPicture` for `tensors`, with names from `name_map` (`id -> (name, tensor)`)."""
    return _Builder(tensors, name_map, show_saved, state or CurrentState()).run(
        legend, max_nodes)


class _Builder:
    """Collects the graph and writes one DOT statement per box and arrow."""

    def __init__(self, tensors, name_map, show_saved, state):
        self.tensors = tensors
        self.name_map = name_map
        self.show_saved = show_saved
        self.state = state
        self.dot = GraphPicture(
            name="autograd_graph",
            graph_attr={"rankdir": "TB", "nodesep": "0.25", "ranksep": "0.3"},
            node_attr={"fontname": "Helvetica", "fontsize": "11", "style": "filled",
                       "shape": "box", "height": "0.3"},
            edge_attr={"fontname": "Helvetica", "fontsize": "9", "arrowsize": "0.7"},
        )
        self.records = {}  # id(tensor) -> DOT key of its record
        self.present = set()  # the legend entries this picture needs

    def run(self, legend, max_nodes):
        graph = collect(self.tensors)
        folding = fold(graph, max_nodes)
        self.graph, self.folding = graph, folding
        keys = {}
        for number, unit in enumerate(folding.units()):
            keys[id(unit)] = f"n{number}"
            self._add_unit(unit, keys[id(unit)])
        self.keys = keys
        self.outputs = outputs = self._output_records()
        self._add_edges(outputs)
        for tensor in self.tensors:
            if tensor.grad_fn is None and id(tensor) not in self.records:
                self._add_record(tensor, f"t{len(self.records)}", "output")
        if self.show_saved:
            self._add_saved()
        if legend:
            add_legend(self.dot, self.present)
        self.dot.summary = (f"autograd graph: {len(graph.nodes)} nodes, "
                            f"{len(self.records)} tensors")
        return self.dot

    def _name(self, tensor):
        entry = self.name_map.get(id(tensor))
        return entry[0] if entry is not None and entry[1] is tensor else None

    # -- boxes ---------------------------------------------------------------------------------

    def _add_unit(self, unit, key):
        if isinstance(unit, Group):
            if unit.kind == "run":
                label = f"{unit.name} × {unit.members:,}"
            else:
                label = f"… {unit.members:,} more nodes"
            self.dot.node(key, plain(label), id=f"node_{key}", fillcolor=COLORS["group"],
                          style="dashed,filled", **{"class": "group"})
        elif isinstance(unit, AccumulateGrad):
            variable = unit.variable
            role = "output" if any(variable is t for t in self.tensors) else "leaf"
            self._add_record(variable, key, role, node=unit)
        else:
            self._add_function(unit, key)

    def _add_function(self, node, key):
        state = self.state
        lines = [node.name()] + list(state.notes(node))
        count = self.graph.fan_in.get(node, 0)
        if count > 1 and state.received(node):
            lines.append(f"sum of {count} gradients")
        classes = ["function"]
        attributes = {"fillcolor": COLORS["function"], "style": "rounded,filled"}
        if recorders.second_order(node):
            attributes["fillcolor"] = COLORS["second_order"]
            classes.append("second-order")
            self.present.add("second_order")
        else:
            self.present.add("function")
        self._add_state(node, attributes, classes, lines)
        self.dot.node(key, plain("\n".join(lines)), id=f"node_{key}",
                      **{"class": " ".join(classes)}, **attributes)

    def _add_state(self, node, attributes, classes, lines):
        state = self.state
        if state.received(node):
            attributes.update(color=RECEIVED_BORDER, penwidth="2")
            classes.append("received")
            self.present.add("received")
        if state.freed(node):
            if "received" not in classes:
                attributes["color"] = FREED_BORDER
            attributes["style"] += ",dashed"
            lines.append("buffers freed")
            classes.append("freed")
            self.present.add("freed")
        if state.is_current(node):
            self.present.add("current")
            attributes.update(fillcolor=COLORS["current"], color=GRADIENT_COLOR, penwidth="3")
            classes.append("current")

    def _add_record(self, tensor, key, role, node=None):
        self.records[id(tensor)] = key
        name = self._name(tensor)
        fields = [name if name is not None else f"({role})", describe(tensor)]
        values = format_values(as_array(tensor)) if tensor.numel() <= SMALL else None
        if values is not None:
            fields.append(f"data {values}")
        if (tensor.is_leaf and tensor.requires_grad) or tensor.retains_grad:
            grad = self.state.leaf_grad(tensor) if node is not None else _grad_array(tensor)
            shown = "None" if grad is None else format_values(grad) or describe_array(grad)
            fields.append(f"grad {shown}")
        attributes = {"fillcolor": COLORS[role], "shape": "record", "style": "filled"}
        classes = ["tensor", role]
        self.present.add(role)
        extra = []
        if node is not None:
            count = self.graph.fan_in.get(node, 0)
            if count > 1 and self.state.received(node):
                extra.append(f"sum of {count} gradients")
            self._add_state(node, attributes, classes, extra)
            fields.extend(extra)
        label = "{" + "|".join(record_field(field) for field in fields) + "}"
        self.dot.node(key, nohtml(label), id=f"node_{key}", **{"class": " ".join(classes)},
                      **attributes)

    def _output_records(self):
        """Records for outputs and named intermediates: `(node, output_nr) -> DOT key`."""
        visible = {node for node in self.graph.nodes if self.folding.unit(node) is node}
        candidates = [(t, place(t), "output") for t in self.tensors]
        candidates += [(t, place(t), "intermediate") for _, t in self.name_map.values()]
        if self.show_saved:
            candidates += [(t, where, "intermediate") for node in self.graph.nodes
                           for t, where in saved_by(node)]
        outputs = {}
        for tensor, where, role in candidates:
            node = where[0]
            if node is None or node not in visible or where in outputs:
                continue
            key = f"t{len(self.records)}"
            self._add_record(tensor, key, role)
            outputs[where] = key
            self.present.add("arrow")
            self.dot.edge(key, self.keys[id(node)])
        return outputs

    # -- arrows --------------------------------------------------------------------------------

    def _add_edges(self, outputs):
        """One arrow per edge, from the consumer to the producer: the way gradients flow."""
        drawn_between_groups = set()
        for edge in self.graph.edges:
            producer = self.folding.unit(edge.producer)
            consumer = self.folding.unit(edge.consumer)
            if producer is consumer:
                continue
            source = self.keys[id(consumer)]
            target = outputs.get((edge.producer, edge.output_nr), self.keys[id(producer)])
            self.present.add("arrow")
            if isinstance(producer, Group) or isinstance(consumer, Group):
                if (source, target) in drawn_between_groups:
                    continue
                drawn_between_groups.add((source, target))
                self.dot.edge(source, target, style="dashed")
                continue
            note = self.state.edge_note(edge)
            if note is None:
                self.dot.edge(source, target)
            else:
                text, current = note
                self.present.add("gradient")
                self.dot.edge(source, target, label=plain(text), fontcolor=GRADIENT_COLOR,
                              color=GRADIENT_COLOR, penwidth="2" if current else "1",
                              **{"class": "gradient current" if current else "gradient"})

    def _add_saved(self):
        """Dashed orange lines from each node to the tensors it saved (not a gradient's path)."""
        for node in self.graph.nodes:
            if self.folding.unit(node) is not node or isinstance(node, AccumulateGrad):
                continue
            for tensor, where in saved_by(node):
                key = self.records.get(id(tensor)) or self.outputs.get(where)
                if key is None:
                    key = f"t{len(self.records)}"
                    self._add_record(tensor, key, "saved")
                self.dot.edge(self.keys[id(node)], key, style="dashed", color=COLORS["saved"],
                              arrowhead="odot", constraint="false")


def place(tensor):
    """Where `tensor` comes from in the graph: `(grad_fn, output_nr)`; `(None, 0)` for a leaf."""
    return tensor.grad_fn, tensor.output_nr


def saved_by(node):
    """`(tensor, place)` for each tensor `node` saved (`node.saved`; nothing once freed).

    A node that saves its own output (`saves_output`: exp, relu) keeps it without a grad_fn,
    so that the node and its output do not hold each other; its place is the node's output 0.
    """
    if isinstance(node, AccumulateGrad):
        return []
    saved = [(tensor, place(tensor)) for tensor in node.saved if tensor is not None]
    if saved and getattr(node, "saves_output", False):
        saved[-1] = (saved[-1][0], (node, 0))
    return saved


def as_array(tensor):
    """The values of `tensor` as a numpy array (copied to the host from a GPU)."""
    return tensor.detach().cpu().numpy()


def _grad_array(tensor):
    """`tensor.grad` as a numpy array (asked only of leaves and tensors that retain grad)."""
    grad = tensor.grad
    return None if grad is None else as_array(grad)


# -- text ----------------------------------------------------------------------------------------

def describe(tensor):
    """`2×2 float32`, `scalar float64`."""
    shape = "×".join(str(size) for size in tensor.shape) or "scalar"
    return f"{shape} {tensor.dtype.name}"


def describe_array(array):
    return "×".join(str(size) for size in array.shape) or "scalar"


def format_values(array):
    """The values of a small array on one line (`[[3., 3.], [3., 3.]]`), else None."""
    if array.size > SMALL:
        return None
    if array.ndim == 0:
        return f"{array.item():.4g}"
    text = np.array2string(np.asarray(array), precision=4, separator=", ", suppress_small=True,
                           max_line_width=10_000)
    return " ".join(text.split())


def plain(text):
    """Escape `text` for a DOT label: backslashes and quotes; newlines become line breaks."""
    text = str(text).replace("\\", "\\\\").replace('"', '\\"')
    return nohtml(text.replace("\n", "\\n"))


def record_field(text):
    """Escape `text` for one field of a record label, where `{ } | < >` have meanings too."""
    text = str(text).replace("\\", "\\\\")
    for character in '"{}|<>':
        text = text.replace(character, "\\" + character)
    return text.replace("\n", "\\n")


# -- legend --------------------------------------------------------------------------------------

LEGEND = {
    "leaf": ("leaf that requires grad", {"fillcolor": COLORS["leaf"]}),
    "output": ("output", {"fillcolor": COLORS["output"]}),
    "intermediate": ("named intermediate", {"fillcolor": COLORS["intermediate"]}),
    "saved": ("saved for backward", {"fillcolor": COLORS["saved"]}),
    "function": ("backward function", {"fillcolor": COLORS["function"]}),
    "second_order": ("made by create_graph=True", {"fillcolor": COLORS["second_order"]}),
    "current": ("stepper: processing now", {"fillcolor": COLORS["current"]}),
    "received": ("received its gradient", {"fillcolor": "white", "color": RECEIVED_BORDER,
                                           "penwidth": "2"}),
    "freed": ("buffers freed", {"fillcolor": "white", "color": RECEIVED_BORDER,
                                "penwidth": "2", "style": "dashed,filled"}),
    "arrow": ("↓ arrows: the way gradients flow\n(backward: output to leaves)",
              {"fillcolor": "white", "shape": "plaintext", "style": "solid"}),
    "gradient": ("red: the gradient sent\nalong that arrow",
                 {"fillcolor": "white", "shape": "plaintext", "fontcolor": GRADIENT_COLOR,
                  "style": "solid"}),
}
LEGEND_COLUMNS = 3


def add_legend(dot, present=None):
    """Draw a legend of the `present` entries (default: all) beside the graph, three a row."""
    entries = [LEGEND[key] for key in LEGEND if present is None or key in present]
    with dot.subgraph(name="cluster_legend") as legend:
        legend.attr(label="legend", fontname="Helvetica", fontsize="10", style="dashed")
        rows = [entries[i:i + LEGEND_COLUMNS] for i in range(0, len(entries), LEGEND_COLUMNS)]
        for row_number, row in enumerate(rows):
            with legend.subgraph() as same_row:
                same_row.attr(rank="same")
                for column, (text, attributes) in enumerate(row):
                    key = f"legend{row_number}_{column}"
                    same_row.node(key, plain(text), fontsize="9", **attributes)
                    if column:  # keeps the row's entries in reading order
                        same_row.edge(f"legend{row_number}_{column - 1}", key, style="invis")
            if row_number:
                legend.edge(f"legend{row_number - 1}_0", f"legend{row_number}_0", style="invis")
