"""Unit tests: the standard, evidence, the secret, codes, the register and verify."""
from __future__ import annotations

import multiprocessing as mp
import stat

import pytest

from qilab import QIDataError
from qilab.cohort import register as reg
from qilab.cohort.certificates import Record, canonical, render_html, verification_code, verify
from qilab.cohort.course import Course
from qilab.cohort.evidence import read_evidence
from qilab.cohort.secret import ensure_secret, load_secret
from qilab.cohort.standard import AssignmentRule, Tier, decide, load_standard

SECRET = b"unit-test-secret-0123456789"


# --- standard -----------------------------------------------------------------------------

def test_standard_has_every_tier_from_the_curriculum():
    std = load_standard()
    assert list(std.tiers) == ["aware", "foundation", "practitioner", "coach", "leaders"]
    assert std.tier("Aware").assignments[0].min_percent == 75
    foundation = std.tier("foundation")
    assert foundation.assignments[0].scope == "autograded"
    assert foundation.assignments[0].per_notebook
    assert [e.id for e in foundation.evidence] == ["personal-run-chart"]
    assert len(std.tier("practitioner").evidence) == 9
    assert std.tier("coach").requires_tier == "practitioner"


def test_unknown_tier_is_a_clear_error():
    with pytest.raises(QIDataError, match="Unknown tier 'gold'.*aware, foundation"):
        load_standard().tier("gold")


def test_bad_standard_file_is_named(tmp_path):
    bad = tmp_path / "standard.yml"
    bad.write_text("schema_version: 1\ntiers:\n  aware:\n    assignments:\n      - id: q\n"
                   "        min_percent: 175\n")
    with pytest.raises(QIDataError, match="not between 0 and 100"):
        load_standard(bad)


def test_decide_boundaries_and_per_notebook():
    tier = Tier("f", "F", "", (AssignmentRule("quiz", 75, per_notebook=True),), ())
    exactly = {"quiz": {"m1": {"all": (3, 4)}, "m2": {"all": (3, 4)}}}
    assert decide(tier, "a", exactly, {}).met
    one_low = {"quiz": {"m1": {"all": (4, 4)}, "m2": {"all": (2, 4)}}}
    verdict = decide(tier, "b", one_low, {})
    assert not verdict.met and any("m2" in r for r in verdict.reasons)
    assert not decide(tier, "c", {}, {}).met


def test_decide_needs_evidence_and_prior_tier():
    tier = Tier("coach", "Coach", "", (), (), requires_tier="practitioner")
    assert not decide(tier, "a", {}, {}, held=set()).met
    assert decide(tier, "a", {}, {}, held={"practitioner"}).met


# --- evidence -----------------------------------------------------------------------------

def test_evidence_latest_row_wins(tmp_path):
    path = tmp_path / "ev.csv"
    path.write_text("learner,item,met,assessor,date\n"
                    "ann,charter,no,J Smith,2025-01-01\n"
                    "ann,charter,yes,J Smith,2025-02-01\n")
    assert read_evidence(path) == {("ann", "charter"): True}


@pytest.mark.parametrize("row,column", [
    ("ann,charter,perhaps,J,2025-01-01", "met"),
    ("ann,charter,yes,,2025-01-01", "assessor"),
    ("ann,charter,yes,J,01/02/2025", "date"),
    (",charter,yes,J,2025-01-01", "learner"),
])
def test_evidence_errors_name_row_and_column(tmp_path, row, column):
    path = tmp_path / "ev.csv"
    path.write_text("learner,item,met,assessor,date\n" + row + "\n")
    with pytest.raises(QIDataError, match="row 2") as err:
        read_evidence(path)
    assert err.value.column == column


def test_evidence_unknown_item_and_missing_column(tmp_path):
    path = tmp_path / "ev.csv"
    path.write_text("learner,item,met,assessor,date\nann,charter,yes,J,2025-01-01\n")
    with pytest.raises(QIDataError, match="not in the standard"):
        read_evidence(path, known_items={"reflection"})
    path.write_text("learner,item,met\nann,charter,yes\n")
    with pytest.raises(QIDataError, match="assessor"):
        read_evidence(path)


# --- secret -------------------------------------------------------------------------------

def test_secret_created_0600_outside_the_course(tmp_path, monkeypatch):
    monkeypatch.delenv("QILAB_FACULTY_SECRET", raising=False)
    monkeypatch.setenv("QILAB_FACULTY_SECRET_FILE", str(tmp_path / "cfg" / "faculty-secret"))
    path = ensure_secret(course_root=tmp_path / "course")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(load_secret()) >= 32
    again = ensure_secret(course_root=tmp_path / "course")
    assert again.read_text() == path.read_text()  # never overwritten


def test_secret_inside_course_or_repo_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("QILAB_FACULTY_SECRET", raising=False)
    monkeypatch.setenv("QILAB_FACULTY_SECRET_FILE", str(tmp_path / "course" / "secret"))
    with pytest.raises(QIDataError, match="outside"):
        ensure_secret(course_root=tmp_path / "course")


