"""Build the lessons as a static JupyterLite site that runs in the browser (`make lite`).

    python tools/build_lite.py                   # the site goes to build/lite/
    python tools/build_lite.py --output-dir DIR  # ... or to DIR

Everything comes from the package registries at pinned versions (the two npm packages are also
checked against pinned hashes):

- the Pyodide core (interpreter, standard library, lock file) from npm, put where JupyterLite
  looks for it (`static/pyodide/`);
- the pure-Python wheels the kernel loads when it starts (micropip, IPython, jedi and what they
  need) from PyPI, beside the core; Pyodide checks each file against the sha256 in
  `pyodide-lock.json`, so those entries are rewritten for PyPI's files;
- autograd_lab's own wheel and its pure-Python dependencies (graphviz, ipywidgets, comm,
  jupyterlab_widgets), added to the lock file so that `import autograd_lab` loads them;
- Graphviz compiled to WebAssembly (`@hpcc-js/wasm-graphviz`) from npm, put inside the package
  (`autograd_lab/viz/wasm_graphviz/`) before its wheel is built; the renderer uses it in Pyodide.

What no registry serves, numpy and matplotlib built for WebAssembly, stays on Pyodide's CDN: the
lock file gives those packages the CDN's full address, and the learner's browser fetches them
the first time a lesson imports them.
"""

import argparse
import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LITE_CONFIG = ROOT / "lite"
DOWNLOADS = ROOT / "build" / "lite-downloads"
GRAPHVIZ_DATA = ROOT / "autograd_lab" / "viz" / "wasm_graphviz"

# The Pyodide release that jupyterlite-pyodide-kernel 0.8.6 was made for (pinned in pyproject).
PYODIDE = ("pyodide", "314.0.6", "sha512-BKDTJyIqFxC4BExLqeRS3f5xvXZIjOt8C3zGLN/Cc7tFxSwvKVhVk"
           "chQQ2AGLOtR4YrVOIFxbV8poyDOOmWwxQ==")
GRAPHVIZ_WASM = ("@hpcc-js/wasm-graphviz", "1.29.2", "sha512-AkArBAZERT5OxH52/+kvCHB07cZ6ZNd9G"
                 "nOvjw+S880bR88D6i27XfK6xj4dBhUDxNA2QPPMdgEcky3x4TJ3KA==")
PYODIDE_CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE[1]}/full/"
# Files of the npm package that the site does not need (source maps, typings, demo pages).
PYODIDE_SKIPPED = re.compile(r"\.(map|d\.ts|html|md)$")

# What the kernel loads before the first cell runs, named as in pyodide-lock.json.
KERNEL_START_UP = ["micropip", "ipython", "jedi"]
# Ours, with the lock entries they depend on; versions are those installed here, so the
# widgets in the kernel match the widget manager that `jupyter lite build` puts in the page.
BUNDLED = {
    "autograd_lab": ["numpy", "graphviz", "ipywidgets"],
    "graphviz": [],
    "ipywidgets": ["comm", "ipython", "traitlets", "jupyterlab-widgets"],
    "comm": ["traitlets"],
    "jupyterlab_widgets": [],
}


def normalize(name):
    """A project name as lock files and PyPI compare them: `Stack_Data` -> `stack-data`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def npm_fetch(name, version, integrity):
    """The npm package's tarball, downloaded once into build/lite-downloads/ and checked."""
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    tarball = DOWNLOADS / f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"
    if not tarball.exists():
        subprocess.run(["npm", "pack", "--silent", f"{name}@{version}",
                        "--pack-destination", str(DOWNLOADS)], check=True,
                       stdout=subprocess.DEVNULL)
    algorithm, expected = integrity.split("-", 1)
    digest = base64.b64encode(hashlib.new(algorithm, tarball.read_bytes()).digest()).decode()
    if digest != expected:
        tarball.unlink()
        sys.exit(f"{tarball.name}: its {algorithm} is not the pinned one; run the build again")
    return tarball


def extract_npm_files(tarball, destination, keep):
    """Copy the files of an npm tarball (all under `package/`) for which `keep(path)` holds."""
    destination.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tarball) as archive:
        for member in archive.getmembers():
            path = member.name.removeprefix("package/")
            if member.isfile() and keep(path):
                target = destination / Path(path).name
                target.write_bytes(archive.extractfile(member).read())


def fetch_graphviz_wasm():
    """Put the WebAssembly Graphviz (one ES module) and its licence inside the package."""
    tarball = npm_fetch(*GRAPHVIZ_WASM)
    extract_npm_files(tarball, GRAPHVIZ_DATA, lambda path: path in ("dist/index.js", "LICENSE"))
    (GRAPHVIZ_DATA / "index.js").replace(GRAPHVIZ_DATA / "graphviz.js")
    return GRAPHVIZ_DATA / "graphviz.js"


def pip_download(requirements, destination, python_version):
    """Download pure-Python wheels (no dependencies: the lock file lists those)."""
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                    "--only-binary=:all:", "--python-version", python_version,
                    "--dest", str(destination), *requirements], check=True)


