"""Step through a real backward pass node by node: play, step, back, or drag the slider.

`BackwardStepper(loss)` runs `loss.backward()` once, for real, while listening to the engine's
events (during that pass only: afterwards it costs the engine nothing), and keeps what each node
received and sent. Stepping replays that record on the picture: the node being processed turns
gold, the gradients it sent are written in red on the arrows they travel along (arrows point
from the output down to the leaves, the way backward goes), fan-in nodes say how many gradients
they added up, and the leaves' `.grad` fill in. The sentence describing the step sits above the
picture, so it stays in sight in a short window.

>>> import autograd_lab as alt
>>> from autograd_lab import viz
>>> x = alt.ones(2, 2, requires_grad=True)
>>> out = ((x + 2) * (x + 2) * 3).mean()
>>> stepper = viz.BackwardStepper(out)
>>> [step.name for step in stepper.steps]
['MeanBackward0', 'MulBackward0', 'MulBackward0', 'AddBackward0', 'AddBackward0', 'AccumulateGrad']
>>> stepper.run_all().state["leaf_grads"]["x"].tolist()
[[4.5, 4.5], [4.5, 4.5]]
"""

import html

import ipywidgets as widgets
import numpy as np

from autograd_lab.autograd import AccumulateGrad, events
from autograd_lab.viz import names as names_module
from autograd_lab.viz.draw import as_array, build, describe_array, format_values
from autograd_lab.viz.graph import collect
from autograd_lab.viz.render import html_for


class Step:
    """One node the engine processed: what arrived (`grad_outputs`), what it sent on.

    `kind` is "function" for a backward function and "leaf" for `AccumulateGrad`, which adds
    the gradient into a leaf's `.grad`. `contributions` lists `(sender, gradient)` for every
    gradient that was added up into what arrived (more than one at a fan-in).
    """

    def __init__(self, index, node, grad_outputs, contributions):
        self.index = index
        self.node = node
        self.name = node.name()
        self.kind = "leaf" if isinstance(node, AccumulateGrad) else "function"
        self.grad_outputs = grad_outputs
        self.grad_inputs = []
        self.contributions = contributions

    def __repr__(self):
        return f"Step({self.index}, {self.name!r})"


