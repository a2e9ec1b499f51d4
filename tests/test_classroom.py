"""The class set-ups in classroom/: what they ship is safe, lesson updates keep students' edits,
and a JupyterHub on 127.0.0.1 serves three students who each run lesson 03 in their own kernel."""

import asyncio
import inspect
import shutil
import subprocess
import textwrap
import time
from importlib.metadata import entry_points
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import yaml
from local_hub import Hub, LocalHub, configurable_http_proxy

ROOT = Path(__file__).resolve().parents[1]
CLASSROOM = ROOT / "classroom"
HUB_CONFIG = CLASSROOM / "jupyterhub_config.py"
K8S_VALUES = CLASSROOM / "values.yaml"

# Fine for a test on 127.0.0.1; a class must never ship them (see classroom/jupyterhub_config.py).
TEST_ONLY_AUTHENTICATORS = {"DummyAuthenticator", "NullAuthenticator"}
TEST_ONLY_SPAWNERS = {"SimpleLocalProcessSpawner"}


def entry_point_class(group, name):
    """The class that JupyterHub loads for a short name such as 'native' (None if not installed)."""
    for entry_point in entry_points(group=group):
        if entry_point.name == name:
            return entry_point.load()
    return None


def load_hub_config(path):
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader(path.name, str(path.parent)).load_config()


# ------------------------------------------------------------------ what the shipped files say


@pytest.fixture(scope="module")
def hub_config():
    pytest.importorskip("jupyterhub")
    return load_hub_config(HUB_CONFIG)


@pytest.fixture(scope="module")
def k8s_values():
    return yaml.safe_load(K8S_VALUES.read_text())


def test_shipped_hub_uses_a_real_authenticator_and_an_isolating_spawner(hub_config):
    authenticator = entry_point_class(
        "jupyterhub.authenticators", hub_config.JupyterHub.authenticator_class
    )
    spawner = entry_point_class("jupyterhub.spawners", hub_config.JupyterHub.spawner_class)
    assert authenticator is not None and spawner is not None, "install the test extra"
    assert not {cls.__name__ for cls in authenticator.__mro__} & TEST_ONLY_AUTHENTICATORS
    assert not {cls.__name__ for cls in spawner.__mro__} & TEST_ONLY_SPAWNERS
    # Each student's server runs under a Unix account of their own, which cannot become root.
    assert hub_config.SystemdSpawner.username_template == "jupyter-{USERNAME}"
    assert hub_config.SystemdSpawner.disable_user_sudo is True
    # Nobody gets in before a teacher approves them.
    assert hub_config.NativeAuthenticator.open_signup is False


def test_shipped_hub_lets_in_only_students_a_teacher_approved(hub_config):
    native = pytest.importorskip("nativeauthenticator")
    from nativeauthenticator.orm import UserInfo
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    database = sessionmaker(bind=create_engine("sqlite://"))()
    authenticator = native.NativeAuthenticator(config=hub_config, _deprecated_db_session=database)

    def log_in(name, password):
        form = {"username": name, "password": password}
        return asyncio.run(authenticator.authenticate(None, form))

    password = "a long passphrase 42"
    assert authenticator.create_user("ada", password)
    assert log_in("ada", password) is None  # signed up, not yet approved
    UserInfo.change_authorization(database, "ada")  # what the teacher's /hub/authorize page does
    assert log_in("ada", password) == "ada"
    assert log_in("ada", "a wrong passphrase") is None
    allowed = authenticator.check_allowed("ada", None)
    assert (asyncio.run(allowed) if inspect.isawaitable(allowed) else allowed) is True
    # Names must make Unix accounts; passwords must be long and not common.
    assert authenticator.create_user("1ada", password) is None
    assert authenticator.create_user("ada/x", password) is None
    assert authenticator.create_user("grace", "password") is None
    # A teacher's name is approved at sign-up.
    assert authenticator.create_user("teacher", password).is_authorized


def test_every_setting_of_the_shipped_hub_exists(hub_config):
    from jupyterhub.app import JupyterHub

    classes = [
        JupyterHub,
        entry_point_class("jupyterhub.authenticators", hub_config.JupyterHub.authenticator_class),
        entry_point_class("jupyterhub.spawners", hub_config.JupyterHub.spawner_class),
    ]
    for section, settings in hub_config.items():
        owners = [c for cls in classes for c in cls.__mro__ if c.__name__ == section]
        assert owners, f"no class is configured by c.{section}"
        known = owners[0].class_traits(config=True)
        for name in settings:
            assert name in known, f"c.{section}.{name} is not a setting of {section}"


def test_shipped_hub_opens_the_lessons_with_nbgitpuller(hub_config):
    url = urlparse(hub_config.Spawner.default_url)
    assert url.path == "/git-pull"
    query = parse_qs(url.query)
    assert query["repo"] == [namespace_of(HUB_CONFIG)["LESSONS_REPOSITORY"]]
    # A clone named autograd_lab in the home would hide the installed package from a notebook
    # started there (Python would import the folder instead), so the lessons go elsewhere.
    assert query["targetpath"] == ["autograd-lab"]
    assert query["urlpath"] == ["lab/tree/autograd-lab/notebooks/00_start_here.ipynb"]
    assert (ROOT / "notebooks" / "00_start_here.ipynb").is_file()
    # backup=true would move the student's folder aside on every update.
    assert "backup" not in query


def namespace_of(config_file):
    """The module-level names a config file defines (its settings in capitals)."""
    namespace = {"get_config": lambda: load_hub_config(config_file)}
    exec(compile(config_file.read_text(), str(config_file), "exec"), namespace)
    return namespace


