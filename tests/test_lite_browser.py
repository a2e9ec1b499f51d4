"""The browser lessons (`make lite`) in Chromium, offline: what works with nothing installed.

The test serves the built site (build/lite/) on 127.0.0.1, opens lesson 00 in headless
Chromium through Playwright and aborts every request that leaves 127.0.0.1. It checks that:
- the Pyodide kernel starts from the site alone (Pyodide's core and start-up wheels are there);
- the lesson's first cell, `import autograd_lab ...`, loads autograd_lab from the site and gets
  as far as its numpy import; the only requests that left were for numpy and matplotlib built
  for WebAssembly, which a learner's browser fetches from Pyodide's CDN;
- the lesson's picture from ../imgs/ is in the site, where the lesson's cell reads it;
- the renderer's WebAssembly Graphviz turns the README example's DOT into the same nodes as
  `dot` draws;
- ipywidgets render and answer: a Button's click runs its Python callback, and a Play widget
  linked to an IntSlider moves it, which a Python observer sees.
What needs numpy (the lessons' tensors, the live graph and the stepper) only a learner online
can run. A screenshot goes to test-artifacts/browser/lite.png.
"""

import functools
import http.server
import importlib.util
import json
import shutil
import threading
from pathlib import Path

import pytest
from test_wasm_graphviz import readme_graph, render_with_dot, structure

from autograd_lab import viz

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "build" / "lite"
LESSON = "notebooks/00_start_here.ipynb"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CDN = "https://cdn.jsdelivr.net/pyodide/"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
MISSING = [name for name, present in [
    ("chromium", CHROMIUM is not None),
    ("playwright", importlib.util.find_spec("playwright") is not None),
    ("the built site (make lite)", (SITE / "static" / "pyodide" / "pyodide.mjs").is_file()),
] if not present]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(bool(MISSING), reason=f"needs {', '.join(MISSING)} for the lite test"),
]

# Load autograd_lab.viz.render from the installed files without running autograd_lab's
# __init__ (which needs numpy, not reachable offline): empty package modules stand in.
RENDER_WITHOUT_NUMPY = """
import importlib.util, site, sys
from pathlib import Path
for name in ["autograd_lab", "autograd_lab.viz"]:
    folder = Path(site.getsitepackages()[0], *name.split("."))
    spec = importlib.util.spec_from_file_location(
        name, folder / "__init__.py", submodule_search_locations=[str(folder)])
    sys.modules[name] = importlib.util.module_from_spec(spec)
from autograd_lab.viz import render
print(render.render_svg(%r))
"""

WIDGETS = """
import ipywidgets as widgets
clicks = widgets.Label("clicks: 0")
seen = widgets.Label("slider: 0")
button = widgets.Button(description="press me")
slider = widgets.IntSlider(value=0, min=0, max=3)
play = widgets.Play(value=0, min=0, max=3, interval=100)
widgets.jslink((play, "value"), (slider, "value"))
button.on_click(lambda _: setattr(clicks, "value", f"clicks: {int(clicks.value[8:]) + 1}"))
slider.observe(lambda change: setattr(seen, "value", f"slider: {change['new']}"), "value")
widgets.VBox([button, clicks, play, slider, seen])
"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def site_url(tmp_path):
    """The built site, served on 127.0.0.1, with the app exposed to the test's JavaScript."""
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    config_path = site / "jupyter-lite.json"
    config = json.loads(config_path.read_text())
    config["jupyter-config-data"]["exposeAppInBrowser"] = "true"
    config_path.write_text(json.dumps(config))
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def execute(page, code):
    """Run code in the notebook's kernel; return (stdout, error or None, {mime type: data})."""
    return page.evaluate("""async (code) => {
        const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
        const future = kernel.requestExecute({code});
        let stdout = "", error = null, data = {};
        future.onIOPub = (msg) => {
            const type = msg.header.msg_type;
            if (type === "stream") stdout += msg.content.text;
            if (type === "error") error = msg.content.evalue;
            if (type === "execute_result" || type === "display_data") data = msg.content.data;
        };
        await future.done;
        return [stdout, error, data];
    }""", code)


