"""End to end: the Practitioner certificate from each learner's project folder (evidence
pack) and an assessor's marks, issued when everything is there and refused, item by item, for
packs each missing one item.

`qilab cohort project-check` checks the six items a computer can check in a project folder
(qilab.cohort.project_evidence) and adds a row per learner and item to the evidence CSV; an
assessor marks the other three; `qilab cohort certify --tier practitioner` reads both.
"""
from __future__ import annotations

import csv
import json

import pytest

from qilab.cli import main
from qilab.cohort.certificates import certify, verify
from qilab.cohort.course import init_course
from qilab.cohort.project_evidence import ASSESSOR, ITEMS, check_project
from qilab.cohort.standard import load_standard
from qilab.reports.project import FILES, example_project

ASSESSED = ["project-registered", "team-and-sponsor", "reflection"]


def _edit_json(path, edit):
    doc = json.loads(path.read_text(encoding="utf-8"))
    edit(doc)
    path.write_text(json.dumps(doc), encoding="utf-8")


def _weak_aim(folder):
    _edit_json(folder / FILES["charter"], lambda d: d["charter"].update(
        aim="Staff must try harder to stop residents falling."))


def _no_balancing_measure(folder):
    _edit_json(folder / FILES["measurement_plan"], lambda d: d.update(
        measures=[m for m in d["measures"] if m["kind"] != "balancing"]))


def _third_cycle_not_tested(folder):
    def edit(doc):
        c3 = next(c for c in doc["cycles"] if c["id"] == "C3")
        for key in ("do_what_happened", "do_date", "study_results", "study_learning",
                    "act_decision", "act_next_step"):
            c3[key] = None if key == "do_date" else ""
    _edit_json(folder / FILES["pdsa_log"], edit)


def _eleven_points(folder):
    path = folder / FILES["measure_data"]
    path.write_text("\n".join(path.read_text(encoding="utf-8").splitlines()[:12]) + "\n",
                    encoding="utf-8")


def _latest_score_2(folder):
    path = folder / FILES["progress_scores"]
    path.write_text(path.read_text(encoding="utf-8").replace(",3.5,", ",2,"), encoding="utf-8")


#: learner -> (what their pack lacks, the standard item that should be refused)
BROKEN = {
    "bea": (_weak_aim, "charter"),
    "cal": (lambda f: (f / FILES["driver_diagram"]).unlink(), "driver-diagram"),
    "dev": (_no_balancing_measure, "measurement-plan"),
    "eli": (_third_cycle_not_tested, "linked-pdsas"),
    "fay": (_eleven_points, "annotated-chart"),
    "gus": (_latest_score_2, "progress-score"),
}
#: learner -> the assessed item their assessor did not mark as met
NOT_ASSESSED = {"hal": "project-registered", "ida": "team-and-sponsor", "jo": "reflection"}
LEARNERS = ["ann", *BROKEN, *NOT_ASSESSED]


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    base = tmp_path_factory.mktemp("practitioner")
    course = init_course(base / "course", course_id="qi-practitioner",
                         faculty="Test QI Faculty")
    projects = base / "projects"
    for learner in LEARNERS:
        folder = example_project(projects / learner)
        if learner in BROKEN:
            BROKEN[learner][0](folder)
    evidence = base / "evidence.csv"
    rows = ["learner,name,item,met,assessor,date"]
    rows += [f"{learner},{learner.capitalize()} Smith,{item},"
             f"{'no' if NOT_ASSESSED.get(learner) == item else 'yes'},R Assessor,2025-12-01"
             for learner in LEARNERS for item in ASSESSED]
    evidence.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert main(["cohort", "project-check", "--projects", str(projects), "--evidence",
                 str(evidence), "--date", "2025-12-10"]) == 0
    report = certify(course, "practitioner", evidence=evidence, on="2025-12-11",
                     progress=False, pdf=False)
    return dict(course=course, projects=projects, evidence=evidence, report=report)


def test_the_standard_lists_every_item_checked_or_assessed():
    items = {e.id for e in load_standard().tier("practitioner").evidence}
    assert items == set(ITEMS) | set(ASSESSED)


def test_the_check_adds_a_row_per_learner_and_checked_item(cohort):
    rows = [r for r in csv.DictReader(cohort["evidence"].open(encoding="utf-8"))
            if r["assessor"] == ASSESSOR]
    assert len(rows) == len(LEARNERS) * len(ITEMS)
    refused = {(r["learner"], r["item"]) for r in rows if r["met"] == "no"}
    assert refused == {(learner, item) for learner, (_, item) in BROKEN.items()}
    assert all(r["date"] == "2025-12-10" and r["note"] for r in rows)


def test_a_complete_pack_is_certified(cohort):
    report = cohort["report"]
    assert [r["learner"] for r in report.issued] == ["ann"]
    verdict = verify(cohort["course"], report.issued[0]["code"])
    assert verdict.valid and verdict.record.tier == "practitioner"


@pytest.mark.parametrize("learner,item", [(k, v[1]) for k, v in BROKEN.items()]
                         + list(NOT_ASSESSED.items()))
def test_a_pack_missing_one_item_is_refused_for_that_item_alone(cohort, learner, item):
    reasons = {d.learner: d.reasons for d in cohort["report"].decisions}
    assert reasons[learner] == (f"evidence '{item}' not marked as met",)


@pytest.mark.parametrize("learner,words", [
    ("bea", "The charter's aim does not pass the aim checks yet: Focus on the system"),
    ("cal", "There is no driver diagram file"),
    ("dev", "Add a balancing measure"),
    ("eli", "The longest ramp has 2 cycle(s) tested with a prediction made before the Do "
            "step; 3 are needed (cycle C3 has no Do date yet (not tested))."),
    ("fay", "The chart has 11 points: at least 12 are needed."),
    ("gus", "The latest progress score is 2; 2.5 or more is needed."),
])
def test_each_refusal_says_why_in_plain_english(cohort, learner, words):
    check = check_project(cohort["projects"] / learner)
    item = BROKEN[learner][1]
    assert not check.met[item] and words in check.notes[item]
    assert sum(not ok for ok in check.met.values()) == 1
    assert f"{check.explain().splitlines()[list(ITEMS).index(item)]}".endswith(
        check.notes[item]) and "NOT met" in check.explain()


def test_a_prediction_must_come_before_the_do_step(tmp_path):
    folder = example_project(tmp_path / "kim")

    def undated(doc):
        doc["cycles"][1]["plan_when"] = None
    _edit_json(folder / FILES["pdsa_log"], undated)
    check = check_project(folder)
    assert not check.met["linked-pdsas"]
    assert "cycle C2 has no planned date, so nothing shows its prediction was made before " \
        "the Do step" in check.notes["linked-pdsas"]


def test_a_missing_projects_folder_is_a_clear_error(tmp_path, capsys):
    assert main(["cohort", "project-check", "--projects", str(tmp_path / "nowhere"),
                 "--evidence", str(tmp_path / "ev.csv")]) == 2
    assert "The projects folder" in capsys.readouterr().err


def test_certify_says_what_the_check_found_for_each_refused_item(cohort):
    summary = cohort["report"].summary()
    assert "not met  gus" in summary
    assert "progress-score: The latest progress score is 2; 2.5 or more is needed." in summary
    assert "annotated-chart: The chart has 11 points: at least 12 are needed." in summary
    # only refused items get a line: ann's met items are not listed
    assert "issued   ann" in summary and "charter: The aim passes" not in summary
