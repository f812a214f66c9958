"""A sustainability self-assessment for a team: will this change last?

The ten factors are those of the NHS Sustainability Model (Maher, Gustafson and Evans, NHS
Institute for Innovation and Improvement), in its three groups: process, staff and
organisation. The short questions are this project's own words, not the model's.

**Unweighted, on purpose.** The published model scores each factor at one of four levels with
its own weights and adds them up. Those weights are not reproduced here, because we could not
check them against the published guide. This tool is a team discussion aid instead: each
member rates each factor from 1 (not in place) to 4 (firmly in place), or "not sure", and the
summary shows, for each factor, the team's median, its lowest and highest rating and how many
were not sure. It points to the factors to talk about first: the lowest, and those the team
disagrees on. It gives no total score and no pass mark.

>>> a = SustainabilityAssessment("Ward 7 falls")
>>> a.add("Ann", {k: 3 for k in FACTOR_KEYS})
>>> a.add("Bo", {**{k: 3 for k in FACTOR_KEYS}, "senior_leaders": 1})
>>> row = a.summary().set_index("factor").loc["Senior leaders"]
>>> float(row["median"]), int(row["lowest"]), int(row["highest"])
(2.0, 1, 3)
>>> a.discuss_first()
['Senior leaders']
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import QIDataError
from ..storage import read_document, write_document

__all__ = ["FACTORS", "FACTOR_KEYS", "LEVELS", "SustainabilityAssessment"]

#: (group, key, factor name, a question for the team in this project's words)
FACTORS: tuple[tuple[str, str, str, str], ...] = (
    ("Process", "benefits_beyond_patients", "Benefits beyond helping patients",
     "Does the change also help staff, for example by saving time or making work easier?"),
    ("Process", "credibility_of_evidence", "Credibility of the evidence",
     "Can staff see the benefit for themselves, in data they trust?"),
    ("Process", "adaptability", "Adaptability",
     "Can the change keep working when people, rotas or demand change?"),
    ("Process", "monitoring_progress", "Monitoring progress",
     "Is someone named to watch a measure of it, and to act when it slips?"),
    ("Staff", "training_and_involvement", "Training and involvement",
     "Were staff involved from the start, and are new staff trained in it?"),
    ("Staff", "staff_behaviours", "Staff behaviours",
     "Do staff believe in the change and feel it is theirs?"),
    ("Staff", "senior_leaders", "Senior leaders",
     "Do senior leaders know about it, support it and remove obstacles?"),
    ("Staff", "clinical_leaders", "Clinical leaders",
     "Do the senior clinicians or practitioners champion it?"),
    ("Organisation", "fit_with_goals_and_culture", "Fit with goals and culture",
     "Does it fit what the organisation says matters, and how it works?"),
    ("Organisation", "infrastructure", "Infrastructure",
     "Are the policies, job roles, equipment and IT in place to keep it going?"),
)
FACTOR_KEYS: tuple[str, ...] = tuple(f[1] for f in FACTORS)
_NAME = {f[1]: f[2] for f in FACTORS}

#: rating -> words, for forms and tables
LEVELS: dict[int, str] = {1: "Not in place", 2: "Partly in place", 3: "Mostly in place",
                          4: "Firmly in place"}

#: a spread of this much or more (highest minus lowest) means the team disagrees
DISAGREE = 2

SCHEMA, VERSION = "qilab.sustainability", 1


def _rating(value: Any, person: str, key: str) -> int | None:
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "not sure")):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer)) or \
            value not in LEVELS:
        raise QIDataError(f"{person}'s rating for {_NAME[key]!r} is {value!r}: use 1, 2, 3 or "
                          "4 (1 not in place, 4 firmly in place), or None for not sure.",
                          field=key)
    return int(value)


@dataclass
class SustainabilityAssessment:
    """One project's self-assessment: each team member's ratings of the ten factors."""

    project: str
    ratings: dict[str, dict[str, int | None]] = field(default_factory=dict)

    def add(self, person: str, ratings: Mapping[str, Any]) -> None:
        """Add (or replace) one person's ratings: a mapping of factor key to 1–4 or None.

        Every factor must be there (None for "not sure"), so nothing is left out silently.
        """
        person = str(person).strip()
        if not person:
            raise QIDataError("Each set of ratings needs the name (or initials) of the person.",
                              field="person")
        unknown = [k for k in ratings if k not in _NAME]
        if unknown:
            raise QIDataError(f"{unknown[0]!r} is not one of the ten factors. The factors are: "
                              f"{', '.join(FACTOR_KEYS)}.", field=str(unknown[0]))
        missing = [k for k in FACTOR_KEYS if k not in ratings]
        if missing:
            raise QIDataError(f"{person} has no rating for {_NAME[missing[0]]!r}. Rate every "
                              "factor, or give None for not sure.", field=missing[0])
        self.ratings[person] = {k: _rating(ratings[k], person, k) for k in FACTOR_KEYS}

    def table(self) -> pd.DataFrame:
        """Everyone's ratings: one row per factor, one column per person (blank = not sure)."""
        rows = {p: [r[k] for k in FACTOR_KEYS] for p, r in self.ratings.items()}
        frame = pd.DataFrame(rows, index=[_NAME[k] for k in FACTOR_KEYS], dtype="Int64")
        frame.index.name = "factor"
        return frame

    def summary(self) -> pd.DataFrame:
        """Per factor: group, factor, rated (how many), not_sure, median, lowest, highest,
        spread and discuss (why to talk about it first, or "")."""
        if not self.ratings:
            raise QIDataError("No one has rated the factors yet: add each person's ratings "
                              "with add().", field="ratings")
        out = []
        for group, key, name, _question in FACTORS:
            values = [r[key] for r in self.ratings.values() if r[key] is not None]
            not_sure = len(self.ratings) - len(values)
            row: dict[str, Any] = {"group": group, "factor": name, "rated": len(values),
                                   "not_sure": not_sure}
            if values:
                low, high = min(values), max(values)
                row.update(median=float(np.median(values)), lowest=low, highest=high,
                           spread=high - low)
            else:
                row.update(median=np.nan, lowest=pd.NA, highest=pd.NA, spread=pd.NA)
            row["discuss"] = _why(row, len(self.ratings))
            out.append(row)
        frame = pd.DataFrame(out)
        for col in ("lowest", "highest", "spread"):
            frame[col] = frame[col].astype("Int64")
        return frame

    def discuss_first(self) -> list[str]:
        """Factors to talk about first: lowest median first, then the widest disagreement."""
        s = self.summary()
        s = s[s["discuss"] != ""]
        s = s.assign(_m=s["median"].fillna(0), _s=s["spread"].fillna(0).astype(float))
        return s.sort_values(["_m", "_s"], ascending=[True, False],
                             kind="stable")["factor"].tolist()

    def explain(self) -> str:
        """What the team's ratings say, in words."""
        s = self.summary()
        people = len(self.ratings)
        first = self.discuss_first()
        text = [f"{people} {'person' if people == 1 else 'people'} rated the ten factors of "
                f"{self.project}."]
        if first:
            text.append("Talk about these first: " + "; ".join(
                f"{f} ({s.set_index('factor').loc[f, 'discuss']})" for f in first) + ".")
        else:
            text.append("Every factor has a median of 3 or more and the team broadly agrees: "
                        "keep checking at each review.")
        text.append("This is a discussion aid with no total score: the ratings are not "
                    "weighted.")
        return " ".join(text)

    def plot(self, ax: Any = None) -> Any:
        """Each person's rating of each factor as a dot, and the team's median as a bar."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(8, 5))
        s = self.summary()
        ys = np.arange(len(FACTORS))[::-1]
        ax.barh(ys, s["median"].fillna(0), color="#AEB7BD", label="Team median")
        table = self.table()
        for j, person in enumerate(table.columns):
            vals = table[person].to_numpy(dtype=float, na_value=np.nan)
            offset = (j - (len(table.columns) - 1) / 2) * 0.12
            ax.scatter(vals, ys + offset, s=24, color="#005EB8", zorder=3,
                       label="One person's rating" if j == 0 else None)
        ax.set_yticks(ys, [f"{g}: {n}" for g, _k, n, _q in FACTORS])
        ax.set_xlim(0, 4.3)
        ax.set_xticks([1, 2, 3, 4], ["1 not in place", "2 partly", "3 mostly", "4 firmly"])
        ax.set_title(f"Sustainability self-assessment: {self.project}")
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
        return ax

    def alt_text(self) -> str:
        """Alt text for the figure."""
        s = self.summary()
        lows = s.sort_values("median", kind="stable").head(3)
        return (f"Dots show each of {len(self.ratings)} people's ratings of the ten "
                "sustainability factors from 1 to 4, with bars at the team median. Lowest "
                "medians: " + "; ".join(f"{r.factor} {r.median:g}" for r in lows.itertuples())
                + ".")

    def _repr_html_(self) -> str:
        import html

        from ..display import show

        shown = show(self.plot(), alt=self.alt_text())
        return shown._repr_html_() + f"<p>{html.escape(self.explain())}</p>"

    def to_dict(self) -> dict[str, Any]:
        return {"project": self.project, "ratings": self.ratings}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "SustainabilityAssessment":
        made = cls(str(data.get("project", "")).strip() or "my project")
        for person, ratings in dict(data.get("ratings", {})).items():
            made.add(person, ratings)
        return made

    def save(self, path: str | os.PathLike) -> Path:
        """Save atomically as a JSON document (see :mod:`qilab.storage`)."""
        return write_document(path, SCHEMA, VERSION, self.to_dict())

    @classmethod
    def load(cls, path: str | os.PathLike) -> "SustainabilityAssessment":
        """Read a file written by :meth:`save`, checking every rating again."""
        return cls.from_dict(read_document(path, SCHEMA, VERSION))


def _why(row: Mapping[str, Any], people: int) -> str:
    reasons = []
    if row["rated"] == 0:
        return "no one was sure"
    if row["median"] < 3:
        reasons.append(f"median {row['median']:g}")
    if row["spread"] >= DISAGREE:
        reasons.append(f"ratings from {row['lowest']} to {row['highest']}")
    if row["not_sure"] * 2 >= people and people > 1:
        reasons.append(f"{row['not_sure']} of {people} not sure")
    return ", ".join(reasons)
