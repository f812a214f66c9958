"""Small-number suppression for published tables, with secondary suppression.

A count from 1 to 4 in a published table shows as "fewer than 5" (the NHS small-number rule;
a zero is shown, unless that gives the small counts away: see below). Hiding one cell is not enough when the table shows totals: a hidden cell is
the row total minus the rest of its row. So other cells are hidden too ("withheld") until no
hidden cell can be worked out from the totals and what is shown. That is checked exactly: for
each hidden cell a linear programme finds the smallest and largest value it could take, given
every row and column total, that small counts are 1 to 4 and withheld counts are 5 or more; a
cell whose smallest and largest agree would leak, so another cell is withheld.

Sometimes withholding is not enough, because the zeros on show give the rest away: nine
projects in nine cells "fewer than 5", with every other cell 0, must be one each. Then the
table hides its zeros as well ("fewer than 5" then means 0 to 4; a listed row still has at
least one), and is protected again.

>>> t = pd.DataFrame({"staff": [40, 3, 25], "patients and carers": [6, 7, 2]},
...                  index=["A", "B", "C"])
>>> s = suppress(t)
>>> s.display().loc["B", "staff"], s.display().loc["C", "patients and carers"]
('fewer than 5', 'fewer than 5')
>>> s.leaks()
[]

Two tables of the same people can give away together what neither gives away alone: if one
table splits a sector's 23 people into organisations A (3) and B (20) and hides only A, the
sector table's 23 gives A back. :func:`suppress_nested` suppresses a table and the coarser
table made by adding its rows in groups together, with both tables' totals and the sums that
link them in one system, so that no hidden cell of either can be worked out from both.

>>> by_org = pd.DataFrame({"staff": [3, 20, 30, 40]}, index=["A", "B", "C", "D"])
>>> orgs, sectors = suppress_nested(by_org, {"A": "NHS", "B": "NHS", "C": "Council",
...                                          "D": "Council"})
>>> sectors.display().loc["NHS", "staff"], orgs.leaks(), sectors.leaks()
('23', [], [])
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np
import pandas as pd

THRESHOLD = 5
SMALL = "fewer than 5"
WITHHELD = "withheld"
TOTAL = "Total"


Cell = tuple[int, int]
Line = list[tuple[int, int]]  # (flat cell index, sign): the signed cells add up to zero


@dataclass(frozen=True)
class _System:
    """Every cell published together (flattened, one table after another), the sums that tie
    them (each table's totals and any sums linking the tables), and which cells are totals."""

    values: np.ndarray
    lines: list[Line]
    total: np.ndarray
    state: np.ndarray
    floor: np.ndarray  # the least a "fewer than 5" cell can be: 1, or 0 where zeros are hidden


@dataclass(frozen=True)
class SuppressedTable:
    """Counts with their totals, and which cells are hidden and why.

    ``counts`` has a ``Total`` column (when there is more than one column) and a ``Total`` row
    (when there is more than one row); ``state`` is ``"shown"``, ``"small"`` or ``"withheld"``
    for each cell of ``counts``. A table suppressed together with another (see
    :func:`suppress_nested`) checks its hidden cells against both.
    """

    counts: pd.DataFrame
    state: pd.DataFrame
    _system: _System | None = field(default=None, compare=False, repr=False)
    _offset: int = field(default=0, compare=False, repr=False)

    def display(self) -> pd.DataFrame:
        """The table to publish: numbers as text, hidden cells as words."""
        out = self.counts.map(lambda x: f"{int(x):,}")
        out = out.mask(self.state == "small", SMALL)
        return out.mask(self.state == "withheld", WITHHELD)

    def ranges(self) -> dict[tuple[str, str], tuple[float, float]]:
        """For each hidden cell, the smallest and largest value consistent with what is shown
        (in this table and in any table published with it)."""
        system = self._system
        if system is None:
            base = _table_system(self.counts)
            system = _System(base.values, base.lines, base.total,
                             self.state.to_numpy().ravel(), base.floor)
        size = self.counts.size
        own = range(self._offset, self._offset + size)
        found = _ranges(system.values, system.state, system.lines, system.floor,
                        only=set(own))
        cols = self.counts.shape[1]
        return {(self.counts.index[(k - self._offset) // cols],
                 self.counts.columns[(k - self._offset) % cols]): span
                for k, span in found.items()}

    @property
    def zeros_hidden(self) -> bool:
        """Whether this table shows its zeros as "fewer than 5" too (see the module notes)."""
        return self._system is not None and bool(
            (self._system.floor[self._offset:self._offset + self.counts.size] == 0).any())

    def leaks(self) -> list[tuple[str, str]]:
        """Hidden cells whose value can be worked out exactly (empty when suppression works)."""
        return [cell for cell, (low, high) in self.ranges().items() if high - low < 0.5]


def _shape(counts: pd.DataFrame) -> tuple[bool, bool]:
    """(has a Total column, has a Total row)."""
    return TOTAL in counts.columns, TOTAL in counts.index


def with_totals(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with a Total column (if it has 2+ columns) and a Total row (if 2+ rows)."""
    out = table.astype("int64").copy()
    if out.shape[1] > 1:
        out[TOTAL] = out.sum(axis=1)
    if out.shape[0] > 1:
        out.loc[TOTAL] = out.sum(axis=0)
    return out


def _constraints(shape: tuple[int, int], has_col: bool, has_row: bool, offset: int = 0
                 ) -> list[Line]:
    """The total lines of one table with totals, as flat cell indices from ``offset``."""
    rows, cols = shape
    body_r = rows - 1 if has_row else rows
    body_c = cols - 1 if has_col else cols

    def at(i: int, j: int) -> int:
        return offset + i * cols + j

    lines = []
    if has_col:
        for i in range(rows):
            lines.append([(at(i, j), 1) for j in range(body_c)] + [(at(i, cols - 1), -1)])
    if has_row:
        for j in range(cols):
            lines.append([(at(i, j), 1) for i in range(body_r)] + [(at(rows - 1, j), -1)])
    return lines


def _total_mask(counts: pd.DataFrame) -> np.ndarray:
    has_col, has_row = _shape(counts)
    mask = np.zeros(counts.shape, bool)
    if has_col:
        mask[:, -1] = True
    if has_row:
        mask[-1, :] = True
    return mask.ravel()


def _row_totals(counts: pd.DataFrame) -> np.ndarray:
    """Cells that hold a body row's total (the Total column, or the only column): a row is
    listed only when it has someone in it, so a reader knows these are at least 1."""
    mask = np.zeros(counts.shape, bool)
    rows = counts.shape[0] - (TOTAL in counts.index)
    mask[:rows, -1] = True
    return mask.ravel()


def _table_system(counts: pd.DataFrame, zeros_hidden: bool = False) -> _System:
    """The table's cells, lines and starting state. Counts from 1 to 4 are "small"; with
    ``zeros_hidden`` every count under 5 is, zeros too, and a hidden count may be 0."""
    values = counts.to_numpy(float).ravel()
    if zeros_hidden:
        state = np.where(values < THRESHOLD, "small", "shown").astype(object)
        floor = np.where(_row_totals(counts), 1.0, 0.0)
    else:
        state = np.where((values > 0) & (values < THRESHOLD), "small", "shown").astype(object)
        floor = np.ones(values.shape)
    return _System(values, _constraints(counts.shape, *_shape(counts)), _total_mask(counts),
                   state, floor)


def _movable(values: np.ndarray, state: np.ndarray, shape_flags: tuple[bool, bool]
             ) -> set[int]:
    """Hidden cells of one table (2-D ``values`` and ``state``) that can take another value
    by a rectangle move: +1 and -1 at opposite corners of four hidden cells keeps every total,
    so if the four stay within their bounds the cell is not fixed. (Totals count with the
    opposite sign, the grand total with its own.) A quick, exact witness; cells without one go
    to the linear programme. Returns flat indices."""
    rows, cols = values.shape
    has_col, has_row = shape_flags
    sign = np.ones(values.shape)
    if has_col:
        sign[:, -1] = -1
    if has_row:
        sign[-1, :] = -1
    if has_col and has_row:
        sign[-1, -1] = 1
    low = np.where(state == "small", 1, THRESHOLD)
    hidden = state != "shown"

    def fits(cells: list[Cell], steps: list[int]) -> bool:
        for cell, step in zip(cells, steps):
            new = values[cell] + step * sign[cell]
            if new < low[cell] or (state[cell] == "small" and new > THRESHOLD - 1):
                return False
        return True

    free: set[int] = set()
    for r1 in range(rows):
        for r2 in range(r1 + 1, rows):
            both = np.flatnonzero(hidden[r1] & hidden[r2])
            for a in range(len(both)):
                for b in range(a + 1, len(both)):
                    c1, c2 = both[a], both[b]
                    cells = [(r1, c1), (r1, c2), (r2, c1), (r2, c2)]
                    if fits(cells, [1, -1, -1, 1]) or fits(cells, [-1, 1, 1, -1]):
                        free.update(i * cols + j for i, j in cells)
    return free


def _ranges(values: np.ndarray, state: np.ndarray, lines: list[Line], floor: np.ndarray, *,
            skip: set[int] = frozenset(), only: set[int] | None = None
            ) -> dict[int, tuple[float, float]]:
    """The smallest and largest value of each hidden cell (flat index) given every line, that
    small counts are 1 to 4 (0 to 4 where zeros are hidden too) and withheld ones 5 or more
    (a linear programme per end)."""
    from scipy.optimize import linprog

    hidden = [int(k) for k in np.flatnonzero(state != "shown")]
    if not hidden:
        return {}
    position = {cell: k for k, cell in enumerate(hidden)}
    a_eq, b_eq = [], []
    for line in lines:
        if not any(cell in position for cell, _ in line):
            continue
        row = np.zeros(len(hidden))
        known = 0.0
        for cell, sign in line:
            if cell in position:
                row[position[cell]] += sign
            else:
                known += sign * values[cell]
        a_eq.append(row)
        b_eq.append(-known)
    bounds = [(floor[c], THRESHOLD - 1) if state[c] == "small" else (THRESHOLD, None)
              for c in hidden]
    out = {}
    for k, cell in enumerate(hidden):
        if cell in skip or (only is not None and cell not in only):
            continue
        objective = np.zeros(len(hidden))
        objective[k] = 1
        ends = []
        for sign in (1, -1):
            if not a_eq:
                ends.append(bounds[k][0] if sign == 1 else (bounds[k][1] or np.inf))
                continue
            res = linprog(sign * objective, A_eq=np.array(a_eq), b_eq=np.array(b_eq),
                          bounds=bounds, method="highs")
            if res.status == 3:  # unbounded above
                ends.append(np.inf)
            else:
                ends.append(sign * res.fun if res.status == 0 else np.nan)
        out[cell] = (ends[0], ends[1])
    return out


def _algebraic_leaks(state: np.ndarray, lines: list[Line]) -> list[int]:
    """Hidden cells fixed by the lines alone (a quick test before the linear programmes)."""
    hidden = [int(k) for k in np.flatnonzero(state != "shown")]
    if not hidden:
        return []
    position = {cell: k for k, cell in enumerate(hidden)}
    rows = []
    for line in lines:
        row = np.zeros(len(hidden))
        for cell, sign in line:
            if cell in position:
                row[position[cell]] += sign
        if row.any():
            rows.append(row)
    if not rows:
        return []
    _, singular, vt = np.linalg.svd(np.array(rows))
    rank = int((singular > 1e-9).sum())
    null = vt[rank:]
    return [cell for k, cell in enumerate(hidden)
            if null.shape[0] == 0 or np.abs(null[:, k]).max() < 1e-9]


def _protect(system: _System, movable: Callable[[np.ndarray], set[int]] | None = None,
             keep: frozenset[int] = frozenset()) -> tuple[np.ndarray, bool]:
    """Withhold more cells of ``system`` until no hidden cell can be worked out. Returns the
    state and whether that worked; cells in ``keep`` (totals published elsewhere) are never
    withheld."""
    values, lines, total = system.values, system.lines, system.total
    state = system.state.copy()
    while True:
        leaking = _algebraic_leaks(state, lines)
        if not leaking:
            ranges = _ranges(values, state, lines, system.floor,
                             skip=movable(state) if movable else frozenset())
            leaking = [k for k, (low, high) in ranges.items() if not high - low >= 0.5]
        if not leaking:
            return state, True

        def open_cells(cells) -> list[int]:
            return [c for c in cells if state[c] == "shown" and values[c] > 0
                    and c not in keep]

        def near(cells) -> set[int]:
            return {c for line in lines if any(x in cells for x, _ in line) for c, _ in line}

        # withhold, in this order of preference: a body cell on the most lines (rows, columns
        # or links between tables) where a leaking cell is the only hidden one, as those lines
        # are what give it away; a body cell sharing a line with the first leaking cell; one
        # sharing a line with any leaking cell; a total near them; any cell. Within each, the
        # smallest, so that as little as possible is lost.
        alone = [line for line in lines if any(x in leaking for x, _ in line)
                 and sum(state[x] != "shown" for x, _ in line) == 1]
        on_alone = {c: sum(any(c == x for x, _ in line) for line in alone)
                    for c in {c for line in alone for c, _ in line}}
        best = max((on_alone[c] for c in open_cells(on_alone) if not total[c]), default=0)
        first = near([leaking[0]])
        every = near(leaking)
        options = ([c for c in open_cells(on_alone) if not total[c] and on_alone[c] == best],
                   [c for c in open_cells(first) if not total[c]],
                   [c for c in open_cells(every) if not total[c]],
                   open_cells(every),
                   open_cells(np.flatnonzero(state == "shown")))
        chosen = next((o for o in options if o), None)
        if chosen is None:
            return state, False
        state[min(chosen, key=lambda c: values[c])] = "withheld"


def _frame(counts: pd.DataFrame, state: np.ndarray, system: _System | None = None,
           offset: int = 0) -> SuppressedTable:
    grid = np.asarray(state, dtype=object).reshape(counts.shape)
    return SuppressedTable(counts, pd.DataFrame(grid, index=counts.index,
                                                columns=counts.columns), system, offset)


def _grand_total(counts: pd.DataFrame, offset: int = 0) -> frozenset[int]:
    """The flat index of the grand total (the last cell), to keep it on show."""
    return frozenset({offset + counts.size - 1})


def suppress(table: pd.DataFrame, *, public_total: bool = False) -> SuppressedTable:
    """Add totals to a table of counts and hide small counts so they cannot be worked back.

    ``public_total``: the grand total is published anyway (such as the number of people
    trained, or of projects, given in the report's text), so it is never withheld: the cells
    are protected with it on show. (A grand total from 1 to 4 is still hidden.)"""
    counts = with_totals(table)
    grid = counts.to_numpy(float)
    flags = _shape(counts)
    keep = _grand_total(counts) if public_total else frozenset()
    for zeros_hidden in (False, True):
        system = _table_system(counts, zeros_hidden)
        movable = None if zeros_hidden else (
            lambda s: _movable(grid, s.reshape(grid.shape), flags))
        state, safe = _protect(system, movable, keep)
        if safe:
            break
    return _frame(counts, state, _System(system.values, system.lines, system.total, state,
                                         system.floor))


def suppress_nested(table: pd.DataFrame, groups: Mapping[str, str], *,
                    public_total: bool = False) -> tuple[SuppressedTable, SuppressedTable]:
    """Suppress ``table`` and the coarser table made by adding its rows up by ``groups`` (row
    label to group label, for example organisation to sector) together, so that neither can be
    worked back from the other. Returns (the table, the grouped table), each with totals.
    ``public_total`` keeps both grand totals on show, as for :func:`suppress`."""
    from ..errors import QIDataError

    missing = [str(r) for r in table.index if r not in groups]
    if missing:
        raise QIDataError(f"Rows {', '.join(missing)} have no group: give each row of the "
                          "table a group (for example each organisation its sector).",
                          field="groups")
    coarse = table.groupby([groups[r] for r in table.index]).sum()
    fine_counts, coarse_counts = with_totals(table), with_totals(coarse)
    offset = fine_counts.size
    lines = (_constraints(fine_counts.shape, *_shape(fine_counts))
             + _constraints(coarse_counts.shape, *_shape(coarse_counts), offset))
    # each body row of the grouped table is the sum of its rows in the fine table, column by
    # column, Total column included (the grand totals then agree as well)
    cols = fine_counts.shape[1]
    for g, label in enumerate(coarse_counts.index):
        members = [i for i, r in enumerate(fine_counts.index)
                   if r != TOTAL and groups[r] == label] if label != TOTAL else []
        for j in range(cols) if members else ():
            lines.append([(i * cols + j, 1) for i in members] + [(offset + g * cols + j, -1)])
    keep = (_grand_total(fine_counts) | _grand_total(coarse_counts, offset) if public_total
            else frozenset())
    for zeros_hidden in (False, True):
        fine, grouped = (_table_system(fine_counts, zeros_hidden),
                         _table_system(coarse_counts, zeros_hidden))
        system = _System(np.concatenate([fine.values, grouped.values]), lines,
                         np.concatenate([fine.total, grouped.total]),
                         np.concatenate([fine.state, grouped.state]),
                         np.concatenate([fine.floor, grouped.floor]))
        state, safe = _protect(system, keep=keep)
        if safe:
            break
    joint = _System(system.values, lines, system.total, state, system.floor)
    return (_frame(fine_counts, state[:offset], joint, 0),
            _frame(coarse_counts, state[offset:], joint, offset))