class BackwardStepper:
    """Run `loss.backward()` and replay it one node at a time, as a widget and from Python.

    - `step()`, `back()`, `reset()`, `run_all()`, `go(index)` move through the pass (they
      return the stepper, so `stepper.step().state` works);
    - `state`: a dict describing the current step (see `state`);
    - `steps`: every `Step`, in the order the engine ran them.

    `retain_graph=True` (the default) keeps the graph, so you can still call backward on it;
    the leaves' `.grad` hold the real result once the stepper is made, as after `backward()`.
    """

    def __init__(self, loss, params=None, retain_graph=True, names="auto", show_saved=False,
                 max_nodes=200):
        self.loss = loss
        self.name_map = names_module.resolve(names, params)
        self.show_saved = show_saved
        self.max_nodes = max_nodes
        graph = collect([loss])
        self.leaves = [node.variable for node in graph.nodes if isinstance(node, AccumulateGrad)]
        self.grads_before = {id(leaf): _copy(leaf.grad) for leaf in self.leaves}
        self.steps = []
        self.freed = set()
        self._record(loss, retain_graph)
        self.index = 0
        self._pictures = {}
        self._build_widget()
        self.go(0)

    # -- recording the real pass ---------------------------------------------------------------

    def _record(self, loss, retain_graph):
        arriving = {}  # node -> [(sender, gradient)] sent to it so far

        def listen(kind, details):
            if kind == "node_started":
                node = details["node"]
                grads = [_copy(g) for g in details["grad_outputs"]]
                self.steps.append(Step(len(self.steps) + 1, node, grads,
                                       arriving.pop(node, [(None, grads[0])])))
            elif kind == "node_finished":
                node = details["node"]
                sent = [_copy(g) for g in details["grad_inputs"]]
                self.steps[-1].grad_inputs = sent
                for (receiver, _), grad in zip(node.next_functions, sent):
                    if receiver is not None and grad is not None:
                        arriving.setdefault(receiver, []).append((node, grad))
            elif kind == "grad_accumulated":
                node = details["node"]
                grad = _copy(details["grad"])
                self.steps.append(Step(len(self.steps) + 1, node, [grad],
                                       arriving.pop(node, [(None, grad)])))
            elif kind == "buffers_freed":
                self.freed.add(details["node"])

        unsubscribe = events.subscribe(listen)
        try:
            loss.backward(retain_graph=retain_graph)
        finally:
            unsubscribe()

    # -- moving --------------------------------------------------------------------------------

    def go(self, index):
        """Show the state after `index` steps (0: before backward, `len(steps)`: all done)."""
        index = max(0, min(int(index), len(self.steps)))
        self.index = index
        if self.slider.value != index:
            self.slider.value = index  # the slider's observer calls back into go()
            return self
        self.view.value = self._picture(index)
        self.text.value = self._description_html(index)
        return self

    def step(self):
        """Process one more node."""
        return self.go(self.index + 1)

    def back(self):
        """Undo the last step (only the picture: the real pass has already run)."""
        return self.go(self.index - 1)

    def reset(self):
        """Back to before backward."""
        return self.go(0)

    def run_all(self):
        """Jump to the end of the pass."""
        return self.go(len(self.steps))

    # -- what is shown -------------------------------------------------------------------------

    @property
    def state(self):
        """The current step as a dict.

        `index` (0 before backward), `total`, `node` (name of the node being processed, or
        None), `kind`, `grad_outputs` (the gradient that arrived), `grad_inputs` (what it sent
        to each input; None for inputs that need no gradient), `local_gradients` (sent ÷
        arrived, where that is elementwise), `contributions` (`[(sender name, gradient)]`, more
        than one at a fan-in), `leaf_grads` (`{name: .grad so far}`), `done` (names of the
        nodes processed so far) and `description` (the same sentence the widget shows).
        """
        step = self.steps[self.index - 1] if self.index else None
        return {
            "index": self.index,
            "total": len(self.steps),
            "node": step.name if step else None,
            "kind": step.kind if step else None,
            "grad_outputs": list(step.grad_outputs) if step else [],
            "grad_inputs": list(step.grad_inputs) if step else [],
            "local_gradients": local_gradients(step) if step else [],
            "contributions": [(_node_name(sender), grad)
                              for sender, grad in step.contributions] if step else [],
            "leaf_grads": {self._leaf_name(leaf): self.leaf_grad_at(leaf, self.index)
                           for leaf in self.leaves},
            "done": [s.name for s in self.steps[:self.index]],
            "description": self.describe(self.index),
        }

    def leaf_grad_at(self, leaf, index):
        """`leaf.grad` as it stands after `index` steps (the engine adds it up at the end)."""
        total = self.grads_before[id(leaf)]
        for step in self.steps[:index]:
            if step.kind == "leaf" and step.node.variable is leaf:
                total = step.grad_outputs[0] if total is None else total + step.grad_outputs[0]
        return total

    def describe(self, index):
        """One or two sentences saying what happens at step `index`."""
        if index == 0:
            first = self.steps[0].name if self.steps else "the graph"
            return (f"Before backward: the gradient of {self._loss_name()} with respect to "
                    f"itself is 1; it waits at {first}. Press step.")
        step = self.steps[index - 1]
        arrived = _show(step.grad_outputs[0]) if step.grad_outputs else "nothing"
        where = f"Step {index} of {len(self.steps)}: {step.name}"
        added = ""
        if len(step.contributions) > 1:
            parts = " + ".join(_show(grad) for _, grad in step.contributions)
            added = f" (the sum of {len(step.contributions)} gradients: {parts})"
        if step.kind == "leaf":
            leaf = step.node.variable
            return (f"{where} adds the gradient {arrived}{added} into "
                    f"{self._leaf_name(leaf)}.grad, which becomes "
                    f"{_show(self.leaf_grad_at(leaf, index))}.")
        sent = []
        for number, grad in enumerate(step.grad_inputs):
            if grad is not None:
                target = _node_name(step.node.next_functions[number][0])
                sent.append(f"{_show(grad)} to input {number} ({target})")
        local = [f"input {n}: {_show(g)}" for n, g in enumerate(local_gradients(step))
                 if g is not None]
        local_text = f" Local gradient (sent ÷ arrived): {'; '.join(local)}." if local else ""
        return (f"{where} receives {arrived}{added} and sends "
                f"{', '.join(sent) or 'nothing'}.{local_text}")

    def picture(self, index=None):
        """The `graphviz.Digraph` of the graph at step `index` (default: the current step)."""
        index = self.index if index is None else index
        return build([self.loss], self.name_map, show_saved=self.show_saved,
                     max_nodes=self.max_nodes, state=_StepState(self, index))

    def _picture(self, index):
        if index not in self._pictures:
            self._pictures[index] = html_for(self.picture(index))
        return self._pictures[index]

    def _description_html(self, index):
        return ('<div class="autograd-lab-step" style="font-family:monospace;'
                f'white-space:pre-wrap">{html.escape(self.describe(index))}</div>')

    def _leaf_name(self, leaf):
        entry = self.name_map.get(id(leaf))
        if entry is not None and entry[1] is leaf:
            return entry[0]
        return f"leaf{[id(t) for t in self.leaves].index(id(leaf))}"

    def _loss_name(self):
        entry = self.name_map.get(id(self.loss))
        return entry[0] if entry is not None and entry[1] is self.loss else "the output"

    # -- the widget ----------------------------------------------------------------------------

    def _build_widget(self):
        total = len(self.steps)
        self.view = widgets.HTML()
        self.text = widgets.HTML()
        self.play = widgets.Play(min=0, max=total, step=1, interval=1000, value=0,
                                 description="play")
        self.slider = widgets.IntSlider(min=0, max=total, value=0, description="step",
                                        continuous_update=True)
        widgets.jslink((self.play, "value"), (self.slider, "value"))
        self.back_button = widgets.Button(description="◀ back", tooltip="undo one step")
        self.step_button = widgets.Button(description="step ▶", tooltip="process one node")
        self.back_button.on_click(lambda _: self.back())
        self.step_button.on_click(lambda _: self.step())
        self.slider.observe(lambda change: self.go(change["new"]), names="value")
        for button in (self.back_button, self.step_button):
            button.layout.width = "auto"
        controls = widgets.HBox([self.play, self.back_button, self.step_button, self.slider],
                                layout=widgets.Layout(flex_flow="row wrap"))
        self.widget = widgets.VBox([controls, self.text, self.view])
        self.widget.add_class("autograd-lab-stepper")

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = repr(self)
        return bundle

    def __repr__(self):
        return f"BackwardStepper({len(self.steps)} steps)"


