"""PDSA cycles and a learner's PDSA log.

A Plan-Do-Study-Act (PDSA) cycle tests one change on a small scale. The plan states a
**prediction** before the test, so that the Study step can compare what happened with what was
expected: that comparison is where the learning is. Cycles link into **ramps**: each cycle
``follows`` the one before it, building up from a small test to wider use.

:class:`PDSACycle` is a plain data model that checks its own fields; :class:`PDSALog` keeps a
learner's cycles in a schema-versioned JSON file, written atomically, and never overwrites a
damaged file (it is set aside as a backup and the learner is told).

>>> cycle = PDSACycle(title="Falls leaflet at admission", change_idea="Give every patient the falls leaflet",
...                   questions=["Will patients read it?"], prediction="8 of 10 will read it",
...                   plan_who="Admitting nurse", plan_what="Hand out the leaflet",
...                   plan_when="14/03/2027", plan_data="Number who say they read it")
>>> cycle.stage, cycle.can_start_do
('do', True)
"""
from __future__ import annotations

import dataclasses
import html
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import QIDataError, QIWarning
from .storage import atomic_write_text, read_document, set_aside, write_document

__all__ = ["PDSACycle", "PDSALog", "DECISIONS", "STAGES", "parse_date"]

#: The three decisions at the end of a cycle.
DECISIONS: tuple[str, ...] = ("adopt", "adapt", "abandon")
#: The stages a cycle moves through, in order.
STAGES: tuple[str, ...] = ("plan", "do", "study", "act", "complete")

SCHEMA = "qilab.pdsa_log"
SCHEMA_VERSION = 1

#: Plain-English names of the fields, used in messages and tables.
FIELD_LABELS: dict[str, str] = {
    "id": "Cycle id", "title": "Title", "aim": "Aim it serves", "change_idea": "Change idea",
    "questions": "Question(s)", "prediction": "Prediction", "plan_who": "Who",
    "plan_what": "What", "plan_where": "Where", "plan_when": "When (date)",
    "plan_data": "Data to collect", "do_what_happened": "What happened",
    "do_observations": "Observations", "do_date": "Date done",
    "study_results": "Results against the prediction", "study_learning": "What we learned",
    "act_decision": "Decision", "act_next_step": "Next step", "follows": "Follows cycle",
}

#: Fields each stage needs before the cycle can move on.
REQUIRED: dict[str, tuple[str, ...]] = {
    "plan": ("title", "change_idea", "questions", "prediction", "plan_who", "plan_what",
             "plan_when", "plan_data"),
    "do": ("do_what_happened", "do_date"),
    "study": ("study_results", "study_learning"),
    "act": ("act_decision", "act_next_step"),
}

_WHY_PREDICT = ("Write down what you expect to happen before you test. Without a prediction "
                "there is nothing to compare the results with, so the Study step cannot tell "
                "you what you learned.")

_TEXT_FIELDS = ("id", "title", "aim", "change_idea", "prediction", "plan_who", "plan_what",
                "plan_where", "plan_data", "do_what_happened", "do_observations",
                "study_results", "study_learning", "act_decision", "act_next_step")


