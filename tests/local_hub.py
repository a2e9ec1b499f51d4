"""A throwaway JupyterHub on 127.0.0.1 for the class test and the load measurement.

Anyone may log in with any password and every student's server runs as the calling user: fine for
a test that owns the machine for a minute, never for a class (classroom/jupyterhub_config.py is
the set-up for that). The hub is driven over its REST API, and code runs in a student's kernel
through the Jupyter server's kernel websocket, as JupyterLab does it.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def configurable_http_proxy():
    """The proxy program JupyterHub needs: where `make test` installs it, or on PATH."""
    for folder in (Path(sys.prefix), ROOT / ".venv"):
        program = folder / "node_modules" / ".bin" / "configurable-http-proxy"
        if program.exists():
            return str(program)
    return shutil.which("configurable-http-proxy")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def hub_config(folder, ports, token, environment):
    """The test hub's configuration: dummy login, no isolation, one service token for the API."""
    public, hub, proxy_api = ports
    return textwrap.dedent(
        f"""
        c = get_config()
        c.JupyterHub.ip = "127.0.0.1"
        c.JupyterHub.port = {public}
        c.JupyterHub.hub_ip = "127.0.0.1"
        c.JupyterHub.hub_port = {hub}
        c.ConfigurableHTTPProxy.command = [{configurable_http_proxy()!r}]
        c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api}"
        c.JupyterHub.db_url = "sqlite:///{folder}/jupyterhub.sqlite"
        c.JupyterHub.cookie_secret_file = "{folder}/cookie_secret"
        c.JupyterHub.authenticator_class = "dummy"
        c.Authenticator.allow_all = True
        c.Authenticator.admin_users = {{"teacher"}}
        c.JupyterHub.spawner_class = "simple"
        c.SimpleLocalProcessSpawner.home_dir_template = "{folder}/home/{{username}}"
        c.Spawner.ip = "127.0.0.1"
        c.Spawner.cmd = [{sys.executable!r}, "-m", "jupyterhub.singleuser"]
        c.Spawner.args = {["--allow-root"] if os.geteuid() == 0 else []!r}
        c.Spawner.environment = {environment!r}
        c.Spawner.start_timeout = 120
        c.Spawner.http_timeout = 120
        c.JupyterHub.services = [{{"name": "class-setup", "api_token": {token!r}}}]
        c.JupyterHub.load_roles = [{{
            "name": "class-setup",
            "scopes": ["admin:users", "admin:servers", "access:servers"],
            "services": ["class-setup"],
        }}]
        """
    )


class Hub:
    """A client for a running JupyterHub, authorised by one token."""

    def __init__(self, url, token):
        import requests

        self.url = url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"token {token}"

    @staticmethod
    def log_in(url, name, password):
        """A token for `name`, who logs in with a password through the hub's authenticator."""
        import requests

        response = requests.post(
            f"{url}/hub/api/users/{name}/tokens", timeout=30,
            json={"auth": {"username": name, "password": password}, "expires_in": 600},
        )
        response.raise_for_status()
        return response.json()["token"]

    def api(self, method, path, **kwargs):
        response = self.session.request(method, f"{self.url}/hub/api{path}", timeout=30, **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None

    def start_server(self, name):
        self.api("POST", "/users", json={"usernames": [name]})
        self.api("POST", f"/users/{name}/server")

    def wait_until_ready(self, name, deadline):
        while time.monotonic() < deadline:
            server = self.api("GET", f"/users/{name}")["servers"].get("")
            if server and server["ready"]:
                return
            time.sleep(0.5)
        raise TimeoutError(f"{name}'s server was not ready in time")

    def pull_lessons(self, name, repository, branch, folder="autograd-lab"):
        """Clone or update `repository` in `folder` of a user's home, as nbgitpuller's /git-pull
        link does."""
        response = self.session.get(
            f"{self.url}/user/{name}/git-pull/api",
            params={"repo": repository, "branch": branch, "targetpath": folder},
            stream=True, timeout=60,
        )
        response.raise_for_status()
        for line in response.iter_lines(decode_unicode=True):
            if line.startswith("data:"):
                event = json.loads(line[len("data:"):])
                if event.get("phase") in ("finished", "error"):
                    response.close()
                    return event
        raise RuntimeError("nbgitpuller's event stream ended without a result")

    def open_kernel(self, name):
        """Start a kernel on a user's server; return it, connected over its websocket."""
        kernels = f"{self.url}/user/{name}/api/kernels"
        response = self.session.post(kernels, json={"name": "python3"}, timeout=30)
        response.raise_for_status()
        return Kernel(f"{kernels}/{response.json()['id']}", self.session)


class Kernel:
    """One kernel of a user's server, reached through its websocket."""

    def __init__(self, url, session):
        self.url, self.session = url, session
        self.connect()

    def connect(self):
        """(Re)open the websocket. The server closes one left idle for long without a pong."""
        import websocket

        self.connection = websocket.create_connection(
            self.url.replace("http://", "ws://") + "/channels",
            header=[f"Authorization: {self.session.headers['Authorization']}"], timeout=60,
        )

    def execute(self, code, deadline):
        """Run `code` as one cell; return what it printed once the kernel is idle again."""
        msg_id = uuid.uuid4().hex
        self.connection.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "student",
                       "session": uuid.uuid4().hex, "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": False,
                        "user_expressions": {}, "allow_stdin": False},
        }))
        printed = []
        while time.monotonic() < deadline:
            frame = self.connection.recv()
            if not frame:  # a control frame (ping, pong), or the end of the connection
                if not self.connection.connected:
                    raise ConnectionError("the kernel's websocket closed")
                continue
            message = json.loads(frame)
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "stream":
                printed.append(content["text"])
            elif kind == "error":
                raise RuntimeError("\n".join(content["traceback"]))
            elif kind == "status" and content["execution_state"] == "idle":
                return "".join(printed)
        raise TimeoutError("the kernel did not finish in time")

    def shut_down(self):
        self.connection.close()
        self.session.delete(self.url, timeout=30)


class LocalHub:
    """`with LocalHub(folder) as hub:` a hub running in `folder`, stopped with all it started."""

    def __init__(self, folder, environment=None, start_timeout=60):
        self.folder = Path(folder)
        self.environment = dict(environment or {})
        self.start_timeout = start_timeout

    def __enter__(self):
        token = uuid.uuid4().hex
        ports = (free_port(), free_port(), free_port())
        config = hub_config(self.folder, ports, token, self.environment)
        (self.folder / "jupyterhub_config.py").write_text(config)
        self.log = open(self.folder / "jupyterhub.log", "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", "jupyterhub_config.py"],
            cwd=self.folder, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        hub = Hub(f"http://127.0.0.1:{ports[0]}", token)
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                hub.api("GET", "/")
                return hub
            except Exception:
                time.sleep(0.5)
        self.__exit__(None, None, None)
        raise RuntimeError("JupyterHub did not start:\n" + self.log_text())

    def log_text(self):
        return (self.folder / "jupyterhub.log").read_text()

    def __exit__(self, *exception):
        """SIGTERM (the hub then stops the proxy and every server), then SIGKILL what is left."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # the group started for this hub
                self.process.wait(30)
        self.log.close()
