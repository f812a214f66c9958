"""Unit tests for learner identity, per-learner data and the answer checks (no notebooks)."""
from __future__ import annotations

import os
import subprocess

import pytest

import qilab
from qilab.cohort import checks
from qilab.cohort.identity import identify, learner_id, learner_seed

LEARNERS = ("ada", "bashir", "chen-li", "dorota.k", "emeka_99")


# ------------------------------------------------------------------ identity and seeds
def test_seed_is_stable_and_differs_by_learner_and_assignment() -> None:
    seeds = {learner_seed(who, "foundation") for who in LEARNERS}
    assert len(seeds) == len(LEARNERS)
    assert learner_seed("ada", "foundation") == learner_seed(" ada ", "foundation")
    assert learner_seed("ada", "foundation") != learner_seed("ada", "aware-quiz")
    assert all(0 <= s < 2**32 for s in seeds)
    with pytest.raises(qilab.QIDataError):
        learner_seed("", "foundation")


def test_autograde_path_wins_over_environment(tmp_path, monkeypatch) -> None:
    folder = tmp_path / "course" / "autograded" / "bashir" / "foundation"
    folder.mkdir(parents=True)
    monkeypatch.chdir(folder)
    monkeypatch.setenv("JUPYTERHUB_USER", "ada")
    assert learner_id() == "bashir"
    assert identify().source == "nbgrader"


def test_jupyterhub_then_os_user(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JUPYTERHUB_USER", "ada")
    assert identify().learner_id == "ada" and identify().source == "jupyterhub"
    monkeypatch.delenv("JUPYTERHUB_USER")
    monkeypatch.setattr("getpass.getuser", lambda: "local-user")
    assert identify().learner_id == "local-user" and identify().source == "os"


def test_not_autograde_when_path_is_too_short(tmp_path, monkeypatch) -> None:
    (tmp_path / "autograded" / "x").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "autograded" / "x")
    monkeypatch.setenv("JUPYTERHUB_USER", "ada")
    assert learner_id() == "ada"


# ------------------------------------------------------------------ per-learner data
def test_each_learner_gets_different_data_and_scenario_order() -> None:
    seeds = [learner_seed(who, "foundation") for who in LEARNERS]
    frames = [checks.foundation_run_chart_data(s) for s in seeds]
    values = {tuple(f["value"]) for f in frames}
    assert len(values) == len(LEARNERS)
    options = {tuple(checks.foundation_scenario(s)["options"].items()) for s in seeds}
    assert len(options) == len(LEARNERS)
    quizzes = {checks.show_quiz(learner_seed(w, "aware-quiz")) for w in LEARNERS}
    assert len(quizzes) == len(LEARNERS)
    # the same learner always gets the same data
    assert checks.foundation_run_chart_data(seeds[0]).equals(frames[0])


def test_planted_signals_vary_between_learners() -> None:
    answers = [checks.expected_run_chart_answer(checks.foundation_run_chart_data(s))
               for s in range(24)]
    patterns = {(tuple(a["ihi_rules"]), a["anhoej_signal"]) for a in answers}
    assert len(patterns) >= 3
    assert any(not a["ihi_rules"] for a in answers)
    assert any("shift" in a["ihi_rules"] for a in answers)
    assert any("trend" in a["ihi_rules"] for a in answers)


def test_expected_answer_is_qilab_spc() -> None:
    data = checks.foundation_run_chart_data(99)
    got = checks.expected_run_chart_answer(data)
    part = qilab.spc(data, y="value", x="week_start").parts.iloc[0]
    assert got["median"] == pytest.approx(float(data["value"].median()))
    assert got["longest_run"] == int(part["longest_run"])
    assert got["n_crossings"] == int(part["n_crossings"])
    assert got["anhoej_signal"] == bool(part["runs_signal"])
    ihi = qilab.spc(data, y="value", x="week_start", rules="ihi").points
    assert ("shift" in got["ihi_rules"]) == bool(ihi["shift"].any())


