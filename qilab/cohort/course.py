"""A course folder for one cohort: nbgrader configuration, source assignments, gradebook.

``qilab cohort init`` makes the folder; every other step opens it with :func:`open_course`.

Layout (nbgrader's, plus qilab's own files)::

    course/
      nbgrader_config.py    generated from grading/nbgrader_config.py
      qilab-course.json     course id, issuing faculty, where the assignments came from
      source/<assignment>/  copied from exercises/
      release/ submitted/ autograded/ feedback/   nbgrader's folders
      exchange/             c.Exchange.root: where learners fetch and submit
      gradebook.db          nbgrader's gradebook (after the first release)
      backups/              a copy of the gradebook before each autograde
      certificates/         HTML (and PDF) certificates
      register.csv          one row per certificate issued

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> ex = root / "exercises" / "demo"; ex.mkdir(parents=True)
>>> _ = (ex / "demo.ipynb").write_text("{}")
>>> course = init_course(root / "course", course_id="qi-2025", faculty="QI Faculty",
...                      exercises=root / "exercises", create_secret=False)
>>> open_course(root / "course").course_id
'qi-2025'
>>> sorted(p.name for p in (root / "course" / "source").iterdir())
['demo']
"""
from __future__ import annotations

import os
import re
import shutil
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..errors import QIDataError
from ..storage import atomic_write_text, read_document, write_document

COURSE_FILE = "qilab-course.json"
COURSE_SCHEMA = "qilab.cohort.course"
REPO_ROOT = Path(__file__).resolve().parents[2]
GRADING_DIR = REPO_ROOT / "grading"
EXERCISES_DIR = REPO_ROOT / "exercises"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class Course:
    """An initialised course folder."""

    root: Path
    course_id: str
    faculty: str
    exercises: Path

    @property
    def gradebook(self) -> Path:
        return self.root / "gradebook.db"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.gradebook}"

    @property
    def exchange(self) -> Path:
        """The exchange nbgrader uses: the last ``c.Exchange.root`` in the course's nbgrader
        settings (a hub adds its shared exchange there: deploy/local/qi_courses.py), else the
        course's own ``exchange/``."""
        try:
            text = (self.root / "nbgrader_config.py").read_text(encoding="utf-8")
        except OSError:
            text = ""
        found = re.findall(r"^c\.Exchange\.root = '([^']*)'$", text, re.M)
        return Path(found[-1]) if found else self.root / "exchange"

    @property
    def register(self) -> Path:
        return self.root / "register.csv"

    @property
    def certificates(self) -> Path:
        return self.root / "certificates"

    def source_assignments(self) -> list[str]:
        """Names of the assignments in ``source/``, sorted."""
        src = self.root / "source"
        return sorted(p.name for p in src.iterdir() if p.is_dir() and not p.name.startswith("."))

    def require_assignment(self, assignment: str) -> None:
        """Raise :class:`QIDataError` naming the known assignments if ``assignment`` is not one."""
        known = self.source_assignments()
        if assignment not in known:
            raise QIDataError(f"Unknown assignment {assignment!r} in course {self.root}: the "
                              f"course has {', '.join(known) or 'none'}. Check the spelling, or "
                              "add it to exercises/ and run `qilab cohort init` again.",
                              field="assignment")

    def require_gradebook(self) -> None:
        """Raise :class:`QIDataError` if nothing has been released yet."""
        if not self.gradebook.exists():
            raise QIDataError(f"No gradebook yet in {self.root}: release an assignment first "
                              "(`qilab cohort release ASSIGNMENT`).", field="gradebook")


def venv_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for nbgrader: this Python's ``bin`` first on PATH (nbgrader runs
    ``alembic`` from PATH when it creates a gradebook)."""
    env = dict(os.environ)
    bindir = str(Path(sys.executable).parent)
    parts = env.get("PATH", "").split(os.pathsep)
    if not parts or parts[0] != bindir:
        env["PATH"] = os.pathsep.join([bindir, *[p for p in parts if p != bindir]])
    if extra:
        env.update(extra)
    return env


def ensure_venv_on_path() -> None:
    """Put this Python's ``bin`` first on PATH in this process (for in-process nbgrader)."""
    os.environ["PATH"] = venv_env()["PATH"]


