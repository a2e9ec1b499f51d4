"""Binder builds the lessons' image from environment.yml with repo2docker: the file must read,
pin Python, and the README's Binder link must open the first lesson."""

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BINDER_LINK = re.compile(r"\((https://mybinder\.org/v2/gh/[^)\s]+)\)")

repo2docker_installed = pytest.mark.skipif(
    subprocess.run([sys.executable, "-c", "import repo2docker"], capture_output=True).returncode,
    reason="jupyter-repo2docker is not installed",
)


def repo2docker_plan(folder, *options):
    """What repo2docker would build for `folder` (its Dockerfile), without Docker or a build."""
    return subprocess.run(
        [sys.executable, "-m", "repo2docker", "--no-build", "--debug", *options, str(folder)],
        capture_output=True, text=True, timeout=120,
    )


def pinned_python():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    (python,) = [d for d in environment["dependencies"] if str(d).startswith("python=")]
    return python.split("=")[1]


@repo2docker_installed
def test_repo2docker_builds_the_conda_environment_with_the_pinned_python():
    plan = repo2docker_plan(ROOT)
    assert plan.returncode == 0, plan.stderr
    output = plan.stdout + plan.stderr
    assert f"Building conda environment for python={pinned_python()}" in output
    assert '--file "environment.yml"' in output


@repo2docker_installed
def test_repo2docker_accepts_the_class_image_options():
    # classroom/README.md builds the Kubernetes image with autograd_lab outside /home/jovyan,
    # where Zero to JupyterHub mounts each student's volume.
    options = ("--user-name", "jovyan", "--target-repo-dir", "/srv/autograd_lab")
    assert " ".join(options) in (ROOT / "classroom" / "README.md").read_text()
    plan = repo2docker_plan(ROOT, *options)
    assert plan.returncode == 0, plan.stderr


@repo2docker_installed
def test_repo2docker_rejects_a_broken_environment_yml(tmp_path):
    (tmp_path / "environment.yml").write_text("dependencies:\n  - python=3.11\n - numpy: [\n")
    assert repo2docker_plan(tmp_path).returncode != 0


def test_no_binder_folder_hides_environment_yml():
    # repo2docker reads binder/ (or .binder/) instead of the top level when one exists.
    assert not (ROOT / "binder").exists() and not (ROOT / ".binder").exists()


def lessons_repository_on_github():
    """'owner/name' of the lessons' repository, as the class hub's configuration names it."""
    config = (ROOT / "classroom" / "jupyterhub_config.py").read_text()
    return re.search(r'^LESSONS_REPOSITORY = "https://github.com/([^"]+)"', config, re.M)[1]


def test_readme_binder_link_opens_the_first_lesson():
    links = BINDER_LINK.findall((ROOT / "README.md").read_text())
    assert links, "README.md should have a Binder link"
    for link in links:
        url = urlparse(link)
        assert url.path.startswith(f"/v2/gh/{lessons_repository_on_github()}/")
        lesson = unquote(parse_qs(url.query)["labpath"][0])
        assert lesson == "notebooks/00_start_here.ipynb"
        assert (ROOT / lesson).is_file()