def run_in_new_cell(page, code):
    """Put code in a new first cell of the open notebook and run it there (outputs render)."""
    page.evaluate("""async (code) => {
        const app = window.jupyterapp, notebook = app.shell.currentWidget.content;
        notebook.activeCellIndex = 0;
        await app.commands.execute("notebook:insert-cell-above");
        notebook.activeCell.model.sharedModel.setSource(code);
        await app.commands.execute("notebook:run-cell");
    }""", code)


def wasm_wheels(lock, names):
    """The CDN addresses of the lock entries `names` and everything they depend on."""
    urls, wanted = set(), list(names)
    while wanted:
        entry = lock["packages"][wanted.pop().lower().replace("_", "-")]
        if entry["file_name"] not in urls:
            urls.add(entry["file_name"])
            wanted += entry["depends"]
    return {url for url in urls if url.startswith(CDN)}


def test_lesson_runs_in_the_browser_offline_as_far_as_numpy(site_url, capsys):
    from playwright.sync_api import sync_playwright

    lock = json.loads((SITE / "static" / "pyodide" / "pyodide-lock.json").read_text())
    lesson = json.loads((ROOT / LESSON).read_text())
    code_cells = ["".join(cell["source"]) for cell in lesson["cells"]
                  if cell["cell_type"] == "code"]
    first_cell = code_cells[0]
    picture_cell = next(code for code in code_cells if "../imgs/" in code)
    readme_dot = viz.draw(readme_graph()).source
    expected_nodes = structure(render_with_dot(readme_dot))
    blocked = []

    def only_this_machine(route):
        if route.request.url.startswith(site_url + "/"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = ARTIFACTS / "lite.png"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 1200})
        context.route("**/*", only_this_machine)
        page = context.new_page()
        try:
            page.goto(f"{site_url}/lab/index.html?path={LESSON}")
            page.wait_for_function("""() => {
                const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
                const session = panel && panel.sessionContext && panel.sessionContext.session;
                return session && session.kernel && session.kernel.status === "idle";
            }""", timeout=240_000)
            assert blocked == [], "the kernel's start needed something outside the site"

            stdout, error, _ = execute(page, first_cell)
            assert "autograd_lab" in first_cell and error == "No module named 'numpy'"
            assert blocked and set(blocked) <= wasm_wheels(lock, ["numpy"])
            stdout, error, _ = execute(page, "import matplotlib")
            assert error == "No module named 'matplotlib'"
            assert set(blocked) <= wasm_wheels(lock, ["numpy", "matplotlib"])
            assert any("/matplotlib-" in url for url in blocked)

            _, error, data = execute(page, picture_cell)  # the lesson's picture from ../imgs
            assert error is None, error
            assert "<svg" in data["image/svg+xml"]

            stdout, error, _ = execute(page, RENDER_WITHOUT_NUMPY % readme_dot)
            assert error is None, error
            assert structure(stdout[stdout.index("<svg"):]) == expected_nodes

            run_in_new_cell(page, WIDGETS)
            page.get_by_role("button", name="press me").click(timeout=60_000)
            page.get_by_text("clicks: 1").wait_for(timeout=30_000)
            page.get_by_role("button", name="press me").click()
            page.get_by_text("clicks: 2").wait_for(timeout=30_000)
            page.locator(".widget-play button").first.click()  # play: the slider moves
            page.get_by_text("slider: 3").wait_for(timeout=30_000)
            assert set(blocked) <= wasm_wheels(lock, ["numpy", "matplotlib"])
            page.screenshot(path=str(screenshot))
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "lite-failure.png"))
            print(f"requests blocked: {blocked}")
            raise
        finally:
            browser.close()
    with capsys.disabled():
        print(f"\nlite test screenshot: {screenshot}; blocked: {sorted(blocked)}")
