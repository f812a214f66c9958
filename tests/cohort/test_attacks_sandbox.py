"""Hostile submissions against the grading sandbox and collect, graded in one batch.

One course (the fixture assignment: one autograded answer, a test cell worth 2 points with a
hidden test, a manually graded answer worth 1; maximum 3) is released into an exchange whose
course folder a learner made first, collected from an inbound folder holding forged, linked and
special entries, and autograded once with two workers. Each hostile learner's code attacks the
grader with the course's real absolute paths written into it (the strongest form of each attack:
on a hub these paths are no secret). Every test then checks one attack failed, and that the
honest learners graded in the same batch kept exactly their grades.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nbformat
import pytest
from cohort_helpers import FIXTURE_EXERCISES, cell_by_id, make_submission

from qilab.cohort import steps
from qilab.cohort.autograde import Limits, autograde
from qilab.cohort.course import init_course
from qilab.cohort.exchange import collect_safely
from qilab.cohort.sandbox import PackageSeal
from qilab.cohort.sandbox.host import UID_BASE, UID_POOL_SIZE

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the batch needs root (CI is root); "
                                "the unprivileged mode is in test_sandbox_modes.py")

ASSIGNMENT = "fixture-quiz"
GOOD = ("def median_wait(values):\n    ordered = sorted(values)\n    n = len(ordered)\n"
        "    mid = n // 2\n"
        "    return float(ordered[mid]) if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2\n")
ZERO = "def median_wait(values):\n    return 0.0\n"
ON_TIME = datetime(2025, 1, 9, 12, 0, tzinfo=timezone.utc)
LATER = datetime(2025, 1, 9, 15, 0, tzinfo=timezone.utc)
MALLORY_UID, HONEST2_UID = 1_800_000_003, 1_800_000_002
TOKEN = "qilab-attack-" + secrets.token_hex(6)  # marks processes the attackers start
HUB_TOKEN = "hub-token-" + secrets.token_hex(12)
CANARY = "grader-canary-" + secrets.token_hex(12)
PROCESSES = 32


def _attacks(course: Path, secret: Path) -> dict[str, str]:
    """Answer-cell code for each hostile learner, with the course's real paths."""
    staged = course / ".qilab" / "staging" / "honest1" / ASSIGNMENT / "quiz.ipynb"
    return {
        "qilabwriter": """
import pathlib, qilab
root = pathlib.Path(qilab.__file__).parent
for target in [root / 'cohort' / 'checks.py', root / '__init__.py', root / 'pwned.py']:
    try:
        with open(target, 'a') as fh:
            fh.write('\\nraise SystemExit  # pwned\\n')
        print('WROTE', target)
    except OSError as exc:
        print('refused', target.name, type(exc).__name__)
""" + ZERO,
        "gradebook": f"""
import sqlite3
for path in [{str(course / 'gradebook.db')!r}, 'gradebook.db', '../../../gradebook.db']:
    try:
        db = sqlite3.connect(path)
        db.execute("update grade_cells set max_score = 100")
        db.execute("update source_cell set source = 'pass'")
        db.commit()
        print('WROTE', path)
    except Exception as exc:
        print('refused', path, type(exc).__name__)
""" + ZERO,
        "neighbour": f"""
import glob
targets = [{str(staged)!r}, {str(course / 'submitted' / 'honest1' / ASSIGNMENT / 'quiz.ipynb')!r},
           {str(course / 'source' / ASSIGNMENT / 'quiz.ipynb')!r}]
targets += glob.glob('/tmp/qilab-grading-*/*/root/grading/autograded/*/*/waits.json')
for target in targets:
    try:
        with open(target, 'w') as fh:
            fh.write('{{}}')
        print('WROTE', target)
    except OSError as exc:
        print('refused', type(exc).__name__)
""" + ZERO,
        "secrets": f"""
import glob, os
loot = []
for path in [{str(secret)!r}, os.path.expanduser('~/.config/qilab/faculty-secret'),
             '/root/.config/qilab/faculty-secret', {str(course / 'source' / ASSIGNMENT / 'quiz.ipynb')!r}]:
    try:
        loot.append(open(path).read())
    except OSError as exc:
        print('refused', type(exc).__name__)
loot += [f'{{k}}={{v}}' for k, v in os.environ.items()]
for path in glob.glob('/proc/*/environ') + glob.glob('/proc/*/cmdline') + [f'/proc/{{os.getppid()}}/environ']:
    try:
        loot.append(open(path, 'rb').read().decode('latin-1'))
    except OSError:
        pass
for path in glob.glob('/proc/*/fd/*'):
    try:
        loot.append(os.readlink(path))
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        loot.append(os.read(fd, 4096).decode('latin-1'))
        os.close(fd)
    except OSError:
        pass
print('LOOT', len(loot))
print('\\n'.join(loot))
""" + ZERO,
        "forker": """
import os, time
n = 0
try:
    for i in range(500):
        if os.fork() == 0:
            time.sleep(600)
            os._exit(0)
        n += 1
    print('FORKS', n)
except OSError as exc:
    print('FORKS', n, type(exc).__name__)
""",
        "daemon": f"""
import subprocess, sys
subprocess.Popen([sys.executable, '-c', 'import os, time\\nif os.fork(): os._exit(0)\\nos.setsid()\\n'
                  'time.sleep(600)', {TOKEN!r}], start_new_session=True)
print('started')
""" + GOOD,
        "sigstop": "import os, signal\nos.kill(os.getpid(), signal.SIGSTOP)\n" + GOOD,
        "ignoreint": ("import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                      "while True:\n    time.sleep(0.05)\n" + GOOD),
    }


def _flood(nb):
    cell_by_id(nb, "median-answer").source = GOOD
    for _ in range(8):  # each under the per-cell cap; together over the notebook's cap
        nb.cells.append(nbformat.v4.new_code_cell("print('y' * 400_000)"))


def _answer(code: str):
    def edit(nb):
        cell_by_id(nb, "median-answer").source = code
    return edit


# learner: expected score out of 3 (None: not collected)
EXPECTED = {"honest1": 2.0, "honest2": 2.0, "linker": 2.0, "qilabwriter": 0.0,
            "gradebook": 0.0, "neighbour": 0.0, "secrets": 0.0, "forker": 0.0, "daemon": 2.0,
            "sigstop": 0.0, "ignoreint": 0.0, "flooder": 2.0, "deepjson": 0.0, "latin1": 0.0}


def _entry(course, learner: str, when: datetime, folder: Path, uid: int | None = None) -> Path:
    entry = steps.submit_for(course, learner, ASSIGNMENT, folder, when=when)
    if uid is not None:
        for path in [entry, *entry.rglob("*")]:
            os.lchown(path, uid, uid)
    return entry


@pytest.fixture(scope="module")
def batch(tmp_path_factory, faculty_secret):
    base = tmp_path_factory.mktemp("attacks")
    course = init_course(base / "course", course_id="qi-attacks", faculty="Test Faculty",
                         exercises=FIXTURE_EXERCISES)
    # a learner makes the course's exchange folder before the trainer releases
    squat = course.exchange / "qi-attacks" / "outbound" / ASSIGNMENT
    squat.mkdir(parents=True)
    (squat / "quiz.ipynb").write_text("{}")
    for path in [course.exchange / "qi-attacks", *(course.exchange / "qi-attacks").rglob("*")]:
        os.lchown(path, MALLORY_UID, MALLORY_UID)
    release_notes: list[str] = []
    steps.release(course, ASSIGNMENT, due="2025-01-10 17:00", notes=release_notes)
    released = course.root / "release" / ASSIGNMENT
    work = base / "work"

    for learner, code in _attacks(course.root, faculty_secret).items():
        _entry(course, learner, ON_TIME, make_submission(released, work / learner, _answer(code)))
    for learner in ("honest1", "linker"):
        _entry(course, learner, ON_TIME, make_submission(released, work / learner, _answer(GOOD)))
    _entry(course, "flooder", ON_TIME, make_submission(released, work / "flooder", _flood))
    folder = make_submission(released, work / "deepjson")
    (folder / "quiz.ipynb").write_text('{"cells": ' + "[" * 50_000 + "]" * 50_000 + "}")
    _entry(course, "deepjson", ON_TIME, folder)
    folder = make_submission(released, work / "latin1", _answer("# café\n" + GOOD))
    (folder / "quiz.ipynb").write_bytes((folder / "quiz.ipynb").read_text().encode("latin-1"))
    _entry(course, "latin1", ON_TIME, folder)
    # honest2 submits (owned by honest2); mallory forges a later entry in honest2's name
    _entry(course, "honest2", ON_TIME, make_submission(released, work / "honest2", _answer(GOOD)),
           HONEST2_UID)
    forged = _entry(course, "honest2", datetime.now(timezone.utc) + timedelta(days=365),
                    make_submission(released, work / "forged", _answer(ZERO)), MALLORY_UID)
    # later entries that must be refused: links (to /dev/zero, to the secret, dangling),
    # a FIFO, an oversized file, and an entry that is itself a link
    hostile_entries = {}
    for learner, make in {
        "linker": lambda d: (d / "data.csv").symlink_to("/dev/zero"),
        "secretlink": lambda d: (d / "secret.txt").symlink_to(faculty_secret),
        "dangler": lambda d: (d / "gone.txt").symlink_to(d / "nowhere"),
        "fifo": lambda d: os.mkfifo(d / "pipe"),
        "bigfile": lambda d: os.truncate(d / "waits.json", 25_000_000),
    }.items():
        folder = make_submission(released, work / f"{learner}-bad", _answer(GOOD))
        entry = _entry(course, learner, LATER, folder)
        make(entry)  # made in the exchange, as a learner can
        hostile_entries[learner] = entry
    inbound = course.exchange / "qi-attacks" / "inbound"
    (inbound / f"symentry+{ASSIGNMENT}+2025-01-09 12:00:00.000000 UTC+x").symlink_to(released)

    owners = {"honest2": HONEST2_UID}
    collected = collect_safely(course, ASSIGNMENT, owner_of=owners.get)
    seal = PackageSeal()
    os.environ.update(JUPYTERHUB_API_TOKEN=HUB_TOKEN, QILAB_TEST_CANARY=CANARY)
    try:
        report = autograde(course, ASSIGNMENT, workers=2, progress=False,
                           limits=Limits(cell_timeout=3, memory_mb=1536, processes=PROCESSES,
                                         submission_timeout=120))
    finally:
        os.environ.pop("JUPYTERHUB_API_TOKEN")
        os.environ.pop("QILAB_TEST_CANARY")
    return dict(course=course, report=report, collected=collected, seal=seal,
                release_notes=release_notes, forged=forged, entries=hostile_entries)


def _results(batch):
    return {r.student: r for r in batch["report"].results}


def _answer_text(batch, learner: str) -> str:
    nb = nbformat.read(batch["course"].root / "autograded" / learner / ASSIGNMENT / "quiz.ipynb",
                       as_version=4)
    parts = []
    for out in cell_by_id(nb, "median-answer").get("outputs", []):
        parts += [out.get("text", ""), out.get("ename", ""), out.get("evalue", "")]
    return "\n".join(parts)


@pytest.mark.slow
def test_every_learner_gets_exactly_the_expected_grade(batch):
    results = _results(batch)
    assert set(results) == set(EXPECTED)
    for learner, score in EXPECTED.items():
        assert results[learner].score == score, results[learner]
        assert results[learner].max_score == 3.0, f"{learner} changed the assignment's points"


@pytest.mark.slow
def test_installed_qilab_cannot_be_rewritten(batch):
    text = _answer_text(batch, "qilabwriter")
    assert "WROTE" not in text and text.count("refused") == 3
    assert batch["seal"].changed() == []


@pytest.mark.slow
def test_gradebook_cannot_be_reached(batch):
    assert "WROTE" not in _answer_text(batch, "gradebook")
    with sqlite3.connect(batch["course"].gradebook) as db:
        assert db.execute("select sum(max_score) from grade_cells").fetchone()[0] == 3.0
        assert "median_wait([3, 1, 2])" in db.execute(
            "select source from source_cell where name = 'median-test'").fetchone()[0]


@pytest.mark.slow
def test_other_submissions_and_sources_cannot_be_changed(batch):
    text = _answer_text(batch, "neighbour")
    assert "WROTE" not in text and "refused" in text
    source = batch["course"].root / "source" / ASSIGNMENT / "quiz.ipynb"
    assert "BEGIN HIDDEN TESTS" in source.read_text()
    assert _results(batch)["honest1"].score == 2.0


@pytest.mark.slow
def test_no_secret_reaches_the_kernel(batch, faculty_secret):
    text = _answer_text(batch, "secrets")
    assert "LOOT" in text  # the attack ran
    for leaked in (faculty_secret.read_text().strip(), HUB_TOKEN, CANARY, "BEGIN HIDDEN TESTS",
                   "QILAB_FACULTY_SECRET", str(batch["course"].root)):
        assert leaked not in text
    for nb_path in (batch["course"].root / "autograded").rglob("*.ipynb"):
        body = nb_path.read_text(encoding="utf-8")
        assert faculty_secret.read_text().strip() not in body and HUB_TOKEN not in body


@pytest.mark.slow
def test_fork_loop_is_contained_and_nothing_is_left_running(batch):
    found = re.search(r"FORKS (\d+)", _answer_text(batch, "forker"))
    assert found and int(found.group(1)) < PROCESSES
    assert "started" in _answer_text(batch, "daemon")
    left = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes()
            uid = int((proc / "status").read_text().split("\nUid:")[1].split()[0])
        except (OSError, IndexError, ValueError):
            continue
        if TOKEN.encode() in cmdline or UID_BASE <= uid < UID_BASE + UID_POOL_SIZE:
            left.append((proc.name, uid, cmdline[:80]))
    assert left == []
    assert not list(Path("/sys/fs/cgroup").glob(f"*/qilab/{os.getpid()}-*"))


@pytest.mark.slow
@pytest.mark.parametrize("learner", ["sigstop", "ignoreint"])
def test_frozen_or_stubborn_kernel_is_stopped_with_a_reason(batch, learner):
    result = _results(batch)[learner]
    assert any("kernel stopped" in note for note in result.notes), result
    assert "KernelStopped" in _answer_text(batch, learner)


@pytest.mark.slow
def test_total_output_of_a_notebook_is_capped(batch):
    path = batch["course"].root / "autograded" / "flooder" / ASSIGNMENT / "quiz.ipynb"
    assert path.stat().st_size < Limits().max_total_output_kb * 1024 + 200_000
    assert "KB from this notebook" in path.read_text()


@pytest.mark.slow
@pytest.mark.parametrize("learner, why", [("deepjson", "nested"), ("latin1", "not UTF-8")])
def test_malformed_notebooks_are_rejected_before_parsing(batch, learner, why):
    result = _results(batch)[learner]
    assert result.status == "rejected" and why in result.notes[0], result
    nb = nbformat.read(batch["course"].root / "autograded" / learner / ASSIGNMENT / "quiz.ipynb",
                       as_version=4)
    assert "Not graded" in nb.cells[0].source


@pytest.mark.slow
def test_forged_entry_is_refused_and_the_real_one_wins(batch):
    problems = "\n".join(batch["collected"].problems)
    assert batch["forged"].name in problems and f"uid {MALLORY_UID}" in problems
    stamp = (batch["course"].root / "submitted" / "honest2" / ASSIGNMENT / "timestamp.txt")
    assert stamp.read_text().startswith("2025-01-09 12:00")


@pytest.mark.slow
@pytest.mark.parametrize("learner, why", [
    ("linker", "link"), ("secretlink", "link"), ("dangler", "link"),
    ("fifo", "not a regular file"), ("bigfile", "MB"), ("symentry", "not a folder")])
def test_bad_entries_are_refused_with_a_reason_and_the_rest_collected(batch, learner, why):
    lines = [p for p in batch["collected"].problems if f"(for {learner})" in p]
    assert lines and why in lines[0], batch["collected"].problems


@pytest.mark.slow
def test_only_good_entries_reach_submitted(batch):
    assert sorted(batch["collected"].students) == sorted(EXPECTED)
    submitted = batch["course"].root / "submitted"
    assert sorted(p.name for p in submitted.iterdir()) == sorted(EXPECTED)
    for path in submitted.rglob("*"):
        assert not path.is_symlink() and (path.is_dir() or path.is_file())
    data = submitted / "linker" / ASSIGNMENT / "waits.json"
    assert json.loads(data.read_text())  # the older, honest entry


@pytest.mark.slow
def test_exchange_folder_made_by_a_learner_is_moved_aside(batch):
    course = batch["course"]
    assert batch["release_notes"] and "moved aside" in batch["release_notes"][0]
    outbound = course.exchange / "qi-attacks" / "outbound" / ASSIGNMENT
    assert outbound.stat().st_uid == os.geteuid()
    assert (outbound / "quiz.ipynb").read_text() != "{}"
    assert os.stat(course.exchange).st_mode & 0o1000  # sticky: nobody removes others' folders
    assert os.stat(course.exchange / "qi-attacks" / "inbound").st_mode & 0o1000

