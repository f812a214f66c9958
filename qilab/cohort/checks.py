"""Per-learner task data and answer checks for the certification and practice assignments.

The assignments in ``exercises/`` hold teaching and questions; the logic lives here, so that
it is tested once and every notebook uses the same rules.

* **Per-learner data.** Each learner's notebook makes its own data from a seed
  (:func:`qilab.cohort.identity.learner_seed`): a run chart with a planted signal whose kind
  varies (:func:`foundation_run_chart_data`), a care scenario with candidate measures in a
  shuffled order (:func:`foundation_scenario`) and a selection of quiz questions with shuffled
  options (:func:`quiz_questions`). One learner's answers are wrong for another learner.
* **Checks.** :func:`check_run_chart_answer`, :func:`check_measures_choice`,
  :func:`check_aim_answer`, :func:`check_quiz_answer` and :func:`check_practitioner_evidence`
  return a :class:`CheckResult` (``ok``, plain-English ``messages``, ``details``). The messages
  say what is wrong and how to put it right, never the expected value. Input that cannot be
  checked at all raises :class:`qilab.QIDataError`.
* **Tasks.** :func:`run_task` checks a plain answer for a named task (:data:`TASKS`) and the
  items a test names (question numbers, run chart fields, evidence items), going through the
  items asked for, never through what the answer happens to hold. It is the one marking rule:
  the grader runs it to set every autograded cell's marks (:mod:`qilab.cohort.marking`),
  from values the learner's kernel hands over as JSON.
* **Checks in a clean process.** In the learner's own kernel (``nbgrader validate``, plain
  ``nbgrader autograde``) the hidden tests call :func:`verify_in_clean_process`, which runs
  :func:`run_task` in a fresh, isolated Python (``python -I``) that imports qilab from disk,
  with the answer passed as plain JSON (so an object that claims to equal everything becomes
  plain text), and fail with :func:`fail` (``raise AssertionError``), not with the ``assert``
  statement. The same call, read from the test's trusted source, tells the grader what to
  mark. ``grading/THREAT-MODEL.md`` sets out what this stops and what it does not.
* **A tamper scan.** :func:`scan_notebook` lists code in a submitted notebook that reaches
  into the grading machinery (IPython hooks, patched modules, ``chdir``, ``ctypes`` and so on),
  so that a trainer can look at it before issuing a certificate.

>>> data = foundation_run_chart_data(12345)
>>> len(data) >= 20, list(data.columns)
(True, ['week_start', 'value'])
>>> answer = expected_run_chart_answer(data)
>>> check_run_chart_answer(data, answer).ok
True
"""
from __future__ import annotations

import ast
import functools
import json
import math
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Mapping, NamedTuple, NoReturn, Sequence

from ..errors import QIDataError
from .identity import learner_id, learner_seed

if TYPE_CHECKING:  # pandas is imported when data are made, so the quiz check starts fast
    import pandas as pd

__all__ = [
    "CheckResult", "Verdict", "fail", "require",
    "Scenario", "SCENARIOS", "foundation_scenario", "foundation_run_chart_data",
    "practice_run_chart_data", "expected_run_chart_answer", "check_run_chart_answer",
    "check_measures_choice", "check_aim_answer", "quiz_questions", "show_quiz",
    "check_quiz_answer", "check_format", "QUIZ_LENGTH", "QUIZ_PASS_MARK",
    "check_practitioner_evidence",
    "evidence_to_plain", "PROGRESS_SCORES", "IHI_RULE_NAMES", "TASKS", "EVIDENCE_ITEMS",
    "task_items", "run_task",
    "verify_in_clean_process", "scan_notebook", "Finding", "model_answer",
]


# ============================================================================================
# Results


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: ``ok``, one message a problem, and plain ``details``.

    ``details`` never holds an expected answer, so a result can be shown to a learner.

    >>> r = CheckResult(ok=False, messages=("Your median is not right yet.",))
    >>> bool(r), r.explain()
    (False, 'Your median is not right yet.')
    """

    ok: bool
    messages: tuple[str, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.ok

    def explain(self) -> str:
        """The messages as one paragraph (or a short note when all is well)."""
        return " ".join(self.messages) if self.messages else "All checks passed."

    def to_dict(self) -> dict[str, Any]:
        """Plain values, for JSON."""
        return {"ok": self.ok, "messages": list(self.messages), "details": dict(self.details)}


class Verdict(NamedTuple):
    """What :func:`verify_in_clean_process` found: ``ok`` and a message for the learner."""

    ok: bool
    message: str


def fail(message: str) -> NoReturn:
    """Fail a test cell with ``message``.

    Tests call this rather than using the ``assert`` statement, which a learner's kernel can
    be made to skip (for example with an IPython input transformer, or ``python -O``).
    """
    raise AssertionError(message)


def require(result: CheckResult | Verdict) -> None:
    """Fail (with :func:`fail`) unless ``result`` is ok."""
    if isinstance(result, Verdict):
        if not result.ok:
            fail(result.message)
    elif not result.ok:
        fail(result.explain())


# ============================================================================================
# Scenarios: care settings, candidate measures and the measure each run chart shows


@dataclass(frozen=True)
class Scenario:
    """A realistic improvement scenario for the Foundation tasks.

    ``measures`` holds candidate measures as ``(text, kind)``; ``aim_words`` are words at
    least one of which an aim about this scenario uses; ``chart`` describes the weekly
    percentage the run chart task plots.
    """

    key: str
    setting: str
    problem: str
    aim_words: tuple[str, ...]
    measures: tuple[tuple[str, str], ...]
    chart_measure: str
    chart_level: tuple[float, float]


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        key="falls", setting="Beech Ward, an older people's ward in a general hospital",
        problem="Patients fall more often than on similar wards, and some are badly hurt.",
        aim_words=("fall", "falls"),
        measures=(
            ("Falls per 1,000 occupied bed days, each week", "outcome"),
            ("Falls causing moderate or severe harm, each month", "outcome"),
            ("Percentage of patients with a falls risk assessment within 24 hours of "
             "admission", "process"),
            ("Percentage of spot checks where the patient's call bell is within reach",
             "process"),
            ("Percentage of patients who walk on their own at least once a day", "balancing"),
            ("Minutes of nursing time spent on admission paperwork per patient", "balancing"),
        ),
        chart_measure="Percentage of patients with a falls risk assessment within 24 hours",
        chart_level=(45, 70)),
    Scenario(
        key="home-care", setting="Riverside Home Care, a home care service commissioned by the "
        "council", problem="Clients say carers often miss visits or arrive very late.",
        aim_words=("missed", "late", "visit", "visits"),
        measures=(
            ("Missed or late visits (over 30 minutes late) per 100 planned visits, each week",
             "outcome"),
            ("Percentage of clients who say they can rely on their visits", "outcome"),
            ("Percentage of rotas published at least 7 days ahead", "process"),
            ("Percentage of rota runs with travel time between visits planned in", "process"),
            ("Carer overtime hours each week", "balancing"),
            ("Number of carers leaving the service each quarter", "balancing"),
        ),
        chart_measure="Percentage of rotas published at least 7 days ahead",
        chart_level=(40, 65)),
    Scenario(
        key="asthma", setting="Hillside Surgery, a GP practice with 9,000 patients",
        problem="Many patients with asthma have not had an asthma review for over a year.",
        aim_words=("asthma",),
        measures=(
            ("Percentage of patients with asthma who report good control on the Asthma "
             "Control Test", "outcome"),
            ("Asthma attacks needing a hospital visit, per 1,000 patients with asthma, each "
             "quarter", "outcome"),
            ("Percentage of patients with asthma reviewed in the last 12 months", "process"),
            ("Percentage of review invitations sent within 2 weeks of the due date",
             "process"),
            ("Days to the third next available routine GP appointment", "balancing"),
            ("Practice nurse overtime hours each month", "balancing"),
        ),
        chart_measure="Percentage of review invitations sent within 2 weeks of the due date",
        chart_level=(50, 75)),
    Scenario(
        key="pressure-ulcers", setting="Oak House, a care home for 48 older people",
        problem="Several residents have developed pressure ulcers this year.",
        aim_words=("pressure ulcer", "pressure ulcers", "pressure sore", "pressure sores",
                   "pressure damage"),
        measures=(
            ("New pressure ulcers (category 2 or worse) per 1,000 resident days, each month",
             "outcome"),
            ("Number of residents with a new pressure ulcer, each month", "outcome"),
            ("Percentage of at-risk residents whose change of position is recorded every "
             "2 hours", "process"),
            ("Percentage of new residents with a skin check within 24 hours of arrival",
             "process"),
            ("Percentage of residents who say their sleep is broken at night", "balancing"),
            ("Care staff hours spent on record keeping each week", "balancing"),
        ),
        chart_measure="Percentage of at-risk residents with position changes recorded "
                      "every 2 hours",
        chart_level=(50, 75)),
    Scenario(
        key="memory-clinic", setting="the community memory assessment service",
        problem="People wait a long time between referral and a diagnosis of dementia.",
        aim_words=("diagnosis", "diagnosed", "wait", "waits", "waiting"),
        measures=(
            ("Median weeks from referral to diagnosis, each month", "outcome"),
            ("Percentage of people diagnosed within 6 weeks of referral", "outcome"),
            ("Percentage of referrals triaged within 2 working days", "process"),
            ("Percentage of first appointments with a reminder text sent", "process"),
            ("Weeks waited for the team's other clinics", "balancing"),
            ("Percentage of people who need a second assessment", "balancing"),
        ),
        chart_measure="Percentage of referrals triaged within 2 working days",
        chart_level=(45, 70)),
    Scenario(
        key="insulin", setting="Ward 12, an acute medical ward",
        problem="Insulin doses are often given late, and some patients have low blood sugar.",
        aim_words=("insulin", "hypoglycaemia", "hypo", "hypos", "glucose", "diabetes"),
        measures=(
            ("Episodes of low blood sugar (below 4 mmol/L) per 100 patients with diabetes, "
             "each week", "outcome"),
            ("Percentage of patients with diabetes who say they felt safe with their insulin "
             "care", "outcome"),
            ("Percentage of insulin doses given within 30 minutes of a meal", "process"),
            ("Percentage of insulin prescriptions written on the correct chart", "process"),
            ("Minutes by which the morning medicines round finishes late", "balancing"),
            ("Percentage of patients whose meal was delayed for insulin", "balancing"),
        ),
        chart_measure="Percentage of insulin doses given within 30 minutes of a meal",
        chart_level=(45, 70)),
)

_LETTERS = "ABCDEFGH"
MEASURE_KINDS: tuple[str, ...] = ("outcome", "process", "balancing")


def _rng(seed: int, stream: str) -> Any:
    """A numpy generator for one part of one learner's data (independent streams)."""
    import numpy as np

    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise QIDataError(f"The seed must be a whole number of 0 or more; got {seed!r}.",
                          field="seed")
    return np.random.default_rng([seed, sum(ord(c) * 31 ** i for i, c in enumerate(stream))
                                  % 2**32])


