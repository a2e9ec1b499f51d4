"""The browser lessons (`make lite`): what autograd_lab does in Pyodide, and the built site.

The first tests pretend to be in a browser (they replace `browser_graphviz.in_browser` and
friends), so they run everywhere. The others read the site that `make lite` built in
build/lite/ and are skipped until it exists; tests/test_lite_browser.py runs it in Chromium.
"""

import hashlib
import importlib.util
import json
import sys
import zipfile
from pathlib import Path

import pytest

from autograd_lab.lessons import lesson00
from autograd_lab.viz import browser_graphviz, render

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "build" / "lite"
PYODIDE = SITE / "static" / "pyodide"
CDN = "https://cdn.jsdelivr.net/pyodide/"
DOT_SOURCE = "digraph { a -> b }"


@pytest.fixture
def in_browser(monkeypatch):
    """Pretend to run in Pyodide, with the WebAssembly Graphviz loaded and drawing "<svg/>"."""
    monkeypatch.setattr(browser_graphviz, "in_browser", lambda: True)
    monkeypatch.setattr(browser_graphviz, "bundled", lambda: True)
    monkeypatch.setattr(browser_graphviz, "ready", lambda: True)
    monkeypatch.setattr(browser_graphviz, "render", lambda source: "<svg>wasm</svg>")
    monkeypatch.setattr(render.shutil, "which", lambda name: pytest.fail("looked for " + name))
    return monkeypatch


def test_in_the_browser_the_webassembly_graphviz_draws(in_browser):
    assert render.render_svg(DOT_SOURCE) == "<svg>wasm</svg>"
    assert render.html_for(DOT_SOURCE).startswith('<svg style="max-width:100%')


def test_in_the_browser_a_picture_drawn_before_graphviz_loaded_says_run_again(in_browser):
    in_browser.setattr(browser_graphviz, "ready", lambda: False)
    assert browser_graphviz.STILL_LOADING in render.html_for(DOT_SOURCE)
    picture = render.GraphPicture()
    assert picture._repr_mimebundle_() == {"text/plain": browser_graphviz.STILL_LOADING}


def test_in_a_browser_build_without_webassembly_graphviz_the_notice_says_make_lite(in_browser):
    in_browser.setattr(browser_graphviz, "bundled", lambda: False)
    with pytest.raises(render.GraphvizMissing, match="make lite"):
        render.render_svg(DOT_SOURCE)


def test_outside_a_browser_nothing_is_loaded():
    assert not browser_graphviz.in_browser()
    browser_graphviz.start_loading()
    assert browser_graphviz._Loaded.task is None


def test_setup_check_in_the_browser_needs_nothing_installed(in_browser, capsys):
    real_version = lesson00.module_version
    in_browser.setattr(lesson00, "module_version",
                       lambda name: None if name == "matplotlib" else real_version(name))
    report = lesson00.check_setup()
    text = str(report)
    assert report.ok
    assert "running inside this browser page" in text
    assert "matplotlib comes with Pyodide: it loads when a cell imports it" in text
    assert "Graphviz compiled to WebAssembly" in text
    assert "no GPU in a browser" in text
    assert "apt-get" not in text and "cupy" not in text
    assert "Everything the lessons need is here." in capsys.readouterr().out


def test_setup_check_in_a_browser_build_without_graphviz_says_how_to_get_it(in_browser):
    in_browser.setattr(browser_graphviz, "bundled", lambda: False)
    report = lesson00.check_setup(verbose=False)
    assert report.missing == ["graphviz (WebAssembly)"]
    assert "make lite" in str(report)


def test_setup_check_outside_the_browser_is_unchanged():
    text = str(lesson00.check_setup(verbose=False))
    assert "browser" not in text
    assert "GPU" in text and ("Graphviz" in text)


# ---------------------------------------------------------------- the build and the built site

def load_builder():
    spec = importlib.util.spec_from_file_location("build_lite", ROOT / "tools" / "build_lite.py")
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    return builder


def test_pinned_pyodide_is_the_one_the_installed_kernel_was_made_for():
    schema = (Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyterlite"
              / "pyodide-kernel-extension" / "static" / "schema" / "kernel.v0.schema.json")
    if not schema.is_file():
        pytest.skip("jupyterlite-pyodide-kernel is not installed here")
    default_url = json.loads(schema.read_text())["properties"]["pyodideUrl"]["default"]
    builder = load_builder()
    assert f"/v{builder.PYODIDE[1]}/" in default_url
    assert builder.PYODIDE_CDN == default_url.removesuffix("pyodide.mjs")



built = pytest.mark.skipif(not (PYODIDE / "pyodide-lock.json").is_file(),
                           reason="the browser lessons are not built: run make lite")


@pytest.fixture(scope="module")
def lock():
    return json.loads((PYODIDE / "pyodide-lock.json").read_text())


@built
def test_site_has_the_pyodide_core_where_jupyterlite_looks(lock):
    for name in ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip"):
        assert (PYODIDE / name).is_file(), name
    config = json.loads((SITE / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.mjs"


@built
def test_every_wheel_in_the_lock_is_served_from_the_site_or_from_pyodides_cdn(lock):
    local = {name: entry for name, entry in lock["packages"].items()
             if "://" not in entry["file_name"]}
    for name, entry in local.items():
        wheel = PYODIDE / entry["file_name"]
        assert wheel.is_file(), name
        assert hashlib.sha256(wheel.read_bytes()).hexdigest() == entry["sha256"], name
    for name, entry in lock["packages"].items():
        if name not in local:
            assert entry["file_name"].startswith(CDN), name
    start_up = {"micropip", "ipython", "jedi", "parso", "traitlets", "pygments", "comm"}
    bundled = {"autograd-lab", "graphviz", "ipywidgets", "jupyterlab-widgets"}
    assert start_up | bundled <= set(local)
    assert {"numpy", "matplotlib"}.isdisjoint(local)


@built
def test_import_autograd_lab_loads_it_and_its_dependencies_from_the_lock(lock):
    entry = lock["packages"]["autograd-lab"]
    assert entry["imports"] == ["autograd_lab"]
    assert set(entry["depends"]) == {"numpy", "graphviz", "ipywidgets"}
    for name in entry["depends"]:
        assert name in lock["packages"]
    with zipfile.ZipFile(PYODIDE / entry["file_name"]) as wheel:
        names = wheel.namelist()
    assert "autograd_lab/viz/wasm_graphviz/graphviz.js" in names
    assert "autograd_lab/viz/wasm_graphviz/LICENSE" in names


@built
def test_site_holds_the_lessons_and_their_pictures():
    files = SITE / "files"
    lessons = sorted(path.name for path in (files / "notebooks").glob("*.ipynb"))
    assert lessons == sorted(path.name for path in (ROOT / "notebooks").glob("*.ipynb"))
    assert len(lessons) == 13
    assert (files / "imgs" / "learning_loop.svg").is_file()  # lesson 00 reads ../imgs/
