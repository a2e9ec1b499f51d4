"""The live graph and the backward stepper in a real JupyterLab, driven by headless Chromium.

The test starts JupyterLab on a free local port with a temporary root folder holding
`tests/browser/live_and_stepper.ipynb`, opens it in Chromium through Playwright (a 1280×900
window), runs all cells, and checks:

- the live graph is docked in a panel beside the notebook and stays in the window while the
  notebook scrolls to its end;
- the stepper's "step ▶" button moves the highlighted node and the gradient text, its sentence
  stays inside the window, and the red arrow carrying the gradient starts at the node that sent
  it and points down, towards the leaves: the way the lessons say gradients flow.

Screenshots go to test-artifacts/browser/.
"""

import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
NOTEBOOK = HERE / "browser" / "live_and_stepper.ipynb"
ARTIFACTS = HERE.parent / "test-artifacts" / "browser"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
MISSING = [name for name, present in [
    ("chromium", CHROMIUM is not None),
    ("playwright", importlib.util.find_spec("playwright") is not None),
    ("jupyterlab", importlib.util.find_spec("jupyterlab") is not None),
] if not present]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(bool(MISSING), reason=f"needs {', '.join(MISSING)} for the browser test"),
]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def jupyterlab(tmp_path):
    """A JupyterLab server on 127.0.0.1 serving a copy of the fixture notebook."""
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
    settings = tmp_path / "settings"
    notification = settings / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True)
    (notification / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(settings),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"))
    port, token = free_port(), secrets.token_hex(16)
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
               "--LabApp.extension_manager=readonly", "--ServerApp.port_retries=0"]
    if os.getuid() == 0:
        command.append("--allow-root")
    log = open(tmp_path / "jupyterlab.log", "wb")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 40
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start:\n" + (
                        tmp_path / "jupyterlab.log").read_text(errors="replace")[-3000:])
                time.sleep(0.3)
        yield url, token
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the server shuts its kernels down
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def current_node(page):
    """The label of the node the stepper highlights, or None."""
    return page.evaluate("""() => {
        const node = document.querySelector('.autograd-lab-stepper svg g.node.current');
        if (!node) return null;
        return Array.from(node.querySelectorAll('text'), text => text.textContent).join(' ');
    }""")


def step_text(page):
    return page.locator(".autograd-lab-step").inner_text()


def box(page, selector):
    """The bounding box of the first element matching `selector` (None if absent)."""
    return page.evaluate("""selector => {
        const element = document.querySelector(selector);
        if (!element) return null;
        const r = element.getBoundingClientRect();
        return {top: r.top, bottom: r.bottom, left: r.left, right: r.right};
    }""", selector)


def gradient_arrow(page):
    """The current red arrow: its title ("n0->n1"), the node it starts at, where it points."""
    return page.evaluate("""() => {
        const svg = document.querySelector('.autograd-lab-stepper svg');
        const edge = svg.querySelector('g.edge.gradient.current');
        const current = svg.querySelector('g.node.current');
        if (!edge || !current) return null;
        const start = edge.querySelector('path').getPointAtLength(0);
        const head = edge.querySelector('polygon').getBBox();
        return {title: edge.querySelector('title').textContent,
                current: current.querySelector('title').textContent,
                start_y: start.y, head_y: head.y + head.height / 2};
    }""")


def test_live_graph_and_stepper_work_in_jupyterlab(jupyterlab, capsys):
    from playwright.sync_api import sync_playwright

    url, token = jupyterlab
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = ARTIFACTS / "live_and_stepper.png"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{url}/lab/tree/{NOTEBOOK.name}?token={token}")
            page.wait_for_function("""() => {
                const app = window.jupyterapp;
                const panel = app && app.shell.currentWidget;
                const kernel = panel && panel.sessionContext && panel.sessionContext.session
                    && panel.sessionContext.session.kernel;
                return kernel && kernel.status === 'idle';
            }""", timeout=60_000)
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")

            docked = ".jupyterlab-sidecar .autograd-lab-live svg"
            page.wait_for_selector(docked, timeout=30_000)
            page.wait_for_function(f"""() => document.querySelector('{docked}')
                .textContent.includes('MeanBackward0')""", timeout=30_000)
            live = page.locator(docked).text_content()
            assert "MeanBackward0" in live and "AddBackward0" in live
            notebook = box(page, ".jp-NotebookPanel")
            panel = box(page, ".jupyterlab-sidecar")
            assert panel["left"] >= notebook["right"] - 1, (panel, notebook)  # beside it

            page.locator(".autograd-lab-stepper").scroll_into_view_if_needed()
            page.wait_for_selector(".autograd-lab-stepper svg", timeout=30_000)
            page.keyboard.press("Escape")
            page.evaluate("window.jupyterapp.commands.execute('notebook:move-cursor-down')")
            page.evaluate("""() => {
                const scroller = document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer')
                    || document.querySelector('.jp-NotebookPanel .jp-Notebook');
                scroller.scrollTop = scroller.scrollHeight;
            }""")
            graph = box(page, docked)
            assert 0 <= graph["top"] and graph["bottom"] <= 900 + 1, graph  # still in sight
            assert current_node(page) is None
            assert "Before backward" in step_text(page)

            step = page.locator(".autograd-lab-stepper button", has_text="step ▶")
            step.click()
            page.wait_for_function("() => document.querySelector('.autograd-lab-step')"
                                   ".innerText.includes('Step 1 of 5')")
            first, first_text = current_node(page), step_text(page)
            assert first.startswith("MeanBackward0")
            assert "Step 1 of 5: MeanBackward0 receives 1" in first_text

            step.click()
            page.wait_for_function("() => document.querySelector('.autograd-lab-step')"
                                   ".innerText.includes('Step 2 of 5')")
            second, second_text = current_node(page), step_text(page)
            assert second.startswith("MulBackward0") and second != first
            assert "[[0.75, 0.75], [0.75, 0.75]]" in second_text
            assert second_text != first_text

            arrow = gradient_arrow(page)
            sender, receiver = arrow["title"].split("->")
            assert sender == arrow["current"], arrow  # it leaves the node that sent it
            assert arrow["head_y"] > arrow["start_y"], arrow  # and points down to the leaves

            page.locator(".autograd-lab-stepper").scroll_into_view_if_needed()
            sentence = box(page, ".autograd-lab-step")
            assert sentence["bottom"] <= 900, sentence  # the explanation stays in the window
            page.screenshot(path=str(screenshot))
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "failure.png"), full_page=True)
            print(f"screenshot of the failure: {ARTIFACTS / 'failure.png'}")
            raise
        finally:
            browser.close()
    with capsys.disabled():  # shown even when pytest captures output
        print(f"\nbrowser test screenshot: {screenshot}")
    assert screenshot.stat().st_size > 10_000
