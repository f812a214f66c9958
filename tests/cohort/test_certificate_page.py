"""A certificate page is its own proof: ``verify`` accepts a page only if it is exactly the page
made from its signed data, and its messages show only signed data.

Each tampered page below keeps the genuine embedded data and code of Ann's certificate (so a
check of the data alone would pass) and changes what a reader of the page sees.
"""
from __future__ import annotations

import subprocess
import sys

import pytest

from qilab.cohort import register as reg
from qilab.cohort.certificates import Record, render_html, verification_code, verify
from qilab.cohort.course import COURSE_FILE, COURSE_SCHEMA, Course, venv_env
from qilab.cohort.standard import load_standard
from qilab.storage import write_document

SECRET = "page-test-secret-0123456789"
ANN = Record("Ann Jones", "ann", "foundation", "2025-06-30", "QI Faculty", "qi-2025")
BEN = Record("Ben Okafor", "ben", "aware", "2025-06-30", "QI Faculty", "qi-2025")
NAME = '<p class="name" data-field="name">Ann Jones</p>'


@pytest.fixture
def issued(tmp_path, monkeypatch):
    """Ann's and Ben's certificates, issued and in the register."""
    monkeypatch.setenv("QILAB_FACULTY_SECRET", SECRET)
    course = Course(tmp_path, "qi-2025", "QI Faculty", tmp_path)
    (tmp_path / "certificates").mkdir()
    pages = {}
    for record in (ANN, BEN):
        code = verification_code(record, SECRET.encode())
        page = tmp_path / "certificates" / f"{record.learner}.html"
        page.write_text(render_html(record, code, load_standard()), encoding="utf-8")
        reg.append_rows(course.register, [{**record._asdict(), "code": code, "issued_at": "t",
                                           "certificate": f"certificates/{page.name}"}])
        pages[record.learner] = page
    return course, pages


def test_genuine_page_verifies_and_shows_its_signed_data(issued):
    course, pages = issued
    verdict = verify(course, str(pages["ann"]))
    assert verdict.valid and verdict.record == ANN
    assert verdict.message.startswith("Valid: Ann Jones (ann) holds the Foundation (bronze)")


def test_page_saved_with_windows_line_endings_still_verifies(issued, tmp_path):
    course, pages = issued
    copy = tmp_path / "copy.html"
    copy.write_bytes(pages["ann"].read_bytes().replace(b"\n", b"\r\n"))
    assert verify(course, str(copy)).valid


TAMPERED = {
    # the visible name changed; the embedded data still say Ann
    "visible name": lambda t: t.replace(NAME, NAME.replace("Ann Jones", "Mallory Smith")),
    # a hidden copy of the genuine field first, then a visible name without the marker
    "hidden duplicate field": lambda t: t.replace(
        NAME, '<p class="name" data-field="name" hidden>Ann Jones</p>\n'
              '  <p class="name">Mallory Smith</p>'),
    # the genuine name inside a comment, another beside it
    "comment": lambda t: t.replace(
        NAME, '<p class="name" data-field="name"><!-- Ann Jones -->Mallory Smith</p>'),
    # the genuine field kept but hidden by a style, another name shown
    "style": lambda t: t.replace(
        "</style>", '  .name { display: none; }\n  main::before { content: "Mallory Smith"; }\n'
                    "</style>"),
    # an extra element claiming more than was awarded
    "extra element": lambda t: t.replace(
        "</dl>", "  <dt>Also awarded</dt><dd>Coach (gold)</dd>\n  </dl>"),
    # the tier shown changed
    "visible tier": lambda t: t.replace(">Foundation (bronze)<", ">Coach (gold)<"),
    # a second set of embedded data
    "second data block": lambda t: t.replace(
        "</body>", '<script type="application/json" id="qilab-certificate">{}</script>\n'
                   "</body>"),
    # a script that rewrites the page when it is opened
    "script": lambda t: t.replace(
        "</body>", "<script>document.querySelector('.name').textContent = 'Mallory Smith'"
                   "</script>\n</body>"),
}


@pytest.mark.parametrize("how", sorted(TAMPERED))
def test_tampered_page_fails_and_says_nothing_the_page_claims(issued, tmp_path, how):
    course, pages = issued
    original = pages["ann"].read_text(encoding="utf-8")
    text = TAMPERED[how](original)
    assert text != original, "the tampering did not apply"
    forged = tmp_path / "forged.html"
    forged.write_text(text, encoding="utf-8")
    verdict = verify(course, str(forged))
    assert not verdict.valid
    assert not verdict.message.startswith("Valid")
    assert "Mallory" not in verdict.message and "Coach" not in verdict.message


def test_data_and_page_changed_together_fail_the_signature(issued, tmp_path):
    course, pages = issued
    forged = tmp_path / "forged.html"
    forged.write_text(pages["ann"].read_text().replace("Ann Jones", "Mallory Smith"))
    verdict = verify(course, str(forged))
    assert not verdict.valid and "does not verify" in verdict.message
    assert "Mallory" not in verdict.message


def test_another_learners_code_on_a_page_fails(issued, tmp_path):
    """Ben's genuine code and data on a page made out to Ann's name and tier."""
    course, pages = issued
    ben = pages["ben"].read_text()
    forged = tmp_path / "forged.html"
    forged.write_text(ben.replace(">Ben Okafor<", ">Ann Jones<")
                      .replace(">Aware<", ">Foundation (bronze)<"))
    verdict = verify(course, str(forged))
    assert not verdict.valid
    assert "Ann Jones" not in verdict.message


def test_cli_verify_of_a_tampered_page_exits_1_and_shows_no_claimed_name(issued, tmp_path):
    course, pages = issued
    write_document(course.root / COURSE_FILE, COURSE_SCHEMA, 1, {
        "course_id": "qi-2025", "faculty": "QI Faculty", "exercises": str(course.root)})
    forged = tmp_path / "forged.html"
    forged.write_text(TAMPERED["hidden duplicate field"](pages["ann"].read_text()))
    cmd = [sys.executable, "-m", "qilab.cli", "cohort", "verify", "--course-dir",
           str(course.root)]
    env = venv_env({"QILAB_FACULTY_SECRET": SECRET})
    bad = subprocess.run(cmd + [str(forged)], capture_output=True, text=True, env=env)
    assert bad.returncode == 1, bad.stderr
    assert "Mallory" not in bad.stdout and "Valid" not in bad.stdout
    good = subprocess.run(cmd + [str(pages["ann"])], capture_output=True, text=True, env=env)
    assert good.returncode == 0 and "Valid: Ann Jones" in good.stdout, good.stderr