def _check_id(value: str, what: str) -> str:
    if not _ID.match(value or ""):
        raise QIDataError(f"The {what} {value!r} is not usable: use letters, digits, '-', '_' "
                          "or '.', starting with a letter or digit (at most 64).", field=what)
    return value


def render_config(course_root: Path, course_id: str, template: Path | None = None) -> str:
    """The course's ``nbgrader_config.py``: the shared template plus the course's own lines."""
    template = template or GRADING_DIR / "nbgrader_config.py"
    if not template.exists():
        raise QIDataError(f"The nbgrader template {template} is missing.", field="template")
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    own = (f"\n# --- This course (written by `qilab cohort init` on {stamp}) ---\n"
           f"c.CourseDirectory.root = {str(course_root)!r}\n"
           f"c.CourseDirectory.course_id = {course_id!r}\n"
           f"c.Exchange.root = {str(course_root / 'exchange')!r}\n"
           f"c.Exchange.path_includes_course = True\n")
    return template.read_text(encoding="utf-8").rstrip() + "\n" + own


def init_course(course_dir: str | os.PathLike = ".", *, course_id: str = "qi-course",
                faculty: str = "QI Faculty", exercises: str | os.PathLike | None = None,
                template: str | os.PathLike | None = None, create_secret: bool = True) -> Course:
    """Create (or refresh) a course folder from ``exercises/`` and ``grading/``.

    Running it again refreshes ``source/`` and the configuration; grades, submissions and the
    register are kept. The faculty secret is created (``0600``) if there is none, outside the
    course folder (see :mod:`qilab.cohort.secret`).
    """
    root = Path(course_dir).resolve()
    _check_id(course_id, "course id")
    if not faculty.strip():
        raise QIDataError("The issuing faculty's name is empty: pass --faculty NAME.",
                          field="faculty")
    exercises = Path(exercises).resolve() if exercises else EXERCISES_DIR
    found = sorted(p for p in exercises.iterdir() if p.is_dir() and any(p.glob("*.ipynb"))) \
        if exercises.is_dir() else []
    if not found:
        raise QIDataError(f"No assignments in {exercises}: each needs a folder with an nbgrader "
                          "source notebook (exercises/<assignment>/<notebook>.ipynb).",
                          field="exercises")
    if (root / COURSE_FILE).exists():
        old = open_course(root)
        if old.course_id != course_id:
            raise QIDataError(f"{root} already holds course {old.course_id!r}; pass --course-id "
                              f"{old.course_id} or choose another folder.", field="course id")
    root.mkdir(parents=True, exist_ok=True)
    (root / "exchange").mkdir(exist_ok=True)
    # learners (other unix users) submit into it; sticky: nobody removes what others made
    os.chmod(root / "exchange", 0o1777)
    for folder in found:
        _check_id(folder.name, "assignment name")
        dest = root / "source" / folder.name
        tmp = root / "source" / f".{folder.name}.incoming"
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(folder, tmp, ignore=shutil.ignore_patterns(
            ".ipynb_checkpoints", "__pycache__", "*.pyc"))
        if dest.exists():
            old_copy = root / "source" / f".{folder.name}.old"
            shutil.rmtree(old_copy, ignore_errors=True)
            os.replace(dest, old_copy)
            os.replace(tmp, dest)
            shutil.rmtree(old_copy, ignore_errors=True)
        else:
            os.replace(tmp, dest)
    atomic_write_text(root / "nbgrader_config.py",
                      render_config(root, course_id, Path(template) if template else None))
    write_document(root / COURSE_FILE, COURSE_SCHEMA, 1, {
        "course_id": course_id, "faculty": faculty.strip(), "exercises": str(exercises)})
    if create_secret:
        from .secret import ensure_secret
        ensure_secret(course_root=root)
    return open_course(root)


def open_course(course_dir: str | os.PathLike = ".") -> Course:
    """Open a course folder made by :func:`init_course`, or say how to make one."""
    root = Path(course_dir).resolve()
    doc_path = root / COURSE_FILE
    if not doc_path.exists():
        raise QIDataError(f"{root} is not a qilab course folder (no {COURSE_FILE}): run "
                          "`qilab cohort init --course-dir DIR` first, or pass the right "
                          "--course-dir.", field="course-dir")
    doc = read_document(doc_path, COURSE_SCHEMA, 1)
    return Course(root=root, course_id=doc["course_id"], faculty=doc["faculty"],
                  exercises=Path(doc["exercises"]))
