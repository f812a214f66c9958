"""Course folders and the shared exchange, made by the hub (as root) when it starts.

For each course in hub.yml:

- ``<exchange_root>/<course>`` is owned by the grader account, with ``outbound/`` (0755: learners
  fetch), ``inbound/`` (3733: learners may add a submission but not list, rename or delete
  anyone's, thanks to the sticky bit) and ``feedback/`` (0711). The exchange's top folder must
  be writable by everyone (nbgrader checks), so a learner could make a course's folder before
  the hub does, to block its release: a course folder not owned by the grader is moved aside to
  ``.quarantine-<course>-<time>`` (root only) and a fresh one made, and the hub log says whose
  it was.
- ``<courses_root>/<course>`` is the course folder (``qilab cohort init`` run as the grader),
  owned by the grader and the trainers' unix group, mode 2770: trainers and the grader share it,
  learners cannot enter it. Its nbgrader settings point at the shared exchange.
- Each trainer of the course gets ``~/<course>`` (a link to the course folder) and, if they have
  none, ``~/.jupyter/nbgrader_config.py`` naming it, so Formgrader opens on it.

Nothing here runs learners' code. ``prepare`` returns warnings for the hub log.
"""
from __future__ import annotations

import grp
import os
import pwd
import stat
import subprocess
import time
from pathlib import Path
from typing import Any

EXCHANGE_MODES = {"outbound": 0o755, "inbound": 0o3733, "feedback": 0o711}
HUB_EXCHANGE_MARK = "# --- The hub's shared exchange (deploy/local/qi_courses.py) ---"


def as_user(user: str, cmd: list[str], **kw: Any) -> subprocess.CompletedProcess:
    """Run ``cmd`` as unix ``user`` (with umask 007), from the root-run hub."""
    return subprocess.run(["runuser", "-u", user, "--", "sh", "-c", 'umask 007; exec "$@"',
                           "sh", *cmd], capture_output=True, text=True, check=False, **kw)


def prepare_exchange(exchange_root: Path, course: str, grader: str) -> list[str]:
    """Make ``exchange_root/course`` owned by ``grader`` with nbgrader's folders; see above."""
    warnings: list[str] = []
    user = pwd.getpwnam(grader)
    exchange_root.mkdir(parents=True, exist_ok=True)
    # The grader's (qilab cohort release checks that it owns the exchange), 1777 for nbgrader.
    os.chown(exchange_root, user.pw_uid, user.pw_gid)
    exchange_root.chmod(0o1777)
    path = exchange_root / course
    if path.is_symlink() or path.exists():
        info = path.lstat()
        if path.is_symlink() or not stat.S_ISDIR(info.st_mode) or info.st_uid != user.pw_uid:
            aside = exchange_root / f".quarantine-{course}-{time.strftime('%Y%m%dT%H%M%S')}"
            os.rename(path, aside)
            os.chown(aside, 0, 0, follow_symlinks=False)
            if not aside.is_symlink():
                aside.chmod(0o700)
            owner = _name(info.st_uid)
            warnings.append(f"The exchange folder of course {course} was made by {owner}, not "
                            f"the grader {grader}: moved aside to {aside} and made afresh.")
    path.mkdir(exist_ok=True)
    os.chown(path, user.pw_uid, user.pw_gid)
    path.chmod(0o755)
    for name, mode in EXCHANGE_MODES.items():
        sub = path / name
        sub.mkdir(exist_ok=True)
        os.chown(sub, user.pw_uid, user.pw_gid)
        sub.chmod(mode)
    return warnings


def prepare_course(courses_root: Path, course: str, *, grader: str, trainers_group: str,
                   trainers: list[str], qilab: Path, exchange_root: Path) -> list[str]:
    """Make the course folder (``qilab cohort init`` as the grader) and the trainers' links."""
    warnings: list[str] = []
    user = pwd.getpwnam(grader)
    gid = grp.getgrnam(trainers_group).gr_gid
    courses_root.mkdir(parents=True, exist_ok=True)
    courses_root.chmod(0o755)
    folder = courses_root / course
    folder.mkdir(exist_ok=True)
    os.chown(folder, user.pw_uid, gid)
    folder.chmod(0o2770)
    if not (folder / "qilab-course.json").exists():
        done = as_user(grader, [str(qilab), "cohort", "init", "--course-dir", str(folder),
                                "--course-id", course], cwd=user.pw_dir)
        if done.returncode != 0:
            return [f"`qilab cohort init` for course {course} failed: {done.stderr.strip()}"]
        config = folder / "nbgrader_config.py"
        as_user(grader, ["sh", "-c", 'printf "%s\\n" "$1" "$2" >> "$0"', str(config),
                         HUB_EXCHANGE_MARK, f"c.Exchange.root = {str(exchange_root)!r}"])
    for trainer in trainers:
        try:
            home = pwd.getpwnam(trainer).pw_dir
        except KeyError:
            warnings.append(f"Trainer {trainer} of course {course} is not a unix user yet "
                            "(deploy/local/add-user.sh NAME trainer), so has no link to it.")
            continue
        nbgrader_config = ("import os\nc = get_config()\n"
                           f"c.CourseDirectory.course_id = {course!r}\n"
                           f"c.CourseDirectory.root = os.path.expanduser('~/{course}')\n")
        script = ('[ -e "$2/$3" ] || [ -L "$2/$3" ] || ln -s "$0" "$2/$3"; mkdir -p "$2/.jupyter"; '
                  '[ -e "$2/.jupyter/nbgrader_config.py" ] || '
                  'printf "%s" "$1" > "$2/.jupyter/nbgrader_config.py"')
        done = as_user(trainer, ["sh", "-c", script, str(folder), nbgrader_config, home, course])
        if done.returncode != 0:
            warnings.append(f"Could not link course {course} for {trainer}: {done.stderr}")
    return warnings


def prepare(settings: dict[str, Any], qilab: Path) -> list[str]:
    """Every course's exchange folder and course folder; the warnings to log."""
    nb = settings["nbgrader"]
    warnings: list[str] = []
    try:
        pwd.getpwnam(nb["grader_user"])
        grp.getgrnam(nb["trainers_group"])
    except KeyError as exc:
        return [f"No grader account or trainers' group ({exc}): run deploy/local/install.sh. "
                "Courses were not prepared."]
    for course, people in settings["courses"].items():
        warnings += prepare_exchange(Path(nb["exchange_root"]), course, nb["grader_user"])
        warnings += prepare_course(Path(nb["courses_root"]), course,
                                   grader=nb["grader_user"], trainers_group=nb["trainers_group"],
                                   trainers=people["trainers"], qilab=qilab,
                                   exchange_root=Path(nb["exchange_root"]))
    return warnings


def _name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"