def parse_date(value: Any, name: str = "date") -> date | None:
    """Read a date given as a ``date``, ``datetime``, ``YYYY-MM-DD`` or ``DD/MM/YYYY``.

    Returns ``None`` for an empty value. Raises :class:`QIDataError` naming ``name`` when the
    text is not a date or the date does not exist.

    >>> parse_date("14/03/2027"), parse_date("2027-03-14")
    (datetime.date(2027, 3, 14), datetime.date(2027, 3, 14))
    >>> parse_date("31/02/2027", "plan_when")
    Traceback (most recent call last):
    ...
    qilab.errors.QIDataError: 'plan_when' (When (date)): 31/02/2027 is not a real date (day is out of range for month). Write a date such as 14/03/2027.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise QIDataError(f"'{name}' must be a date, not {type(value).__name__}.", field=name)
    text = value.strip()
    if not text:
        return None
    label = f"'{name}' ({FIELD_LABELS[name]})" if name in FIELD_LABELS else f"'{name}'"
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    uk = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    if iso:
        y, m, d = (int(g) for g in iso.groups())
    elif uk:
        d, m, y = (int(g) for g in uk.groups())
    else:
        raise QIDataError(f"{label}: {text!r} is not a date I can read. Write it as day/month/"
                          "year, such as 14/03/2027.", field=name)
    try:
        return date(y, m, d)
    except ValueError as exc:
        raise QIDataError(f"{label}: {text} is not a real date ({exc}). Write a date such as "
                          "14/03/2027.", field=name) from None


def _uk(day: date | None) -> str:
    return day.strftime("%d %b %Y").lstrip("0") if day else ""


@dataclass(frozen=True)
class PDSACycle:
    """One PDSA cycle: Plan (with a prediction), Do, Study and Act.

    Dates may be given as ``date`` objects or text (``14/03/2027`` or ``2027-03-14``). Text is
    trimmed; ``questions`` may be a list or text with one question a line. ``follows`` is the
    id of the cycle this one builds on, which links cycles into a ramp.

    Raises :class:`QIDataError` naming the field for an impossible date, a Do date before the
    planned date, an unknown decision, or a cycle that follows itself.

    >>> c = PDSACycle(title="Try a teach-back")
    >>> c.stage, c.can_start_do
    ('plan', False)
    >>> c.missing("plan")[:2]
    ['change_idea', 'questions']
    """

    title: str
    aim: str = ""
    change_idea: str = ""
    questions: tuple[str, ...] = ()
    prediction: str = ""
    plan_who: str = ""
    plan_what: str = ""
    plan_where: str = ""
    plan_when: date | None = None
    plan_data: str = ""
    do_what_happened: str = ""
    do_observations: str = ""
    do_date: date | None = None
    study_results: str = ""
    study_learning: str = ""
    act_decision: str = ""
    act_next_step: str = ""
    id: str = ""
    follows: str | None = None

    def __post_init__(self) -> None:
        for name in _TEXT_FIELDS:
            value = getattr(self, name)
            if value is None:
                value = ""
            if not isinstance(value, str):
                raise QIDataError(f"'{name}' ({FIELD_LABELS[name]}) must be text, not "
                                  f"{type(value).__name__}.", field=name)
            object.__setattr__(self, name, value.strip())
        if not self.title:
            raise QIDataError("'title' is empty: give the cycle a short title, such as "
                              "'Falls leaflet at admission, 1 patient'.", field="title")
        questions = self.questions
        if questions is None:
            questions = ()
        if isinstance(questions, str):
            questions = questions.splitlines()
        if not isinstance(questions, (list, tuple)) or not all(isinstance(q, str) for q in questions):
            raise QIDataError("'questions' must be text or a list of questions.", field="questions")
        object.__setattr__(self, "questions", tuple(q.strip() for q in questions if q.strip()))
        object.__setattr__(self, "plan_when", parse_date(self.plan_when, "plan_when"))
        object.__setattr__(self, "do_date", parse_date(self.do_date, "do_date"))
        if self.plan_when and self.do_date and self.do_date < self.plan_when:
            raise QIDataError(
                f"'do_date' (Date done) is {_uk(self.do_date)}, before the planned date "
                f"{_uk(self.plan_when)}. A test cannot be done before it is planned: check both "
                "dates.", field="do_date")
        decision = self.act_decision.lower()
        if decision and decision not in DECISIONS:
            raise QIDataError(f"'act_decision' (Decision) is {self.act_decision!r}: choose adopt, "
                              "adapt or abandon.", field="act_decision")
        object.__setattr__(self, "act_decision", decision)
        follows = self.follows
        if follows is not None and not isinstance(follows, str):
            raise QIDataError("'follows' must be the id of an earlier cycle.", field="follows")
        follows = (follows or "").strip() or None
        if follows is not None and follows == self.id:
            raise QIDataError(f"'follows' is {follows!r}, the cycle's own id: a cycle cannot follow "
                              "itself. Choose an earlier cycle.",
                              field="follows")
        object.__setattr__(self, "follows", follows)

    # ------------------------------------------------------------------ stage and readiness
    def missing(self, stage: str) -> list[str]:
        """The fields ``stage`` ('plan', 'do', 'study' or 'act') still needs, in form order."""
        if stage not in REQUIRED:
            raise QIDataError(f"Unknown stage {stage!r}: use plan, do, study or act.", field="stage")
        return [name for name in REQUIRED[stage] if not getattr(self, name)]

    @property
    def stage(self) -> str:
        """The first stage not yet complete: 'plan', 'do', 'study', 'act' or 'complete'."""
        for stage in ("plan", "do", "study", "act"):
            if self.missing(stage):
                return stage
        return "complete"

    @property
    def can_start_do(self) -> bool:
        """True when the plan is complete - above all, when it has a prediction."""
        return not self.missing("plan")

    def problems(self, stage: str) -> list[str]:
        """Friendly sentences saying what ``stage`` still needs (empty when it is complete).

        >>> PDSACycle(title="Test").problems("plan")[0].startswith("Add a prediction")
        True
        """
        missing = self.missing(stage)
        messages: list[str] = []
        if "prediction" in missing:
            messages.append(f"Add a prediction. {_WHY_PREDICT}")
        others = [FIELD_LABELS[name] for name in missing if name != "prediction"]
        if others:
            messages.append("Fill in: " + ", ".join(others) + ".")
        return messages

    # ------------------------------------------------------------------ conversion
    def to_dict(self) -> dict[str, Any]:
        """The cycle as plain JSON-ready values (dates as ``YYYY-MM-DD``), with its stage."""
        data = dataclasses.asdict(self)
        data["questions"] = list(self.questions)
        for name in ("plan_when", "do_date"):
            data[name] = getattr(self, name).isoformat() if getattr(self, name) else None
        data["stage"] = self.stage
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PDSACycle:
        """Rebuild a cycle from :meth:`to_dict` output (``stage`` is recomputed)."""
        if not isinstance(data, dict):
            raise QIDataError("A PDSA cycle must be a dictionary of its fields.", field="cycle")
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - names - {"stage"}
        if unknown:
            raise QIDataError(f"Unknown PDSA field(s): {', '.join(sorted(unknown))}.",
                              field=sorted(unknown)[0])
        if "title" not in data:
            raise QIDataError("A PDSA cycle needs a 'title'.", field="title")
        return cls(**{k: v for k, v in data.items() if k in names})

    def replace(self, **changes: Any) -> PDSACycle:
        """A copy with some fields changed (checked again)."""
        return dataclasses.replace(self, **changes)

    def to_markdown(self, heading_level: int = 3) -> str:
        """The cycle as a Markdown section (for a portfolio or a storyboard)."""
        h = "#" * max(1, min(heading_level, 6))
        lines = [f"{h} {self.id + ': ' if self.id else ''}{self.title}", ""]
        if self.follows:
            lines += [f"Follows {self.follows}.", ""]
        rows = [("Aim", self.aim), ("Change idea", self.change_idea),
                ("Question(s)", "; ".join(self.questions)), ("Prediction", self.prediction),
                ("Who", self.plan_who), ("What", self.plan_what), ("Where", self.plan_where),
                ("When", _uk(self.plan_when)), ("Data to collect", self.plan_data),
                ("What happened", self.do_what_happened), ("Observations", self.do_observations),
                ("Date done", _uk(self.do_date)), ("Results against the prediction",
                                                     self.study_results),
                ("What we learned", self.study_learning),
                ("Decision", self.act_decision.capitalize()), ("Next step", self.act_next_step),
                ("Stage", self.stage)]
        lines += ["| | |", "|---|---|"]
        lines += [f"| {k} | {str(v).replace('|', '/').replace(chr(10), ' ')} |"
                  for k, v in rows if v]
        return "\n".join(lines) + "\n"


class PDSALog:
    """A learner's PDSA cycles, kept in a JSON file in their folder.

    Every change is saved at once, atomically (a crash mid-save leaves the old file), with a
    schema version. Reopening the same path shows the same cycles. If the file is damaged it is
    renamed to a ``.corrupt-<time>`` backup (never overwritten), a :class:`QIWarning` names the
    backup, :attr:`recovered_from` holds its path, and a fresh log starts.

    >>> import tempfile, pathlib
    >>> log = PDSALog(pathlib.Path(tempfile.mkdtemp()) / "pdsa.json")
    >>> first = log.add(PDSACycle(title="Leaflet, 1 patient"))
    >>> second = log.add(PDSACycle(title="Leaflet, 5 patients", follows=first.id))
    >>> [c.id for c in log.ramps()[0]]
    ['C1', 'C2']
    >>> len(PDSALog(log.path))
    2
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.recovered_from: Path | None = None
        self._cycles: list[PDSACycle] = []
        if self.path.exists():
            self._load()

    def _load(self) -> None:
        try:
            doc = read_document(self.path, SCHEMA, SCHEMA_VERSION)
        except QIDataError as exc:
            if exc.field in ("schema", "schema_version"):
                # Not damaged: another kind of file, or written by a newer qilab. Leave it be.
                raise
            self._recover(str(exc))
            return
        try:
            raw = doc.get("cycles")
            if not isinstance(raw, list):
                raise QIDataError("the 'cycles' list is missing", field="cycles")
            cycles = [PDSACycle.from_dict(item) for item in raw]
            self._check_links(cycles)
        except (QIDataError, TypeError) as exc:
            self._recover(str(exc))
            return
        self._cycles = cycles

    def _recover(self, reason: str) -> None:
        backup = set_aside(self.path)
        self.recovered_from = backup
        self._cycles = []
        warnings.warn(QIWarning(
            f"Your PDSA log {self.path.name} could not be read ({reason}). It has been kept "
            f"as {backup.name} in the same folder, and a new, empty log has been started. "
            "Nothing has been deleted: ask your facilitator if you need the old cycles back."),
            stacklevel=3)

    @staticmethod
    def _check_links(cycles: list[PDSACycle]) -> None:
        ids = [c.id for c in cycles]
        if "" in ids:
            raise QIDataError("a cycle has no id", field="id")
        if len(set(ids)) != len(ids):
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            raise QIDataError(f"cycle id(s) {', '.join(dupes)} appear more than once", field="id")
        by_id = {c.id: c for c in cycles}
        for cycle in cycles:
            seen = {cycle.id}
            link = cycle.follows
            while link is not None:
                if link not in by_id:
                    raise QIDataError(f"cycle {cycle.id} follows {link!r}, which is not in the "
                                      "log: choose one of the cycles listed.", field="follows")
                if link in seen:
                    raise QIDataError(f"cycles {', '.join(sorted(seen))} follow each other in a "
                                      "loop: a ramp must start somewhere.", field="follows")
                seen.add(link)
                link = by_id[link].follows

    # ------------------------------------------------------------------ reading
    @property
    def cycles(self) -> list[PDSACycle]:
        """The cycles in the order they were added (a copy)."""
        return list(self._cycles)

    def __len__(self) -> int:
        return len(self._cycles)

    def __iter__(self) -> Iterator[PDSACycle]:
        return iter(list(self._cycles))

    def __contains__(self, cycle_id: object) -> bool:
        return any(c.id == cycle_id for c in self._cycles)

    def get(self, cycle_id: str) -> PDSACycle:
        """The cycle with this id. Raises :class:`QIDataError` (field ``id``) if there is none."""
        for cycle in self._cycles:
            if cycle.id == cycle_id:
                return cycle
        known = ", ".join(c.id for c in self._cycles) or "none yet"
        raise QIDataError(f"There is no cycle {cycle_id!r} in this log (cycles: {known}).",
                          field="id")

    def next_id(self) -> str:
        """The next free id: C1, C2, ..."""
        numbers = [int(m.group(1)) for c in self._cycles if (m := re.fullmatch(r"C(\d+)", c.id))]
        n = max(numbers, default=0) + 1
        while f"C{n}" in self:
            n += 1
        return f"C{n}"

    # ------------------------------------------------------------------ changing
    def save(self) -> Path:
        """Write the log to its file atomically (done for you by :meth:`add` and :meth:`update`)."""
        body = {"cycles": [c.to_dict() for c in self._cycles]}
        return write_document(self.path, SCHEMA, SCHEMA_VERSION, body)

    def _commit(self, cycles: list[PDSACycle]) -> None:
        self._check_links(cycles)
        old = self._cycles
        self._cycles = cycles
        try:
            self.save()
        except BaseException:
            self._cycles = old  # the file still holds the old log; keep memory the same
            raise

    def add(self, cycle: PDSACycle) -> PDSACycle:
        """Add a cycle (given the next free id if it has none), save, and return it.

        Raises :class:`QIDataError` naming ``id`` for a duplicate id, or ``follows`` for a link
        to a cycle that is not in the log. If the save fails, the log is unchanged.
        """
        if not isinstance(cycle, PDSACycle):
            raise QIDataError("Only a PDSACycle can be added to a PDSA log.", field="cycle")
        if not cycle.id:
            cycle = cycle.replace(id=self.next_id())
        if cycle.id in self:
            raise QIDataError(f"There is already a cycle {cycle.id!r} in this log: use update() "
                              "to change it, or give the new cycle another id.", field="id")
        if cycle.follows is not None and cycle.follows not in self:
            raise QIDataError(f"'follows' is {cycle.follows!r}, which is not in this log: choose "
                              "one of the cycles already in it.", field="follows")
        self._commit([*self._cycles, cycle])
        return cycle

    def update(self, cycle: PDSACycle | str, **changes: Any) -> PDSACycle:
        """Replace a cycle (matched by id), or change fields of the cycle with id ``cycle``.

        >>> import tempfile, pathlib
        >>> log = PDSALog(pathlib.Path(tempfile.mkdtemp()) / "pdsa.json")
        >>> c = log.add(PDSACycle(title="Teach-back"))
        >>> log.update(c.id, prediction="Half will repeat it back correctly").prediction
        'Half will repeat it back correctly'
        """
        if isinstance(cycle, str):
            new = self.get(cycle).replace(**changes)
        elif isinstance(cycle, PDSACycle):
            new = cycle.replace(**changes) if changes else cycle
        else:
            raise QIDataError("update() takes a PDSACycle or a cycle id.", field="cycle")
        old = self.get(new.id)  # raises if unknown
        cycles = [new if c.id == old.id else c for c in self._cycles]
        self._commit(cycles)
        return new

    # ------------------------------------------------------------------ ramps and exports
    def ramps(self) -> list[list[PDSACycle]]:
        """Linked chains of cycles, each from a first cycle to a last one.

        A cycle followed by two cycles starts two ramps that share the cycles before the fork.
        Ramps are in the order their first cycles were added.
        """
        children: dict[str, list[PDSACycle]] = {}
        for c in self._cycles:
            if c.follows is not None:
                children.setdefault(c.follows, []).append(c)
        chains: list[list[PDSACycle]] = []

        def walk(path: list[PDSACycle]) -> None:
            kids = children.get(path[-1].id, [])
            if not kids:
                chains.append(path)
            for kid in kids:
                walk([*path, kid])

        for root in (c for c in self._cycles if c.follows is None):
            walk([root])
        return chains

    def to_frame(self) -> pd.DataFrame:
        """One row a cycle: every field, its stage, and its ramp and position in that ramp."""
        columns = [f.name for f in dataclasses.fields(PDSACycle)]
        columns = ["id", *[c for c in columns if c != "id"], "stage", "ramp", "position"]
        place: dict[str, tuple[int, int]] = {}
        for r, ramp in enumerate(self.ramps(), start=1):
            for p, cycle in enumerate(ramp, start=1):
                place.setdefault(cycle.id, (r, p))
        rows = []
        for cycle in self._cycles:
            row = cycle.to_dict()
            row["questions"] = "; ".join(cycle.questions)
            row["plan_when"] = cycle.plan_when
            row["do_date"] = cycle.do_date
            row["ramp"], row["position"] = place.get(cycle.id, (None, None))
            rows.append(row)
        return pd.DataFrame(rows, columns=columns)

    def to_csv(self, path: str | Path) -> Path:
        """Save :meth:`to_frame` as CSV (UTF-8, written atomically)."""
        return atomic_write_text(path, self.to_frame().to_csv(index=False))

    def to_markdown(self) -> str:
        """The whole log as Markdown: one section a ramp, one table a cycle."""
        lines = ["# PDSA log", ""]
        if not self._cycles:
            return "# PDSA log\n\nNo cycles yet.\n"
        shown: set[str] = set()
        for r, ramp in enumerate(self.ramps(), start=1):
            lines += [f"## Ramp {r}: {ramp[0].title}", "",
                      " → ".join(f"{c.id} ({c.act_decision or c.stage})" for c in ramp), ""]
            for cycle in ramp:
                if cycle.id in shown:
                    continue
                shown.add(cycle.id)
                lines.append(cycle.to_markdown(heading_level=3))
        return "\n".join(lines)

    def alt_text(self) -> str:
        """A plain-English description of :meth:`plot_ramp`'s figure."""
        ramps = self.ramps()
        if not ramps:
            return "PDSA ramp chart: no cycles have been logged yet."
        parts = [f"PDSA ramp chart: {len(self)} cycle{'s' if len(self) != 1 else ''} in "
                 f"{len(ramps)} ramp{'s' if len(ramps) != 1 else ''}, left to right in order."]
        for r, ramp in enumerate(ramps, start=1):
            steps = []
            for c in ramp:
                when = c.do_date or c.plan_when
                status = c.act_decision or f"at the {c.stage.capitalize()} stage"
                steps.append(f"{c.id} '{c.title}'{' on ' + _uk(when) if when else ''} ({status})")
            parts.append(f"Ramp {r}: " + ", then ".join(steps) + ".")
        return " ".join(parts)

    def plot_ramp(self, ax: Any = None) -> Any:
        """Draw each ramp left to right, one step up per cycle, with dates and decisions.

        Decisions are told apart by marker shape *and* a word under each cycle (adopt: triangle,
        adapt: square, abandon: cross, not yet decided: hollow circle), so colour is never the
        only cue. Returns the matplotlib Axes. Show it with ``qilab.show(ax, log.alt_text())``.
        """
        import matplotlib.pyplot as plt
        from matplotlib.lines import Line2D

        ramps = self.ramps()
        longest = max((len(r) for r in ramps), default=1)
        if ax is None:
            _, ax = plt.subplots(figsize=(max(6.0, 2.6 * longest), max(3.0, 2.2 * len(ramps))))
        styles = {"adopt": ("^", "#007f3b", "ADOPT"), "adapt": ("s", "#005eb8", "ADAPT"),
                  "abandon": ("X", "#d5281b", "ABANDON"), "": ("o", "#425563", "")}
        step = 0.35
        for r, ramp in enumerate(ramps):
            base = -r * (step * longest + 1.6)
            xs = list(range(len(ramp)))
            ys = [base + i * step for i in xs]
            ax.plot(xs, ys, color="#768692", linewidth=1.5, zorder=1)
            for x, y, cycle in zip(xs, ys, ramp):
                marker, colour, word = styles[cycle.act_decision]
                hollow = not cycle.act_decision
                ax.scatter([x], [y], marker=marker, s=190, zorder=3,
                           facecolors="white" if hollow else colour, edgecolors=colour,
                           linewidths=2)
                when = cycle.do_date or cycle.plan_when
                label = f"{cycle.id}: {cycle.title[:28]}{'…' if len(cycle.title) > 28 else ''}"
                ax.annotate(label, (x, y), xytext=(0, 14), textcoords="offset points",
                            ha="center", fontsize=8.5, fontweight="bold")
                status = word or f"({cycle.stage.capitalize()} stage)"
                below = "\n".join(s for s in (_uk(when), status) if s)
                ax.annotate(below, (x, y), xytext=(0, -14), textcoords="offset points",
                            ha="center", va="top", fontsize=8)
            ax.annotate(f"Ramp {r + 1}", (-0.55, base), ha="right", va="center", fontsize=9)
        ax.set_xlim(-1.3, longest - 0.3)
        low = -(len(ramps) - 1) * (step * longest + 1.6) - 1.0 if ramps else -1.0
        ax.set_ylim(low, step * longest + 0.8)
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_title("PDSA ramps: each cycle builds on the one before")
        handles = [Line2D([], [], linestyle="", marker=m, markersize=9,
                          markerfacecolor="white" if not k else c, markeredgecolor=c,
                          label=w.capitalize() if w else "Not decided yet")
                   for k, (m, c, w) in styles.items()]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False,
                  fontsize=8, title="Decision", title_fontsize=8)
        if not ramps:
            ax.text(0.5, 0.5, "No cycles yet", transform=ax.transAxes, ha="center")
        return ax

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(c.id)}</td><td>{html.escape(c.title)}</td>"
            f"<td>{html.escape(c.stage)}</td><td>{html.escape(c.act_decision)}</td></tr>"
            for c in self._cycles)
        return ("<table><caption>PDSA log</caption><thead><tr><th scope='col'>Id</th>"
                "<th scope='col'>Title</th><th scope='col'>Stage</th>"
                f"<th scope='col'>Decision</th></tr></thead><tbody>{rows}</tbody></table>")

    def __repr__(self) -> str:
        return f"PDSALog({str(self.path)!r}, {len(self)} cycles)"
