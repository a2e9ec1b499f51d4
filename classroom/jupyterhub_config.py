"""JupyterHub for a class on one Linux server: every student gets their own account, server and copy
of the lessons.

Start it as root (the spawner below creates Unix accounts and systemd units):

    /opt/autograd_lab/venv/bin/jupyterhub -f /opt/autograd_lab/jupyterhub_config.py

classroom/README.md walks through installing it, signing students up and updating the lessons.
Edit the settings in capitals just below; the rest explains itself and rarely needs changing.
"""

import os
import pwd
import subprocess
from urllib.parse import urlencode

c = get_config()  # noqa: F821 -- JupyterHub defines get_config() for the file it loads

# ------------------------------------------------------------------ settings for your class

# The name students type into their browser. HTTPS needs a certificate for it, e.g. from
# `certbot certonly --standalone -d class.example.org` (stored in the folder below).
HOSTNAME = "class.example.org"
CERTIFICATES = f"/etc/letsencrypt/live/{HOSTNAME}"

# Teachers are the hub's admins: they approve sign-ups and can see every student's server.
TEACHERS = {"teacher"}

# Where the lessons come from. A fork puts its own address here (and in the README's Binder link).
LESSONS_REPOSITORY = "https://github.com/autograd-lab/autograd_lab"
LESSONS_BRANCH = "main"
LESSONS_FOLDER = "autograd-lab"  # in each student's home
FIRST_LESSON = "notebooks/00_start_here.ipynb"

# The virtual environment that holds JupyterHub, JupyterLab, nbgitpuller and autograd_lab.
VENV = "/opt/autograd_lab/venv"

# What one student may use. A student's server and kernel took 212 MB in lesson 07 (measured,
# classroom/README.md); one core stops a runaway training loop from slowing the whole class down.
MEMORY_PER_STUDENT = "1G"
CORES_PER_STUDENT = 1.0

# ------------------------------------------------------------------ the address and HTTPS

c.JupyterHub.bind_url = "https://:443"
c.JupyterHub.ssl_cert = f"{CERTIFICATES}/fullchain.pem"
c.JupyterHub.ssl_key = f"{CERTIFICATES}/privkey.pem"
# Hub state (users, approved sign-ups, tokens) lives here and survives restarts.
c.JupyterHub.db_url = "sqlite:////opt/autograd_lab/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "/opt/autograd_lab/jupyterhub_cookie_secret"

# ------------------------------------------------------------------ who may log in
# NativeAuthenticator keeps usernames and (bcrypt-hashed) passwords in the hub's own database,
# so a class needs no outside account service. Students sign up at /hub/signup; nobody can log in
# until a teacher approves them at /hub/authorize. For a university with single sign-on, an
# OAuthenticator (GitHub, Google, generic OAuth2) replaces these lines; see the Kubernetes set-up
# in values.yaml for one.
c.JupyterHub.authenticator_class = "native"
c.NativeAuthenticator.open_signup = False
c.NativeAuthenticator.minimum_password_length = 10
c.NativeAuthenticator.check_common_password = True
c.NativeAuthenticator.allowed_failed_logins = 5
c.NativeAuthenticator.seconds_before_next_try = 600
# The teacher's approval is the gate: authenticate() refuses anyone not yet approved, so the hub
# itself lets every approved user in.
c.Authenticator.allow_all = True
c.Authenticator.admin_users = TEACHERS
# Usernames become Unix account names ("jupyter-<name>"), so keep them to what Unix accepts.
c.Authenticator.username_pattern = r"^[a-z][a-z0-9_-]{1,23}$"

# ------------------------------------------------------------------ one isolated server each
# SystemdSpawner runs each student's Jupyter server as a systemd unit under the student's own
# Unix account: students cannot read each other's files, cannot become root, see their own /tmp
# and /dev, and are held to the memory and CPU limits above. (The simple local spawner of the
# tests runs everyone as the hub's own user and isolates nothing.)
c.JupyterHub.spawner_class = "systemdspawner"
c.SystemdSpawner.username_template = "jupyter-{USERNAME}"
c.SystemdSpawner.disable_user_sudo = True
c.SystemdSpawner.isolate_tmp = True
c.SystemdSpawner.isolate_devices = True
c.SystemdSpawner.extra_paths = [f"{VENV}/bin"]
c.Spawner.cmd = [f"{VENV}/bin/jupyterhub-singleuser"]
c.Spawner.mem_limit = MEMORY_PER_STUDENT
c.Spawner.cpu_limit = CORES_PER_STUDENT
c.Spawner.notebook_dir = "~"
# One BLAS thread per student. numpy otherwise starts a thread per core in every kernel, and on a
# busy server those threads fight: lesson 07's training loop then used 6.4 CPU seconds instead of
# 0.35 and took 22 s instead of 1.5 s (bench/class_load.py, classroom/README.md).
c.Spawner.environment = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                                 "MKL_NUM_THREADS")}


def unix_account_of(spawner):
    """The Unix account a hub user's server runs as: created, with a private home, on first use."""
    name = f"jupyter-{spawner.user.name}"
    try:
        pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name], check=True)
        os.chmod(pwd.getpwnam(name).pw_dir, 0o700)
    return name


c.Spawner.pre_spawn_hook = unix_account_of

# ------------------------------------------------------------------ the lessons in every home
# Each server opens on nbgitpuller's /git-pull link. The first time, it clones the lessons into
# ~/autograd-lab (a name Python cannot import: a folder named autograd_lab in the home would hide
# the installed package from a notebook started there); every later start merges the teacher's
# updates into that copy, keeping the student's own edits (where both changed the same lines,
# the student's version wins), and restores any lesson the student deleted.
_pull = urlencode(
    {
        "repo": LESSONS_REPOSITORY,
        "branch": LESSONS_BRANCH,
        "targetpath": LESSONS_FOLDER,
        "urlpath": f"lab/tree/{LESSONS_FOLDER}/{FIRST_LESSON}",
    }
)
c.Spawner.default_url = f"/git-pull?{_pull}"

# ------------------------------------------------------------------ freeing idle servers
# A server nobody has used for an hour is stopped (its files stay in the student's home), so
# memory goes to the students who are working. Needs `pip install jupyterhub-idle-culler`.
c.JupyterHub.services = [
    {"name": "idle-culler", "command": [f"{VENV}/bin/python", "-m", "jupyterhub_idle_culler",
                                        "--timeout=3600"]},
]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    },
]
