"""Joining people up: buddies from other organisations, and coaches matched to teams.

Both are assignment problems solved exactly with :func:`scipy.optimize.linear_sum_assignment`:

* **buddies**: each Practitioner learner (enrolled, not yet completed) gets a buddy who has
  completed the Practitioner tier, always from another organisation, preferring someone whose
  project serves the same system priority, then someone in the same sector;
* **coaches**: each project gets a coach who has completed the Coach tier, within each coach's
  capacity (3 teams unless told otherwise), preferring a coach from another organisation who
  knows the project's priority area.

Trainers can *pin* a pair (it is kept) or *forbid* one (it is never made). Every match comes
with the reasons it was made, in words.

>>> import pandas as pd
>>> people = pd.DataFrame({"id": ["a", "b", "x", "y"], "organisation": ["O1", "O2", "O2", "O1"],
...                        "priority": ["Falls", "Access", "Falls", "Access"]})
>>> m = match(people.iloc[:2], people.iloc[2:], capacity=1)
>>> sorted(zip(m["person"], m["partner"]))
[('a', 'x'), ('b', 'y')]
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..errors import QIDataError

SAME_PRIORITY = 10.0
SAME_SECTOR = 2.0
LOAD = 0.5  # each extra team a coach already has counts against them a little
_FORBIDDEN = 1e6


def _score(a: pd.Series, b: pd.Series, slot: int) -> tuple[float, list[str]]:
    points, reasons = 0.0, []
    if a.get("priority") and a.get("priority") == b.get("priority"):
        points += SAME_PRIORITY
        reasons.append(f"both work on {a['priority']}")
    if a.get("sector") and a.get("sector") == b.get("sector"):
        points += SAME_SECTOR
        reasons.append(f"both in {a['sector']}")
    points -= LOAD * slot
    reasons.append(f"{'another' if b.get('organisation') != a.get('organisation') else 'the same'}"
                   " organisation")
    return points, reasons


def match(seekers: pd.DataFrame, offers: pd.DataFrame, *, capacity: int | dict = 1,
          pins: Iterable[tuple[str, str]] = (), forbid: Iterable[tuple[str, str]] = ()
          ) -> pd.DataFrame:
    """Match each row of ``seekers`` to a row of ``offers`` (each used up to ``capacity``
    times), never within one organisation, maximising shared priority and sector.

    Both tables have columns ``id`` and ``organisation``, and may have ``priority`` and
    ``sector``. ``capacity`` is one number or ``{offer id: number}``. Returns one row per
    seeker: ``person``, ``partner`` (None when no one could be matched) and ``reason``.
    """
    pins, forbid = list(pins), set(forbid)
    seekers = seekers.reset_index(drop=True)
    offers = offers.reset_index(drop=True)
    caps = {o: (capacity.get(o, 1) if isinstance(capacity, dict) else capacity)
            for o in offers["id"]}
    ids = set(seekers["id"])
    for who, partner in pins:
        if who not in ids or partner not in caps:
            raise QIDataError(f"Cannot pin {who!r} to {partner!r}: "
                              f"{who if who not in ids else partner!r} is not in the list to "
                              "match.", field="pin")
        if (who, partner) in forbid:
            raise QIDataError(f"{who!r} with {partner!r} is both pinned and forbidden.",
                              field="pin")
    pinned = dict(pins)
    for partner in set(pinned.values()):
        taken = sum(1 for p in pinned.values() if p == partner)
        if taken > caps[partner]:
            raise QIDataError(f"{partner!r} is pinned to {taken} people but has room for "
                              f"{caps[partner]}.", field="pin")
        caps[partner] -= taken
    rows = [{"person": who, "partner": partner, "reason": "pinned by a trainer"}
            for who, partner in pins]
    todo = seekers[~seekers["id"].isin(pinned)]
    slots = [(j, k) for j, o in enumerate(offers["id"]) for k in range(caps[o])]
    if len(todo) and slots:
        from scipy.optimize import linear_sum_assignment

        cost = np.full((len(todo), len(slots)), _FORBIDDEN)
        why: dict[tuple[int, int], list[str]] = {}
        for i, (_, s) in enumerate(todo.iterrows()):
            for c, (j, k) in enumerate(slots):
                o = offers.iloc[j]
                if o["organisation"] == s["organisation"] or (s["id"], o["id"]) in forbid \
                        or s["id"] == o["id"]:
                    continue
                points, reasons = _score(s, o, k)
                cost[i, c] = -points
                why[(i, c)] = reasons
        r, c = linear_sum_assignment(cost)
        chosen = {i: col for i, col in zip(r, c) if cost[i, col] < _FORBIDDEN}
    else:
        chosen = {}
    for i, (_, s) in enumerate(todo.iterrows()):
        if i in chosen:
            j = slots[chosen[i]][0]
            rows.append({"person": s["id"], "partner": offers.iloc[j]["id"],
                         "reason": "; ".join(why[(i, chosen[i])])})
        else:
            rows.append({"person": s["id"], "partner": None,
                         "reason": "no one available from another organisation"})
    return pd.DataFrame(rows, columns=["person", "partner", "reason"])


def _led_priority(records) -> pd.Series:
    led = records.projects.dropna(subset=["lead"])
    return led.drop_duplicates("lead").set_index("lead")["priority"]


def buddy_lists(records) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(Practitioner learners still on the tier, people who have completed it)."""
    people = records.people.set_index("person")
    practitioner = records.enrolments[records.enrolments["tier"] == "practitioner"]
    done = set(practitioner.dropna(subset=["completed"])["person"])
    learning = set(practitioner["person"]) - done
    priority = _led_priority(records)

    def table(ids: set[str]) -> pd.DataFrame:
        ids = sorted(ids)
        return pd.DataFrame({"id": ids, "organisation": people.loc[ids, "organisation"].values,
                             "sector": people.loc[ids, "sector"].values,
                             "priority": [priority.get(i) for i in ids]})

    return table(learning), table(done)


def coach_lists(records) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(projects, people who have completed the Coach tier, with the priorities they coached)."""
    people = records.people.set_index("person")
    coaches = sorted(set(records.enrolments.dropna(subset=["completed"]).query(
        "tier == 'coach'")["person"]))
    coached = records.coaching.merge(records.projects[["project", "priority"]], on="project")
    known = coached.groupby("coach")["priority"].agg(lambda s: s.mode().iloc[0])
    projects = records.projects.rename(columns={"project": "id"})[
        ["id", "organisation", "sector", "priority"]]
    offers = pd.DataFrame({"id": coaches,
                           "organisation": people.loc[coaches, "organisation"].values,
                           "sector": people.loc[coaches, "sector"].values,
                           "priority": [known.get(c) for c in coaches]})
    return projects, offers


def save_matches(engine, kind: str, matches: pd.DataFrame, started) -> int:
    """Record the matches made (``kind`` is "buddy" or "coach") in one transaction."""
    from .db import writing
    from .models import Pairing

    rows = []
    for m in matches.dropna(subset=["partner"]).itertuples(index=False):
        if kind == "buddy":
            rows.append({"kind": kind, "person_id": m.person, "partner_id": m.partner,
                         "project_id": None, "started": started, "reason": m.reason})
        else:
            rows.append({"kind": kind, "person_id": m.partner, "partner_id": None,
                         "project_id": m.person, "started": started, "reason": m.reason})
    with writing(engine) as conn:
        if rows:
            conn.execute(Pairing.__table__.insert(), rows)
    return len(rows)
