"""The grading service: trainers ask, the grader account releases, collects and grades.

JupyterHub starts this as a managed service (``/services/qi-grading/``) running as the grader
unix user (``nbgrader.grader_user`` in hub.yml), never as a trainer. A trainer signs in through
the hub (OAuth, or a hub API token of their own) and may run a step only for a course whose
``formgrade-<course>`` hub group they are in. Each step is ``qilab cohort STEP ASSIGNMENT`` in
the course folder, with a minimal environment: no hub token, no trainer's anything.

    GET  /services/qi-grading/                              a page with a button per step
    POST /services/qi-grading/api/COURSE/ASSIGNMENT/STEP    JSON {"returncode", "output"}

STEP is release, collect, autograde or feedback. Before ``collect``, every entry in the course's
``inbound/`` that is not owned by the unix user it is named for (a learner submitting "as"
someone else), or is not a plain folder, is moved to ``.rejected/`` beside ``inbound/`` (the grader's
alone) and listed in the output, so it can never be graded in anyone's name. After ``collect`` the
``submitted/`` folder is made private to the grader, so a trainer's own server cannot run
learners' code from it (its Formgrader "Autograde" button fails instead).

Run by the hub with ``QI_GRADING_COURSES`` (the courses folder) and ``QI_GRADING_QILAB`` (the
``qilab`` command) set; it listens on the address the hub gives in ``JUPYTERHUB_SERVICE_URL``.
"""
from __future__ import annotations

import asyncio
import html
import json
import os
import pwd
import re
import stat
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
from jupyterhub.utils import url_path_join
from tornado import httpclient, ioloop, web

STEPS = ("release", "collect", "autograde", "feedback")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MAX_OUTPUT = 20_000
STEP_TIMEOUT = 3 * 3600


def clean_env() -> dict[str, str]:
    """The environment a step runs with: nothing of the hub (no API token) or of any trainer."""
    qilab = Path(os.environ["QI_GRADING_QILAB"])
    return {"PATH": f"{qilab.parent}:/usr/local/bin:/usr/bin:/bin", "HOME": str(Path.home()),
            "LANG": "C.UTF-8", "USER": os.environ.get("USER", "")}


def submitter(entry: str) -> str:
    """The learner an inbound entry is named for, parsed as nbgrader's collect parses it.

    >>> submitter("lee+qi-check+2026-01-01 10:00:00.000000 UTC+AbC"), submitter("a+b+c")
    ('lee', 'a')
    """
    parts = entry.rsplit("+", 3)
    return parts[0] if len(parts) == 4 else entry.rsplit("+", 2)[0]


def reject_forged(inbound: Path, rejected: Path) -> list[str]:
    """Move aside inbound entries not owned by the learner they name; say which and why."""
    notes = []
    for entry in sorted(inbound.iterdir()) if inbound.is_dir() else []:
        info = entry.lstat()
        name = submitter(entry.name)
        try:
            expected = pwd.getpwnam(name).pw_uid
        except KeyError:
            expected = None
        if stat.S_ISDIR(info.st_mode) and info.st_uid == expected:
            continue
        owner = info.st_uid
        with_name = pwd.getpwuid(owner).pw_name if owner in {p.pw_uid for p in pwd.getpwall()} \
            else f"uid {owner}"
        rejected.mkdir(mode=0o700, exist_ok=True)
        os.rename(entry, rejected / f"{int(time.time())}-{entry.name}")
        notes.append(f"Rejected {entry.name!r}: named for {name} but made by {with_name}"
                     + ("" if stat.S_ISDIR(info.st_mode) else " (not a folder)") + ".")
    return notes


class Grading:
    """Runs one step at a time per course."""

    def __init__(self, courses: Path, qilab: Path):
        self.courses, self.qilab = courses, qilab
        self.locks: dict[str, asyncio.Lock] = {}

    def assignments(self, course: str) -> list[str]:
        source = self.courses / course / "source"
        try:
            return sorted(p.name for p in source.iterdir()
                          if p.is_dir() and not p.name.startswith("."))
        except OSError:
            return []

    async def run(self, course: str, assignment: str, step: str) -> tuple[int, str]:
        folder = self.courses / course
        lock = self.locks.setdefault(course, asyncio.Lock())
        async with lock:
            notes = []
            if step == "collect":
                course_config = folder / "nbgrader_config.py"
                exchange = exchange_root(course_config)
                notes = reject_forged(exchange / course / "inbound",
                                      exchange / course / ".rejected")
            proc = await asyncio.create_subprocess_exec(
                str(self.qilab), "cohort", step, assignment, "--course-dir", str(folder),
                cwd=folder, env=clean_env(), stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
                start_new_session=True)
            try:
                out, _ = await asyncio.wait_for(proc.communicate(), STEP_TIMEOUT)
            except asyncio.TimeoutError:
                proc.kill()
                out, _ = await proc.communicate()
                out += f"\nStopped after {STEP_TIMEOUT} s.".encode()
            if step == "collect" and (folder / "submitted").is_dir():
                (folder / "submitted").chmod(0o700)
            text = "".join(f"{n}\n" for n in notes) + out.decode("utf8", "replace")
            return proc.returncode, text[-MAX_OUTPUT:]