def foundation_scenario(seed: int) -> dict[str, Any]:
    """This learner's scenario: setting, problem and candidate measures lettered A to F.

    The letters are shuffled for each learner. The kinds of measure are not included.

    >>> s = foundation_scenario(7)
    >>> sorted(s["options"]) == list("ABCDEF")
    True
    """
    rng = _rng(seed, "scenario")
    scenario = SCENARIOS[int(rng.integers(len(SCENARIOS)))]
    order = rng.permutation(len(scenario.measures))
    options = {_LETTERS[i]: scenario.measures[int(j)][0] for i, j in enumerate(order)}
    return {"key": scenario.key, "setting": scenario.setting, "problem": scenario.problem,
            "options": options, "chart_measure": scenario.chart_measure}


def _scenario_object(seed: int) -> Scenario:
    key = foundation_scenario(seed)["key"]
    return next(s for s in SCENARIOS if s.key == key)


def _measure_kinds(seed: int) -> dict[str, str]:
    """Letter -> kind of measure for this learner (the marking key)."""
    kinds = dict(_scenario_object(seed).measures)
    return {letter: kinds[text] for letter, text in foundation_scenario(seed)["options"].items()}


# ============================================================================================
# Run chart data with a planted signal


#: The IHI run chart rules, as learners name them in answers.
IHI_RULE_NAMES: dict[str, str] = {"shift": "shift", "trend": "trend",
                                  "runs_too_few": "too few runs",
                                  "runs_too_many": "too many runs"}
_SIGNAL_KINDS = ("shift", "trend", "few crossings", "none")


def _ihi_fired(points: Any) -> list[str]:
    return sorted(name for col, name in IHI_RULE_NAMES.items() if bool(points[col].any()))


def _run_chart_frame(values: Any, start: Any) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({"week_start": pd.date_range(start, periods=len(values), freq="7D"),
                         "value": values})


