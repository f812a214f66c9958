"""End to end on a real JupyterHub on 127.0.0.1, with real unix users.

The hub is started with deploy/local/jupyterhub_config.py (the file a site uses; PAM sign-in,
LocalProcessSpawner, prlimit limits, idle culler, nbgrader's multi-course exchange). A test
service token drives it, as an administrator's script would. Everything a person does goes
through the hub's proxy to that person's own single-user server:

- the trainer's server generates and releases the assignment (formgrader's REST API);
- each learner's server fetches it (nbgrader's assignment list API, as the Assignments tab
  does), the learner's kernel fills in an answer and executes the notebook (so the notebook
  runs as that learner's unix user), and the server submits it;
- the trainer's server collects and autogrades (formgrader API), and the trainer's kernel runs
  `nbgrader export`; the grades are asserted, including a hidden test the learners never saw;
- learner1's kernel tries to read learner2's home and the trainer's source and gradebook.

Users, servers and the hub are removed afterwards, also when the test fails. Needs root; in CI
(CI=true) not being able to run is a failure, elsewhere a skip.
"""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import stat
import time
from pathlib import Path

import pytest

from . import hubharness as hh

COURSE = "qitest101"
ASSIGNMENT = "qi-check"
TRAINER, LEARNER1, LEARNER2 = "qitest-trainer", "qitest-learner1", "qitest-learner2"
SOURCE = Path(__file__).parent / "fixtures" / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
MEAN = ("def centre_line(values):\n"
        "    return sum(values) / len(values)  # the mean: wrong for skewed data\n")

pytestmark = pytest.mark.slow


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


@pytest.fixture(scope="module")
def hub():
    reason = hh.can_run_hub()
    if reason:
        if _in_ci():
            pytest.fail(f"the hub test must run in CI but cannot: {reason}")
        pytest.skip(reason)
    lock = hh.machine_lock()
    lock.__enter__()
    hh.remove_test_users()  # left by an earlier run that crashed
    base = hh.make_base()
    the_hub = None
    try:
        started = time.perf_counter()
        homes = hh.make_base()
        homes.rename(base / "home")
        homes = base / "home"
        trainer_home = hh.add_user(TRAINER, "trainer", homes)
        for learner in (LEARNER1, LEARNER2):
            hh.add_user(learner, "learner", homes)
        venv = hh.world_readable_venv(base)
        exchange = base / "exchange"
        exchange.mkdir()
        exchange.chmod(0o1777)
        _set_up_trainer_course(trainer_home)
        the_hub = hh.Hub(base, venv, exchange=exchange, courses={
            COURSE: {"trainers": [TRAINER], "learners": [LEARNER1, LEARNER2]}})
        the_hub.start()
        the_hub.spawn(TRAINER, LEARNER1, LEARNER2)
        the_hub.setup_seconds = time.perf_counter() - started
        the_hub.homes = {u: Path(f"{homes}/{u}") for u in (TRAINER, LEARNER1, LEARNER2)}
        the_hub.exchange = exchange
        yield the_hub
    finally:
        if the_hub is not None:
            the_hub.stop()
        try:
            hh.remove_test_users()
            shutil.rmtree(base, ignore_errors=True)
        finally:
            lock.__exit__(None, None, None)


def _set_up_trainer_course(home: Path) -> None:
    """What an administrator does for a new trainer: the course folder and its nbgrader config
    (deploy/README.md); the source notebook itself is uploaded through the hub below."""
    course = home / COURSE
    (home / ".jupyter").mkdir()
    (home / ".jupyter" / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.course_id = {COURSE!r}\n"
        f"c.CourseDirectory.root = {str(course)!r}\n")
    (course / "source" / ASSIGNMENT).mkdir(parents=True)
    hh.run(["chown", "-R", f"{TRAINER}:{TRAINER}", str(home)])


def _ok(response, what: str):
    assert response.status_code in (200, 201), (
        f"{what}: HTTP {response.status_code} {response.text}")
    return response.json() if response.text else None


