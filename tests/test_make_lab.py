"""Checks that `make lab` starts a JupyterLab server on notebooks/ and prints the link to open."""

import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
READY_TIMEOUT_S = 90

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("make") is None, reason="GNU make is not installed"),
    pytest.mark.skipif(
        importlib.util.find_spec("jupyterlab") is None, reason="jupyterlab is not installed"
    ),
    pytest.mark.skipif(
        Path(sys.prefix).resolve() != (ROOT / ".venv").resolve(),
        reason="tests run outside the project's .venv, which `make lab` would build anew",
    ),
]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, json.load(response)


@pytest.fixture
def lab_server(tmp_path):
    """Run `make lab` in its own process group; yield its port, output lines and process."""
    port = free_port()
    # A fresh make: no flags inherited from a `make test` that may be running this test.
    env = {
        name: value for name, value in os.environ.items()
        if name not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")
    }
    env.pop("DISPLAY", None)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTERLAB_SETTINGS_DIR",
                 "JUPYTERLAB_WORKSPACES_DIR"):
        env[name] = str(tmp_path / name.lower())
    process = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"LAB_PORT={port}", "LAB_ARGS=--no-browser"],
        cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)
    reader.start()
    try:
        yield port, lines, process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        reader.join(timeout=5)


def test_make_lab_serves_the_notebooks_folder_and_prints_its_url(lab_server):
    port, lines, process = lab_server
    url_pattern = re.compile(rf"http://127\.0\.0\.1:{port}/lab\?token=(\w+)")
    deadline = time.monotonic() + READY_TIMEOUT_S
    status = token = None
    while time.monotonic() < deadline and process.poll() is None:
        match = url_pattern.search("".join(lines))
        if match:
            token = match.group(1)
            try:
                status, body = get_json(f"http://127.0.0.1:{port}/api/status?token={token}")
                break
            except (urllib.error.URLError, ConnectionError):
                pass
        time.sleep(0.5)
    output = "".join(lines)
    assert token, f"`make lab` printed no URL with a token:\n{output[-3000:]}"
    assert status == 200, f"JupyterLab did not answer on port {port}:\n{output[-3000:]}"
    assert "started" in body

    _, contents = get_json(f"http://127.0.0.1:{port}/api/contents?token={token}")
    assert "sanitize.cfg" in {item["name"] for item in contents["content"]}