def _planted_series(seed: int, stream: str, measure: str, level_range: tuple[float, float]
                    ) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    rng = _rng(seed, stream)
    kind = _SIGNAL_KINDS[int(rng.integers(len(_SIGNAL_KINDS)))]
    n = int(rng.integers(20, 25))
    monday = pd.Timestamp("2025-09-01") + pd.Timedelta(weeks=int(rng.integers(0, 30)))
    values = None
    for _ in range(300):
        level = float(rng.uniform(*level_range))
        sd = float(rng.uniform(3.0, 5.0))
        y = level + rng.normal(0.0, sd, n)
        if kind == "shift":
            start = int(rng.integers(n // 2 - 2, n // 2 + 3))
            y[start:] += float(rng.uniform(2.5, 3.5)) * sd
        elif kind == "trend":
            start, length = int(rng.integers(3, n - 9)), int(rng.integers(6, 8))
            steps = rng.uniform(0.7, 1.4, length) * sd
            y[start:start + length] = y[start] + np.cumsum(steps) - steps.sum() / 2
        elif kind == "few crossings":
            t = np.arange(n)
            y = level + 2.2 * sd * np.sin(2 * np.pi * t / n + rng.uniform(0, 2 * np.pi)) \
                + rng.normal(0.0, sd / 3, n)
        y = np.clip(np.round(y, 1), 0.0, 100.0)
        values = y
        frame = _run_chart_frame(y, monday)
        got = _chart_facts(frame)
        if kind == "shift" and "shift" in got["ihi_rules"]:
            break
        if kind == "trend" and "trend" in got["ihi_rules"] and "shift" not in got["ihi_rules"]:
            break
        if kind == "few crossings" and got["few_crossings"]:
            break
        if kind == "none" and not got["ihi_rules"] and not got["anhoej_signal"]:
            break
    frame = _run_chart_frame(values, monday)
    frame.attrs["measure"] = measure
    return frame


def foundation_run_chart_data(seed: int) -> pd.DataFrame:
    """This learner's weekly run chart data for the Foundation assignment.

    Columns ``week_start`` (dates) and ``value`` (a percentage, 1 decimal place); 20 to 24
    weeks. ``attrs["measure"]`` names the measure (from the learner's scenario). A signal is
    planted whose kind depends on the seed: a shift, a trend, too few crossings, or none.
    Which rules then fire is for :func:`expected_run_chart_answer` (that is, ``qilab.spc``)
    to say, not the plant.
    """
    scenario = _scenario_object(seed)
    return _planted_series(seed, "foundation-run-chart", scenario.chart_measure,
                           scenario.chart_level)


def practice_run_chart_data(seed: int) -> pd.DataFrame:
    """Run chart data for the practice assignment (the same recipe, another stream).

    >>> practice_run_chart_data(1).equals(practice_run_chart_data(1))
    True
    """
    scenario = SCENARIOS[seed % len(SCENARIOS)]
    return _planted_series(seed, "practice-run-chart", scenario.chart_measure,
                           scenario.chart_level)


def _chart_facts(data: pd.DataFrame) -> dict[str, Any]:
    import warnings

    from ..charts.spc import spc
    from ..errors import QIWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QIWarning)
        ihi = spc(data, y="value", x="week_start", rules="ihi")
        anhoej = spc(data, y="value", x="week_start", rules="anhoej")
    part = anhoej.parts.iloc[0]
    return {"median": float(part["cl"]), "longest_run": int(part["longest_run"]),
            "n_crossings": int(part["n_crossings"]), "ihi_rules": _ihi_fired(ihi.points),
            "anhoej_signal": bool(part["runs_signal"]),
            "few_crossings": int(part["n_crossings"]) < int(part["n_crossings_min"])}


def expected_run_chart_answer(data: pd.DataFrame) -> dict[str, Any]:
    """The run chart facts a learner is asked for, from ``qilab.spc`` on ``data``.

    ``median`` (the centre line), ``longest_run`` and ``n_crossings`` (Anhøj, counted on the
    useful points), ``ihi_rules`` (sorted names of the IHI rules that fire: ``"shift"``,
    ``"trend"``, ``"too few runs"``, ``"too many runs"``) and ``anhoej_signal``.
    """
    facts = _chart_facts(data)
    facts.pop("few_crossings")
    return facts


_RUN_CHART_HINTS: dict[str, str] = {
    "median": "Your median is not right yet: put the values in order and take the middle "
              "one (with an even number of values, the mean of the middle two).",
    "longest_run": "Your longest run is not right yet: a run is a group of points in a row on "
                   "the same side of the median; points on the median are skipped.",
    "n_crossings": "Your number of crossings is not right yet: count how often the line joining "
                   "the points crosses the median (skip points on the median).",
    "ihi_rules": "Your list of IHI rules that fire is not right yet: check each rule in turn "
                 "(shift: 6 or more in a row on one side; trend: 5 or more going the same way; "
                 "too few or too many runs against the table).",
    "anhoej_signal": "Your answer about the Anhøj rules is not right yet: compare the longest "
                     "run and the crossings with their limits.",
}


def _normalise_rules(value: Any) -> list[str] | None:
    if isinstance(value, str):
        value = [] if value.strip().lower() in ("", "none") else [value]
    if not isinstance(value, (list, tuple, set, frozenset)):
        return None
    names = set()
    for item in value:
        if not isinstance(item, str):
            return None
        text = " ".join(item.lower().replace("_", " ").replace("-", " ").split())
        text = {"runs too few": "too few runs", "runs too many": "too many runs"}.get(text, text)
        if text == "none":
            continue
        names.add(text)
    return sorted(names)


def check_run_chart_answer(data: pd.DataFrame, answer: Mapping[str, Any],
                           fields: Sequence[str] | None = None) -> CheckResult:
    """Check a learner's run chart answer against ``qilab.spc`` on ``data``.

    ``fields`` limits the check to some keys of :func:`expected_run_chart_answer` (default:
    all of them; a key missing from ``answer`` fails, extra keys are ignored). The median may
    be rounded to 1 decimal place. Messages give hints, never the expected values.
    """
    return _check_run_chart(expected_run_chart_answer(data), answer, fields)


def _check_run_chart(expected: Mapping[str, Any], answer: Mapping[str, Any],
                     fields: Sequence[str] | None) -> CheckResult:
    if not isinstance(answer, Mapping):
        raise QIDataError("The answer must be a dictionary such as {'median': 61.5, ...}.",
                          field="answer")
    wanted = list(fields) if fields is not None else list(_RUN_CHART_HINTS)
    problems, right = [], []
    for key in wanted:
        if key not in _RUN_CHART_HINTS:
            raise QIDataError(f"Unknown run chart answer {key!r}: use "
                              f"{', '.join(_RUN_CHART_HINTS)}.", field=key)
        given = answer.get(key)
        if given is None or (isinstance(given, str) and not given.strip()):
            problems.append(f"'{key}' has no answer yet.")
            continue
        if key == "median":
            ok = (isinstance(given, (int, float)) and not isinstance(given, bool)
                  and math.isfinite(given) and abs(float(given) - expected[key]) <= 0.05 + 1e-9)
        elif key in ("longest_run", "n_crossings"):
            ok = (isinstance(given, (int, float)) and not isinstance(given, bool)
                  and float(given) == expected[key])
        elif key == "ihi_rules":
            ok = _normalise_rules(given) == expected[key]
        else:
            ok = isinstance(given, bool) and given == expected[key]
        (right if ok else problems).append(key if ok else _RUN_CHART_HINTS[key])
    return CheckResult(ok=not problems, messages=tuple(problems),
                       details={"right": right, "checked": wanted})


# ============================================================================================
# Measures and aims


def check_measures_choice(seed: int, answer: Mapping[str, Any]) -> CheckResult:
    """Check the letters a learner chose as outcome, process and balancing measures.

    ``answer`` is ``{"outcome": "C", "process": "A", "balancing": "F"}`` using the letters of
    :func:`foundation_scenario`. Any option of the right kind is accepted; the three letters
    must differ.
    """
    if not isinstance(answer, Mapping):
        raise QIDataError("The answer must be a dictionary such as {'outcome': 'C', "
                          "'process': 'A', 'balancing': 'F'}.", field="answer")
    kinds = _measure_kinds(seed)
    problems, letters = [], []
    for kind in MEASURE_KINDS:
        given = answer.get(kind)
        letter = given.strip().upper() if isinstance(given, str) else ""
        if letter not in kinds:
            problems.append(f"Choose one letter from A to F for the {kind} measure.")
            continue
        letters.append(letter)
        if kinds[letter] != kind:
            article = "an" if kind == "outcome" else "a"
            problems.append(f"Your {kind} measure ({letter}) is not {article} {kind} measure: "
                            f"{_KIND_HINTS[kind]}")
    if len(set(letters)) != len(letters):
        problems.append("Use a different measure for each kind.")
    return CheckResult(ok=not problems, messages=tuple(problems))


_KIND_HINTS = {
    "outcome": "an outcome measure shows whether things are better for the people the "
               "service is for.",
    "process": "a process measure shows whether the steps you are changing are being done.",
    "balancing": "a balancing measure shows whether the change is causing a problem somewhere "
                 "else.",
}


def check_aim_answer(seed: int, text: Any) -> CheckResult:
    """Check a learner's aim: it passes ``qilab.check_aim`` and is about their scenario."""
    from ..tools.aim import check_aim

    if not isinstance(text, str):
        raise QIDataError("Write your aim as text between quotation marks.", field="aim")
    result = check_aim(text)
    problems = list(result.feedback) if not result.passes else []
    words = _scenario_object(seed).aim_words
    lowered = " ".join(re.findall(r"[a-z0-9]+", text.lower()))
    if text.strip() and not any(re.search(rf"\b{re.escape(w)}\b", lowered) for w in words):
        problems.append("Your aim should be about your scenario: say what will improve there "
                        "(for example, name the problem the scenario describes).")
    return CheckResult(ok=not problems, messages=tuple(problems),
                       details={"score": result.score})


# ============================================================================================
# Aware quiz

#: Questions in each learner's quiz, and the share right to pass.
QUIZ_LENGTH = 8
QUIZ_PASS_MARK = 0.75

# (question, correct option, three wrong options)
_QUIZ_BANK: tuple[tuple[str, str, tuple[str, str, str]], ...] = (
    ("Which question is one of the three questions of the Model for Improvement?",
     "What are we trying to accomplish?",
     ("Who is to blame for the problem?", "How much money will we save this year?",
      "Which staff need more training?")),
    ("What does PDSA stand for?", "Plan, Do, Study, Act",
     ("Plan, Deliver, Score, Audit", "Prepare, Do, Share, Agree", "Policy, Data, Safety, Action")),
    ("Why do you write a prediction before a PDSA test?",
     "So you can compare what happened with what you expected, and learn from the difference",
     ("So that the test is more likely to work", "Because the ethics committee needs it",
      "So that the results can be published")),
    ("Which of these is the best aim statement?",
     "Reduce missed home care visits from 12 to 3 a month by March 2027",
     ("Improve home care", "Carers should try harder to arrive on time",
      "Do an audit of home care visits")),
    ("How is quality improvement different from clinical audit?",
     "Improvement tests changes in small cycles and learns as it goes; audit checks practice "
     "against a standard",
     ("There is no difference", "Audit always needs patients' consent and improvement never "
      "does", "Improvement is only for doctors")),
    ("How is quality improvement different from research?",
     "Research aims to create new knowledge that applies widely; improvement applies what is "
     "known to make care better in one place",
     ("Research uses data and improvement does not", "Improvement needs a randomised trial",
      "Research is always done by patients")),
    ("What does a balancing measure show?",
     "Whether a change is causing a problem somewhere else",
     ("Whether the budget balances", "Whether the change is being carried out",
      "Whether patients are better off")),
    ("What does a run chart show?",
     "A measure plotted over time, with its median, so you can see whether a change made a "
     "difference",
     ("A pie chart of causes", "Staff rotas for the month", "A single before-and-after number")),
    ("Who should be involved in improving a service?",
     "The people who use the service and the staff who provide it, working together",
     ("Only senior managers", "Only the quality improvement team", "Only external consultants")),
    ("A team's first PDSA test of a new checklist should usually be ...",
     "Small: for example one patient, one shift or one clinic",
     ("On every ward at once", "Only after a year of planning", "Done without telling anyone")),
    ("After a PDSA cycle, the team decides to ...",
     "Adopt, adapt or abandon the change",
     ("Always start again from the beginning", "Write a policy straight away",
      "Stop collecting data")),
    ("What is a 'system' in quality improvement?",
     "The people, processes, equipment and rules that together produce the results we get",
     ("The hospital's computer network", "A management restructure", "A single member of staff")),
    ("Why does the curriculum say 'every system is perfectly designed to get the results it "
     "gets'?", "Because better results need changes to the system, not just more effort",
     ("Because systems cannot be changed", "Because results are down to luck",
      "Because staff are to blame for poor results")),
    ("Where can you get help with an improvement idea?",
     "Your local quality improvement team, a coach or colleagues who have done a project",
     ("Nowhere: you must work it out alone", "Only from a paid consultancy",
      "Only from the chief executive")),
)


def quiz_questions(seed: int) -> list[dict[str, Any]]:
    """This learner's quiz: ``QUIZ_LENGTH`` questions from the bank, options in their own order.

    Each question is ``{"number", "question", "options": {"A": ..., "B": ..., ...}}``; the
    correct letter is not included.

    >>> q = quiz_questions(3)
    >>> len(q), sorted(q[0]["options"])
    (8, ['A', 'B', 'C', 'D'])
    """
    return [{k: v for k, v in item.items() if k != "_correct"} for item in _quiz(seed)]


def _quiz(seed: int) -> list[dict[str, Any]]:
    rng = _rng(seed, "aware-quiz")
    chosen = rng.choice(len(_QUIZ_BANK), size=QUIZ_LENGTH, replace=False)
    out = []
    for number, index in enumerate(chosen, start=1):
        question, right, wrong = _QUIZ_BANK[int(index)]
        texts = [right, *wrong]
        order = rng.permutation(4)
        options = {_LETTERS[i]: texts[int(j)] for i, j in enumerate(order)}
        correct = next(letter for letter, text in options.items() if text == right)
        out.append({"number": number, "question": question, "options": options,
                    "_correct": correct})
    return out


def show_quiz(seed: int) -> str:
    """The learner's quiz as plain text (print it in the notebook)."""
    lines = []
    for q in quiz_questions(seed):
        lines.append(f"{q['number']}. {q['question']}")
        lines.extend(f"   {letter}. {text}" for letter, text in q["options"].items())
        lines.append("")
    return "\n".join(lines)


def check_quiz_answer(seed: int, answers: Mapping[Any, Any],
                      questions: Sequence[int] | None = None) -> CheckResult:
    """Check quiz answers ``{1: "B", 2: "D", ...}`` (only ``questions``, if given).

    ``details`` has ``right`` (how many were right) and ``asked`` (how many were checked).
    """
    if not isinstance(answers, Mapping):
        raise QIDataError("Your answers must be a dictionary such as {1: 'B', 2: 'D'}.",
                          field="answers")
    quiz = _quiz(seed)
    numbers = list(questions) if questions is not None else [q["number"] for q in quiz]
    right, problems = 0, []
    for number in numbers:
        if not isinstance(number, int) or not 1 <= number <= len(quiz):
            raise QIDataError(f"There is no question {number!r}.", field="questions")
        given = answers.get(number, answers.get(str(number)))
        letter = given.strip().upper() if isinstance(given, str) else ""
        if letter not in "ABCD" or not letter:
            problems.append(f"Question {number}: answer with one letter, A, B, C or D.")
        elif letter == quiz[number - 1]["_correct"]:
            right += 1
        else:
            problems.append(f"Question {number} is not right.")
    return CheckResult(ok=not problems, messages=tuple(problems),
                       details={"right": right, "asked": len(numbers)})


# ============================================================================================
# Format checks (what certification assignments' public tests use)


def check_format(task: str, answer: Any, fields: Sequence[Any] | None = None) -> CheckResult:
    """Check that an answer is complete and of the right type, not whether it is right.

    Certification assignments' public tests use this, so that a learner knows their answer
    can be marked; whether it is right is for the hidden tests. ``fields`` picks run chart
    keys or quiz question numbers.

    >>> answer = {"outcome": "A", "process": "", "balancing": "C"}
    >>> check_format("foundation.measures", answer).messages
    ("Give one letter for the process measure, e.g. 'B'.",)
    """
    problems: list[str] = []
    if task in ("foundation.run_chart", "practice.run_chart"):
        if not isinstance(answer, Mapping):
            return CheckResult(False, ("Keep run_chart_answer as a dictionary.",))
        for key in fields or list(_RUN_CHART_HINTS):
            value = answer.get(key)
            if key in ("median", "longest_run", "n_crossings"):
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    problems.append(f"'{key}' needs a number.")
            elif key == "ihi_rules":
                if _normalise_rules(value) is None or not set(_normalise_rules(value)) <= set(
                        IHI_RULE_NAMES.values()):
                    problems.append("'ihi_rules' needs a list of rule names from: "
                                    + ", ".join(repr(n) for n in IHI_RULE_NAMES.values())
                                    + " (an empty list if none fires).")
            elif key == "anhoej_signal" and not isinstance(value, bool):
                problems.append("'anhoej_signal' needs True or False.")
    elif task == "foundation.measures":
        if not isinstance(answer, Mapping):
            return CheckResult(False, ("Keep measures_answer as a dictionary.",))
        for kind in MEASURE_KINDS:
            value = answer.get(kind)
            if not isinstance(value, str) or value.strip().upper() not in tuple("ABCDEF"):
                problems.append(f"Give one letter for the {kind} measure, e.g. 'B'.")
    elif task == "foundation.aim":
        if not isinstance(answer, str) or len(answer.split()) < 5:
            problems.append("Write your aim as a sentence between quotation marks.")
    elif task == "aware.quiz":
        if not isinstance(answer, Mapping):
            return CheckResult(False, ("Keep answers as a dictionary.",))
        for number in fields or range(1, QUIZ_LENGTH + 1):
            value = answer.get(number, answer.get(str(number)))
            if not isinstance(value, str) or value.strip().upper() not in ("A", "B", "C", "D"):
                problems.append(f"Question {number}: answer with one letter, A, B, C or D.")
    else:
        raise QIDataError(f"Unknown task {task!r}.", field="task")
    return CheckResult(ok=not problems, messages=tuple(problems))


# ============================================================================================
# Practitioner project evidence

#: Progress scores (IHI scale, 0.5 = intent to participate ... 5 = outstanding sustainable
#: results).
PROGRESS_SCORES: tuple[float, ...] = tuple(x / 2 for x in range(1, 11))
_CHARTER_FIELDS = ("title", "aim", "team", "sponsor", "patient_voice")


def evidence_to_plain(charter: Any = None, driver_diagram: Any = None,
                      measurement_plan: Any = None, pdsa_cycles: Any = None, chart: Any = None,
                      progress_score: Any = None) -> dict[str, Any]:
    """Practitioner evidence as plain JSON-ready values (what the clean process checks).

    Accepts qilab objects or their ``to_dict()`` forms: a ``DriverDiagram``, a
    ``MeasurementPlan`` (or a list of ``MeasureDefinition``), ``PDSACycle`` objects (or a
    ``PDSALog``) and an ``SPCResult`` (or ``{"y": [...], "notes": {position: text}}``).
    Items left as None are left out.
    """
    def plain(value: Any, what: str) -> Any:
        if hasattr(value, "to_dict"):
            return value.to_dict()
        if isinstance(value, (Mapping, list, tuple, str, int, float)) or value is None:
            return value
        raise QIDataError(f"The {what} is a {type(value).__name__}; use the qilab object or "
                          "plain lists and dictionaries.", field=what)

    if isinstance(measurement_plan, (list, tuple)):
        measurement_plan = {"measures": [plain(m, "measurement plan") for m in measurement_plan]}
    cycles = list(pdsa_cycles.cycles) if hasattr(pdsa_cycles, "cycles") else pdsa_cycles
    if cycles is not None and not isinstance(cycles, (list, tuple)):
        raise QIDataError("The PDSA cycles must be a list of PDSACycle objects (or a PDSALog).",
                          field="pdsa_cycles")
    if hasattr(chart, "points") and hasattr(chart, "notes"):
        chart = {"y": [None if (isinstance(v, float) and math.isnan(v)) else float(v)
                       for v in chart.points["y"].tolist()],
                 "notes": {str(k): str(v) for k, v in dict(chart.notes).items()},
                 "chart": str(chart.chart)}
    out = {"charter": plain(charter, "charter"),
           "driver_diagram": plain(driver_diagram, "driver diagram"),
           "measurement_plan": plain(measurement_plan, "measurement plan"),
           "pdsa_cycles": None if cycles is None else [plain(c, "PDSA cycle") for c in cycles],
           "chart": plain(chart, "chart"), "progress_score": progress_score}
    return {key: value for key, value in out.items() if value is not None}


def _longest_chain(cycles: list[Any]) -> int:
    follows = {c.id: c.follows for c in cycles if c.id}
    best = 0
    for cid in follows:
        seen, length, link = {cid}, 1, follows[cid]
        while link is not None and link in follows and link not in seen:
            seen.add(link)
            length += 1
            link = follows[link]
        best = max(best, length)
    return best


def check_practitioner_evidence(charter: Any = None, driver_diagram: Any = None,
                                measurement_plan: Any = None, pdsa_cycles: Any = None,
                                chart: Any = None, progress_score: Any = None) -> CheckResult:
    """Check the structure of a Practitioner's project evidence.

    ``details["items"]`` maps each item (``charter``, ``driver_diagram``, ``measurement_plan``,
    ``pdsa_cycles``, ``chart``, ``progress_score``) to True or False, so a test cell can check
    one item. The standard: a charter whose aim passes ``check_aim``, with a team, a sponsor
    and a note on the patient or service-user voice; a driver diagram with at least one
    primary driver, secondary driver and change idea; a measurement plan with complete
    outcome, process and balancing definitions; at least 3 PDSA cycles linked in a ramp, each
    with a prediction; a chart of at least 12 points with at least one annotation; a progress
    score from 0.5 to 5 in steps of 0.5. Judgement (is the driver diagram sensible? is the
    chart read well?) is for the trainer.
    """
    ev = evidence_to_plain(charter, driver_diagram, measurement_plan, pdsa_cycles, chart,
                           progress_score)
    items: dict[str, list[str]] = {k: [] for k in ev}
    if not items:
        raise QIDataError("No evidence was given to check.", field="evidence")
    # charter
    c = ev.get("charter", {})
    if "charter" not in ev:
        pass
    elif not isinstance(c, Mapping):
        items["charter"].append("The charter must be a dictionary with the keys "
                                f"{', '.join(_CHARTER_FIELDS)}.")
    else:
        for key in _CHARTER_FIELDS:
            value = c.get(key)
            empty = (not value.strip()) if isinstance(value, str) else not value
            if empty:
                items["charter"].append(f"The charter's '{key}' is empty.")
        team = c.get("team")
        if team and (not isinstance(team, (list, tuple)) or len(team) < 2):
            items["charter"].append("List at least 2 team members in the charter's 'team'.")
        if isinstance(c.get("aim"), str) and c["aim"].strip():
            from ..tools.aim import check_aim

            aim = check_aim(c["aim"])
            if not aim.passes:
                items["charter"].append("The charter's aim does not pass the aim checks yet: "
                                        + " ".join(aim.feedback))
    # driver diagram
    try:
        if "driver_diagram" not in ev:
            raise LookupError
        from ..tools.driver_diagram import DriverDiagram

        dd = DriverDiagram.from_dict(ev["driver_diagram"])
        counts = dd.counts()
        for layer, label in (("primary", "primary driver"), ("secondary", "secondary driver"),
                             ("changes", "change idea")):
            if counts[layer] < 1:
                items["driver_diagram"].append(f"The driver diagram needs at least one {label}.")
    except LookupError:
        pass
    except QIDataError as exc:
        items["driver_diagram"].append(f"The driver diagram cannot be read: {exc}")
    # measurement plan
    try:
        if "measurement_plan" in ev:
            from ..tools.measures import MeasurementPlan

            items["measurement_plan"].extend(MeasurementPlan.from_dict(ev["measurement_plan"])
                                             .check())
    except QIDataError as exc:
        items["measurement_plan"].append(f"The measurement plan cannot be read: {exc}")
    # PDSA cycles
    try:
        if "pdsa_cycles" in ev:
            from ..pdsa import PDSACycle
        cycles = [PDSACycle.from_dict(dict(d)) if isinstance(d, Mapping) else None
                  for d in ev.get("pdsa_cycles", ())]
        if any(cy is None for cy in cycles):
            raise QIDataError("each cycle must be a PDSACycle", field="pdsa_cycles")
        if "pdsa_cycles" in ev and len(cycles) < 3:
            items["pdsa_cycles"].append(f"There are {len(cycles)} PDSA cycles: at least 3 are "
                                        "needed.")
        for cy in cycles:
            if not cy.prediction:
                items["pdsa_cycles"].append(f"Cycle '{cy.title}' has no prediction: write "
                                            "what you expected before the test.")
        if len(cycles) >= 3 and _longest_chain(cycles) < 3:
            items["pdsa_cycles"].append("Link at least 3 cycles in a ramp: give each cycle an "
                                        "id and set 'follows' to the id of the cycle it built "
                                        "on.")
    except QIDataError as exc:
        items["pdsa_cycles"].append(f"The PDSA cycles cannot be read: {exc}")
    # chart
    if "chart" in ev:
        items["chart"].extend(_chart_problems(ev["chart"], 12))
    # progress score
    score = ev.get("progress_score")
    if "progress_score" in ev and (isinstance(score, bool) or not isinstance(score, (int, float))
            or float(score) not in PROGRESS_SCORES):
        items["progress_score"].append("The progress score must be a number from 0.5 to 5 in "
                                       "steps of 0.5 (for example 2.5).")
    problems = tuple(m for msgs in items.values() for m in msgs)
    return CheckResult(ok=not problems, messages=problems,
                       details={"items": {k: not v for k, v in items.items()}})


def _chart_problems(ch: Any, min_points: int) -> list[str]:
    """What is missing from a chart given as plain values (see :func:`evidence_to_plain`)."""
    import warnings

    from ..errors import QIWarning

    if not isinstance(ch, Mapping) or not isinstance(ch.get("y"), (list, tuple)):
        return ["The chart must be made with qilab.spc (or given as "
                "{'y': [...], 'notes': {...}})."]
    problems = []
    y = [v for v in ch["y"] if v is not None]
    if len(y) < min_points:
        problems.append(f"The chart has {len(y)} points: at least {min_points} are needed.")
    notes = ch.get("notes") or {}
    if not isinstance(notes, Mapping) or not any(str(t).strip() for t in notes.values()):
        problems.append("Annotate the chart: add a note at the point where each "
                        "change was tested (notes={position: text}).")
    if len(y) >= 2:
        from ..charts.spc import spc

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", QIWarning)
                spc(y=list(ch["y"]), chart=ch.get("chart", "run"),
                    notes={int(k): str(v) for k, v in dict(notes).items()})
        except (QIDataError, ValueError, TypeError) as exc:
            problems.append(f"qilab cannot draw the chart: {exc}")
    return problems


# ============================================================================================
# Tasks: what each hidden test checks (in a clean process, and again in the grader)

#: Task name -> assignment (whose seed the task uses).
TASKS: dict[str, str] = {
    "aware.quiz": "aware-quiz",
    "aware.assessment": "aware-assessment",
    "foundation.run_chart": "foundation",
    "foundation.measures": "foundation",
    "foundation.aim": "foundation",
    "foundation.my_chart": "foundation",
    "practice.run_chart": "practice-run-charts",
    "practitioner.evidence": "practitioner",
}
#: The Practitioner evidence items, in the order the assignment asks for them.
EVIDENCE_ITEMS: tuple[str, ...] = ("charter", "driver_diagram", "measurement_plan",
                                   "pdsa_cycles", "chart", "progress_score")
#: Points a learner's own run chart needs (Foundation part 4).
MY_CHART_POINTS = 10


def task_items(task: str) -> tuple[Any, ...]:
    """Every item a task checks when a test names none: quiz question numbers, run chart
    answer fields or evidence items (``()`` for tasks with one answer).

    >>> task_items("foundation.run_chart")
    ('median', 'longest_run', 'n_crossings', 'ihi_rules', 'anhoej_signal')
    """
    if task == "aware.quiz":
        return tuple(range(1, QUIZ_LENGTH + 1))
    if task == "aware.assessment":
        from .assessment import LENGTH
        return tuple(range(1, LENGTH + 1))
    if task in ("foundation.run_chart", "practice.run_chart"):
        return tuple(_RUN_CHART_HINTS)
    if task == "practitioner.evidence":
        return EVIDENCE_ITEMS
    if task in TASKS:
        return ()
    raise QIDataError(f"Unknown task {task!r}: use one of {', '.join(TASKS)}.", field="task")


def run_task(task: str, answer: Any, seed: int, items: Sequence[Any] | None = None
             ) -> CheckResult:
    """Check ``answer`` (plain data) for ``task`` against the data made from ``seed``.

    ``items`` picks what is checked (question numbers, run chart fields, evidence items);
    ``None`` means every item of the task (:func:`task_items`). The check goes through the
    items asked for, never through what the answer happens to hold: a missing item fails and
    extra keys are ignored. This one function is what the hidden tests run in a clean process
    and what the grader (:mod:`qilab.cohort.marking`) runs to set the marks.

    >>> seed = 12345
    >>> run_task("aware.quiz", {}, seed, [1]).ok
    False
    >>> run_task("aware.quiz", model_answer("aware.quiz", seed), seed).ok
    True
    """
    _require_small(answer)
    known = task_items(task)
    if items is None:
        wanted = list(known)
    else:
        wanted = list(items)
        if not wanted and known:
            raise QIDataError(f"The test for {task!r} names no items to check.", field="items")
        bad = [i for i in wanted if isinstance(i, bool) or i not in known]
        if bad:
            raise QIDataError(f"{task!r} has no item {bad[0]!r}: use "
                              f"{', '.join(map(repr, known)) or 'none'}.", field="items")
    if task == "aware.quiz":
        return check_quiz_answer(seed, answer, wanted)
    if task == "aware.assessment":  # the answer is the saved answers file's text
        from .assessment import check_answers
        return check_answers(answer, seed, wanted)
    if task in ("foundation.run_chart", "practice.run_chart"):
        return _check_run_chart(_expected_run_chart(task, seed), answer, wanted)
    if task == "foundation.measures":
        return check_measures_choice(seed, answer)
    if task == "foundation.aim":
        return check_aim_answer(seed, answer)
    if not isinstance(answer, Mapping):
        raise QIDataError("The evidence must be a dictionary (from checks.evidence_to_plain).",
                          field="evidence")
    if task == "foundation.my_chart":
        chart = answer.get("chart")
        if chart is None:
            return CheckResult(False, ("Make your run chart with qilab.spc and keep it in "
                                       "my_chart.",))
        problems = _chart_problems(chart, MY_CHART_POINTS)
        return CheckResult(not problems, tuple(problems))
    missing = [k for k in wanted if answer.get(k) is None]
    present = {k: answer[k] for k in wanted if k not in missing}
    problems = [f"The {k.replace('_', ' ')} is missing." for k in missing]
    if present:
        problems.extend(check_practitioner_evidence(**present).messages)
    return CheckResult(ok=not problems, messages=tuple(problems))


#: Limits on an answer's plain data: values, nesting and the length of one text.
MAX_ANSWER_VALUES, MAX_ANSWER_DEPTH, MAX_ANSWER_TEXT = 20_000, 32, 20_000


def _require_small(answer: Any) -> None:
    """Refuse answers too large or too deeply nested to be real answers, before any check
    spends time on them (they come from a learner's kernel)."""
    stack, seen = [(answer, 1)], 0
    while stack:
        value, depth = stack.pop()
        seen += 1
        if seen > MAX_ANSWER_VALUES or depth > MAX_ANSWER_DEPTH:
            raise QIDataError("Your answer is too large, or nested too deeply, to be marked.",
                              field="answer")
        if isinstance(value, str) and len(value) > MAX_ANSWER_TEXT:
            raise QIDataError(f"A text in your answer is longer than {MAX_ANSWER_TEXT} "
                              "characters: too long to be marked.", field="answer")
        if isinstance(value, Mapping):
            stack.extend((v, depth + 1) for pair in value.items() for v in pair)
        elif isinstance(value, (list, tuple)):
            stack.extend((v, depth + 1) for v in value)


@functools.lru_cache(maxsize=8)
def _expected_run_chart(task: str, seed: int) -> Mapping[str, Any]:
    """The expected run chart answer for a task and seed (made once: a learner's two run chart
    tests share it), read-only."""
    data = (foundation_run_chart_data if task.startswith("foundation")
            else practice_run_chart_data)(seed)
    return MappingProxyType(expected_run_chart_answer(data))


def model_answer(task: str, seed: int) -> Any:
    """The model answer for a keyed or computed task, for the source notebooks' solutions.

    Only the run chart, measures and quiz tasks have one; aims and project evidence are the
    learner's own. This is public, like the rest of the repository: see
    ``grading/THREAT-MODEL.md`` for why that is acceptable and what protects certification.
    """
    if task == "foundation.run_chart":
        return expected_run_chart_answer(foundation_run_chart_data(seed))
    if task == "practice.run_chart":
        return expected_run_chart_answer(practice_run_chart_data(seed))
    if task == "foundation.measures":
        kinds = _measure_kinds(seed)
        return {kind: min(letter for letter, k in kinds.items() if k == kind)
                for kind in MEASURE_KINDS}
    if task == "aware.quiz":
        return {q["number"]: q["_correct"] for q in _quiz(seed)}
    raise QIDataError(f"Task {task!r} has no model answer: it is the learner's own work.",
                      field="task")


_MARKER = "QILAB-CLEAN-CHECK "
_TIMEOUT_SECONDS = 120
_MAX_CHECKER_OUTPUT = 1_000_000


def _plain_json(value: Any) -> str:
    """JSON text of a learner's answer. Objects that are not plain data are refused, and str,
    int and float subclasses become plain values, so an object that claims to equal anything
    cannot pass."""
    def refuse(obj: Any) -> Any:
        if hasattr(obj, "to_dict"):
            return obj.to_dict()
        if isinstance(obj, (set, frozenset)):
            return sorted(obj, key=str)
        if hasattr(obj, "isoformat"):
            return obj.isoformat()
        if hasattr(obj, "item") and callable(obj.item):  # numpy scalars
            return obj.item()
        raise TypeError(f"{type(obj).__name__} is not plain data")

    try:
        return json.dumps(value, default=refuse, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise QIDataError(f"Your answer cannot be checked ({exc}): use numbers, text, True or "
                          "False, lists and dictionaries.", field="answer") from None


def _fresh_posix() -> Any:
    """A new instance of the built-in ``posix`` module.

    Its functions are new objects, so a kernel in which ``os.posix_spawn`` (or
    ``subprocess``) has been replaced still starts the real checker. This raises the bar; it
    is not a guarantee (see the threat model).
    """
    import _imp
    import importlib.machinery

    spec = importlib.machinery.ModuleSpec("posix", importlib.machinery.BuiltinImporter,
                                          origin="built-in")
    module = _imp.create_builtin(spec)
    _imp.exec_builtin(module)
    return module


def _spawn_checker(request: str) -> tuple[int, str]:
    """Run the checker in ``python -I`` with a minimal environment; (exit status, output)."""
    child_env = {"PATH": os.defpath, "LANG": "C.UTF-8", "MPLBACKEND": "Agg"}
    try:
        px = _fresh_posix()
        environ = {k.decode() if isinstance(k, bytes) else k: v.decode() if isinstance(v, bytes)
                   else v for k, v in px.environ.items()}
    except (ImportError, AttributeError):  # not a POSIX system
        px, environ = None, dict(os.environ)
    for key in ("HOME", "JUPYTERHUB_USER", "USER", "LOGNAME", "TMPDIR"):
        if environ.get(key):
            child_env[key] = environ[key]
    argv = [sys.executable, "-I", "-c",
            "import qilab.cohort.checks as c; c._clean_main()"]
    if px is None or not hasattr(px, "posix_spawn"):
        import subprocess

        done = subprocess.run(argv, input=request, capture_output=True, text=True,
                              env=child_env, timeout=_TIMEOUT_SECONDS)
        return done.returncode, done.stdout + done.stderr
    in_r, in_w = px.pipe()
    out_r, out_w = px.pipe()
    actions = [(px.POSIX_SPAWN_DUP2, in_r, 0), (px.POSIX_SPAWN_DUP2, out_w, 1),
               (px.POSIX_SPAWN_DUP2, out_w, 2), (px.POSIX_SPAWN_CLOSE, in_w),
               (px.POSIX_SPAWN_CLOSE, out_r)]
    pid = px.posix_spawn(argv[0], argv, child_env, file_actions=actions)
    px.close(in_r)
    px.close(out_w)
    data = request.encode("utf-8")
    try:
        while data:
            data = data[px.write(in_w, data):]
    finally:
        px.close(in_w)
    import select
    import time
    chunks, size, deadline, why = [], 0, time.monotonic() + _TIMEOUT_SECONDS, ""
    while True:  # a checker that hangs or floods is stopped: time and output are limited
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([out_r], [], [], left)[0]:
            why = f"\nthe checker took longer than {_TIMEOUT_SECONDS} s"
            break
        chunk = px.read(out_r, 65536)
        if not chunk:
            break
        size += len(chunk)
        if size > _MAX_CHECKER_OUTPUT:
            why = "\nthe checker wrote too much output"
            break
        chunks.append(chunk)
    if why:
        px.kill(pid, 9)
    px.close(out_r)
    _, status = px.waitpid(pid, 0)
    code = px.waitstatus_to_exitcode(status) if not why else 1
    return code, b"".join(chunks).decode("utf-8", "replace") + why


def verify_in_clean_process(task: str, learner_answer: Any, seed: int | None = None, *,
                            items: Sequence[Any] | None = None) -> Verdict:
    """Check ``learner_answer`` for ``task`` (and ``items``, see :func:`run_task`) in a fresh
    ``python -I`` that imports qilab from disk, and return ``Verdict(ok, message)``.

    With ``seed=None`` (what hidden tests use) the fresh process works out who the learner is
    itself, from its own folder (an nbgrader autograde path) or JupyterHub, so the seed does
    not come from anything in the learner's kernel. The answer travels as plain JSON.
    ``task`` is one of :data:`TASKS`.

    A hidden test's call is also the grader's marking instruction: ``qilab cohort autograde``
    reads ``task``, the answer expression and the literal ``items`` from the test's source
    and sets the cell's marks itself (:mod:`qilab.cohort.marking`), whatever this call, run in
    the learner's kernel, reports there.
    """
    if task not in TASKS:
        raise QIDataError(f"Unknown task {task!r}: use one of {', '.join(TASKS)}.", field="task")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise QIDataError(f"The seed must be a whole number; got {seed!r}.", field="seed")
    request = json.dumps({"task": task, "seed": seed, "items": None if items is None
                          else list(items), "answer": json.loads(_plain_json(learner_answer))})
    code, output = _spawn_checker(request)
    reply = None
    for line in reversed(output.splitlines()):
        if line.startswith(_MARKER):
            reply = json.loads(line[len(_MARKER):])
            break
    if reply is None:
        return Verdict(False, "The clean check could not run (exit status "
                              f"{code}): {output.strip()[-500:]}")
    return Verdict(bool(reply["ok"]), str(reply["message"]))


def _clean_main() -> None:
    """Entry point of the fresh checking process: read a request on stdin, print a verdict."""
    import signal
    import warnings

    if hasattr(signal, "alarm"):
        signal.alarm(_TIMEOUT_SECONDS)
    warnings.simplefilter("ignore")
    try:
        request = json.loads(sys.stdin.read())
        task, seed = request["task"], request["seed"]
        who = None
        if seed is None:
            who = learner_id()
            seed = learner_seed(who, TASKS[task])
        result = run_task(task, request["answer"], seed, request.get("items"))
        message = result.explain()
        if who is not None and not result.ok:
            message += f" (Checked against the data made for {who!r}.)"
        reply = {"ok": result.ok, "message": message}
    except QIDataError as exc:
        reply = {"ok": False, "message": str(exc)}
    print(_MARKER + json.dumps(reply), flush=True)


# ============================================================================================
# Tamper scan


@dataclass(frozen=True)
class Finding:
    """Code in a submitted notebook that reaches into the grading machinery."""

    cell: int
    line: int
    code: str
    why: str


_SUSPECT_NAMES: dict[str, str] = {
    "get_ipython": "uses the IPython shell, which can change how later cells run",
    "input_transformers_cleanup": "rewrites later cells before they run",
    "input_transformers_post": "rewrites later cells before they run",
    "ast_transformers": "rewrites later cells before they run",
    "set_custom_exc": "changes how errors are reported",
    "showtraceback": "changes how errors are reported",
    "excepthook": "changes how errors are reported",
    "displayhook": "changes what cells show",
    "NBGRADER_EXECUTION": "behaves differently while being graded",
    "register_magic_function": "defines a magic command",
    "events.register": "registers code to run around every cell",
    "builtins": "changes Python's built-in names",
    "__builtins__": "changes Python's built-in names",
    "sys.modules": "replaces imported modules",
    "importlib": "reloads or replaces modules",
    "ctypes": "changes memory directly",
    "subprocess": "starts other programs",
    "posix_spawn": "starts other programs",
    "_posixsubprocess": "starts other programs",
    "chdir": "changes the working folder (which decides whose data are graded)",
    "environ": "changes environment variables",
    "putenv": "changes environment variables",
    "setattr": "changes an object or module by name",
    "sys.executable": "changes which Python runs the checks",
    "gc.get_referents": "reaches into Python's internals",
    "__code__": "rewrites a function's code",
    "qilab.cohort": "uses the grading checks",
    "model_answer": "asks the marking code for the model answer",
    "expected_run_chart_answer": "asks the marking code for the expected answer",
    "_measure_kinds": "reads the marking key",
    "_quiz": "reads the marking key",
    "_QUIZ_BANK": "reads the marking key",
    "SCENARIOS": "reads the marking key",
}
_SUSPECT_RE = re.compile(r"(?<![\w])(?:" + "|".join(
    re.escape(k) for k in sorted(_SUSPECT_NAMES, key=len, reverse=True)) + r")(?![\w])")
_ASSIGN_TO_LIBRARY = re.compile(r"^\s*(?:qilab|np|numpy|pd|pandas|math|statistics|os|sys)\."
                                r"[\w.]+\s*=(?!=)", re.M)


def scan_notebook(notebook: Any) -> list[Finding]:
    """Find code in a learner's own cells that reaches into the grading machinery.

    ``notebook`` is a path or an nbformat notebook. Cells nbgrader locks (instructions, the
    setup cell and tests) are skipped: they are the trainer's. A finding is a reason for a
    trainer to look, not proof of cheating. Magics and shell escapes (``%``, ``!``) are
    reported too.

    >>> import nbformat
    >>> cell = nbformat.v4.new_code_cell("import os\\nos.chdir('/tmp')")
    >>> nb = nbformat.v4.new_notebook(cells=[cell])
    >>> [f.why for f in scan_notebook(nb)]
    ['changes the working folder (which decides whose data are graded)']
    """
    if isinstance(notebook, (str, os.PathLike)):
        import nbformat

        notebook = nbformat.read(Path(notebook), as_version=4)
    findings: list[Finding] = []
    for index, cell in enumerate(notebook.cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") != "code" or (meta.get("locked") and not meta.get("solution")):
            continue
        source = cell.get("source", "")
        for number, text in enumerate(source.splitlines(), start=1):
            stripped = text.strip()
            if stripped.startswith(("%", "!")):
                findings.append(Finding(index, number, stripped, "runs a magic or shell "
                                        "command"))
            for match in _SUSPECT_RE.finditer(text):
                findings.append(Finding(index, number, stripped, _SUSPECT_NAMES[match.group()]))
        for match in _ASSIGN_TO_LIBRARY.finditer(source):
            line = source.count("\n", 0, match.start()) + 1
            findings.append(Finding(index, line, match.group().strip(),
                                    "replaces part of a library the checks use"))
        python = "\n".join("pass" if line.strip().startswith(("%", "!")) else line
                           for line in source.splitlines())
        try:
            tree = ast.parse(python)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in (
                    "AssertionError", "fail", "require", "verify_in_clean_process"):
                findings.append(Finding(index, node.lineno, node.name,
                                        "redefines a name the tests use"))
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id in (
                    "AssertionError", "fail", "require", "verify_in_clean_process", "qilab",
                    "SEED", "LEARNER"):
                findings.append(Finding(index, node.lineno, node.id,
                                        "reassigns a name the tests use"))
    return findings
