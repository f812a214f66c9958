"""``qilab programme``: the steps are listed, and a trainer can go from spreadsheets to report."""
from __future__ import annotations

import pytest

from qilab.cli import main

STEPS = ("init", "demo", "import", "certificates", "reach", "knowledge", "outcomes", "report",
         "gallery", "dashboard", "pseudonyms", "match")


def test_help_lists_every_step(capsys):
    with pytest.raises(SystemExit) as done:
        main(["programme", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for step in STEPS:
        assert f"\n    {step}" in out and f"\n  {step}" in out


def test_spreadsheets_to_report(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("QILAB_FACULTY_SECRET", "synthetic faculty secret, not a real one")
    db = ["--db", "sqlite:///" + str(tmp_path / "p.sqlite")]
    assert main(["programme", "init", *db]) == 0
    assert main(["programme", "demo", str(tmp_path / "demo"), "--people", "80"]) == 0
    files = sorted(str(p) for p in (tmp_path / "demo").glob("*.csv") if p.stem != "register")
    assert main(["programme", "import", *db, *files]) == 0
    assert main(["programme", "certificates", *db, str(tmp_path / "demo" / "register.csv")]) == 0
    capsys.readouterr()
    assert main(["programme", "reach", *db, "--chart", str(tmp_path / "reach.png")]) == 0
    out = capsys.readouterr().out
    assert "people have completed training" in out and "People trained by sector" in out
    assert (tmp_path / "reach.png").read_bytes()[:4] == b"\x89PNG"
    assert main(["programme", "outcomes", *db]) == 0
    assert "PRJ-01" in capsys.readouterr().out
    assert main(["programme", "report", *db, "--out", str(tmp_path / "out"), "--no-pdf"]) == 0
    assert "Level 4: results" in (tmp_path / "out" / "report.html").read_text()
    assert main(["programme", "gallery", *db, "--out", str(tmp_path / "out")]) == 0
    gallery = (tmp_path / "out" / "gallery.html").read_text()
    projects = list(__import__("csv").DictReader((tmp_path / "demo" / "projects.csv").open()))
    for p in projects:  # shared projects shown, failures too; the others not at all
        assert (f"<h2>{p['title']}</h2>" in gallery) == (p["consent_to_share"] == "yes")
    assert ("<strong>Signal of concern</strong>" in gallery
            and "<strong>Signal of improvement</strong>" in gallery)
    assert gallery.count('alt="This') == sum(p["consent_to_share"] == "yes" for p in projects)
    assert main(["programme", "match", "coaches", *db, "--save"]) == 0
    out = capsys.readouterr().out
    assert "PRJ-01" in out and "match(es) recorded" in out
    pseudonym = out.split("PRJ-01", 1)[1].split()[0]  # the coach matched to PRJ-01
    coaches = [r["learner"].strip() for r in __import__("csv").DictReader(
        (tmp_path / "demo" / "enrolments.csv").open()) if r["tier"] == "Coach"]
    assert main(["programme", "pseudonyms", *db, *coaches]) == 0
    assert pseudonym in capsys.readouterr().out
    assert main(["programme", "match", "buddies", *db, "--pin", "nonsense"]) == 2
    assert "write it as A=B" in capsys.readouterr().err
    # importing the same enrolments again is refused, row by row, and exits 2
    assert main(["programme", "import", *db, str(tmp_path / "demo" / "enrolments.csv")]) == 2
    err = capsys.readouterr().err
    assert "enrolments.csv, row 2, column 'cohort'" in err and "Nothing was imported" in err
