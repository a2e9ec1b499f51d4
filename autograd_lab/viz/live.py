"""A live picture of the graph: a widget that redraws itself as operations run.

`viz.live()` returns a `LiveGraph`. Display it once; from then on every new operation (and
every backward pass) redraws it in place: no new cell output, also while a cell is running.
It follows the tensors made since it was created and draws the graphs behind them, with your
variable names, and, through the `viz.Recorder` it holds, which nodes received a gradient.
`.stop()` stops following (the last picture stays); `.close()` also removes the widget. A view
that is stopped, or closed and dropped, costs the engine nothing.

`viz.live().dock()` puts the view in a panel of its own beside the notebook in JupyterLab (with
the `sidecar` package, part of `autograd_lab[lab]`), where it stays in sight while you scroll
through the cells that change it.

>>> import autograd_lab as alt
>>> from autograd_lab import viz
>>> graph = viz.live(interval=0)
>>> x = alt.ones(2, 2, requires_grad=True)
>>> y = x + 2
>>> "AddBackward0" in graph.value
True
>>> graph.stop()
"""

import html
import sys
import time
import weakref
from collections import deque

import ipywidgets as widgets

from autograd_lab.autograd import events
from autograd_lab.viz import names as names_module
from autograd_lab.viz.draw import build
from autograd_lab.viz.graph import collect
from autograd_lab.viz.recorder import Recorder
from autograd_lab.viz.render import html_for

WAITING = "The graph appears here as soon as an operation on a tensor that requires grad runs."


class LiveGraph(widgets.HTML):
    """An `ipywidgets.HTML` whose value is the SVG of the graph, redrawn as the graph grows.

    Redraws happen at most every `interval` seconds while operations run, and once more when
    the notebook cell finishes. `refresh()` redraws now; `stop()` detaches it from the engine.
    The engine holds it weakly: once stopped, or closed and no longer referenced, it is gone.
    """

    def __init__(self, names="auto", params=None, show_saved=False, legend=False, max_nodes=200,
                 interval=0.3, keep=2000):
        super().__init__(value=f"<p><i>{html.escape(WAITING)}</i></p>")
        self.add_class("autograd-lab-live")
        self._names = names
        self._params = params
        self._caller = names_module.caller_namespace() if names == "auto" else None
        self._show_saved = show_saved
        self._legend = legend
        self._max_nodes = max_nodes
        self._interval = interval
        self._followed = deque(maxlen=keep)  # weak references to tensors made since
        self._dirty = False
        self._last_draw = 0.0
        self._panel = None  # the side panel holding this view, once docked
        self.recorder = Recorder()  # which nodes received a gradient, for the picture
        self._unsubscribe = events.subscribe(self._on_event)
        self._shell = _ipython_shell()
        if self._shell is not None:
            self._shell.events.register("post_run_cell", self._after_cell)

    @property
    def following(self):
        return self._unsubscribe is not None

    @property
    def docked(self):
        return self._panel is not None

    def dock(self, title="live graph", anchor="split-right"):
        """Show this view in a JupyterLab panel beside the notebook; returns the view.

        The panel (a `sidecar.Sidecar`) stays put while the notebook scrolls. Where the
        `sidecar` package is missing, nothing is docked: display the view in a cell instead.
        """
        try:
            from sidecar import Sidecar
        except ImportError:
            return self
        if self._panel is None:
            self._panel = Sidecar(title=title, anchor=anchor)
            # Set as the panel's content through the widget's state, not by display(): the
            # notebook's own outputs stay unchanged.
            self._panel.append_display_data(self)
        return self

    def undock(self):
        """Close the side panel (the view itself keeps working)."""
        if self._panel is not None:
            self._panel.close()
            self._panel = None

    def stop(self):
        """Stop following new operations (the last picture stays)."""
        self.recorder.stop()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._shell is not None:
            try:
                self._shell.events.unregister("post_run_cell", self._after_cell)
            except ValueError:
                pass
            self._shell = None

    def close(self):
        """Stop following and remove the widget (ipywidgets keeps every widget until closed)."""
        self.stop()
        self.undock()
        super().close()

    def refresh(self):
        """Redraw now."""
        self._dirty = False
        self._last_draw = time.monotonic()
        try:
            roots = self.roots()
            if not roots:
                return
            picture = build(roots, self._name_map(), show_saved=self._show_saved,
                            legend=self._legend, max_nodes=self._max_nodes)
            self.value = html_for(picture)
        except Exception as error:  # never let drawing break the learner's computation
            self.value = f"<p><code>{html.escape(f'{type(error).__name__}: {error}')}</code></p>"

    def roots(self):
        """The followed tensors that no other followed tensor was computed from."""
        alive = []
        for reference in self._followed:
            tensor = reference()
            if tensor is not None and tensor.grad_fn is not None:
                alive.append(tensor)
        if not alive:
            return []
        used = {edge.producer for edge in collect(alive).edges}
        return [tensor for tensor in alive if tensor.grad_fn not in used]

    def _name_map(self):
        if self._names == "auto":
            namespace = names_module.notebook_namespace()
            return names_module.tensor_names(
                namespace if namespace is not None else self._caller, self._params)
        return names_module.resolve(self._names, self._params)

    def _on_event(self, kind, details):
        if kind == "node_created":
            for tensor in details["outputs"]:
                if tensor.grad_fn is not None:
                    self._followed.append(weakref.ref(tensor))
        elif kind not in ("backward_finished", "buffers_freed"):
            return
        self._dirty = True
        if time.monotonic() - self._last_draw >= self._interval:
            self.refresh()

    def _after_cell(self, *args):
        if self._dirty:
            self.refresh()

    def __repr__(self):
        return "LiveGraph(redraws as operations run)"


_latest = None  # weak reference to the LiveGraph that live() made last


def live(names="auto", params=None, show_saved=False, legend=False, max_nodes=200,
         interval=0.3):
    """A `LiveGraph` widget following every new operation; display it, then compute.

    One live view at a time: calling `live()` again (re-running its cell) stops the previous one,
    so that forgotten views do not keep redrawing.
    """
    global _latest
    previous = _latest() if _latest is not None else None
    if previous is not None:
        previous.stop()
        previous.undock()
    graph = LiveGraph(names=names, params=params, show_saved=show_saved, legend=legend,
                      max_nodes=max_nodes, interval=interval)
    _latest = weakref.ref(graph)
    return graph


def _ipython_shell():
    ipython_module = sys.modules.get("IPython")
    return None if ipython_module is None else ipython_module.get_ipython()
