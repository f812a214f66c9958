"""The ``qilab cohort`` command: help, init, and clear messages for trainers' mistakes."""
from __future__ import annotations

from pathlib import Path

import pytest
from cohort_helpers import FIXTURE_EXERCISES

from qilab.cli import main

STEPS = ("init", "release", "collect", "autograde", "feedback", "export", "certify", "verify")


def test_version_still_works(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and "qilab" in capsys.readouterr().out


def test_help_lists_every_step(capsys):
    with pytest.raises(SystemExit):
        main(["cohort", "--help"])
    out = capsys.readouterr().out
    for step in STEPS:
        assert step in out
    assert "QILAB_FACULTY_SECRET" in out


@pytest.fixture
def course_dir(tmp_path, capsys) -> Path:
    folder = tmp_path / "course"
    assert main(["cohort", "init", "--course-dir", str(folder), "--course-id", "qi-cli",
                 "--faculty", "CLI Faculty", "--exercises", str(FIXTURE_EXERCISES)]) == 0
    assert "fixture-quiz" in capsys.readouterr().out
    return folder


def test_init_writes_config_inside_the_course(course_dir):
    config = (course_dir / "nbgrader_config.py").read_text()
    assert f"c.CourseDirectory.root = {str(course_dir.resolve())!r}" in config
    assert f"c.Exchange.root = {str(course_dir.resolve() / 'exchange')!r}" in config
    assert "c.CourseDirectory.course_id = 'qi-cli'" in config
    assert "c.OverwriteCells.add_missing_cells = True" in config
    assert (course_dir / "source" / "fixture-quiz" / "quiz.ipynb").exists()
    assert not list(course_dir.rglob("*secret*"))


def test_init_again_keeps_the_course_and_refuses_another_id(course_dir, capsys):
    assert main(["cohort", "init", "--course-dir", str(course_dir), "--course-id", "qi-cli",
                 "--exercises", str(FIXTURE_EXERCISES)]) == 0
    assert main(["cohort", "init", "--course-dir", str(course_dir), "--course-id", "other",
                 "--exercises", str(FIXTURE_EXERCISES)]) == 2
    assert "already holds course 'qi-cli'" in capsys.readouterr().err


@pytest.mark.parametrize("argv,message", [
    (["release", "nope"], "Unknown assignment 'nope'"),
    (["autograde", "fixture-quiz"], "No gradebook yet"),
    (["export"], "No gradebook yet"),
    (["certify", "--tier", "platinum"], "Unknown tier 'platinum'"),
    (["certify", "--tier", "practitioner"], "pass --evidence"),
    (["verify", "not-a-code"], "neither a verification code"),
])
def test_trainer_mistakes_get_clear_messages(course_dir, capsys, argv, message):
    assert main(["cohort", *argv, "--course-dir", str(course_dir)]) == 2
    assert message in capsys.readouterr().err


def test_not_a_course_folder(tmp_path, capsys):
    assert main(["cohort", "collect", "x", "--course-dir", str(tmp_path)]) == 2
    assert "qilab cohort init" in capsys.readouterr().err


def test_missing_secret_is_explained(course_dir, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("QILAB_FACULTY_SECRET_FILE", str(tmp_path / "missing"))
    assert main(["cohort", "verify", "QI-" + "-".join(["ABCD"] * 7), "--course-dir",
                 str(course_dir)]) == 2
    assert "No faculty secret" in capsys.readouterr().err
