"""The knowledge test: our own QIKAT-R-style scenarios and the 0-9 scoring rubric.

The format follows the revised Quality Improvement Knowledge Application Tool (QIKAT-R;
Singh et al. 2014): each scenario describes a problem in a service, and the learner proposes
an aim, a measure and a change. Each of the three answers is scored against three yes/no
criteria, so a scenario scores 0 to 9. The scenarios and the wording of the criteria below are
this project's own, written for health and social care in a county system; they are not the
published QIKAT-R items.

>>> sorted(SCENARIOS)
['care-home-falls', 'discharge-letters', 'gp-call-backs']
>>> sum(len(c) for c in RUBRIC.values())
9
"""
from __future__ import annotations

SCENARIOS: dict[str, str] = {
    "care-home-falls": (
        "In a 40-bed residential care home, residents fell 14 times last month, most often "
        "at night on the way to the toilet. Staff feel they are already stretched and the "
        "manager wants fewer falls without adding night staff."),
    "discharge-letters": (
        "On a medical ward, discharge letters reach the patient's general practice a median "
        "of 6 days after the patient goes home. Practices say they cannot follow up changes "
        "to medicines in time, and some patients are readmitted."),
    "gp-call-backs": (
        "At a general practice, patients who ask for a call back from a doctor wait on "
        "average 2 days, and a third of call backs are missed because the patient could not "
        "be reached. Reception staff take the blame from patients."),
}

RUBRIC: dict[str, tuple[str, str, str]] = {
    "aim": (
        "Names the system or process the team will improve.",
        "Says how much better, as a number or a clear target.",
        "Says by when."),
    "measure": (
        "Would tell the team whether the aim is being met (it follows from the aim).",
        "Is defined well enough to collect the same way each time.",
        "Can be collected often (weekly or monthly) to show change over time."),
    "change": (
        "Is a specific change the team could test next week (not 'more training' in general).",
        "Follows from the problem described in the scenario.",
        "Is likely to move the measure given."),
}
