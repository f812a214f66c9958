"""One grading step for one course, run by a Kubernetes Job (deploy/kubernetes/grading-job.yaml).

    python qi_kube_grading.py COURSE init
    python qi_kube_grading.py COURSE release|collect|autograde|feedback ASSIGNMENT

The Job's pod mounts the ``qi-grading`` volume at ``/srv/qi-grading`` (see qi_kube_hooks.py for
its layout) and nothing else of the hub: no service account token, no network (the grading
NetworkPolicy), no hub token. ``init`` makes the course folder with ``qilab cohort init`` and
points its nbgrader settings at the volume's exchange; ``collect`` first gathers each learner's
submissions from their own inbound folder (qi_kube_hooks.gather_inbound), rejecting any named
for someone else; every step then runs ``qilab cohort STEP`` in the course folder, where the
grading sandbox runs each submission.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from qi_kube_hooks import HUB_MOUNT, gather_inbound

STEPS = ("release", "collect", "autograde", "feedback")


def main(argv: list[str], root: Path = Path(HUB_MOUNT)) -> int:
    if len(argv) == 2 and argv[1] == "init":
        course = argv[0]
        folder = root / "courses" / course
        done = subprocess.run(["qilab", "cohort", "init", "--course-dir", str(folder),
                               "--course-id", course], check=False)
        if done.returncode == 0:
            with open(folder / "nbgrader_config.py", "a", encoding="utf8") as config:
                config.write(f"# --- The hub's exchange (deploy/kubernetes) ---\n"
                             f"c.Exchange.root = {str(root / 'exchange')!r}\n")
        return done.returncode
    if len(argv) != 3 or argv[1] not in STEPS:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    course, step, assignment = argv
    if step == "collect":
        for note in gather_inbound(root, course):
            print(note)
    os.umask(0o007)
    return subprocess.run(["qilab", "cohort", step, assignment, "--course-dir",
                           str(root / "courses" / course)], check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