def test_missing_secret_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.delenv("QILAB_FACULTY_SECRET", raising=False)
    monkeypatch.setenv("QILAB_FACULTY_SECRET_FILE", str(tmp_path / "nope"))
    with pytest.raises(QIDataError, match="qilab cohort init"):
        load_secret()


# --- codes --------------------------------------------------------------------------------

RECORD = Record("Ann Jones", "ann", "foundation", "2025-06-30", "QI Faculty", "qi-2025")


@pytest.mark.parametrize("field,value", [("name", "Anne Jones"), ("tier", "coach"),
                                         ("date", "2025-06-29"), ("faculty", "Other"),
                                         ("learner", "ann2"), ("course", "qi-2026")])
def test_any_change_changes_the_code(field, value):
    assert verification_code(RECORD._replace(**{field: value}), SECRET) != \
        verification_code(RECORD, SECRET)


def test_code_needs_the_secret_and_is_stable():
    assert verification_code(RECORD, SECRET) == verification_code(RECORD, SECRET)
    assert verification_code(RECORD, b"another-secret-of-length") != \
        verification_code(RECORD, SECRET)
    # field boundaries cannot be shifted ("Ann" + "Jones..." vs "Ann Jones" + ...)
    assert canonical(RECORD) != canonical(RECORD._replace(name="Ann", learner="Jones ann"))


def test_html_escapes_names():
    html = render_html(RECORD._replace(name="<script>alert(1)</script>"), "QI-X", load_standard())
    assert "<script>alert" not in html.split('id="qilab-certificate"')[0]
    assert 'lang="en-GB"' in html


# --- register -----------------------------------------------------------------------------

def _row(i: int) -> dict[str, str]:
    return {"code": f"QI-{i}", "learner": f"l{i}", "name": f"L {i}", "tier": "aware",
            "date": "2025-01-01", "faculty": "F", "course": "c", "issued_at": "t",
            "certificate": f"c{i}.html"}


def _append_many(path: str, start: int) -> None:
    for i in range(start, start + 20):
        reg.append_rows(path, [_row(i)])


def test_register_concurrent_appends_lose_nothing(tmp_path):
    path = tmp_path / "register.csv"
    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=_append_many, args=(str(path), k * 100)) for k in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    rows = reg.read_register(path)
    assert len(rows) == 80 and len({r["code"] for r in rows}) == 80
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_register_refuses_incomplete_rows_and_edited_headers(tmp_path):
    path = tmp_path / "register.csv"
    with pytest.raises(QIDataError):
        reg.append_rows(path, [{**_row(1), "code": ""}])
    path.write_text("who,what\n")
    with pytest.raises(QIDataError, match="edited by hand"):
        reg.read_register(path)


# --- verify -------------------------------------------------------------------------------

@pytest.fixture
def issued(tmp_path, monkeypatch):
    monkeypatch.setenv("QILAB_FACULTY_SECRET", SECRET.decode())
    course = Course(tmp_path, "qi-2025", "QI Faculty", tmp_path)
    code = verification_code(RECORD, SECRET)
    cert = tmp_path / "certificates" / "ann.html"
    cert.parent.mkdir()
    cert.write_text(render_html(RECORD, code, load_standard()))
    reg.append_rows(course.register, [{**RECORD._asdict(), "code": code, "issued_at": "t",
                                       "certificate": "certificates/ann.html"}])
    return course, code, cert


def test_verify_accepts_a_genuine_code_and_file(issued):
    course, code, cert = issued
    assert verify(course, code).valid
    assert verify(course, code.lower()).valid
    assert verify(course, str(cert)).valid


@pytest.mark.parametrize("old,new", [
    ('data-field="name">Ann Jones<', 'data-field="name">Anne Jones<'),
    ('data-field="date">2025-06-30<', 'data-field="date">2024-06-30<'),
    ('data-field="tier_title">Foundation (bronze)<', 'data-field="tier_title">Coach (gold)<'),
])
def test_verify_rejects_an_altered_certificate(issued, old, new):
    course, code, cert = issued
    text = cert.read_text()
    assert old in text
    cert.write_text(text.replace(old, new))
    assert not verify(course, str(cert)).valid


def test_verify_rejects_altered_page_and_data_together(issued):
    course, code, cert = issued
    text = cert.read_text().replace("Ann Jones", "Anne Jones")
    cert.write_text(text)
    verdict = verify(course, str(cert))
    assert not verdict.valid and "does not verify" in verdict.message


def test_verify_rejects_forged_codes_and_altered_register(issued):
    course, code, _ = issued
    forged = "QI-" + "-".join(["AAAA"] * 7)
    assert not verify(course, forged).valid
    text = course.register.read_text().replace("Ann Jones", "Anne Jones")
    course.register.write_text(text)
    verdict = verify(course, code)
    assert not verdict.valid and "altered" in verdict.message


def test_verify_with_a_different_secret_fails(issued, monkeypatch):
    course, code, cert = issued
    monkeypatch.setenv("QILAB_FACULTY_SECRET", "someone-elses-secret-1234")
    assert not verify(course, str(cert)).valid
    assert not verify(course, code).valid


def test_verify_nonsense_is_a_clear_error(issued):
    course, _, _ = issued
    with pytest.raises(QIDataError, match="neither a verification code"):
        verify(course, "hello")
