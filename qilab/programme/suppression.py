"""Small-number suppression for published tables, with secondary suppression.

A count from 1 to 4 in a published table shows as "fewer than 5" (the NHS small-number rule;
a zero is shown). Hiding one cell is not enough when the table shows totals: a hidden cell is
the row total minus the rest of its row. So other cells are hidden too ("withheld") until no
hidden cell can be worked out from the totals and what is shown. That is checked exactly: for
each hidden cell a linear programme finds the smallest and largest value it could take, given
every row and column total, that small counts are 1 to 4 and withheld counts are 5 or more; a
cell whose smallest and largest agree would leak, so another cell is withheld.

>>> t = pd.DataFrame({"staff": [40, 3, 25], "patients and carers": [6, 7, 2]},
...                  index=["A", "B", "C"])
>>> s = suppress(t)
>>> s.display().loc["B", "staff"], s.display().loc["C", "patients and carers"]
('fewer than 5', 'fewer than 5')
>>> s.leaks()
[]
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

THRESHOLD = 5
SMALL = "fewer than 5"
WITHHELD = "withheld"
TOTAL = "Total"


@dataclass(frozen=True)
class SuppressedTable:
    """Counts with their totals, and which cells are hidden and why.

    ``counts`` has a ``Total`` column (when there is more than one column) and a ``Total`` row
    (when there is more than one row); ``state`` is ``"shown"``, ``"small"`` or ``"withheld"``
    for each cell of ``counts``.
    """

    counts: pd.DataFrame
    state: pd.DataFrame

    def display(self) -> pd.DataFrame:
        """The table to publish: numbers as text, hidden cells as words."""
        out = self.counts.map(lambda x: f"{int(x):,}")
        out = out.mask(self.state == "small", SMALL)
        return out.mask(self.state == "withheld", WITHHELD)

    def ranges(self) -> dict[tuple[str, str], tuple[float, float]]:
        """For each hidden cell, the smallest and largest value consistent with what is shown."""
        return _ranges(self.counts.to_numpy(float), self.state.to_numpy(), _shape(self.counts),
                       self.counts)

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


def _constraints(shape: tuple[int, int], has_col: bool, has_row: bool) -> list[list[tuple]]:
    """Lines of the augmented table as lists of ((i, j), sign) summing to zero."""
    rows, cols = shape
    body_r = rows - 1 if has_row else rows
    body_c = cols - 1 if has_col else cols
    lines = []
    if has_col:
        for i in range(rows):
            lines.append([((i, j), 1) for j in range(body_c)] + [((i, cols - 1), -1)])
    if has_row:
        for j in range(cols):
            lines.append([((i, j), 1) for i in range(body_r)] + [((rows - 1, j), -1)])
    return lines


def _movable(values: np.ndarray, state: np.ndarray, shape_flags: tuple[bool, bool]
             ) -> set[tuple[int, int]]:
    """Hidden cells that can take another value by a rectangle move: +1 and -1 at opposite
    corners of four hidden cells keeps every total, so if the four stay within their bounds
    the cell is not fixed. (Totals count with the opposite sign, the grand total with its own.)
    A quick, exact witness; cells without one go to the linear programme."""
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

    def fits(cells: list[tuple[int, int]], steps: list[int]) -> bool:
        for cell, step in zip(cells, steps):
            new = values[cell] + step * sign[cell]
            if new < low[cell] or (state[cell] == "small" and new > THRESHOLD - 1):
                return False
        return True

    free: set[tuple[int, int]] = set()
    for r1 in range(rows):
        for r2 in range(r1 + 1, rows):
            both = np.flatnonzero(hidden[r1] & hidden[r2])
            for a in range(len(both)):
                for b in range(a + 1, len(both)):
                    c1, c2 = both[a], both[b]
                    cells = [(r1, c1), (r1, c2), (r2, c1), (r2, c2)]
                    if fits(cells, [1, -1, -1, 1]) or fits(cells, [-1, 1, 1, -1]):
                        free.update(cells)
    return free


def _ranges(values: np.ndarray, state: np.ndarray, shape_flags: tuple[bool, bool],
            counts: pd.DataFrame, skip: set[tuple[int, int]] = frozenset()
            ) -> dict[tuple[str, str], tuple[float, float]]:
    from scipy.optimize import linprog

    hidden = [tuple(ix) for ix in np.argwhere(state != "shown")]
    if not hidden:
        return {}
    position = {cell: k for k, cell in enumerate(hidden)}
    lines = _constraints(values.shape, *shape_flags)
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
    bounds = [(1, THRESHOLD - 1) if state[c] == "small" else (THRESHOLD, None) for c in hidden]
    out = {}
    for k, cell in enumerate(hidden):
        if cell in skip:
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
        out[(counts.index[cell[0]], counts.columns[cell[1]])] = (ends[0], ends[1])
    return out


def _algebraic_leaks(values: np.ndarray, state: np.ndarray, lines: list[list[tuple]]
                     ) -> list[tuple[int, int]]:
    """Hidden cells fixed by the totals alone (a quick test before the linear programmes)."""
    hidden = [tuple(ix) for ix in np.argwhere(state != "shown")]
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


def suppress(table: pd.DataFrame) -> SuppressedTable:
    """Add totals to a table of counts and hide small counts so they cannot be worked back."""
    counts = with_totals(table)
    values = counts.to_numpy(float)
    state = np.where((values > 0) & (values < THRESHOLD), "small", "shown").astype(object)
    flags = _shape(counts)
    lines = _constraints(values.shape, *flags)
    while True:
        leaking = _algebraic_leaks(values, state, lines)
        if not leaking:
            ranges = _ranges(values, state, flags, counts,
                             skip=_movable(values, state, flags))
            leaking = [(counts.index.get_loc(r), counts.columns.get_loc(c))
                       for (r, c), (low, high) in ranges.items() if not high - low >= 0.5]
        if not leaking:
            break
        n_rows, n_cols = values.shape

        def is_total(c: tuple) -> bool:
            return bool((flags[1] and c[0] == n_rows - 1) or (flags[0] and c[1] == n_cols - 1))

        def open_cells(cells) -> list[tuple]:
            return [c for c in cells if state[c] == "shown" and values[c] > 0]

        def near(cells) -> set[tuple]:
            return {c for line in lines if any(x in cells for x, _ in line) for c, _ in line}

        # withhold, in this order of preference: a body cell sharing a row or column with the
        # first leaking cell; one sharing a line with any leaking cell; a total near them; any
        # cell. Within each, the smallest, so that as little as possible is lost.
        first = near([leaking[0]])
        every = near(leaking)
        options = ([c for c in open_cells(first) if not is_total(c)],
                   [c for c in open_cells(every) if not is_total(c)],
                   open_cells(every),
                   open_cells(tuple(c) for c in np.argwhere(state == "shown")))
        chosen = next((o for o in options if o), None)
        if chosen is None:
            break
        state[min(chosen, key=lambda c: values[c])] = "withheld"
    return SuppressedTable(counts, pd.DataFrame(state, index=counts.index,
                                                columns=counts.columns))
