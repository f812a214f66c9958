"""Process maps: the steps of a process, who does them, and the decisions along the way.

A :class:`ProcessMap` is a list of :class:`Step` objects. Each step has a name (unique), a
kind (``start``, ``step``, ``decision`` or ``end``), a swim lane (the role or team that does
it) and where it goes next: ``next`` for starts and steps, ``yes`` and ``no`` for decisions;
ends go nowhere. Arrows may loop back (for example "No: ask again").

Validation (each problem raises :class:`qilab.QIDataError` naming the step): names must be
unique; there must be at least one start and one end; every arrow must point at a step that
exists (and not at a start); a decision needs both a yes and a no; and every step must be
reachable from a start.

The drawing is a swim-lane flowchart, left to right: one row a lane, steps placed in columns by
how far they are from the start, arrows routed at right angles between them.

>>> from qilab.tools.process_map import ProcessMap, Step
>>> pm = ProcessMap("Ordering a blood test", [
...     Step("Doctor decides a test is needed", "start", "Doctor", next="Request on system"),
...     Step("Request on system", lane="Doctor", next="Sample taken?"),
...     Step("Sample taken?", "decision", "Nurse", yes="Sample sent to lab", no="Request on system"),
...     Step("Sample sent to lab", "end", "Nurse")])
>>> pm.lanes
('Doctor', 'Nurse')
>>> [s.name for s in pm.ordered_steps()][-1]
'Sample sent to lab'
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from matplotlib.axes import Axes
from matplotlib.patches import FancyBboxPatch, Rectangle

from ..errors import QIDataError
from ._drawing import EDGE, FILL, Diagram, block_height, box, canvas, clean, diamond, key, wrap

__all__ = ["ProcessMap", "Step", "STEP_KINDS"]

STEP_KINDS = ("start", "step", "decision", "end")


@dataclass(frozen=True)
class Step:
    """One step of a process map.

    >>> Step("Triage", lane="Nurse", next="Seen by doctor").kind
    'step'
    """

    name: str
    kind: str = "step"
    lane: str = ""
    next: str | None = None
    yes: str | None = None
    no: str | None = None

    def __post_init__(self) -> None:
        name = clean(self.name, "Step name")
        object.__setattr__(self, "name", name)
        kind = clean(self.kind or "step", f"Kind of step {name!r}").lower()
        if kind not in STEP_KINDS:
            raise QIDataError(f"Step {name!r} has kind {self.kind!r}; use one of "
                              f"{', '.join(STEP_KINDS)}.", field=name)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "lane", clean(self.lane, f"Lane of step {name!r}",
                                               allow_empty=True))
        for attr in ("next", "yes", "no"):
            value = getattr(self, attr)
            value = clean(value, f"'{attr}' of step {name!r}", allow_empty=True) or None
            object.__setattr__(self, attr, value)

    def targets(self) -> list[tuple[str, str]]:
        """(label, target) for each arrow leaving this step ('' label for plain arrows)."""
        if self.kind == "decision":
            return [(lbl, t) for lbl, t in (("Yes", self.yes), ("No", self.no)) if t]
        return [("", self.next)] if self.next else []

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "lane": self.lane, "next": self.next,
                "yes": self.yes, "no": self.no}


def _steps(values: Any) -> tuple[Step, ...]:
    out = []
    for i, item in enumerate(values or (), start=1):
        if isinstance(item, Step):
            out.append(item)
        elif isinstance(item, Mapping):
            allowed = {"name", "kind", "lane", "next", "yes", "no"}
            extra = set(item) - allowed
            if extra:
                raise QIDataError(f"Step {i} has unknown field(s) {sorted(extra)}; use "
                                  f"{sorted(allowed)}.", field=f"step {i}")
            if not str(item.get("name") or "").strip():
                raise QIDataError(f"Step {i} has no name.", field=f"step {i}")
            out.append(Step(**{k: item.get(k) for k in allowed if k in item}))
        else:
            raise QIDataError(f"Step {i} should be a Step or a dict, got {item!r}.",
                              field=f"step {i}")
    return tuple(out)


@dataclass(frozen=True)
class ProcessMap(Diagram):
    """A swim-lane process map: steps, decisions, lanes, start and end.

    ``lanes`` (optional) fixes the order of the lanes; by default they appear in the order the
    steps first use them.
    """

    title: str
    steps: tuple[Step, ...] = ()
    lanes: tuple[str, ...] | None = None

    SCHEMA = "qilab.process_map"
    SCHEMA_VERSION = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "title", clean(self.title, "Title"))
        steps = _steps(self.steps)
        object.__setattr__(self, "steps", steps)
        if self.lanes is None:
            lanes: list[str] = []
            for s in steps:
                if key(s.lane) not in {key(lane) for lane in lanes}:
                    lanes.append(s.lane)
        else:
            lanes = [clean(lane, f"Lane {i}") for i, lane in
                     enumerate([self.lanes] if isinstance(self.lanes, str) else self.lanes, 1)]
            if len({key(lane) for lane in lanes}) != len(lanes):
                raise QIDataError("The same lane is listed twice.", field="lanes")
            named = {key(lane): lane for lane in lanes}
            fixed = []
            for s in steps:
                if key(s.lane) not in named:
                    raise QIDataError(f"Step {s.name!r} is in lane {s.lane!r}, which is not one "
                                      f"of the lanes ({', '.join(lanes)}).", field=s.name)
                fixed.append(Step(s.name, s.kind, named[key(s.lane)], s.next, s.yes, s.no))
            steps = tuple(fixed)
            object.__setattr__(self, "steps", steps)
        object.__setattr__(self, "lanes", tuple(lanes))
        self._validate()

    def _validate(self) -> None:
        steps = self.steps
        if not steps:
            raise QIDataError("A process map needs steps: at least a start and an end.",
                              field="steps")
        by_key: dict[str, Step] = {}
        for s in steps:
            if key(s.name) in by_key:
                raise QIDataError(f"Two steps are called {s.name!r}: give each step its own "
                                  "name.", field=s.name)
            by_key[key(s.name)] = s
        starts = [s for s in steps if s.kind == "start"]
        if not starts:
            raise QIDataError("The map has no start step: mark where the process begins "
                              "(kind 'start').", field="steps")
        if not any(s.kind == "end" for s in steps):
            raise QIDataError("The map has no end step: mark where the process finishes "
                              "(kind 'end').", field="steps")
        for s in steps:
            if s.kind == "decision":
                for attr in ("yes", "no"):
                    if not getattr(s, attr):
                        raise QIDataError(f"Decision {s.name!r} has no '{attr}' branch: say "
                                          f"which step follows when the answer is {attr}.",
                                          field=s.name)
                if s.next:
                    raise QIDataError(f"Decision {s.name!r} has a 'next' step; a decision uses "
                                      "'yes' and 'no' instead.", field=s.name)
            elif s.kind == "end":
                if s.next or s.yes or s.no:
                    raise QIDataError(f"End step {s.name!r} leads to another step; an end has no "
                                      "next step (make it a 'step' instead).", field=s.name)
            else:
                if not s.next:
                    raise QIDataError(f"Step {s.name!r} has no next step: say what happens "
                                      "next, or make it an 'end'.", field=s.name)
                if s.yes or s.no:
                    raise QIDataError(f"Step {s.name!r} has yes/no branches but is not a "
                                      "decision: make it kind 'decision'.", field=s.name)
            for label, target in s.targets():
                t = by_key.get(key(target))
                branch = f"'{label.lower()}' branch" if label else "next step"
                if t is None:
                    raise QIDataError(f"The {branch} of {s.name!r} is {target!r}, which is not "
                                      "a step in this map. Add it or fix the spelling.",
                                      field=s.name)
                if t.kind == "start":
                    raise QIDataError(f"The {branch} of {s.name!r} points back at the start "
                                      f"{t.name!r}; point it at the first real step instead.",
                                      field=s.name)
        reached = set()
        todo = [key(s.name) for s in starts]
        while todo:
            k = todo.pop()
            if k in reached:
                continue
            reached.add(k)
            todo.extend(key(t) for _, t in by_key[k].targets())
        lost = [s.name for s in steps if key(s.name) not in reached]
        if lost:
            raise QIDataError(f"{_plural(len(lost), 'Step')} {', '.join(map(repr, lost))} "
                              f"cannot be reached from the start: link {'it' if len(lost) == 1 else 'them'} "
                              "from an earlier step or remove "
                              f"{'it' if len(lost) == 1 else 'them'}.", field=lost[0])

    # ---- plain data -------------------------------------------------------------------------
    def step(self, name: str) -> Step:
        """The step called ``name`` (case and spacing do not matter)."""
        for s in self.steps:
            if key(s.name) == key(name):
                return s
        raise QIDataError(f"There is no step called {name!r}.", field=name)

    def to_dict(self) -> dict[str, Any]:
        """Plain data: ``{"title", "lanes", "steps": [{"name", "kind", "lane", ...}]}``."""
        return {"title": self.title, "lanes": list(self.lanes),
                "steps": [s.to_dict() for s in self.steps]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ProcessMap":
        """Rebuild a map from :meth:`to_dict` output."""
        if not isinstance(data, Mapping):
            raise QIDataError("A process map must be a dict with 'title' and 'steps'.",
                              field="steps")
        lanes = data.get("lanes")
        return cls(title=data.get("title", ""), steps=data.get("steps", ()),
                   lanes=tuple(lanes) if lanes else None)

    def _structure(self) -> tuple[list[Step], set[tuple[str, str]]]:
        """Steps in a left-to-right order and the set of arrows that loop back."""
        by_key = {key(s.name): s for s in self.steps}
        back: set[tuple[str, str]] = set()
        state: dict[str, int] = {}

        def visit(k: str) -> None:  # depth-first search; an arrow to a step in progress loops
            state[k] = 1
            for _, t in by_key[k].targets():
                tk = key(t)
                if state.get(tk) == 1:
                    back.add((k, tk))
                elif tk not in state:
                    visit(tk)
            state[k] = 2

        for s in self.steps:
            if s.kind == "start" and key(s.name) not in state:
                visit(key(s.name))
        indegree = {k: 0 for k in by_key}
        for k, s in by_key.items():
            for _, t in s.targets():
                if (k, key(t)) not in back:
                    indegree[key(t)] += 1
        position = {key(s.name): i for i, s in enumerate(self.steps)}
        ready = sorted((k for k, d in indegree.items() if d == 0), key=position.get)
        order: list[Step] = []
        while ready:
            k = ready.pop(0)
            order.append(by_key[k])
            for _, t in by_key[k].targets():
                tk = key(t)
                if (k, tk) in back:
                    continue
                indegree[tk] -= 1
                if indegree[tk] == 0:
                    ready.append(tk)
                    ready.sort(key=position.get)
        return order, back

    def ordered_steps(self) -> list[Step]:
        """The steps from start to end (loops ignored), as the diagram reads left to right."""
        return self._structure()[0]

    # ---- words ------------------------------------------------------------------------------
    def explain(self) -> str:
        """The map in plain English, step by step."""
        order, _ = self._structure()
        lanes = [lane for lane in self.lanes if lane]
        n_dec = sum(s.kind == "decision" for s in self.steps)
        decisions = f", {_plural(n_dec, 'decision')}" if n_dec else ""
        text = [f"Process map: {self.title}. It has {_plural(len(self.steps), 'step')}"
                f"{decisions}"
                + (f", in {_plural(len(lanes), 'swim lane')} ({', '.join(lanes)})." if lanes
                   else ".")]
        for s in order:
            who = f" ({s.lane})" if s.lane else ""
            if s.kind == "start":
                text.append(f"It starts with '{s.name}'{who}, then goes to '{s.next}'.")
            elif s.kind == "decision":
                text.append(f"Decision '{s.name}'{who}: if yes, go to '{s.yes}'; if no, go to "
                            f"'{s.no}'.")
            elif s.kind == "end":
                text.append(f"It ends with '{s.name}'{who}.")
            else:
                text.append(f"'{s.name}'{who} leads to '{s.next}'.")
        return " ".join(text)

    def alt_text(self) -> str:
        """Alt text for the figure: the flowchart in words."""
        return "Swim-lane flowchart. " + self.explain()

    # ---- drawing ----------------------------------------------------------------------------
    FONT_SIZE = 8
    COLUMN = 1.6
    STEP_WIDTH = 1.22
    DIAMOND_WIDTH = 1.32
    LANE_HEADER = 1.2

    def _sizes(self, s: Step) -> tuple[float, float, list[str]]:
        fs = self.FONT_SIZE
        if s.kind == "decision":
            lines = wrap(s.name, self.DIAMOND_WIDTH * 0.6, fs)
            h = max(0.85, 2 * block_height(len(lines), fs) + 0.22)
            return self.DIAMOND_WIDTH, h, lines
        lines = wrap(s.name, self.STEP_WIDTH - 0.16, fs)
        return self.STEP_WIDTH, block_height(len(lines), fs) + 0.24, lines

    def _draw(self, ax: Axes | None) -> Axes:
        fs, cw = self.FONT_SIZE, self.COLUMN
        order, back = self._structure()
        lane_index = {key(lane): i for i, lane in enumerate(self.lanes)}
        col: dict[str, int] = {}
        taken: set[tuple[int, int]] = set()
        preds: dict[str, list[str]] = {key(s.name): [] for s in self.steps}
        for s in self.steps:
            for _, t in s.targets():
                if (key(s.name), key(t)) not in back:
                    preds[key(t)].append(key(s.name))
        by_key = {key(s.name): s for s in self.steps}
        for s in order:
            k = key(s.name)
            li = lane_index[key(s.lane)]
            c = 0
            for p in preds[k]:
                if p not in col:
                    continue
                pli = lane_index[key(by_key[p].lane)]
                # a plain step handing over to another lane goes straight up or down (same
                # column) when nothing is in the way; otherwise move one column right
                lanes_between = range(min(li, pli) + 1, max(li, pli))
                compact = (by_key[p].kind in ("start", "step") and pli != li
                           and not any((lb, col[p]) in taken for lb in lanes_between))
                c = max(c, col[p] if compact else col[p] + 1)
            while (li, c) in taken:
                c += 1
            col[k] = c
            taken.add((li, c))
        n_cols = max(col.values()) + 1
        sizes = {key(s.name): self._sizes(s) for s in self.steps}
        lane_h = []
        for lane in self.lanes:
            hs = [sizes[key(s.name)][1] for s in self.steps if key(s.lane) == key(lane)]
            lane_h.append(max([1.05] + [h + 0.5 for h in hs]))
        margin, title_h = 0.12, 0.45
        width = 2 * margin + self.LANE_HEADER + n_cols * cw
        height = 2 * margin + title_h + sum(lane_h)
        ax = canvas(width, height, ax)
        ax.text(width / 2, height - margin - title_h / 2, self.title, ha="center", va="center",
                fontsize=fs + 4, fontweight="bold")
        lane_top, lane_bottom, lane_mid = [], [], []
        y = height - margin - title_h
        for i, lane in enumerate(self.lanes):
            h = lane_h[i]
            lane_top.append(y)
            lane_bottom.append(y - h)
            lane_mid.append(y - h / 2)
            ax.add_patch(Rectangle((margin, y - h), width - 2 * margin, h,
                                   facecolor="#f3f3f3" if i % 2 == 0 else "#ffffff",
                                   edgecolor="#999999", lw=0.8, zorder=0))
            ax.add_patch(Rectangle((margin, y - h), self.LANE_HEADER, h, facecolor="#dde5ee",
                                   edgecolor="#999999", lw=0.8, zorder=0))
            label = wrap(lane or "(no lane)", self.LANE_HEADER - 0.16, fs + 0.5, "bold")
            ax.text(margin + self.LANE_HEADER / 2, y - h / 2, "\n".join(label), ha="center",
                    va="center", fontsize=fs + 0.5, fontweight="bold", multialignment="center")
            y -= h
        geo: dict[str, tuple[float, float, float, float, int, int]] = {}
        for s in self.steps:
            k = key(s.name)
            w, h, lines = sizes[k]
            li = lane_index[key(s.lane)]
            x = margin + self.LANE_HEADER + cw * (col[k] + 0.5)
            yc = lane_mid[li]
            geo[k] = (x, yc, w, h, li, col[k])
            if s.kind == "decision":
                diamond(ax, x, yc, w, h, lines, fs)
            elif s.kind in ("start", "end"):
                ax.add_patch(FancyBboxPatch((x - w / 2, yc - h / 2), w, h,
                                            boxstyle=f"round,pad=0,rounding_size={h / 2:.3f}",
                                            facecolor=FILL[s.kind], edgecolor=EDGE, lw=1.2,
                                            zorder=2))
                ax.text(x, yc, "\n".join(lines), ha="center", va="center", fontsize=fs,
                        fontweight="bold", linespacing=1.2, zorder=3, multialignment="center")
            else:
                box(ax, x, yc, w, h, lines, fs, fill=FILL["step"], rounded=False)
        occupied = {(geo[k][4], geo[k][5]) for k in geo}
        for s in self.steps:
            a = geo[key(s.name)]
            for label, target in s.targets():
                b = geo[key(target)]
                is_back = (key(s.name), key(target)) in back or b[5] <= a[5] and b[4] == a[4]
                exit_side = "right"
                if s.kind == "decision" and label == "No" and not is_back:
                    exit_side = "top" if b[4] < a[4] else "bottom"
                points = self._route(a, b, exit_side, is_back, lane_top, lane_bottom, occupied)
                self._arrow(ax, points)
                if label:
                    (x0, y0), (_, y1) = points[0], points[1]
                    if abs(y1 - y0) < 1e-9:  # leaves sideways
                        ax.text(x0 + 0.04, y0 + 0.04, label, fontsize=fs - 0.5, ha="left",
                                va="bottom", fontstyle="italic", zorder=4)
                    else:
                        ax.text(x0 + 0.05, y0 + (0.04 if y1 > y0 else -0.04), label,
                                fontsize=fs - 0.5, ha="left", va="bottom" if y1 > y0 else "top",
                                fontstyle="italic", zorder=4)
        return ax

    @staticmethod
    def _route(a, b, exit_side, is_back, lane_top, lane_bottom, occupied):
        ax_, ay, aw, ah, ali, acol = a
        bx, by, bw, bh, bli, bcol = b
        if is_back:
            low = max(ali, bli)
            y_ch = lane_bottom[low] + 0.12
            return [(ax_, ay - ah / 2), (ax_, y_ch), (bx, y_ch), (bx, by - bh / 2)]
        x_gap = bx - bw / 2 - 0.14
        toward = 1 if bli < ali else -1  # +1: target lane is above
        if exit_side in ("top", "bottom"):
            sign = 1 if exit_side == "top" else -1
            start = (ax_, ay + sign * ah / 2)
            if bli == ali:
                y_ch = lane_top[ali] - 0.1 if sign > 0 else lane_bottom[ali] + 0.1
                return [start, (ax_, y_ch), (bx, y_ch), (bx, by + sign * bh / 2)]
            if bcol == acol:
                return [start, (bx, by - sign * bh / 2)]
            # along the edge of the target lane, then in from the left
            y_ch = lane_bottom[bli] + 0.1 if toward > 0 else lane_top[bli] - 0.1
            return [start, (ax_, y_ch), (x_gap, y_ch), (x_gap, by), (bx - bw / 2, by)]
        if bcol == acol:  # same column, another lane: straight up or down
            sign = 1 if by > ay else -1
            return [(ax_, ay + sign * ah / 2), (bx, by - sign * bh / 2)]
        start = (ax_ + aw / 2, ay)
        between = any((ali, c) in occupied for c in range(acol + 1, bcol))
        if bli == ali:
            if not between:
                return [start, (bx - bw / 2, by)]
            y_ch = lane_top[ali] - 0.1
            return [(ax_, ay + ah / 2), (ax_, y_ch), (bx, y_ch), (bx, by + bh / 2)]
        if between:  # leave through the lane edge nearer the target, not through other steps
            y_ch = lane_top[ali] - 0.1 if toward > 0 else lane_bottom[ali] + 0.1
            return [(ax_, ay + toward * ah / 2), (ax_, y_ch), (x_gap, y_ch), (x_gap, by),
                    (bx - bw / 2, by)]
        return [start, (x_gap, ay), (x_gap, by), (bx - bw / 2, by)]

    @staticmethod
    def _arrow(ax: Axes, points: list[tuple[float, float]]) -> None:
        if len(points) > 2:
            xs, ys = zip(*points[:-1])
            ax.plot(xs, ys, color="#444444", lw=1.0, zorder=1, solid_joinstyle="miter")
        ax.annotate("", xy=points[-1], xytext=points[-2],
                    arrowprops={"arrowstyle": "-|>", "color": "#444444", "lw": 1.0,
                                "shrinkA": 0, "shrinkB": 0, "mutation_scale": 10}, zorder=1)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