def all_strings(tree):
    """Every string in a parsed YAML tree, keys and values, without recursion."""
    pending, found = [tree], []
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            found += [key for key in node if isinstance(key, str)]
            pending += node.values()
        elif isinstance(node, list):
            pending += node
        elif isinstance(node, str):
            found.append(node)
    return found


def test_kubernetes_values_use_oauth_and_no_test_only_classes(k8s_values):
    hub = k8s_values["hub"]["config"]
    # Zero to JupyterHub's own default is the dummy authenticator: it must be replaced.
    assert hub["JupyterHub"]["authenticator_class"] == "github"
    assert hub["GitHubOAuthenticator"]["allowed_organizations"]
    words = " ".join(all_strings(k8s_values)).lower()
    for name in {"dummy", "simple", "null"} | TEST_ONLY_AUTHENTICATORS | TEST_ONLY_SPAWNERS:
        assert name.lower() not in words


def test_kubernetes_image_and_lessons_match_the_single_server_set_up(k8s_values, hub_config):
    singleuser = k8s_values["singleuser"]
    assert singleuser["image"]["name"] and singleuser["image"]["tag"]
    assert singleuser["defaultUrl"] == hub_config.Spawner.default_url
    # Students' volumes are mounted on /home/jovyan: the lessons are cloned there.
    assert singleuser["notebookDir"] == "/home/jovyan"
    # Students' kernels share the cores: one BLAS thread each, on one server as on Kubernetes.
    assert singleuser["extraEnv"] == hub_config.Spawner.environment
    assert hub_config.Spawner.environment["OPENBLAS_NUM_THREADS"] == "1"
    assert k8s_values["cull"]["enabled"] is True


# ------------------------------------------------------------------ lesson updates and edits


def git(*args, cwd):
    subprocess.run(
        ["git", "-c", "user.name=Teacher", "-c", "user.email=teacher@example.org", *args],
        cwd=cwd, check=True, capture_output=True, text=True,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_lesson_update_keeps_the_students_edits(tmp_path):
    pull = pytest.importorskip("nbgitpuller.pull")
    course = tmp_path / "course"
    course.mkdir()
    git("init", "--quiet", "--initial-branch=main", cwd=course)
    (course / "lesson.py").write_text("x = 1\ny = 2\n")
    git("add", "-A", cwd=course)
    git("commit", "--quiet", "-m", "first lesson", cwd=course)

    home = tmp_path / "home" / "autograd_lab"
    list(pull.GitPuller(str(course), str(home), branch="main").pull())
    (home / "lesson.py").write_text("x = 1\ny = 'my answer'\n")

    (course / "lesson.py").write_text("x = 1\ny = 3\n")
    (course / "lesson2.py").write_text("z = 3\n")
    git("add", "-A", cwd=course)
    git("commit", "--quiet", "-m", "a fix and a new lesson", cwd=course)
    list(pull.GitPuller(str(course), str(home), branch="main").pull())

    assert (home / "lesson.py").read_text() == "x = 1\ny = 'my answer'\n"
    assert (home / "lesson2.py").read_text() == "z = 3\n"


# ------------------------------------------------------------------ a class of three on one hub

STUDENTS = ("ada", "grace", "alan")

# Lesson 03's first steps; the kernel prints the gradient, the folder it runs in, and whether
# the lesson is in that folder.
LESSON_03 = textwrap.dedent(
    """
    import os
    import autograd_lab as torch
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    out = z.mean()
    out.backward()
    print(x.grad.tolist(), os.path.basename(os.getcwd()),
          os.path.isfile("autograd-lab/notebooks/03_autograd_first_steps.ipynb"))
    """
)


def course_repository(folder):
    """A git repository named like the course's, holding the lesson notebooks."""
    course = folder / "autograd_lab"
    shutil.copytree(ROOT / "notebooks", course / "notebooks", ignore=shutil.ignore_patterns(
        ".ipynb_checkpoints", "__pycache__"))
    git("init", "--quiet", "--initial-branch=main", cwd=course)
    git("add", "-A", cwd=course)
    git("commit", "--quiet", "-m", "the lessons", cwd=course)
    return course


@pytest.mark.slow
@pytest.mark.hub
@pytest.mark.skipif(configurable_http_proxy() is None,
                    reason="configurable-http-proxy (npm) is not installed")
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_three_students_run_lesson_03_on_one_hub(tmp_path):
    pytest.importorskip("jupyterhub")
    pytest.importorskip("websocket")
    pytest.importorskip("nbgitpuller")
    course = course_repository(tmp_path / "course")
    hub_folder = tmp_path / "hub"
    hub_folder.mkdir()
    with LocalHub(hub_folder) as hub:
        deadline = time.monotonic() + 240
        for name in STUDENTS:
            hub.start_server(name)
        for name in STUDENTS:
            hub.wait_until_ready(name, deadline)

        for name in STUDENTS:
            assert hub.pull_lessons(name, str(course), "main")["phase"] == "finished"
            kernel = hub.open_kernel(name)
            printed = kernel.execute(LESSON_03, deadline)
            kernel.shut_down()
            assert printed.split() == ["[[4.5,", "4.5],", "[4.5,", "4.5]]", name, "True"]

        # The teacher (an admin, from Authenticator.admin_users) sees all three servers running.
        token = Hub.log_in(hub.url, "teacher", password="any, for the test authenticator")
        users = {user["name"]: user for user in Hub(hub.url, token).api("GET", "/users")}
        running = {name for name, user in users.items() if user["servers"].get("", {}).get("ready")}
        assert running == set(STUDENTS)
        assert users["teacher"]["admin"] is True

        for name in STUDENTS:
            hub.api("DELETE", f"/users/{name}/server")
