"""A real JupyterHub on 127.0.0.1 for the tests, installed and started as deploy/README.md says.

Used by tests/hub/test_hub_end_to_end.py.

- Unix users are named ``qitest-*`` (the README's example people, the grader account) and made
  by the README's own commands with the groups prefixed ``qitest``; :func:`remove_test_users`
  ends their processes (by process id) and deletes them with their homes. It also runs first,
  to clear users left by a crashed run.
- :class:`Readme` runs the README's one-machine ``bash`` blocks in order, with only the
  documented place variables pointing into a scratch folder (see its docstring).
- :class:`HubClient` talks to the running hub over its REST API with a test service's token.
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
    for tool in ("useradd", "userdel", "runuser", "chpasswd", "prlimit", "node", "npm", "make"):
        if not shutil.which(tool):
            return f"{tool} is not installed"
    if not SYSTEM_PYTHON.exists():
        return f"{SYSTEM_PYTHON} is missing (apt-get install python3 python3-venv)"
    version = run([str(SYSTEM_PYTHON), "-c", "import sys; print(sys.version_info[:2])"]).stdout
    if version.strip() != "(3, 11)":
        return f"{SYSTEM_PYTHON} is Python {version.strip()}, not 3.11 like the project venv"
    return None


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
    for group in (f"{GROUP_PREFIX}-learners", f"{GROUP_PREFIX}-trainers", f"{PREFIX}grader"):
        run(["groupdel", group], check=False)


# --- deploy/README.md, followed step by step ------------------------------------------------

README = ROOT / "deploy" / "README.md"
# The example names in the README's commands, made test users (qitest-* are removed afterwards).
PEOPLE = {"lee": f"{PREFIX}lee", "tara": f"{PREFIX}tara", "lin": f"{PREFIX}lin"}
DEFAULT_PLACES = ("/opt/qi-curriculum", "/etc/qi-curriculum", "/srv/", "/var/lib/qi")


def readme_blocks(readme: Path = README) -> list[str]:
    """The ```bash blocks of the README's one-machine section, in order."""
    text = readme.read_text(encoding="utf8")
    section = text[text.index("## One machine"):text.index("\n## ", text.index("## One machine"))]
    blocks, inside, lines = [], False, []
    for line in section.splitlines():
        if line.strip() == "```bash":
            inside, lines = True, []
        elif inside and line.strip() == "```":
            inside = False
            blocks.append("\n".join(lines))
        elif inside:
            lines.append(line)
    return blocks


SHIMS = {
    # Root runs every command here; `sudo -u NAME` becomes runuser, and the documented
    # variables (PREFIX, QI_ETC, ...) pass through as they would with `sudo -E`.
    "sudo": """#!/bin/sh
if [ "$1" = "-u" ]; then user="$2"; shift 2; exec runuser -u "$user" -- "$@"; fi
exec env "$@"
""",
    # `sudoedit FILE` is a person editing hub.yml: the test's edits (courses, people, ports).
    "sudoedit": """#!/bin/sh
exec "$QITEST_PYTHON" "$QITEST_SHIMS/edit_settings.py" "$1"
""",
    # `passwd NAME` is a person typing a password: the test's.
    "passwd": """#!/bin/sh
printf '%s:%s\\n' "$1" "$QITEST_PASSWORD" | chpasswd
""",
    # `systemctl enable --now jupyterhub` (no systemd here): run the installed unit's ExecStart
    # with its Environment= and WorkingDirectory=, as systemd would.
    "systemctl": """#!/bin/sh
exec "$QITEST_PYTHON" "$QITEST_SHIMS/run_unit.py" "$SYSTEMD_DIR/jupyterhub.service"
""",
}
EDIT_SETTINGS = """import json, os, sys, yaml
path = sys.argv[1]
settings = yaml.safe_load(open(path)) or {}
for key, value in json.loads(os.environ["QITEST_SETTINGS"]).items():
    settings.setdefault(key, {})
    if isinstance(value, dict) and key not in ("courses", "cohorts"):
        settings[key].update(value)
    else:
        settings[key] = value
open(path, "w").write(yaml.safe_dump(settings))
"""
RUN_UNIT = """import os, shlex, sys
env, cwd, cmd = {}, None, None
for line in open(sys.argv[1]):
    key, _, value = line.strip().partition("=")
    if key == "Environment":
        name, _, val = value.partition("=")
        env[name] = val
    elif key == "WorkingDirectory":
        cwd = value
    elif key == "ExecStart":
        cmd = shlex.split(value)
os.chdir(cwd)  # fails, as systemd would, if the folder does not exist
os.execve(cmd[0], cmd, {**env, "LANG": "C.UTF-8"})
"""