class _StepState:
    """What the picture shows after `index` steps of the recorded pass."""

    def __init__(self, stepper, index):
        self.stepper = stepper
        self.index = index
        self.done = {}
        for step in stepper.steps[:index]:
            self.done[step.node] = step
        self.current = stepper.steps[index - 1].node if index else None

    def received(self, node):
        return node in self.done

    def is_current(self, node):
        return node is self.current

    def freed(self, node):
        return self.index == len(self.stepper.steps) and node in self.stepper.freed

    def leaf_grad(self, tensor):
        return self.stepper.leaf_grad_at(tensor, self.index)

    def notes(self, node):
        if node is not self.current or isinstance(node, AccumulateGrad):
            return []
        step = self.done[node]
        return [f"grad in {_short(step.grad_outputs[0])}"] if step.grad_outputs else []

    def edge_note(self, edge):
        step = self.done.get(edge.consumer)
        if step is None or edge.index >= len(step.grad_inputs):
            return None
        grad = step.grad_inputs[edge.index]
        if grad is None:
            return None
        return _short(grad), edge.consumer is self.current


def local_gradients(step):
    """`sent ÷ arrived` for each input, where that ratio is the elementwise local derivative.

    That is the case when what arrived is a single number or has the input's shape (an
    elementwise op, a sum, a mean); for other ops (a matrix product) the entry is None.
    """
    if step.kind == "leaf" or not step.grad_outputs:
        return []
    arrived = step.grad_outputs[0]
    result = []
    for sent in step.grad_inputs:
        usable = (sent is not None and (arrived.size == 1 or arrived.shape == sent.shape)
                  and np.all(arrived != 0))
        result.append(sent / arrived if usable else None)
    return result


def _copy(tensor):
    return None if tensor is None else np.array(as_array(tensor), copy=True)


def _node_name(node):
    return "the output" if node is None else node.name()


def _show(array):
    if array is None:
        return "None"
    return format_values(array) or f"a {describe_array(array)} array"


def _short(array):
    return format_values(array) or describe_array(array)