def exchange_root(course_config: Path) -> Path:
    """The ``c.Exchange.root`` the course's nbgrader settings end with (the hub's exchange)."""
    found = re.findall(r"^c\.Exchange\.root = '([^']*)'", course_config.read_text(), re.M)
    if not found:
        raise RuntimeError(f"{course_config} names no exchange")
    return Path(found[-1])


class Base(HubOAuthenticated, web.RequestHandler):
    @property
    def grading(self) -> Grading:
        return self.settings["grading"]

    async def trainer_courses(self, user: dict) -> list[str]:
        """Courses whose formgrade-<course> group holds this user (asked of the hub)."""
        client = httpclient.AsyncHTTPClient()
        url = url_path_join(os.environ["JUPYTERHUB_API_URL"], "users", user["name"])
        reply = await client.fetch(url, headers={
            "Authorization": f"token {os.environ['JUPYTERHUB_API_TOKEN']}"}, raise_error=False)
        if reply.code != 200:
            return []
        groups = json.loads(reply.body).get("groups", [])
        return sorted(g.removeprefix("formgrade-") for g in groups if g.startswith("formgrade-"))

    async def check(self, course: str, assignment: str, step: str) -> None:
        user = self.current_user
        if step not in STEPS or not NAME.match(course) or not NAME.match(assignment):
            raise web.HTTPError(404, "No such course, assignment or step")
        if course not in await self.trainer_courses(user):
            raise web.HTTPError(403, f"{user['name']} is not a trainer of {course}")
        if assignment not in self.grading.assignments(course):
            raise web.HTTPError(404, f"{course} has no assignment {assignment}")


class PageHandler(Base):
    @web.authenticated
    async def get(self):
        await self.page()

    async def page(self, result: str = "") -> None:
        user = self.current_user
        rows = []
        for course in await self.trainer_courses(user):
            for assignment in self.grading.assignments(course):
                buttons = "".join(
                    f'<button name="step" value="{s}">{s.capitalize()}</button> ' for s in STEPS)
                action = url_path_join(self.settings["prefix"], course, assignment)
                rows.append(
                    f'<tr><td>{html.escape(course)}</td><td>{html.escape(assignment)}</td><td>'
                    f'<form method="post" action="{html.escape(action)}">'
                    f'<input type="hidden" name="_xsrf" value="{self.xsrf_token.decode()}">'
                    f'{buttons}</form></td></tr>')
        body = "".join(rows) or '<tr><td colspan="3">You are not a trainer of any course.</td></tr>'
        self.write(
            '<!doctype html><html lang="en-GB"><head><meta charset="utf-8">'
            "<title>Grading</title></head><body><main><h1>Grading</h1>"
            f"<p>Signed in as {html.escape(user['name'])}. Each step runs as the grader "
            "account, not as you.</p>"
            "<table><caption>Your courses' assignments</caption><thead><tr><th scope=\"col\">"
            'Course</th><th scope="col">Assignment</th><th scope="col">Step</th></tr></thead>'
            f"<tbody>{body}</tbody></table>{result}</main></body></html>")


class FormHandler(PageHandler):
    @web.authenticated
    async def post(self, course: str, assignment: str):
        step = self.get_body_argument("step", "")
        await self.check(course, assignment, step)
        code, output = await self.grading.run(course, assignment, step)
        verdict = "finished" if code == 0 else f"failed (exit status {code})"
        await self.page(f"<h2>{html.escape(step.capitalize())} of {html.escape(assignment)} "
                        f"{verdict}</h2><pre>{html.escape(output)}</pre>")


class ApiHandler(Base):
    def check_xsrf_cookie(self) -> None:
        """A request carrying a hub token comes from a script, not from a browser tricked into
        sending it (browsers add no Authorization header by themselves): no XSRF check.
        Without a token (the hub's cookie), the usual check applies."""
        if self.request.headers.get("Authorization", "").startswith(("token ", "Bearer ")):
            return
        super().check_xsrf_cookie()

    @web.authenticated
    async def post(self, course: str, assignment: str, step: str):
        await self.check(course, assignment, step)
        code, output = await self.grading.run(course, assignment, step)
        self.set_header("Content-Type", "application/json")
        self.write(json.dumps({"returncode": code, "output": output}))


def make_app() -> web.Application:
    prefix = os.environ["JUPYTERHUB_SERVICE_PREFIX"]
    grading = Grading(Path(os.environ["QI_GRADING_COURSES"]),
                      Path(os.environ["QI_GRADING_QILAB"]))
    part = r"([A-Za-z0-9][A-Za-z0-9_.-]{0,63})"
    return web.Application([
        (prefix, PageHandler),
        (url_path_join(prefix, "oauth_callback"), HubOAuthCallbackHandler),
        (url_path_join(prefix, "api", part, part, r"(\w+)"), ApiHandler),
        (url_path_join(prefix, part, part), FormHandler),
    ], grading=grading, prefix=prefix, cookie_secret=os.urandom(32), xsrf_cookies=True)


def main() -> None:
    os.umask(0o007)  # files the grader makes are shared with the trainers' group only
    if os.geteuid() == 0:
        sys.exit("The grading service must run as the grader account, not as root.")
    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    make_app().listen(url.port, url.hostname)
    ioloop.IOLoop.current().start()


if __name__ == "__main__":
    main()