def _formgrader(hub, method: str, path: str):
    return hub.user_request(TRAINER, method, f"/formgrader/api{path}")


def test_release_fetch_submit_collect_autograde(hub):
    timings = {"setup (users, venv, hub, 3 servers)": round(hub.setup_seconds, 1)}
    t0 = time.perf_counter()

    # The idle culler runs as a hub service.
    services = _ok(hub.api("GET", "/services"), "services")
    assert services["idle-culler"]["pid"], services["idle-culler"]

    # The course list of each person comes from their hub groups (JupyterHubAuthPlugin).
    groups = {g["name"]: set(g["users"]) for g in _ok(hub.api("GET", "/groups"), "groups")}
    assert groups[f"nbgrader-{COURSE}"] == {TRAINER, LEARNER1, LEARNER2}
    assert groups[f"formgrade-{COURSE}"] == {TRAINER}

    # Trainer: upload the source through the contents API, generate and release.
    notebook = json.loads(SOURCE.read_text())
    _ok(hub.user_request(TRAINER, "PUT",
                         f"/api/contents/{COURSE}/source/{ASSIGNMENT}/{ASSIGNMENT}.ipynb",
                         json={"type": "notebook", "format": "json", "content": notebook}),
        "upload source")
    for step in ("assign", "release"):
        result = _ok(_formgrader(hub, "POST", f"/assignment/{ASSIGNMENT}/{step}"), step)
        assert result["success"], (step, result)
    timings["trainer generate + release"] = round(time.perf_counter() - t0, 1)
    # A learner's server lists the released assignment of a course it finds from the learner's
    # hub groups (nbgrader-<course>, read by JupyterHubAuthPlugin with the server's token).
    listed = _ok(hub.user_request(LEARNER1, "GET", "/assignments",
                                  params={"course_id": COURSE}), "assignment list")
    assert listed["success"], listed
    assert [(a["course_id"], a["assignment_id"], a["status"]) for a in listed["value"]] == [
        (COURSE, ASSIGNMENT, "released")], listed

    # Learners: fetch, answer and run as themselves, submit.
    t1 = time.perf_counter()
    answers = {LEARNER1: None, LEARNER2: MEAN}
    for learner, answer in answers.items():
        listed = _ok(hub.user_request(learner, "POST", "/assignments/fetch",
                                      data={"course_id": COURSE, "assignment_id": ASSIGNMENT}),
                     f"{learner} fetch")
        assert listed["success"], listed
        kernel = hh.KernelSession(hub, learner)
        try:
            ran = kernel.execute(_learner_code(answer))
        finally:
            kernel.shutdown()
        assert f"ran as {learner}" in ran, ran
        assert "hidden test absent" in ran, ran
        submitted = _ok(hub.user_request(learner, "POST", "/assignments/submit",
                                         data={"course_id": COURSE,
                                               "assignment_id": ASSIGNMENT}),
                        f"{learner} submit")
        assert submitted["success"], submitted
    timings["2 learners fetch + run + submit"] = round(time.perf_counter() - t1, 1)

    # Trainer: collect, autograde each learner, export.
    t2 = time.perf_counter()
    result = _ok(_formgrader(hub, "POST", f"/assignment/{ASSIGNMENT}/collect"), "collect")
    assert result["success"], result
    for learner in answers:
        result = _ok(_formgrader(hub, "POST", f"/submission/{ASSIGNMENT}/{learner}/autograde"),
                     f"autograde {learner}")
        assert result["success"], result
    submissions = _ok(_formgrader(hub, "GET", f"/submissions/{ASSIGNMENT}"), "submissions")
    scores = {s["student"]: (s["score"], s["max_score"]) for s in submissions}
    assert scores == {LEARNER1: (3.0, 3.0), LEARNER2: (1.0, 3.0)}, scores

    trainer = hh.KernelSession(hub, TRAINER)
    try:
        trainer.execute(
            "import os, subprocess\n"
            f"os.chdir(os.path.expanduser('~/{COURSE}'))\n"
            "done = subprocess.run(['nbgrader', 'export'], capture_output=True, text=True)\n"
            "assert done.returncode == 0, done.stdout + done.stderr\n")
    finally:
        trainer.shutdown()
    exported = hub.user_request(TRAINER, "GET", f"/api/contents/{COURSE}/grades.csv")
    rows = list(csv.DictReader(io.StringIO(_ok(exported, "grades.csv")["content"])))
    assert {r["student_id"]: float(r["score"]) for r in rows} == {LEARNER1: 3.0, LEARNER2: 1.0}
    timings["trainer collect + autograde + export"] = round(time.perf_counter() - t2, 1)
    print("\nhub end-to-end timings (s):", timings)