# ------------------------------------------------------------------ answer checks
def test_wrong_run_chart_answers_fail_without_giving_the_answer() -> None:
    data = checks.foundation_run_chart_data(5)
    right = checks.expected_run_chart_answer(data)
    assert checks.check_run_chart_answer(data, right).ok
    assert checks.check_run_chart_answer(data, {**right, "median": round(right["median"], 1)}).ok
    for key, wrong in (("median", right["median"] + 1), ("longest_run", right["longest_run"] + 1),
                       ("n_crossings", right["n_crossings"] - 1),
                       ("anhoej_signal", not right["anhoej_signal"]),
                       ("ihi_rules", sorted(set(right["ihi_rules"]) ^ {"trend"}))):
        result = checks.check_run_chart_answer(data, {**right, key: wrong})
        assert not result.ok
        assert str(right[key]) not in result.explain()
    assert not checks.check_run_chart_answer(data, {**right, "anhoej_signal": 1}).ok


def test_measures_choice() -> None:
    model = checks.model_answer("foundation.measures", 3)
    assert checks.check_measures_choice(3, model).ok
    swapped = {"outcome": model["process"], "process": model["outcome"],
               "balancing": model["balancing"]}
    result = checks.check_measures_choice(3, swapped)
    assert not result.ok and "not an outcome measure" in result.explain()
    assert not checks.check_measures_choice(3, {**model, "process": model["outcome"]}).ok
    assert not checks.check_measures_choice(3, {"outcome": "Z"}).ok
    with pytest.raises(qilab.QIDataError):
        checks.check_measures_choice(3, "ABC")


def test_aim_must_pass_the_checks_and_fit_the_scenario() -> None:
    seed = next(s for s in range(50) if checks.foundation_scenario(s)["key"] == "asthma")
    good = "Increase asthma reviews at Hillside Surgery from 55% to 80% by March 2027."
    assert checks.check_aim_answer(seed, good).ok
    off_topic = "Reduce falls on Beech Ward from 9 to 4 a month by March 2027."
    result = checks.check_aim_answer(seed, off_topic)
    assert not result.ok and "your scenario" in result.explain()
    assert not checks.check_aim_answer(seed, "Nurses should try harder with asthma.").ok


def test_quiz() -> None:
    seed = learner_seed("ada", "aware-quiz")
    model = checks.model_answer("aware.quiz", seed)
    result = checks.check_quiz_answer(seed, model)
    assert result.ok and result.details["right"] == checks.QUIZ_LENGTH
    other = checks.model_answer("aware.quiz", learner_seed("bashir", "aware-quiz"))
    assert checks.check_quiz_answer(seed, other).details["right"] < checks.QUIZ_LENGTH
    assert checks.check_quiz_answer(seed, {**model, 1: ""}, [1]).details["right"] == 0


def _evidence(**changes):
    from qilab import DriverDiagram, MeasureDefinition, PDSACycle
    from qilab.tools.measures import MeasurementPlan

    def measure(kind, name):
        return MeasureDefinition(name=name, kind=kind, numerator="Count", inclusions="All",
                                 data_source="Log", frequency="Weekly", owner="Lead",
                                 direction="decrease")
    cycles = [PDSACycle(id=f"C{i}", title=f"Test {i}", prediction="Half will",
                        follows=f"C{i - 1}" if i > 1 else None) for i in (1, 2, 3)]
    evidence = dict(
        charter={"title": "Falls", "aim": "Reduce falls on Ward 7 from 8 to 4 a month by "
                 "March 2027.", "team": ["Lead", "Nurse"], "sponsor": "Matron",
                 "patient_voice": "A patient partner is on the team."},
        driver_diagram=DriverDiagram("Reduce falls", primary=["Safe ward"],
                                     secondary={"Clear bays": "Safe ward"},
                                     changes={"Daily sweep": "Clear bays"}),
        measurement_plan=MeasurementPlan([measure("outcome", "Falls"),
                                          measure("process", "Sweeps done"),
                                          measure("balancing", "Staff time")]),
        pdsa_cycles=cycles,
        chart=qilab.spc(y=list(range(12)), notes={6: "Change"}),
        progress_score=2.5)
    evidence.update(changes)
    return evidence


