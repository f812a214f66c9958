"""Widgets for building the QI tool diagrams: driver diagram, fishbone, Pareto, process map,
stakeholder grid, communication plan and five whys.

Each builder is a thin front end over a plain model in :mod:`qilab.tools`: the learner types
into labelled fields (one item a line where a list is needed), presses **Draw**, and sees the
diagram with its description as alt text. ``.value`` is the model's plain dict (``None`` while
the entries are not yet valid), so an exercise can keep or grade it; setting ``.value`` fills
the fields. Problems are shown in words in the message area; nothing the learner typed is ever
cleared. Pictures (PNG, SVG) and the work itself (JSON) are saved atomically.

>>> from qilab.widgets.diagrams import FiveWhysBuilder
>>> w = FiveWhysBuilder()
>>> w.problem.value = "Clinic started late"
>>> w.why_fields[0].value = "Notes were not ready"
>>> w.value["whys"]
['Notes were not ready']
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

import ipywidgets as widgets

from ..errors import QIDataError
from ..tools.communication_plan import FIELDS as PLAN_FIELDS
from ..tools.communication_plan import CommunicationPlan
from ..tools.driver_diagram import DriverDiagram
from ..tools.fishbone import DEFAULT_CATEGORIES, Fishbone
from ..tools.five_whys import FiveWhys
from ..tools.pareto import ParetoResult, pareto
from ..tools.process_map import ProcessMap, Step
from ..tools.stakeholders import StakeholderGrid
from .forms import (
    MessageArea,
    button,
    form,
    paragraph,
    read_lines,
    read_text,
    save_to_folder,
    text_field,
)
from .static import StaticPreview

__all__ = ["DriverDiagramBuilder", "FishboneBuilder", "ParetoBuilder", "ProcessMapBuilder",
           "StakeholderGridBuilder", "CommunicationPlanBuilder", "FiveWhysBuilder"]

_ARROW = re.compile(r"\s*(?:->|→)\s*")


class _Builder(StaticPreview, widgets.VBox):
    """Shared shell: fields, Draw button, messages, figure area and a save row."""

    TITLE = ""
    HELP = ""
    FILE_STEM = "diagram"
    MODEL: Any = None

    def __init__(self, value: dict[str, Any] | None = None, folder: str = ".") -> None:
        self.messages = MessageArea()
        self.output = widgets.Output()
        self.draw_button = button("Draw", primary=True, tooltip="Draw the diagram from the "
                                  "entries above")
        self.folder = text_field("Save in folder", value=str(folder))
        self.file_name = text_field("File name (no extension)", value=self.FILE_STEM,
                                    width="24em")
        self.save_png_button = button("Save picture (PNG)")
        self.save_svg_button = button("Save picture (SVG)")
        self.save_json_button = button("Save my work (JSON)")
        self.last_figure = None  # the ShownFigure last drawn (PNG + alt text)
        self.last_saved: Path | None = None
        fields = self._build_fields()
        self.draw_button.on_click(self.draw)
        self.save_png_button.on_click(lambda _: self.save("png"))
        self.save_svg_button.on_click(lambda _: self.save("svg"))
        self.save_json_button.on_click(lambda _: self.save("json"))
        super().__init__([
            form(paragraph(self.HELP), *fields, label=self.TITLE),
            self.draw_button, self.messages, self.output,
            form(self.folder, self.file_name,
                 widgets.HBox([self.save_png_button, self.save_svg_button,
                               self.save_json_button]), label="Save"),
        ])
        if value is not None:
            self.value = value

    # subclasses ------------------------------------------------------------------------------
    def _build_fields(self) -> list[widgets.Widget]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _read(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def _fill(self, data: dict[str, Any]) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    # shared behaviour ------------------------------------------------------------------------
    def _preview_extra(self) -> str:
        """The static preview shows the example's diagram, as pressing Draw would."""
        from ..display import show

        if self.output.outputs or self.value is None:
            return ""
        model = self._read()
        return show(model.plot(), alt=model.alt_text())._repr_html_()

    def model(self) -> Any:
        """The model built from the entries (raises :class:`qilab.QIDataError` if not valid)."""
        return self._read()

    @property
    def value(self) -> dict[str, Any] | None:
        """The model as a plain dict, or None while the entries are not valid."""
        try:
            return self._read().to_dict()
        except QIDataError:
            return None

    @value.setter
    def value(self, data: dict[str, Any]) -> None:
        model = self.MODEL.from_dict(data)  # validates first, so bad data changes nothing
        self._fill(model.to_dict())

    def _try(self, action: Callable[[], Any]) -> Any:
        try:
            return action()
        except QIDataError as exc:
            self.messages.error(str(exc))
            return None

    def draw(self, _: Any = None) -> bool:
        """Draw the diagram; on bad entries show what to fix and keep the entries."""
        from IPython.display import display

        from ..display import show

        model = self._try(self._read)
        if model is None:
            return False
        shown = show(model.plot(), alt=model.alt_text())
        self.last_figure = shown
        self.output.clear_output(wait=True)
        with self.output:
            display(shown)
        self.messages.success("Drawn. The description below the picture is its alt text.",
                              [model.explain()])
        return True

    def save(self, kind: str) -> Path | None:
        """Save the picture ('png' or 'svg') or the work ('json'); returns the path."""
        model = self._try(self._read)
        if model is None:
            return None
        saver = {"png": model.save_png, "svg": model.save_svg, "json": model.save_json}[kind]
        saved = save_to_folder(self.messages, self.folder, self.file_name, kind, saver,
                               example="falls-driver-diagram")
        if saved is not None:
            self.last_saved = saved
        return saved


