"""End to end: Coach and Leaders certificates from evidence, issued when it is complete and
refused, item by item, when one item is missing.

Practitioners are certified first, so the register knows who holds the Practitioner tier. The
Coach items ``coaching-log`` and ``coached-team-progress`` are checked from a coaching log and
the teams' progress records (qilab.cohort.coach_evidence) and added to the evidence CSV; the
observed session is marked by an assessor. Leaders need attendance and a sponsored project
through review, both recorded as evidence.
"""
from __future__ import annotations

import csv

import pytest

from qilab import QIDataError
from qilab.cli import main
from qilab.cohort.certificates import certify, verify
from qilab.cohort.coach_evidence import check_coaches
from qilab.cohort.course import init_course
from qilab.cohort.register import read_register
from qilab.cohort.standard import load_standard

PRACTITIONER_ITEMS = [e.id for e in load_standard().tier("practitioner").evidence]
NAMES = {"pat": "Pat Green", "rob": "Rob Hill", "sam": "Sam Iqbal", "tia": "Tia Jones",
         "quin": "Quin Khan", "lee": "Lee Lord", "liz": "Liz Moss", "lou": "Lou Nash"}
COACHES = ["pat", "rob", "sam", "tia"]           # Practitioner holders; quin is not one


def _log_rows(coach: str, team: str, sessions: int) -> list[str]:
    return [f"{coach},{team},2025-{month:02d}-15,testing,next test agreed,2"
            for month in range(1, sessions + 1)]


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    base = tmp_path_factory.mktemp("coach-leaders")
    course = init_course(base / "course", course_id="qi-coach", faculty="Test QI Faculty")
    evidence = base / "evidence.csv"
    rows = ["learner,name,item,met,assessor,date"]
    for learner in COACHES:
        rows += [f"{learner},{NAMES[learner]},{item},yes,R Assessor,2024-12-01"
                 for item in PRACTITIONER_ITEMS]
    observed = {"pat": "yes", "rob": "yes", "sam": "yes", "tia": "no", "quin": "yes"}
    rows += [f"{c},{NAMES[c]},observed-session,{m},R Assessor,2025-07-01"
             for c, m in observed.items()]
    rows += ["lee,Lee Lord,attendance,yes,R Trainer,2025-05-01",
             "lee,Lee Lord,sponsored-project,yes,R Trainer,2025-09-01",
             "liz,Liz Moss,attendance,yes,R Trainer,2025-05-01",
             "liz,Liz Moss,sponsored-project,no,R Trainer,2025-09-01",
             "lou,Lou Nash,sponsored-project,yes,R Trainer,2025-09-01"]
    evidence.write_text("\n".join(rows) + "\n")
    practitioner = certify(course, "practitioner", evidence=evidence, on="2025-01-10",
                           progress=False, pdf=False)

    log = base / "coaching-log.csv"
    log.write_text("\n".join(["coach,team,date,stage,agreed,progress_score",
                              *_log_rows("pat", "ward 7", 6), *_log_rows("rob", "ward 7", 5),
                              *_log_rows("sam", "gp access", 6), *_log_rows("tia", "ward 7", 6),
                              *_log_rows("quin", "ward 7", 6)]) + "\n")
    teams = base / "team-records.csv"
    teams.write_text("team,date,progress_score,agreed_by\n"
                     "ward 7,2025-03-31,2.5,Sponsor A\n"
                     "ward 7,2025-06-30,3,Sponsor A\n"
                     "gp access,2024-12-31,3.5,Sponsor B\n"      # before sam coached them
                     "gp access,2025-06-30,2.5,Sponsor B\n")
    checks = {c.coach: c for c in check_coaches(log, teams)}
    # the trainer's command: check the records and add what they show to the evidence
    assert main(["cohort", "coach-check", "--log", str(log), "--teams", str(teams),
                 "--evidence", str(evidence), "--date", "2025-07-02"]) == 0
    coach = certify(course, "coach", evidence=evidence, on="2025-07-03", progress=False,
                    pdf=False)
    leaders = certify(course, "leaders", evidence=evidence, on="2025-09-02", progress=False,
                      pdf=False)
    return dict(course=course, evidence=evidence, checks=checks, practitioner=practitioner,
                coach=coach, leaders=leaders)


def reasons(report) -> dict[str, tuple[str, ...]]:
    return {d.learner: d.reasons for d in report.decisions}


def test_practitioners_are_certified_first(cohort):
    assert sorted(r["learner"] for r in cohort["practitioner"].issued) == COACHES


def test_the_records_decide_the_two_checked_items(cohort):
    checks = cohort["checks"]
    assert checks["pat"].sessions == 6 and checks["pat"].best_score == 3
    assert not checks["rob"].met["coaching-log"] and checks["rob"].sessions == 5
    # sam's team scored 3.5 only before sam started coaching it
    assert checks["sam"].met == {"coaching-log": True, "coached-team-progress": False}
    assert checks["sam"].best_score == 2.5
    rows = list(csv.DictReader(cohort["evidence"].open()))
    checked = [r for r in rows if r["assessor"] == "qilab coach check"]
    assert len(checked) == 2 * len(checks)
    assert any(r["note"] == "5 sessions logged; 6 needed" for r in checked)


def test_coach_certificate_for_complete_evidence_only(cohort):
    report = cohort["coach"]
    assert [r["learner"] for r in report.issued] == ["pat"]
    why = reasons(report)
    assert why["rob"] == ("evidence 'coaching-log' not marked as met",)
    assert why["sam"] == ("evidence 'coached-team-progress' not marked as met",)
    assert why["tia"] == ("evidence 'observed-session' not marked as met",)
    assert why["quin"] == ("needs the practitioner tier first",)


def test_leaders_certificate_for_complete_evidence_only(cohort):
    report = cohort["leaders"]
    assert [r["learner"] for r in report.issued] == ["lee"]
    why = reasons(report)
    assert why["liz"] == ("evidence 'sponsored-project' not marked as met",)
    assert why["lou"] == ("evidence 'attendance' not marked as met",)


def test_certificates_verify_and_the_register_holds_them(cohort):
    course = cohort["course"]
    tiers = {(r["learner"], r["tier"]) for r in read_register(course.register)}
    assert {("pat", "coach"), ("lee", "leaders")} <= tiers
    for learner, tier in (("pat", "coach"), ("lee", "leaders")):
        issued = cohort[tier].issued[0]
        verdict = verify(course, issued["code"])
        assert verdict.valid, verdict.message
        assert verdict.record.tier == tier and verdict.record.name == NAMES[learner]


@pytest.mark.parametrize("text,column", [
    ("coach,team,date,stage,agreed,progress_score\nann,w7,2025-01-01,testing,x,7\n",
     "progress_score"),
    ("coach,team,date,stage,agreed,progress_score\nann,w7,2025-01-01,dancing,x,2\n", "stage"),
    ("coach,team,date,stage,agreed,progress_score\nann,w7,01/02/2025,testing,x,2\n", "date"),
    ("coach,team,date,stage,agreed\nann,w7,2025-01-01,testing,x\n", "progress_score"),
])
def test_a_bad_coaching_log_names_row_and_column(tmp_path, text, column):
    log = tmp_path / "log.csv"
    log.write_text(text)
    teams = tmp_path / "teams.csv"
    teams.write_text("team,date,progress_score,agreed_by\n")
    with pytest.raises(QIDataError) as info:
        check_coaches(log, teams)
    assert info.value.column == column


def test_docstring_example_runs():
    import doctest

    import qilab.cohort.coach_evidence as module

    result = doctest.testmod(module)
    assert result.attempted >= 1 and result.failed == 0
