"""Add people to a course, or remove them, on the running hub: no restart of anything.

    course_member.py add NAME COURSE [learner|trainer]
    course_member.py remove NAME COURSE

Run as root through deploy/local/course-member.sh. It calls the hub's REST API with the token
of the hub's own ``qi-admin`` service (written by jupyterhub_config.py to the state folder,
readable by root only): ``add`` puts NAME in the hub group ``nbgrader-COURSE`` (and
``formgrade-COURSE`` for a trainer), so their Assignments tab lists the course at once;
``remove`` takes them out of both, so the course disappears from their list and they can no
longer fetch or submit its assignments. The person must be a unix user in the allowed groups
(deploy/local/add-user.sh) to sign in. Also change hub.yml: its lists are added again when the
hub restarts.
"""
from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

from qi_hub_settings import load_settings


def call(api: str, token: str, method: str, path: str, body: dict | None = None) -> int:
    request = urllib.request.Request(
        api + path, method=method, data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status
    except urllib.error.HTTPError as exc:
        return exc.code


def main(argv: list[str], settings_path: str) -> int:
    if len(argv) not in (3, 4) or argv[0] not in ("add", "remove") or (
            len(argv) == 4 and argv[3] not in ("learner", "trainer")):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    action, name, course = argv[:3]
    role = argv[3] if len(argv) == 4 else "learner"
    settings = load_settings(settings_path)
    if course not in settings["courses"]:
        print(f"No course {course!r} in {settings_path}: add it there and restart the hub once "
              "(courses, unlike people, are set up when the hub starts).", file=sys.stderr)
        return 2
    hub = settings["hub"]
    token = (Path(hub["state_dir"]) / "qi-admin-api-token").read_text().strip()
    api = f"http://127.0.0.1:{int(hub['hub_port'])}/hub/api"
    groups = [f"nbgrader-{course}"]
    if action == "remove" or role == "trainer":
        groups.append(f"formgrade-{course}")
    if action == "add" and call(api, token, "GET", f"/users/{name}") == 404:
        status = call(api, token, "POST", f"/users/{name}")
        if status != 201:
            print(f"The hub refused to add user {name} (HTTP {status}).", file=sys.stderr)
            return 1
    for group in groups:
        method = "POST" if action == "add" else "DELETE"
        status = call(api, token, method, f"/groups/{group}/users", {"users": [name]})
        if status not in (200, 201, 204):
            print(f"The hub refused to {action} {name} in {group} (HTTP {status}).",
                  file=sys.stderr)
            return 1
    done = "added to" if action == "add" else "removed from"
    print(f"{name} {done} {', '.join(groups)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], os.environ.get("QI_HUB_SETTINGS", "/etc/qi-curriculum/hub.yml")))
