"""Fixtures for the exercise tests: an nbgrader course made once, and parallel notebook runs.

``course`` copies every source assignment in ``exercises/`` into a temporary nbgrader course,
runs ``nbgrader generate_assignment`` for each and ``nbgrader validate`` on every source
notebook (with the venv's ``bin`` first on PATH, as nbgrader needs). ``run_notebooks`` runs
notebooks in fresh kernels, a few at a time, each in its own process (see ``_nbrun.py``).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXERCISES = ROOT / "exercises"
VENV_BIN = Path(sys.executable).parent
RUNNER = Path(__file__).with_name("_nbrun.py")
ASSIGNMENTS = ("aware-quiz", "foundation", "practice-run-charts", "practitioner")
LEARNERS = ("ada", "bashir", "chen-li", "dorota.k", "emeka_99")


def nbgrader_env() -> dict[str, str]:
    """The environment nbgrader needs: the venv's bin first on PATH (no hub user)."""
    env = dict(os.environ)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.pop("JUPYTERHUB_USER", None)
    return env


@dataclass
class Course:
    root: Path
    validate_output: dict[str, str]
    validate_codes: dict[str, int]

    def source(self, assignment: str) -> Path:
        return self.root / "source" / assignment / f"{assignment}.ipynb"

    def release(self, assignment: str) -> Path:
        return self.root / "release" / assignment / f"{assignment}.ipynb"


@pytest.fixture(scope="session")
def course(tmp_path_factory: pytest.TempPathFactory) -> Course:
    root = tmp_path_factory.mktemp("course")
    (root / "exchange").mkdir()
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        "c.CourseDirectory.course_id = 'qi-test'\n"
        f"c.Exchange.root = {str(root / 'exchange')!r}\n")
    for name in ASSIGNMENTS:
        shutil.copytree(EXERCISES / name, root / "source" / name)
    env = nbgrader_env()
    # generate the releases in one Python (nbgrader's start-up is slow), then validate every
    # source notebook with the real command
    script = ("from nbgrader.apps import NbGraderAPI\n"
              "from traitlets.config import Config\n"
              "from nbgrader.coursedir import CourseDirectory\n"
              "import sys\n"
              "c = Config(); c.CourseDirectory.root = sys.argv[1]\n"
              "c.Exchange.root = sys.argv[1] + '/exchange'\n"
              "api = NbGraderAPI(CourseDirectory(config=c), config=c)\n"
              "for name in sys.argv[2:]:\n"
              "    r = api.generate_assignment(name, force=True)\n"
              "    assert r['success'], r\n")
    gen = subprocess.run([sys.executable, "-c", script, str(root), *ASSIGNMENTS], cwd=root,
                         env=env, capture_output=True, text=True, timeout=300)
    assert gen.returncode == 0, gen.stdout + gen.stderr
    outputs, codes = {}, {}

    def validate(name: str) -> None:
        done = subprocess.run([str(VENV_BIN / "nbgrader"), "validate",
                               str(root / "source" / name / f"{name}.ipynb")],
                              cwd=root, env=env, capture_output=True, text=True, timeout=300)
        outputs[name], codes[name] = done.stdout + done.stderr, done.returncode

    def validate_releases(_: str) -> None:
        # --invert: succeed only when no test passes, as it should be without answers
        done = subprocess.run([str(VENV_BIN / "nbgrader"), "validate", "--invert",
                               *(str(root / "release" / n / f"{n}.ipynb") for n in ASSIGNMENTS)],
                              cwd=root, env=env, capture_output=True, text=True, timeout=300)
        outputs["releases"], codes["releases"] = done.stdout + done.stderr, done.returncode

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda job: job[0](job[1]),
                      [(validate, name) for name in ASSIGNMENTS] + [(validate_releases, "")]))
    return Course(root, outputs, codes)


def _run_one(spec: dict[str, Any]) -> list[dict[str, Any]]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(spec, fh)
        path = fh.name
    try:
        env = nbgrader_env()
        done = subprocess.run([sys.executable, str(RUNNER), path], capture_output=True,
                              text=True, env=env, timeout=400)
    finally:
        os.unlink(path)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def run_notebooks() -> Callable[[list[dict[str, Any]]], list[list[dict[str, Any]]]]:
    """Run notebook specs (see ``_nbrun.py``), 2 at a time; results in the same order."""
    def run(specs: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
        with ThreadPoolExecutor(max_workers=2) as pool:
            return list(pool.map(_run_one, specs))
    return run


def learner_spec(notebook: Path, learner: str, cwd: Path, **extra: Any) -> dict[str, Any]:
    """A run of ``notebook`` as ``learner`` (through JUPYTERHUB_USER) in folder ``cwd``."""
    cwd.mkdir(parents=True, exist_ok=True)
    spec = {"notebook": str(notebook), "cwd": str(cwd), "env": {"JUPYTERHUB_USER": learner}}
    spec.update(extra)
    return spec