def _lines(field: widgets.Widget) -> list[tuple[int, str]]:
    """(line number, text) for each non-empty line of a text area."""
    return [(i, line.strip()) for i, line in enumerate(str(field.value or "").splitlines(), 1)
            if line.strip()]


def _links(field: widgets.Widget, label: str, parent: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for i, line in _lines(field):
        parts = _ARROW.split(line, maxsplit=1)
        if len(parts) != 2 or not parts[0].strip():
            raise QIDataError(f"{label}, line {i} ('{line}'): write the name, then ' -> ', then "
                              f"the {parent}(s) it acts on, separated by ';'.", row=i,
                              field=label)
        parents = [p.strip() for p in parts[1].split(";") if p.strip()]
        if parts[0].strip() in out:
            raise QIDataError(f"{label}, line {i}: {parts[0].strip()!r} is already listed.",
                              row=i, field=label)
        out[parts[0].strip()] = parents
    return out


class DriverDiagramBuilder(_Builder):
    """Build a driver diagram: aim, primary drivers, secondary drivers and change ideas.

    Secondary drivers and change ideas are written one a line as ``name -> parent; parent``.

    >>> w = DriverDiagramBuilder()
    >>> w.aim.value = "Reduce falls by half by March"
    >>> w.primary.value = "Safe environment"
    >>> w.secondary.value = "Clutter-free bays -> Safe environment"
    >>> w.value["secondary"]
    [{'name': 'Clutter-free bays', 'parents': ['Safe environment']}]
    """

    TITLE = "Driver diagram"
    HELP = ("Write your aim, then the primary drivers (one a line). For each secondary driver "
            "and change idea write its name, then ' -> ', then what it acts on; separate two "
            "or more with ';'.")
    FILE_STEM = "driver-diagram"
    MODEL = DriverDiagram

    def _build_fields(self) -> list[widgets.Widget]:
        self.aim = text_field("Aim", placeholder="What, how much, by when")
        self.primary = text_field("Primary drivers (one a line)", multiline=True, rows=4)
        self.secondary = text_field(
            "Secondary drivers (name -> primary driver)", multiline=True, rows=6,
            placeholder="Clutter-free bays -> Safe environment")
        self.changes = text_field(
            "Change ideas (idea -> secondary driver)", multiline=True, rows=6,
            placeholder="Daily declutter at 10 am -> Clutter-free bays")
        return [self.aim, self.primary, self.secondary, self.changes]

    def _read(self) -> DriverDiagram:
        return DriverDiagram(aim=read_text(self.aim), primary=read_lines(self.primary),
                             secondary=_links(self.secondary, "Secondary drivers",
                                              "primary driver"),
                             changes=_links(self.changes, "Change ideas", "secondary driver"))

    def _fill(self, data: dict[str, Any]) -> None:
        self.aim.value = data["aim"]
        self.primary.value = "\n".join(data["primary"])
        self.secondary.value = "\n".join(f"{s['name']} -> {'; '.join(s['parents'])}"
                                         for s in data["secondary"])
        self.changes.value = "\n".join(f"{c['name']} -> {'; '.join(c['parents'])}"
                                       for c in data["changes"])


class FishboneBuilder(_Builder):
    """Build a fishbone: the effect, the categories, and causes written ``Category: cause``.

    >>> w = FishboneBuilder()
    >>> w.effect.value = "Falls at night"
    >>> w.causes.value = "Environment: Poor lighting"
    >>> [c["causes"] for c in w.value["categories"] if c["name"] == "Environment"]
    [['Poor lighting']]
    """

    TITLE = "Fishbone (cause and effect) diagram"
    HELP = ("Write the effect (the problem). Keep, rename or add categories (one a line). Write "
            "each cause on its own line as 'Category: cause'.")
    FILE_STEM = "fishbone"
    MODEL = Fishbone

    def _build_fields(self) -> list[widgets.Widget]:
        self.effect = text_field("Effect (the problem)")
        self.categories = text_field("Categories (one a line)", multiline=True, rows=6,
                                     value="\n".join(DEFAULT_CATEGORIES))
        self.causes = text_field("Causes (Category: cause)", multiline=True, rows=8,
                                 placeholder="People: Night staff new to the ward")
        return [self.effect, self.categories, self.causes]

    def _read(self) -> Fishbone:
        names = read_lines(self.categories)
        lookup = {" ".join(n.split()).casefold(): n for n in names}
        causes: dict[str, list[str]] = {n: [] for n in names}
        for i, line in _lines(self.causes):
            cat, sep, cause = line.partition(":")
            if not sep or not cat.strip() or not cause.strip():
                raise QIDataError(f"Causes, line {i} ('{line}'): write the category, a colon, "
                                  "then the cause, for example 'People: Night staff new to the "
                                  "ward'.", row=i, field="causes")
            found = lookup.get(" ".join(cat.split()).casefold())
            if found is None:
                raise QIDataError(f"Causes, line {i}: the category {cat.strip()!r} is not in "
                                  "the list of categories. Add it there or fix the spelling.",
                                  row=i, field="causes")
            causes[found].append(cause.strip())
        return Fishbone(effect=read_text(self.effect), categories=causes)

    def _fill(self, data: dict[str, Any]) -> None:
        self.effect.value = data["effect"]
        self.categories.value = "\n".join(c["name"] for c in data["categories"])
        self.causes.value = "\n".join(f"{c['name']}: {cause}" for c in data["categories"]
                                      for cause in c["causes"])


class ParetoBuilder(_Builder):
    """Build a Pareto chart from lines of ``category, count``.

    >>> w = ParetoBuilder()
    >>> w.data.value = "Interruptions, 12\\nLook-alike packs, 3\\nPoor lighting, 1"
    >>> w.model().vital_few
    ['Interruptions', 'Look-alike packs']
    """

    TITLE = "Pareto chart"
    HELP = ("Write one category a line with its count after a comma, for example "
            "'Interruptions, 12'. The chart sorts them and marks the vital few.")
    FILE_STEM = "pareto"
    MODEL = ParetoResult

    def _build_fields(self) -> list[widgets.Widget]:
        self.chart_title = text_field("Chart title", value="Pareto chart")
        self.category_label = text_field("What the categories are", value="Category",
                                         width="24em")
        self.count_label = text_field("What is counted", value="Count", width="24em")
        self.data = text_field("Categories and counts (category, count)", multiline=True,
                               rows=8, placeholder="Interruptions, 12")
        return [self.chart_title, self.category_label, self.count_label, self.data]

    def _read(self) -> ParetoResult:
        cats, counts, line_of = [], [], {}
        for i, line in _lines(self.data):
            cat, sep, count = line.rpartition(",")
            if not sep or not cat.strip():
                raise QIDataError(f"Line {i} ('{line}'): write the category, a comma, then the "
                                  "count, for example 'Interruptions, 12'.", row=i,
                                  field="data")
            cats.append(cat.strip())
            counts.append(count.strip())
            line_of[len(cats)] = i
        try:
            return pareto(category=cats, count=counts, title=read_text(self.chart_title)
                          or "Pareto chart",
                          category_label=read_text(self.category_label) or "Category",
                          count_label=read_text(self.count_label) or "Count")
        except QIDataError as exc:
            if exc.row in line_of:  # say "line" (what the learner sees), not "row"
                message = re.sub(r"^Row \d+", f"Line {line_of[exc.row]}", str(exc))
                raise QIDataError(message, row=line_of[exc.row], field="data") from exc
            raise

    def _fill(self, data: dict[str, Any]) -> None:
        self.chart_title.value = data.get("title", "Pareto chart")
        self.category_label.value = data.get("category_label", "Category")
        self.count_label.value = data.get("count_label", "Count")
        self.data.value = "\n".join(f"{c}, {n}" for c, n in zip(data["categories"],
                                                                data["counts"]))


class ProcessMapBuilder(_Builder):
    """Build a swim-lane process map from lines of ``kind | name | lane | next``.

    Decisions have two targets: ``decision | name | lane | if yes | if no``; ends have none.

    >>> w = ProcessMapBuilder()
    >>> w.map_title.value = "Blood test"
    >>> w.steps.value = "start | Test needed | Doctor | Take sample\\nend | Take sample | Nurse"
    >>> w.value["lanes"]
    ['Doctor', 'Nurse']
    """

    TITLE = "Process map"
    HELP = ("One step a line, parts separated by '|': 'start | name | lane | next step', "
            "'step | name | lane | next step', 'decision | question? | lane | step if yes | "
            "step if no', 'end | name | lane'. The lane is the role or team that does the step.")
    FILE_STEM = "process-map"
    MODEL = ProcessMap

    def _build_fields(self) -> list[widgets.Widget]:
        self.map_title = text_field("Title of the process")
        self.steps = text_field("Steps (kind | name | lane | next)", multiline=True, rows=10,
                                placeholder="start | Patient arrives | Reception | Booked in")
        return [self.map_title, self.steps]

    def _read(self) -> ProcessMap:
        steps = []
        expected = {"start": 4, "step": 4, "decision": 5, "end": 3}
        for i, line in _lines(self.steps):
            parts = [p.strip() for p in line.split("|")]
            kind = parts[0].lower()
            if kind not in expected:
                raise QIDataError(f"Steps, line {i} ('{line}'): start the line with start, step, "
                                  "decision or end, then '|'.", row=i, field="steps")
            if len(parts) != expected[kind]:
                shapes = {"start": "start | name | lane | next step",
                          "step": "step | name | lane | next step",
                          "decision": "decision | question? | lane | step if yes | step if no",
                          "end": "end | name | lane"}
                raise QIDataError(f"Steps, line {i} ('{line}'): a {kind} line has "
                                  f"{expected[kind]} parts: '{shapes[kind]}'.", row=i,
                                  field="steps")
            if kind == "decision":
                steps.append(Step(parts[1], kind, parts[2], yes=parts[3], no=parts[4]))
            elif kind == "end":
                steps.append(Step(parts[1], kind, parts[2]))
            else:
                steps.append(Step(parts[1], kind, parts[2], next=parts[3]))
        return ProcessMap(read_text(self.map_title), steps)

    def _fill(self, data: dict[str, Any]) -> None:
        self.map_title.value = data["title"]
        lines = []
        for s in data["steps"]:
            if s["kind"] == "decision":
                lines.append(f"decision | {s['name']} | {s['lane']} | {s['yes']} | {s['no']}")
            elif s["kind"] == "end":
                lines.append(f"end | {s['name']} | {s['lane']}")
            else:
                lines.append(f"{s['kind']} | {s['name']} | {s['lane']} | {s['next']}")
        self.steps.value = "\n".join(lines)


class StakeholderGridBuilder(_Builder):
    """Build a stakeholder grid from lines of ``name, power, interest`` (scores 1 to 5).

    >>> w = StakeholderGridBuilder()
    >>> w.people.value = "Ward manager, 5, 5\\nPatients, 2, 5"
    >>> [p["quadrant"] for p in w.value["stakeholders"]]
    ['manage closely', 'keep informed']
    """

    TITLE = "Stakeholder map"
    HELP = ("One person or group a line: name, power (1 to 5), interest (1 to 5). Power is how "
            "much they can help or block the work; interest is how much it matters to them.")
    FILE_STEM = "stakeholders"
    MODEL = StakeholderGrid

    def _build_fields(self) -> list[widgets.Widget]:
        self.grid_title = text_field("Title", value="Stakeholder map")
        self.people = text_field("Stakeholders (name, power, interest)", multiline=True,
                                 rows=8, placeholder="Ward manager, 5, 5")
        return [self.grid_title, self.people]

    def _read(self) -> StakeholderGrid:
        people = []
        for i, line in _lines(self.people):
            parts = line.rsplit(",", 2)
            if len(parts) != 3 or not parts[0].strip():
                raise QIDataError(f"Stakeholders, line {i} ('{line}'): write the name, power "
                                  "and interest separated by commas, for example 'Ward "
                                  "manager, 5, 4'.", row=i, field="stakeholders")
            people.append((parts[0].strip(), parts[1].strip(), parts[2].strip()))
        if not people:
            raise QIDataError("Add at least one stakeholder: name, power, interest.",
                              field="stakeholders")
        return StakeholderGrid(people, title=read_text(self.grid_title) or "Stakeholder map")

    def _fill(self, data: dict[str, Any]) -> None:
        self.grid_title.value = data.get("title", "Stakeholder map")
        self.people.value = "\n".join(f"{p['name']}, {p['power']}, {p['interest']}"
                                      for p in data["stakeholders"])


class CommunicationPlanBuilder(_Builder):
    """Build a communication plan from lines of ``audience | what | how | how often | who``.

    >>> w = CommunicationPlanBuilder()
    >>> w.plan.value = "Matron | Results so far | Meeting | every month | Ana"
    >>> w.value["lines"][0]["owner"]
    'Ana'
    """

    TITLE = "Communication plan"
    HELP = ("One line for each person or group, with five parts separated by '|': who they are, "
            "what they need to know (or what you need from them), how you will reach them, how "
            "often, and who in the team does it.")
    FILE_STEM = "communication-plan"
    MODEL = CommunicationPlan

    def _build_fields(self) -> list[widgets.Widget]:
        self.plan_title = text_field("Title", value="Communication plan")
        self.plan = text_field("Plan (audience | what | how | how often | who)", multiline=True,
                               rows=8, placeholder="Ward manager | Results so far | Meeting | "
                               "every week | Project lead")
        return [self.plan_title, self.plan]

    def _read(self) -> CommunicationPlan:
        rows = []
        for i, line in _lines(self.plan):
            parts = [p.strip() for p in line.split("|")]
            if len(parts) != len(PLAN_FIELDS) or not all(parts):
                raise QIDataError(f"Plan, line {i} ('{line}'): write five parts separated by "
                                  "'|': audience | what they need to know | how | how often | "
                                  "who. Every part needs some words.", row=i, field="plan")
            rows.append(parts)
        if not rows:
            raise QIDataError("Add at least one line: audience | what they need to know | how | "
                              "how often | who.", field="plan")
        return CommunicationPlan(rows, title=read_text(self.plan_title) or "Communication plan")

    def _fill(self, data: dict[str, Any]) -> None:
        self.plan_title.value = data.get("title", "Communication plan")
        self.plan.value = "\n".join(" | ".join(line[f] for f in PLAN_FIELDS)
                                    for line in data["lines"])


class FiveWhysBuilder(_Builder):
    """Build a five whys chain: the problem, answers to "why?", root cause, counter-measure.

    Starts with five "why" fields; **Add another why** adds more.
    """

    TITLE = "Five whys"
    HELP = ("Write the problem, then answer 'Why did that happen?' in each box, each answer "
            "explaining the one above. Stop when you reach a cause you can act on; add more "
            "boxes if you need them.")
    FILE_STEM = "five-whys"
    MODEL = FiveWhys

    def _build_fields(self) -> list[widgets.Widget]:
        self.problem = text_field("Problem")
        self.why_fields: list[widgets.Text] = [text_field(f"Why {i}?") for i in range(1, 6)]
        self.whys_box = widgets.VBox(list(self.why_fields))
        self.add_why_button = button("Add another why")
        self.add_why_button.on_click(lambda _: self.add_why())
        self.root_cause = text_field("Root cause")
        self.countermeasure = text_field("Counter-measure to test")
        return [self.problem, self.whys_box, self.add_why_button, self.root_cause,
                self.countermeasure]

    def add_why(self) -> widgets.Text:
        """Add one more "why" field and return it."""
        field = text_field(f"Why {len(self.why_fields) + 1}?")
        self.why_fields.append(field)
        self.whys_box.children = tuple(self.why_fields)
        return field

    def _read(self) -> FiveWhys:
        answers = [read_text(f) for f in self.why_fields]
        while answers and not answers[-1]:
            answers.pop()
        return FiveWhys(read_text(self.problem), answers, root_cause=read_text(self.root_cause),
                        countermeasure=read_text(self.countermeasure))

    def _fill(self, data: dict[str, Any]) -> None:
        self.problem.value = data["problem"]
        while len(self.why_fields) < len(data["whys"]):
            self.add_why()
        for i, field in enumerate(self.why_fields):
            field.value = data["whys"][i] if i < len(data["whys"]) else ""
        self.root_cause.value = data.get("root_cause", "")
        self.countermeasure.value = data.get("countermeasure", "")