def _learner_code(answer: str | None) -> str:
    """Runs in the learner's kernel: check who we are and the limits, answer, execute."""
    return f"""
import os, pwd, resource, nbformat
from nbclient import NotebookClient
print('ran as', pwd.getpwuid(os.getuid()).pw_name)
soft, hard = resource.getrlimit(resource.RLIMIT_AS)
assert soft == {3 * 1024**3}, ('address-space limit not applied', soft)
path = os.path.expanduser('~/{COURSE}/{ASSIGNMENT}/{ASSIGNMENT}.ipynb')
nb = nbformat.read(path, as_version=4)
text = ''.join(cell.source for cell in nb.cells)
assert 'centre_line([1, 2, 10])' not in text
print('hidden test absent')
answer = {answer!r}
for cell in nb.cells:
    if cell.metadata.get('nbgrader', {{}}).get('solution') and answer is not None:
        cell.source = answer
    elif cell.metadata.get('nbgrader', {{}}).get('solution'):
        assert 'raise NotImplementedError' in cell.source
        cell.source = '''{_correct_answer()}'''
NotebookClient(nb, timeout=60, kernel_name='python3').execute()
nbformat.write(nb, path)
"""


def _correct_answer() -> str:
    nb = json.loads(SOURCE.read_text())
    cell = next(c for c in nb["cells"] if c["metadata"]["nbgrader"].get("solution"))
    source = "".join(cell["source"])
    return "\n".join(line for line in source.splitlines() if "### " not in line)


def test_learners_cannot_read_others_work_or_trainer_sources(hub):
    trainer = hub.homes[TRAINER]
    for user, home in hub.homes.items():
        assert stat.S_IMODE(home.stat().st_mode) == 0o700, f"{user}'s home is not 0700"
    assert stat.S_IMODE(hub.exchange.stat().st_mode) == 0o1777
    targets = {
        "learner2's home": hub.homes[LEARNER2],
        "learner2's fetched copy": (hub.homes[LEARNER2] / COURSE / ASSIGNMENT
                                    / f"{ASSIGNMENT}.ipynb"),
        "trainer's source": trainer / COURSE / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
        "trainer's source folder": trainer / COURSE / "source",
        "trainer's gradebook": trainer / COURSE / "gradebook.db",
        "the course's inbound (submissions)": hub.exchange / COURSE / "inbound",
    }
    kernel = hh.KernelSession(hub, LEARNER1)
    try:
        out = kernel.execute(
            "import os, json\n"
            f"targets = {json.dumps({k: str(v) for k, v in targets.items()})}\n"
            "for what, path in targets.items():\n"
            "    try:\n"
            "        os.listdir(path) if os.path.isdir(path) else open(path, 'rb').read(1)\n"
            "        print('READABLE', what)\n"
            "    except PermissionError:\n"
            "        print('denied', what)\n")
    finally:
        kernel.shutdown()
    for what in targets:
        assert f"denied {what}" in out, f"learner1 could read {what}:\n{out}"
    # The same from a plain shell as learner1 (not through the hub), for good measure.
    for path in targets.values():
        done = hh.run(["runuser", "-u", LEARNER1, "--", "cat", str(path)], check=False)
        assert done.returncode != 0 and "Permission denied" in done.stderr, (path, done.stderr)
