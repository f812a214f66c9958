"""Benchmark: `qilab cohort autograde` against plain sequential `nbgrader autograde`.

Makes a course with N synthetic submissions of the Foundation assignment (strong, weak and
blank in turn, each learner with their own data), grades it twice from the same starting point
(plain `nbgrader autograde ASSIGNMENT --force`, then `qilab cohort autograde`), asserts that
every learner's autograded score is identical, and reports the speed-up and the cost per
submission against executing the same notebook bare with nbclient (a fresh kernel each time).

    python tests/bench/bench_autograde.py            # N = 200, as the issue asks (about an hour on 2 CPUs)
    python tests/bench/bench_autograde.py --n 20     # a quick run
    python tests/bench/bench_autograde.py --assignment fixture-quiz \\
        --exercises tests/cohort/fixtures/exercises

Prints a table and writes _build/bench/autograde.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402

from qilab.cohort import steps  # noqa: E402
from qilab.cohort.course import EXERCISES_DIR, init_course, render_config, venv_env  # noqa: E402
from qilab.storage import atomic_write_text  # noqa: E402

BIN = Path(sys.executable).parent


def _solutions(source: Path) -> dict[str, str]:
    nb = nbformat.read(source, as_version=4)
    return {c.metadata.nbgrader["grade_id"]: c.source for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("solution")}


def build_course(base: Path, assignment: str, exercises: Path, n: int):
    course = init_course(base / "course", course_id="qi-bench", faculty="Bench Faculty",
                         exercises=exercises)
    steps.release(course, assignment)
    released = course.root / "release" / assignment
    nb_name = next(p.name for p in released.glob("*.ipynb"))
    answers = _solutions(course.root / "source" / assignment / nb_name)
    kinds = ("strong", "weak", "blank")
    for i in range(n):
        kind = kinds[i % 3]
        folder = base / "work" / f"learner{i:03d}"
        shutil.copytree(released, folder)
        if kind != "blank":
            path = folder / nb_name
            nb = nbformat.read(path, as_version=4)
            keep = list(answers) if kind == "strong" else list(answers)[: max(1, len(answers) // 3)]
            for cell in nb.cells:
                gid = cell.metadata.get("nbgrader", {}).get("grade_id")
                if gid in keep:
                    cell.source = answers[gid]
            nbformat.write(nb, path)
        steps.submit_for(course, f"learner{i:03d}", assignment, folder)
    steps.collect(course, assignment)
    return course, nb_name


def auto_scores(db: Path, course_id: str, assignment: str) -> dict[str, float]:
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{db}", course_id) as gb:
        return {s.student.id: float(sum((g.auto_score or 0) for nb in s.notebooks
                                        for g in nb.grades))
                for s in gb.assignment_submissions(assignment)}


def bare_nbclient(notebook: Path, cwd: Path, runs: int) -> list[float]:
    """Seconds to execute ``notebook`` with nbclient in a fresh kernel, ``runs`` times."""
    from nbclient import NotebookClient
    times = []
    for _ in range(runs):
        nb = nbformat.read(notebook, as_version=4)
        start = time.perf_counter()
        NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(cwd)}}).execute()
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="submissions (default 200)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--assignment", default="foundation")
    parser.add_argument("--exercises", default=str(EXERCISES_DIR))
    parser.add_argument("--bare-runs", type=int, default=10,
                        help="bare nbclient executions to average (default 10)")
    parser.add_argument("--output", default=str(ROOT / "_build" / "bench" / "autograde.json"))
    args = parser.parse_args(argv)
    os.environ["PATH"] = venv_env()["PATH"]
    os.environ.setdefault("QILAB_FACULTY_SECRET", "benchmark-secret-not-for-certificates")

    base = Path(tempfile.mkdtemp(prefix="qilab-bench-"))
    try:
        print(f"Building a course with {args.n} submissions of {args.assignment} ...",
              file=sys.stderr)
        course, nb_name = build_course(base, args.assignment, Path(args.exercises), args.n)

        plain = base / "plain"
        shutil.copytree(course.root, plain)
        (plain / "nbgrader_config.py").write_text(render_config(plain, course.course_id))

        print("Plain sequential nbgrader autograde ...", file=sys.stderr)
        t0 = time.perf_counter()
        proc = subprocess.run([str(BIN / "nbgrader"), "autograde", args.assignment, "--force"],
                              cwd=plain, env=venv_env(), capture_output=True, text=True)
        plain_s = time.perf_counter() - t0
        if proc.returncode != 0:
            print(proc.stderr[-3000:], file=sys.stderr)
            return 1

        print("qilab cohort autograde ...", file=sys.stderr)
        t0 = time.perf_counter()
        proc = subprocess.run([str(BIN / "qilab"), "cohort", "autograde", args.assignment,
                               "--workers", str(args.workers), "--course-dir", str(course.root)],
                              env=venv_env(), capture_output=True, text=True)
        qilab_s = time.perf_counter() - t0
        if proc.returncode not in (0, 1):
            print(proc.stderr[-3000:], file=sys.stderr)
            return 1

        ours = auto_scores(course.gradebook, course.course_id, args.assignment)
        theirs = auto_scores(plain / "gradebook.db", course.course_id, args.assignment)
        differ = sorted(k for k in set(ours) | set(theirs) if ours.get(k) != theirs.get(k))
        if differ or len(ours) != args.n:
            print(f"GRADES DIFFER for {differ[:10]} ({len(differ)} learners)", file=sys.stderr)
            return 1

        sample = plain / "autograded" / "learner000" / args.assignment
        bare = bare_nbclient(sample / nb_name, sample, args.bare_runs)
        bare_mean = statistics.mean(bare)
        result = {
            "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python "
                       f"{platform.python_version()}",
            "assignment": args.assignment, "submissions": args.n, "workers": args.workers,
            "nbgrader_seconds": round(plain_s, 1), "qilab_seconds": round(qilab_s, 1),
            "speedup": round(plain_s / qilab_s, 2),
            "nbgrader_per_submission": round(plain_s / args.n, 3),
            "qilab_per_submission": round(qilab_s / args.n, 3),
            "bare_nbclient_per_notebook": round(bare_mean, 3),
            "qilab_cost_vs_bare": round(qilab_s / args.n / bare_mean, 2),
            "nbgrader_cost_vs_bare": round(plain_s / args.n / bare_mean, 2),
            "identical_grades": True,
            "score_spread": sorted(set(ours.values())),
        }
    finally:
        shutil.rmtree(base, ignore_errors=True)

    rows = [("", "total (s)", "per submission (s)", "vs bare nbclient"),
            ("nbgrader autograde", result["nbgrader_seconds"], result["nbgrader_per_submission"],
             result["nbgrader_cost_vs_bare"]),
            ("qilab cohort autograde", result["qilab_seconds"], result["qilab_per_submission"],
             result["qilab_cost_vs_bare"]),
            ("bare nbclient (1 notebook)", "", result["bare_nbclient_per_notebook"], 1.0)]
    print(f"\nAutograding {args.n} submissions of {args.assignment} ({result['machine']})")
    for row in rows:
        print(f"  {row[0]:<28}{row[1]!s:>10}{row[2]!s:>20}{row[3]!s:>18}")
    print(f"  speed-up: {result['speedup']}x, identical grades: yes "
          f"(scores seen: {result['score_spread']})")
    atomic_write_text(args.output, json.dumps(result, indent=2) + "\n")
    print(f"  written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