def test_practitioner_evidence_structure() -> None:
    from qilab import PDSACycle

    ok = checks.check_practitioner_evidence(**_evidence())
    assert ok.ok, ok.explain()
    assert all(ok.details["items"].values())
    bad = {
        "charter": _evidence()["charter"] | {"aim": "Reduce falls."},
        "pdsa_cycles": [PDSACycle(id="C1", title="One", prediction="x"),
                        PDSACycle(id="C2", title="Two", prediction="x"),
                        PDSACycle(id="C3", title="Three", prediction="x")],
        "chart": qilab.spc(y=list(range(11)), notes={3: "Change"}),
        "progress_score": 2.7,
    }
    for item, value in bad.items():
        result = checks.check_practitioner_evidence(**_evidence(**{item: value}))
        assert not result.ok and not result.details["items"][item], item
    no_prediction = [PDSACycle(id="C1", title="One", prediction="a"),
                     PDSACycle(id="C2", title="Two", prediction="", follows="C1"),
                     PDSACycle(id="C3", title="Three", prediction="b", follows="C2")]
    assert "no prediction" in checks.check_practitioner_evidence(
        pdsa_cycles=no_prediction).explain()
    unannotated = qilab.spc(y=list(range(12)))
    assert not checks.check_practitioner_evidence(chart=unannotated).ok
    # one item at a time
    only = checks.check_practitioner_evidence(progress_score=3)
    assert only.ok and list(only.details["items"]) == ["progress_score"]


# ------------------------------------------------------------------ clean process
class Yes(str):
    """A string that claims to equal anything."""

    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = str.__hash__


def test_clean_process_uses_its_own_identity(tmp_path, monkeypatch) -> None:
    folder = tmp_path / "autograded" / "dorota.k" / "foundation"
    folder.mkdir(parents=True)
    monkeypatch.chdir(folder)
    monkeypatch.setenv("JUPYTERHUB_USER", "ada")
    mine = checks.model_answer("foundation.measures", learner_seed("dorota.k", "foundation"))
    theirs = checks.model_answer("foundation.measures", learner_seed("ada", "foundation"))
    assert checks.verify_in_clean_process("foundation.measures", mine).ok
    if theirs != mine:
        verdict = checks.verify_in_clean_process("foundation.measures", theirs)
        assert not verdict.ok and "dorota.k" in verdict.message


def test_clean_process_ignores_a_patched_kernel(monkeypatch) -> None:
    seed = 11
    data = checks.foundation_run_chart_data(seed)
    right = checks.expected_run_chart_answer(data)
    wrong = {**right, "median": right["median"] + 3}
    # the learner's kernel is made to agree with anything
    monkeypatch.setattr(checks, "expected_run_chart_answer", lambda d: wrong)
    monkeypatch.setattr("qilab.charts.spc.spc", lambda *a, **k: None)
    monkeypatch.setattr("numpy.median", lambda *a, **k: wrong["median"])
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: None)
    monkeypatch.setattr(subprocess, "Popen", None)
    monkeypatch.setattr(os, "posix_spawn", lambda *a, **k: 0)
    assert checks.check_run_chart_answer(data, wrong).ok  # fooled in the kernel ...
    verdict = checks.verify_in_clean_process("foundation.run_chart", wrong, seed)
    assert not verdict.ok                                  # ... but not in a clean process
    assert checks.verify_in_clean_process("foundation.run_chart", right, seed).ok
    assert not checks.verify_in_clean_process("foundation.measures",
                                              {"outcome": Yes("Z"), "process": Yes("Z"),
                                               "balancing": Yes("Z")}, seed).ok


def test_fail_and_require_raise_assertion_error() -> None:
    with pytest.raises(AssertionError, match="nope"):
        checks.require(checks.Verdict(False, "nope"))
    checks.require(checks.CheckResult(True))


def test_unplain_answers_are_refused() -> None:
    with pytest.raises(qilab.QIDataError):
        checks.verify_in_clean_process("foundation.aim", object(), 1)


def test_scan_flags_tampering() -> None:
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[
        new_code_cell("x = 1", metadata={"nbgrader": {"locked": True, "grade": False,
                                                      "solution": False}}),
        new_code_cell("get_ipython().input_transformers_cleanup.append(f)\n"
                      "qilab.spc = None\nAssertionError = Exception\n!ls"),
    ])
    whys = " ".join(f.why for f in checks.scan_notebook(nb))
    for words in ("rewrites later cells", "replaces part of a library",
                  "reassigns a name the tests use", "shell"):
        assert words in whys
    assert checks.scan_notebook(new_notebook(cells=[new_code_cell("my_aim = 'x'")])) == []
