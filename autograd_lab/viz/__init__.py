"""See the graph: draw it, watch it grow, and step through backward node by node.

>>> import autograd_lab as alt
>>> from autograd_lab import viz
>>> x = alt.ones(2, 2, requires_grad=True)
>>> out = ((x + 2) * (x + 2) * 3).mean()
>>> picture = viz.draw(out)          # a graphviz.Digraph; a notebook shows it as a picture
>>> stepper = viz.BackwardStepper(out)
>>> stepper.step().state["node"]
'MeanBackward0'

- `draw` / `show`: the graph as a picture (colours: see `autograd_lab.viz.draw`). Arrows point
  the way gradients flow in backward: from the output at the top down to the leaves.
- `live()`: a widget that redraws the graph in place as operations run; `live().dock()` puts it
  in a JupyterLab panel beside the notebook, in sight while you scroll.
- `BackwardStepper(loss)`: play, step, go back through the engine's real backward pass.
- `vjp_explorer(func, x, v)`: the Jacobian, `v` and `vᵀJ` side by side, with a box per entry of
  `v` to change it.
- `Recorder()`: watches backward passes for the drawings (below).
- `render_svg`: SVG text from the system Graphviz or the pip-installed one.

Importing this package changes nothing in the engine and costs it nothing: viewers listen to the
engine's events only while they exist. A drawing reads the graph as it is: leaves' `.grad`, and
which nodes backward freed (dashed: those nodes ran, so they also get the green "received its
gradient" border). Two things only a witness of the backward pass knows: which of the other
nodes received a gradient, and which nodes a `create_graph=True` pass made (plum). Hold a
`viz.Recorder()` (a live view holds one) while backward runs, and drawings show them too:

>>> with viz.Recorder() as recorder:   # listens in the block; drawings use it while it lives
...     out.backward()
>>> out.grad_fn in recorder.received     # MeanBackward0 saved nothing: only a witness knows
True

The backward stepper records its own pass and needs no recorder.
"""

from autograd_lab.viz.draw import COLORS, draw, show
from autograd_lab.viz.live import LiveGraph, live
from autograd_lab.viz.recorder import Recorder
from autograd_lab.viz.render import NOTICE, GraphvizMissing, render_svg
from autograd_lab.viz.stepper import BackwardStepper
from autograd_lab.viz.vjp import vjp_explorer

__all__ = ["COLORS", "NOTICE", "BackwardStepper", "GraphvizMissing", "LiveGraph", "draw",
           "live", "Recorder", "render_svg", "show", "vjp_explorer"]