class Readme:
    """Runs deploy/README.md's one-machine commands in order, on a scratch install.

    The only changes: the documented place variables point into ``base`` (install.sh reads
    them; the default paths written in the commands are replaced by the same places), the
    example people are qitest-* users, and four commands that need a person or systemd are
    stand-ins (SHIMS): sudo, sudoedit (the test's hub.yml edits), passwd (the test's password)
    and systemctl (runs the installed unit as systemd would). A block that starts a hub runs
    in the background. Every block must be run, in order (:meth:`finished`).
    """

    def __init__(self, base: Path, settings: dict, password: str):
        self.base = base
        self.blocks = readme_blocks()
        self.done = 0
        self.places = {
            "PREFIX": base / "opt", "QI_ETC": base / "etc", "QI_STATE": base / "state",
            "EXCHANGE": base / "exchange", "QI_COURSES": base / "courses",
            "SYSTEMD_DIR": base / "systemd", "QI_HOME_BASE": base / "home",
        }
        (base / "home").mkdir(exist_ok=True)
        shims = base / "shims"
        shims.mkdir()
        for name, text in SHIMS.items():
            (shims / name).write_text(text)
            (shims / name).chmod(0o755)
        (shims / "edit_settings.py").write_text(EDIT_SETTINGS)
        (shims / "run_unit.py").write_text(RUN_UNIT)
        # an administrator's shell on a fresh machine: nothing the test session set for other
        # tests (the cohort tests point qilab's secret and XDG_CONFIG_HOME at temporary folders)
        fresh = {k: v for k, v in os.environ.items()
                 if not k.startswith(("QILAB_", "XDG_", "JUPYTER", "JPY_", "NBGRADER"))}
        self.env = {
            **fresh, **{k: str(v) for k, v in self.places.items()},
            "QI_GRADER": f"{PREFIX}grader", "QI_GROUP_PREFIX": GROUP_PREFIX,
            "PATH": f"{shims}:{os.environ.get('PATH', '')}",
            "QITEST_SHIMS": str(shims), "QITEST_PYTHON": sys.executable,
            "QITEST_SETTINGS": json.dumps(settings), "QITEST_PASSWORD": password,
        }
        for name in ("QI_HUB_TESTING", "QI_HUB_SETTINGS", "VIRTUAL_ENV", "PYTHONPATH"):
            self.env.pop(name, None)
        self.background: list[subprocess.Popen] = []

    def substitute(self, block: str) -> str:
        import re

        replacements = {"/opt/qi-curriculum": self.places["PREFIX"],
                        "/etc/qi-curriculum": self.places["QI_ETC"]}
        for default, place in replacements.items():
            block = block.replace(default, str(place))
        for name, test_name in PEOPLE.items():
            block = re.sub(rf"\b{name}\b", test_name, block)
        left = [p for p in DEFAULT_PLACES if p in block]
        assert not left, f"a README command uses {left}, which the test cannot redirect:\n{block}"
        return block

    def next(self, expect: str, *, background: bool = False, timeout: float = 900):
        """Run the next block, which must contain ``expect`` (so a reordered README fails)."""
        assert self.done < len(self.blocks), f"the README has no more blocks (wanted {expect})"
        block = self.blocks[self.done]
        assert expect in block, f"README block {self.done + 1} is not {expect!r}:\n{block}"
        self.done += 1
        script = "set -euo pipefail\n" + self.substitute(block)
        if background:
            log = open(self.base / f"readme-block-{self.done}.log", "w")
            proc = subprocess.Popen(["bash", "-c", script], cwd=ROOT, env=self.env, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
            proc.log_path = log.name
            self.background.append(proc)
            return proc
        done = run(["bash", "-c", script], cwd=ROOT, env=self.env, check=False, timeout=timeout)
        assert done.returncode == 0, (
            f"README block {self.done} failed ({done.returncode}):\n{block}\n"
            f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return done

    def finished(self) -> None:
        assert self.done == len(self.blocks), (
            f"{len(self.blocks) - self.done} README block(s) were not run: "
            f"{self.blocks[self.done:]}")

    def stop(self, proc: subprocess.Popen) -> None:
        """Stop a hub started by a block (SIGTERM stops its servers), then its group by id."""
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


class HubClient:
    """A running hub on 127.0.0.1, driven with a test service's token (REST API)."""

    def __init__(self, url: str, token: str):
        self.url, self.token = url, token

    def wait(self, proc: subprocess.Popen, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"the hub exited ({proc.returncode}):\n"
                                   + Path(proc.log_path).read_text()[-4000:])
            try:
                if self.api("GET", "/").status_code == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("the hub did not answer:\n" + Path(proc.log_path).read_text()[-4000:])

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
            assert r.status_code in (201, 202, 400), (user, r.status_code, r.text)
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
            raise RuntimeError(f"servers not ready for {sorted(waiting)}")


class KernelSession:
    """A kernel in a user's server, driven over its websocket through the hub's proxy."""

    def __init__(self, hub: HubClient, user: str):
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
