"""Reach: people trained by month against the target, and by tier, organisation, sector and
role, with patients and carers counted within each.

A person counts as trained from the first time they complete any tier; each person counts once
in the monthly totals, and once for each tier they complete in the tier table.

>>> import pandas as pd
>>> first = pd.Series(pd.to_datetime(["2024-01-10", "2024-01-20", "2024-03-02"]))
>>> monthly(first, until=pd.Timestamp("2024-03-31"))[["new", "cumulative"]].values.tolist()
[[2, 2], [0, 2], [1, 3]]
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import Engine, text

from .suppression import SuppressedTable, suppress, suppress_nested

if TYPE_CHECKING:
    from ..charts.spc import SPCResult
    from .frames import Records

TARGET = 1000
SPLIT = ("staff", "patients and carers")
SECTOR_TITLES = {"nhs": "NHS", "social care": "Social care", "council": "Council",
                 "voluntary": "Voluntary", "other": "Other"}


def monthly(first_completed: pd.Series, until: pd.Timestamp | None = None) -> pd.DataFrame:
    """People newly trained each month and the running total, with empty months as 0."""
    first = pd.to_datetime(first_completed).dropna()
    if first.empty:
        return pd.DataFrame({"month": pd.Series(dtype="datetime64[ns]"),
                             "new": pd.Series(dtype="int64"),
                             "cumulative": pd.Series(dtype="int64")})
    months = first.dt.to_period("M")
    end = max(months.max(), pd.Timestamp(until).to_period("M")) if until is not None \
        else months.max()
    index = pd.period_range(months.min(), end, freq="M")
    new = months.value_counts().reindex(index, fill_value=0).astype("int64")
    return pd.DataFrame({"month": index.to_timestamp(), "new": new.to_numpy(),
                         "cumulative": new.cumsum().to_numpy()})


def reach_chart(by_month: pd.DataFrame, target: int = TARGET) -> "SPCResult":
    """The cumulative number trained as a run chart with the target line."""
    from ..charts.spc import spc

    data = by_month.assign(Month=by_month["month"].dt.strftime("%b %Y"))
    return spc(data, y="cumulative", x="month", chart="run", target=target,
               title=f"People trained, cumulative, against the target of {target:,}")


def first_completions(engine: Engine) -> pd.Series:
    """Each trained person's first completion date, straight from the database (quick)."""
    query = text("SELECT min(completed) FROM enrolments WHERE completed IS NOT NULL "
                 "GROUP BY person_id")
    with engine.connect() as conn:
        return pd.to_datetime(pd.Series(conn.execute(query).scalars().all(), dtype="object"))


@dataclass(frozen=True)
class Reach:
    """People trained: the total, by month, and the breakdown tables (raw counts)."""

    total: int
    target: int
    by_month: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    sectors: dict[str, str] = field(default_factory=dict)  # organisation to its sector


    def chart(self) -> "SPCResult":
        return reach_chart(self.by_month, self.target)

    def published(self, name: str) -> SuppressedTable:
        """The breakdown ``name`` with small numbers suppressed, ready to publish.

        The organisation and sector tables count the same people, organisations adding up to
        sectors, so they are suppressed together: neither gives away what the other hides.
        Their grand total, and the role table's, is the number of people trained, which the
        report states in words: it is kept on show, and the cells are protected around it.
        """
        if name in ("organisation", "sector"):
            return self._by_place()[name]
        # the role table's grand total is the number trained, which the report states anyway
        return suppress(self.tables[name], public_total=name == "role")

    def _by_place(self) -> dict[str, SuppressedTable]:
        if "_place_tables" not in self.__dict__:
            fine, coarse = suppress_nested(self.tables["organisation"], self.sectors,
                                           public_total=True)
            self.__dict__["_place_tables"] = {"organisation": fine, "sector": coarse}
        return self.__dict__["_place_tables"]

    def explain(self) -> str:
        share = self.total / self.target if self.target else 0
        months = len(self.by_month)
        return (f"{self.total:,} people have completed training: {share:.0%} of the target of "
                f"{self.target:,}, over {months} month{'s' if months != 1 else ''}.")


def _split(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    table = pd.crosstab(frame[by], frame["patient_or_carer"].map(
        {True: SPLIT[1], False: SPLIT[0]}))
    table = table.reindex(columns=list(SPLIT), fill_value=0)
    table.index.name, table.columns.name = None, None
    return table.astype("int64")


def reach(records: "Records", target: int = TARGET) -> Reach:
    """Reach from the programme's records (see the module docstring for what counts)."""
    done = records.enrolments.dropna(subset=["completed"])
    people = records.people.set_index("person")
    first = done.groupby("person")["completed"].min()
    trained = people.loc[first.index].reset_index()
    trained["sector"] = trained["sector"].map(lambda s: SECTOR_TITLES.get(s, s))
    trained["role"] = trained["role"].str.capitalize()
    tiers = done.drop_duplicates(["person", "tier"]).join(people[["patient_or_carer"]],
                                                         on="person")
    tier_table = _split(tiers, "tier")
    order = [t for t in ("aware", "foundation", "practitioner", "coach", "leaders")
             if t in tier_table.index]
    tier_table = tier_table.loc[order]
    tier_table.index = [t.capitalize() for t in order]
    tables = {"tier": tier_table, "organisation": _split(trained, "organisation"),
              "sector": _split(trained, "sector"), "role": _split(trained, "role")}
    sectors = dict(zip(trained["organisation"], trained["sector"]))
    return Reach(len(first), target, monthly(first, pd.Timestamp(records.read_on)), tables,
                 sectors)
