"""Read and check the one-machine hub's settings (hub.yml) for jupyterhub_config.py.

Kept apart from the JupyterHub config file so the tests can check it without a hub.
"""
from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml

DEFAULTS: dict[str, Any] = {
    "hub": {
        "bind_url": "http://127.0.0.1:8000",
        "hub_port": 8081,
        "proxy_api_port": 8001,
        "grading_port": 8002,
        "state_dir": "/srv/jupyterhub",
        "admins": [],
    },
    "authenticator": {
        "class": "jupyterhub.auth.PAMAuthenticator",
        "allowed_unix_groups": ["qi-learners", "qi-trainers"],
        "settings": {},
    },
    "environment": {
        "venv": "/opt/qi-curriculum/venv",
        "proxy_command": "/opt/qi-curriculum/npm/node_modules/.bin/configurable-http-proxy",
        "default_url": "/lab",
    },
    "limits": {
        "mem_limit": "3G",
        "cpu_limit": 1,
        "max_processes": 200,
        "cull_idle_seconds": 3600,
        "cull_max_age_seconds": 0,
    },
    "nbgrader": {
        "exchange_root": "/srv/nbgrader/exchange",
        "courses_root": "/srv/qi-courses",
        "grader_user": "qi-grader",
        "trainers_group": "qi-trainers",
    },
    "courses": {},
    "cohorts": {},
    "extra_config": "",
}
NAME = re.compile(r"^[a-z_][a-z0-9_-]*$")  # unix user names
GROUP = re.compile(r"^[a-z0-9][a-z0-9_-]*$")  # course and cohort names
SIZE = re.compile(r"^(\d+)([KMGT]?)$")
UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


class SettingsError(ValueError):
    """A hub.yml setting is wrong; the message names it and says how to fix it."""


def parse_size(value: str | int) -> int:
    """``"3G"`` -> bytes. Whole numbers with an optional K, M, G or T."""
    match = SIZE.match(str(value).strip().upper())
    if not match:
        raise SettingsError(f"limits.mem_limit: {value!r} is not a size such as 2G or 512M")
    return int(match.group(1)) * UNITS[match.group(2)]


def load_settings(path: str | Path) -> dict[str, Any]:
    """The settings in ``path`` merged over the defaults, checked."""
    path = Path(path)
    given = yaml.safe_load(path.read_text(encoding="utf8")) if path.exists() else {}
    if not isinstance(given, (dict, type(None))):
        raise SettingsError(f"{path}: expected a mapping of settings at the top level")
    settings = copy.deepcopy(DEFAULTS)
    for key, value in (given or {}).items():
        if key not in DEFAULTS:
            raise SettingsError(f"{path}: unknown setting {key!r}; known: {', '.join(DEFAULTS)}")
        if isinstance(DEFAULTS[key], dict) and key not in ("courses", "cohorts"):
            unknown = set(value or {}) - set(DEFAULTS[key])
            if unknown:
                raise SettingsError(f"{path}: unknown setting(s) {sorted(unknown)} under {key!r}")
            settings[key].update(value or {})
        else:
            settings[key] = value if value is not None else DEFAULTS[key]
    check(settings)
    return settings


def check(settings: dict[str, Any]) -> None:
    for name, course in settings["courses"].items():
        if not GROUP.match(name):
            raise SettingsError(f"courses: {name!r} must be lower case letters, digits, - or _")
        course.setdefault("trainers", [])
        course.setdefault("learners", [])
        for role in ("trainers", "learners"):
            for user in course[role]:
                if not NAME.match(str(user)):
                    raise SettingsError(f"courses.{name}.{role}: {user!r} is not a unix name")
    for name, people in settings["cohorts"].items():
        if not GROUP.match(name) or not isinstance(people, list):
            raise SettingsError(f"cohorts.{name}: expected a list of unix user names")
    parse_size(settings["limits"]["mem_limit"])
    if float(settings["limits"]["cpu_limit"]) <= 0:
        raise SettingsError("limits.cpu_limit must be more than 0")
    if int(settings["limits"]["max_processes"]) < 20:
        raise SettingsError("limits.max_processes below 20 stops a server and its kernels")


def hub_groups(settings: dict[str, Any]) -> dict[str, set[str]]:
    """Hub groups from courses and cohorts.

    ``nbgrader-<course>``: everyone on the course (nbgrader's JupyterHubAuthPlugin lists a user's
    courses from these); ``formgrade-<course>``: the course's trainers; ``cohort-<name>``.
    """
    groups: dict[str, set[str]] = {}
    for name, course in settings["courses"].items():
        groups[f"nbgrader-{name}"] = set(course["learners"]) | set(course["trainers"])
        groups[f"formgrade-{name}"] = set(course["trainers"])
    for name, people in settings["cohorts"].items():
        groups[f"cohort-{name}"] = set(people)
    return groups


def prlimit_prefix(limits: dict[str, Any]) -> list[str]:
    """The command that starts a learner's server under the memory and process limits.

    ``prlimit`` (util-linux) sets the limits on itself and then runs the server, so the server
    and every kernel it starts inherit them. RLIMIT_AS caps each process's address space (a
    kernel that asks for more gets MemoryError, the rest of the server carries on); RLIMIT_NPROC
    caps the processes the learner's unix user may run at once.
    """
    return ["/usr/bin/prlimit", f"--as={parse_size(limits['mem_limit'])}",
            f"--nproc={int(limits['max_processes'])}", "--"]


def server_role_scopes() -> list[str]:
    """JupyterHub's default scopes for a server's token, plus reading its own user's groups."""
    return ["users:activity!user", "access:servers!server", "read:users:name!user",
            "read:users:groups!user"]
