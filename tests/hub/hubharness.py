"""A real JupyterHub on 127.0.0.1 for the tests: unix users, a world-readable Python, the hub.

Used by tests/hub/test_hub_end_to_end.py and tests/bench/bench_hub_memory.py.

- Unix users are named ``qitest-*`` and made with deploy/local/add-user.sh (homes 0700) under a
  temporary base folder; :func:`remove_test_users` ends their processes (by process id) and
  deletes them with their homes. It also runs first, to clear users left by a crashed run.
- The single-user servers cannot run the project's Python: it lives under /root (pyenv), which
  other users cannot enter. :func:`world_readable_venv` makes a small venv from Debian's
  /usr/bin/python3 (3.11, the same ABI as the project's 3.11) in a world-readable folder, with
  a ``.pth`` that adds the project's site-packages (or a copy of them when the project folder
  is not readable by other users). It takes about a second; a fresh ``pip install`` of
  requirements.txt would take a minute or more.
- :class:`Hub` starts ``jupyterhub -f deploy/local/jupyterhub_config.py`` (the file a real site
  uses) with a settings file and a test service token, and talks to it over its REST API.
- :class:`KernelSession` runs code in a kernel of a user's server over the kernel websocket, as
  JupyterLab does; the code runs as that unix user.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import fcntl
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy" / "local"
PREFIX = "qitest-"
GROUP_PREFIX = "qitest"  # unix groups qitest-learners, qitest-trainers
CHP_VERSION = "5.3.0"
NPM_PREFIX = ROOT / ".venv" / "npm"
CHP = NPM_PREFIX / "node_modules" / ".bin" / "configurable-http-proxy"
SYSTEM_PYTHON = Path("/usr/bin/python3")
LOCK = Path("/tmp/qitest-hub.lock")


def run(cmd: list[str], **kw: Any) -> subprocess.CompletedProcess:
    kw.setdefault("check", True)
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    return subprocess.run(cmd, **kw)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def can_run_hub() -> str | None:
    """None when the hub test can run here, else the reason it cannot."""
    if os.geteuid() != 0:
        return "needs root: it creates unix users (qitest-*) and starts servers as them"
    for tool in ("useradd", "userdel", "runuser", "prlimit", "node", "npm"):
        if not shutil.which(tool):
            return f"{tool} is not installed"
    if not SYSTEM_PYTHON.exists():
        return f"{SYSTEM_PYTHON} is missing (apt-get install python3 python3-venv)"
    version = run([str(SYSTEM_PYTHON), "-c", "import sys; print(sys.version_info[:2])"]).stdout
    if version.strip() != "(3, 11)":
        return f"{SYSTEM_PYTHON} is Python {version.strip()}, not 3.11 like the project venv"
    return None


def ensure_chp() -> Path:
    """configurable-http-proxy from npm into .venv/npm (gitignored), once."""
    if not CHP.exists():
        run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix",
             str(NPM_PREFIX), f"configurable-http-proxy@{CHP_VERSION}"])
    return CHP


# --- unix users -------------------------------------------------------------------------------

def test_users() -> list[str]:
    return [p.pw_name for p in pwd.getpwall() if p.pw_name.startswith(PREFIX)]


def _pids_of(uid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    pids.append(int(entry.name))
            except FileNotFoundError:
                pass
    return pids


def kill_user_processes(name: str) -> None:
    """End every process of a qitest-* user, each by its process id."""
    assert name.startswith(PREFIX)
    uid = pwd.getpwnam(name).pw_uid
    for sig in (signal.SIGTERM, signal.SIGKILL):
        pids = _pids_of(uid)
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 5
        while _pids_of(uid) and time.monotonic() < deadline:
            time.sleep(0.1)


def remove_test_users() -> None:
    """Delete every qitest-* user (processes, home) and the qitest-* groups."""
    for name in test_users():
        kill_user_processes(name)
        home = Path(pwd.getpwnam(name).pw_dir)
        run(["userdel", "--remove", name], check=False)
        if home.name == name and home.exists():
            shutil.rmtree(home, ignore_errors=True)
    for group in (f"{GROUP_PREFIX}-learners", f"{GROUP_PREFIX}-trainers"):
        run(["groupdel", group], check=False)


def add_user(name: str, role: str, home_base: Path) -> Path:
    """deploy/local/add-user.sh NAME ROLE, with homes under ``home_base``."""
    env = {**os.environ, "QI_HOME_BASE": str(home_base), "QI_GROUP_PREFIX": GROUP_PREFIX}
    run([str(DEPLOY / "add-user.sh"), name, role], env=env)
    return Path(pwd.getpwnam(name).pw_dir)


# --- a Python every user can run --------------------------------------------------------------

def _readable_by_others(path: Path) -> bool:
    done = run(["runuser", "-u", "nobody", "--", "test", "-r", str(path)], check=False)
    return done.returncode == 0


def world_readable_venv(base: Path) -> Path:
    """A venv at ``base/venv`` that every user can run, with the project's packages."""
    venv = base / "venv"
    run([str(SYSTEM_PYTHON), "-m", "venv", "--without-pip", str(venv)])
    site = Path(run([str(ROOT / ".venv" / "bin" / "python"), "-c",
                     "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    ours = venv / "lib" / "python3.11" / "site-packages"
    readable = _readable_by_others(site / "jupyterhub" / "__init__.py") and _readable_by_others(
        ROOT / "qilab" / "__init__.py")
    if readable and os.environ.get("QITEST_COPY_SITE_PACKAGES") != "1":
        (ours / "qi_project.pth").write_text(f"import site; site.addsitedir({str(site)!r})\n")
    else:
        # The project folder is private (e.g. a CI clone under a 0700 home): copy the packages.
        copy = base / "site-packages"
        shutil.copytree(site, copy, symlinks=True)
        for editable in copy.glob("__editable__*qilab*"):  # it points into the private folder
            editable.unlink()
        shutil.copytree(ROOT / "qilab", copy / "qilab", dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
        (ours / "qi_project.pth").write_text(f"import site; site.addsitedir({str(copy)!r})\n")
    # Jupyter data (kernels, extensions) and the server extension switches of the project venv.
    shutil.rmtree(venv / "share", ignore_errors=True)
    shutil.copytree(ROOT / ".venv" / "share" / "jupyter", venv / "share" / "jupyter",
                    symlinks=True)
    shutil.copytree(ROOT / ".venv" / "etc" / "jupyter", venv / "etc" / "jupyter",
                    dirs_exist_ok=True)
    shutil.copyfile(DEPLOY / "nbgrader_config.py", venv / "etc" / "jupyter" / "nbgrader_config.py")
    # Console scripts (nbgrader runs `alembic` from PATH), pointed at this venv's python.
    python = venv / "bin" / "python"
    for script in (ROOT / ".venv" / "bin").iterdir():
        target = venv / "bin" / script.name
        if target.exists() or not script.is_file():
            continue
        try:
            text = script.read_text()
        except UnicodeDecodeError:
            continue
        if text.startswith("#!") and "python" in text.splitlines()[0]:
            target.write_text(f"#!{python}\n" + text.split("\n", 1)[1])
            target.chmod(0o755)
    # Only the environment is opened up: the users' homes under ``base`` stay 0700.
    for folder in (venv, base / "site-packages"):
        if folder.exists():
            run(["chmod", "-R", "a+rX", str(folder)])
    return venv


# --- the hub ----------------------------------------------------------------------------------

class Hub:
    """``jupyterhub -f deploy/local/jupyterhub_config.py`` on 127.0.0.1 with free ports."""

    def __init__(self, base: Path, venv: Path, courses: dict, *, mem_limit: str = "3G",
                 exchange: Path):
        import yaml

        self.base = base
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = secrets.token_hex(32)
        state = base / "state"
        state.mkdir(mode=0o700)
        extra = base / "test_extra_config.py"
        extra.write_text(
            "import os\nc = get_config()\n"
            "# Appended to the main file's lists (a sub-config's lists merge).\n"
            "c.JupyterHub.services.append({'name': 'qitest-driver',\n"
            "    'api_token': os.environ['QITEST_SERVICE_TOKEN']})\n"
            "c.JupyterHub.load_roles.append({'name': 'qitest-driver',\n"
            "    'scopes': ['admin:users', 'admin:servers', 'access:servers', 'read:groups',\n"
            "               'list:users', 'list:groups', 'list:services',\n"
            "               'read:services'], 'services': ['qitest-driver']})\n")
        self.settings = {
            "hub": {"bind_url": self.url, "hub_port": free_port(),
                    "proxy_api_port": free_port(), "state_dir": str(state), "admins": []},
            "authenticator": {"class": "jupyterhub.auth.PAMAuthenticator",
                              "allowed_unix_groups": [f"{GROUP_PREFIX}-learners",
                                                      f"{GROUP_PREFIX}-trainers"]},
            "environment": {"venv": str(venv), "proxy_command": str(ensure_chp()),
                            "default_url": "/lab"},
            "limits": {"mem_limit": mem_limit, "cpu_limit": 1, "max_processes": 200,
                       "cull_idle_seconds": 3600},
            "nbgrader": {"exchange_root": str(exchange)},
            "courses": courses,
            "extra_config": str(extra),
        }
        self.settings_file = base / "hub.yml"
        self.settings_file.write_text(yaml.safe_dump(self.settings))
        self.log_path = state / "hub.log"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        env = {**os.environ, "QI_HUB_SETTINGS": str(self.settings_file),
               "QITEST_SERVICE_TOKEN": self.token,
               "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
        env.pop("QI_HUB_TESTING", None)
        jupyterhub = Path(sys.executable).parent / "jupyterhub"
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [str(jupyterhub), "-f", str(DEPLOY / "jupyterhub_config.py")],
            cwd=self.base / "state", env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the hub exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                if self.api("GET", "/").status_code == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the hub did not answer in {timeout} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 80) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """Stop the hub (it stops the users' servers first), then its process group by id."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the proxy and culler it started
        except ProcessLookupError:
            pass
        self.proc.wait()
        self.log.close()

    # REST API --------------------------------------------------------------------------------
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}

    def api(self, method: str, path: str, **kw: Any):
        import requests

        return requests.request(method, f"{self.url}/hub/api{path}", headers=self.headers(),
                                timeout=kw.pop("timeout", 30), **kw)

    def user_request(self, user: str, method: str, path: str, **kw: Any):
        """A request to a user's server, through the hub's proxy."""
        import requests

        return requests.request(method, f"{self.url}/user/{user}{path}", headers=self.headers(),
                                timeout=kw.pop("timeout", 120), **kw)

    def spawn(self, *users: str, timeout: float = 120) -> None:
        for user in users:
            r = self.api("POST", f"/users/{user}/server")
            assert r.status_code in (201, 202), (user, r.status_code, r.text)
        deadline = time.monotonic() + timeout
        waiting = set(users)
        while waiting and time.monotonic() < deadline:
            for user in list(waiting):
                model = self.api("GET", f"/users/{user}").json()
                server = model.get("servers", {}).get("")
                if server and server.get("ready"):
                    waiting.discard(user)
            time.sleep(0.5)
        if waiting:
            raise RuntimeError(f"servers not ready for {sorted(waiting)}:\n{self.log_tail()}")


class KernelSession:
    """A kernel in a user's server, driven over its websocket through the hub's proxy."""

    def __init__(self, hub: Hub, user: str):
        self.hub, self.user = hub, user
        r = hub.user_request(user, "POST", "/api/kernels", json={"name": "python3"})
        assert r.status_code == 201, r.text
        self.kernel_id = r.json()["id"]
        self.session = uuid.uuid4().hex

    def execute(self, code: str, timeout: float = 120) -> str:
        """Run ``code``; return its printed output; raise AssertionError if it raised.

        The coroutine runs on its own thread: in a full test session Playwright's sync API
        may already be running an event loop on this one, and asyncio.run refuses to nest.
        """
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, self._execute(code, timeout)).result()

    async def _execute(self, code: str, timeout: float) -> str:
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        url = (self.hub.url.replace("http", "ws", 1)
               + f"/user/{self.user}/api/kernels/{self.kernel_id}/channels"
               + f"?session_id={self.session}")
        ws = await websocket_connect(HTTPRequest(url, headers=self.hub.headers()))
        msg_id = uuid.uuid4().hex
        ws.write_message(json.dumps({
            "header": {"msg_id": msg_id, "username": self.user, "session": self.session,
                       "msg_type": "execute_request", "version": "5.3",
                       "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": False,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
        }))
        out: list[str] = []
        error: str | None = None
        replied = idle = False
        deadline = time.monotonic() + timeout
        try:
            while not (replied and idle):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{self.user}: code did not finish in {timeout} s")
                raw = await asyncio.wait_for(ws.read_message(), left)
                if raw is None:
                    raise ConnectionError(f"{self.user}: kernel websocket closed")
                msg = json.loads(raw)
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind = msg["header"]["msg_type"]
                if kind == "stream":
                    out.append(msg["content"]["text"])
                elif kind == "error":
                    error = "\n".join(msg["content"]["traceback"])
                elif kind == "execute_reply":
                    replied = True
                elif kind == "status" and msg["content"]["execution_state"] == "idle":
                    idle = True
        finally:
            ws.close()
        if error:
            raise AssertionError(f"code raised in {self.user}'s kernel:\n{error}")
        return "".join(out)

    def shutdown(self) -> None:
        self.hub.user_request(self.user, "DELETE", f"/api/kernels/{self.kernel_id}")


@contextlib.contextmanager
def machine_lock(timeout: float = 900):
    """One hub test at a time on this machine (several checkouts or xdist workers may run the
    suite at once): the stale-user clean-up must never remove another run's live users."""
    with open(LOCK, "w") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"another hub test held {LOCK} for {timeout} s")
                time.sleep(1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def make_base() -> Path:
    """A world-readable temporary folder (pytest's own tmp is private to root)."""
    base = Path(tempfile.mkdtemp(prefix="qitest-hub-", dir="/tmp"))
    base.chmod(0o755)
    return base
