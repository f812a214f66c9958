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


def _ranges(values: np.ndarray, state: np.ndarray, shape_flags: tuple[bool, bool],
            counts: pd.DataFrame) -> dict[tuple[str, str], tuple[float, float]]:
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


def suppress(table: pd.DataFrame) -> SuppressedTable:
    """Add totals to a table of counts and hide small counts so they cannot be worked back."""
    counts = with_totals(table)
    values = counts.to_numpy(float)
    state = np.where((values > 0) & (values < THRESHOLD), "small", "shown").astype(object)
    flags = _shape(counts)
    lines = _constraints(values.shape, *flags)
    while True:
        ranges = _ranges(values, state, flags, counts)
        leaking = [(counts.index.get_loc(r), counts.columns.get_loc(c))
                   for (r, c), (low, high) in ranges.items() if not high - low >= 0.5]
        if not leaking:
            break
        cell = leaking[0]
        near = {c for line in lines if any(x == cell for x, _ in line) for c, _ in line}
        candidates = [c for c in near if state[c] == "shown" and values[c] > 0]
        if not candidates:
            candidates = [tuple(c) for c in np.argwhere((state == "shown") & (values > 0))]
        if not candidates:
            break
        # withhold the smallest cell, body cells before totals, so as little as possible is lost
        n_rows, n_cols = values.shape
        state[min(candidates, key=lambda c: (
            (flags[1] and c[0] == n_rows - 1) or (flags[0] and c[1] == n_cols - 1),
            values[c]))] = "withheld"
    return SuppressedTable(counts, pd.DataFrame(state, index=counts.index,
                                                columns=counts.columns))
