"""Buddies and coaches: never the same organisation, capacity kept, pins and bans obeyed."""
from __future__ import annotations

import pandas as pd
import pytest

from qilab import QIDataError
from qilab.programme.matching import buddy_lists, coach_lists, match


def table(rows):
    return pd.DataFrame(rows, columns=["id", "organisation", "sector", "priority"])


SEEKERS = table([("s1", "A", "nhs", "Falls"), ("s2", "A", "nhs", "Access"),
                 ("s3", "B", "council", "Falls"), ("s4", "C", "nhs", "Discharge")])
OFFERS = table([("o1", "B", "nhs", "Falls"), ("o2", "A", "council", "Discharge"),
                ("o3", "C", "nhs", "Access")])


def test_best_matches_share_priority_and_never_an_organisation():
    m = match(SEEKERS, OFFERS, capacity=2)
    pairs = dict(zip(m["person"], m["partner"]))
    # s1 and s3 both want Falls; o1 (organisation B) cannot take s3 from B
    assert pairs == {"s1": "o1", "s2": "o3", "s3": "o2", "s4": "o2"}
    org = dict(zip(OFFERS["id"], OFFERS["organisation"]))
    for s, o in pairs.items():
        assert org[o] != SEEKERS.set_index("id").loc[s, "organisation"]
    assert "both work on Falls" in m.set_index("person").loc["s1", "reason"]


def test_capacity_is_kept_and_the_unmatched_are_said():
    m = match(SEEKERS, OFFERS.iloc[:1], capacity=1)
    assert m["partner"].notna().sum() == 1
    assert (m["reason"] == "no one available from another organisation").sum() == 3


def test_pins_are_kept_and_forbidden_pairs_never_made():
    m = match(SEEKERS, OFFERS, capacity=2, pins=[("s2", "o1")], forbid=[("s1", "o1")])
    pairs = dict(zip(m["person"], m["partner"]))
    assert pairs["s2"] == "o1" and pairs["s1"] != "o1"
    assert m.set_index("person").loc["s2", "reason"] == "pinned by a trainer"


def test_impossible_pins_are_refused():
    with pytest.raises(QIDataError, match="both pinned and forbidden"):
        match(SEEKERS, OFFERS, pins=[("s1", "o1")], forbid=[("s1", "o1")])
    with pytest.raises(QIDataError, match="has room for 1"):
        match(SEEKERS, OFFERS, pins=[("s1", "o1"), ("s2", "o1")])


def test_lists_from_a_programme():
    from qilab.programme.frames import Records

    people = pd.DataFrame({"person": ["P-1", "P-2", "P-3"], "organisation": ["A", "B", "C"],
                           "sector": ["nhs"] * 3, "role": ["x"] * 3,
                           "patient_or_carer": [False] * 3, "consent_to_share": [True] * 3})
    enrol = pd.DataFrame({"person": ["P-1", "P-2", "P-3"],
                          "tier": ["practitioner", "practitioner", "coach"],
                          "cohort": ["c"] * 3, "started": pd.to_datetime(["2025-01-01"] * 3),
                          "completed": pd.to_datetime([None, "2025-03-01", "2025-03-01"]),
                          "rating": [None] * 3})
    projects = pd.DataFrame({"project": ["J1"], "title": ["t"], "organisation": ["A"],
                             "sector": ["nhs"], "lead": ["P-1"], "priority": ["Falls"]})
    empty = pd.DataFrame({"project": [], "coach": [], "held": []})
    records = Records(people, enrol, None, None, projects, None, None, empty, None, None,
                      read_on=None)
    learners, buddies = buddy_lists(records)
    assert learners["id"].tolist() == ["P-1"] and buddies["id"].tolist() == ["P-2"]
    assert learners["priority"].tolist() == ["Falls"]
    teams, coaches = coach_lists(records)
    assert teams["id"].tolist() == ["J1"] and coaches["id"].tolist() == ["P-3"]
    assert match(teams, coaches, capacity=3)["partner"].tolist() == ["P-3"]