def build_own_wheel(destination):
    """autograd_lab's wheel, built from a clean copy so no earlier build's files creep in."""
    with tempfile.TemporaryDirectory(prefix="autograd-lab-wheel-") as copy:
        for name in ("pyproject.toml", "README.md"):
            shutil.copy(ROOT / name, Path(copy) / name)
        shutil.copytree(ROOT / "autograd_lab", Path(copy) / "autograd_lab",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                        "--wheel-dir", str(destination), copy], check=True)


def wheel_of(project, folder):
    """The wheel of `project` in `folder`."""
    for wheel in folder.glob("*.whl"):
        if normalize(wheel.name.split("-")[0]) == normalize(project):
            return wheel
    raise FileNotFoundError(f"no wheel of {project} in {folder}")


def top_level_modules(wheel):
    """The modules a wheel installs at the top of site-packages (what `import` names)."""
    names = set()
    with zipfile.ZipFile(wheel) as archive:
        for path in archive.namelist():
            first = path.split("/")[0]
            if first.endswith((".dist-info", ".data")):
                continue
            names.add(first.removesuffix(".py"))
    return sorted(names)


def sha256_of(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def start_up_packages(lock):
    """The lock entries the kernel loads at start: KERNEL_START_UP and all they depend on."""
    packages, wanted = [], list(KERNEL_START_UP)
    while wanted:
        name = normalize(wanted.pop())
        if name not in packages:
            packages.append(name)
            wanted += lock["packages"][name]["depends"]
    return packages


def assemble_pyodide(pyodide_dir, wheels_dir):
    """Pyodide's core plus the wheels served from the site, and the lock file that lists them."""
    extract_npm_files(npm_fetch(*PYODIDE), pyodide_dir,
                      lambda path: "/" not in path and not PYODIDE_SKIPPED.search(path))
    lock_path = pyodide_dir / "pyodide-lock.json"
    lock = json.loads(lock_path.read_text())
    python_version = ".".join(lock["info"]["python"].split(".")[:2])

    start_up = start_up_packages(lock)
    pip_download([f"{name}=={lock['packages'][name]['version']}" for name in start_up],
                 wheels_dir, python_version)
    pip_download([f"{name}=={metadata.version(name)}" for name in BUNDLED
                  if name != "autograd_lab"], wheels_dir, python_version)
    build_own_wheel(wheels_dir)

    served = {name: dict(lock["packages"][name]) for name in start_up}
    for name, depends in BUNDLED.items():
        served[normalize(name)] = new_lock_entry(wheel_of(name, wheels_dir), depends)
    for name, entry in served.items():
        wheel = wheel_of(name, wheels_dir)
        shutil.copy(wheel, pyodide_dir / wheel.name)
        entry.update(file_name=wheel.name, sha256=sha256_of(wheel))
    for name, entry in lock["packages"].items():
        if name not in served:
            entry["file_name"] = PYODIDE_CDN + entry["file_name"]
    lock["packages"].update(served)
    lock_path.write_text(json.dumps(lock, indent=1, sort_keys=True))


def new_lock_entry(wheel, depends):
    """A pyodide-lock.json entry for a pure-Python wheel (file name and hash are set later)."""
    name, version = wheel.name.split("-")[:2]
    return {"name": normalize(name), "version": version, "imports": top_level_modules(wheel),
            "depends": depends, "install_dir": "site", "package_type": "package",
            "unvendored_tests": False}


def build_site(output_dir):
    fetch_graphviz_wasm()
    with tempfile.TemporaryDirectory(prefix="autograd-lab-lite-") as work:
        lite_dir = Path(work) / "lite"
        shutil.copytree(LITE_CONFIG, lite_dir)
        contents = Path(work) / "contents"
        shutil.copytree(ROOT / "notebooks", contents / "notebooks",
                        ignore=shutil.ignore_patterns("*.py", "*.cfg", ".*", "__pycache__"))
        shutil.copytree(ROOT / "imgs", contents / "imgs")
        assemble_pyodide(lite_dir / "static" / "pyodide", Path(work) / "wheels")
        if output_dir.exists():
            shutil.rmtree(output_dir)
        subprocess.run([str(Path(sys.executable).with_name("jupyter-lite")), "build",
                        "--lite-dir", str(lite_dir), "--contents", str(contents),
                        "--output-dir", str(output_dir.resolve())], check=True, cwd=lite_dir)
    print(f"The lessons as a static web site: {output_dir}/ (serve it, for example, with "
          f"'python3 -m http.server -d {output_dir} 8000 --bind 127.0.0.1', then open "
          "http://127.0.0.1:8000/; publish it by copying the folder to any static host)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output-dir", type=Path, default=ROOT / "build" / "lite")
    parser.add_argument("--graphviz-only", action="store_true",
                        help="only put the WebAssembly Graphviz inside the package")
    args = parser.parse_args()
    if args.graphviz_only:
        print(fetch_graphviz_wasm())
    else:
        build_site(args.output_dir)


if __name__ == "__main__":
    main()
