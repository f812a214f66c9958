"""Small-number suppression: tables built to leak a small count through their totals."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qilab.programme.suppression import SMALL, TOTAL, WITHHELD, suppress


def possible_values(s) -> dict[tuple, set[int]]:
    """Brute force, independent of the linear programme: every whole-number table consistent
    with what is shown (small = 1..4, withheld >= 5), and the values each hidden cell takes."""
    counts, state = s.counts, s.state.to_numpy()
    has_col, has_row = TOTAL in counts.columns, TOTAL in counts.index
    values = counts.to_numpy(np.int64)
    n_r, n_c = values.shape[0] - has_row, values.shape[1] - has_col
    hidden = [(i, j) for i in range(n_r) for j in range(n_c) if state[i, j] != "shown"]
    top = int(values.max())

    def upper(i, j) -> int:  # a body cell is at most any total shown for its row or column
        bounds = [top]
        if has_col and state[i, -1] == "shown":
            bounds.append(int(values[i, -1]))
        if has_row and state[-1, j] == "shown":
            bounds.append(int(values[-1, j]))
        return min(bounds)

    # in a row whose total is shown, the last hidden cell follows from the others
    derived = {}
    for i in range(n_r):
        in_row = [c for c in hidden if c[0] == i]
        if has_col and state[i, -1] == "shown" and in_row:
            derived[in_row[-1]] = i
    free = [c for c in hidden if c not in derived]
    ranges = [np.arange(1, 5) if state[c] == "small" else np.arange(5, upper(*c) + 1)
              for c in free]
    assert np.prod([len(r) for r in ranges], dtype=float) < 3e6, "table too big to brute force"
    grids = np.meshgrid(*ranges, indexing="ij") if ranges else []
    combos = np.stack([g.ravel() for g in grids], axis=1) if ranges else np.zeros((1, 0), int)
    full = np.broadcast_to(values, (len(combos), *values.shape)).copy()
    for k, (i, j) in enumerate(free):
        full[:, i, j] = combos[:, k]
    for (i, j), row in derived.items():
        full[:, i, j] = 0
        full[:, i, j] = values[row, -1] - full[:, i, :n_c].sum(axis=1)
    if has_col:
        full[:, :n_r, -1] = full[:, :n_r, :n_c].sum(axis=2)
    if has_row:
        full[:, -1, :] = full[:, :n_r, :].sum(axis=1)
    if has_col and has_row:
        full[:, -1, -1] = full[:, :n_r, :n_c].sum(axis=(1, 2))
    ok = np.ones(len(combos), bool)
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            cell = full[:, i, j]
            if state[i, j] == "shown":
                ok &= cell == values[i, j]
            elif state[i, j] == "small":
                ok &= (cell >= 1) & (cell <= 4)
            else:
                ok &= cell >= 5
    return {(counts.index[i], counts.columns[j]): set(full[ok, i, j].tolist())
            for i in range(values.shape[0]) for j in range(values.shape[1])
            if state[i, j] != "shown"}


def assert_safe(s):
    counts = s.counts.to_numpy()
    shown = s.display()
    small = (counts > 0) & (counts < 5)
    assert (shown.to_numpy()[small] == SMALL).all(), "every count from 1 to 4 shows as such"
    visible = s.state.to_numpy() == "shown"
    assert (shown.to_numpy()[visible] == s.counts.map(lambda x: f"{int(x):,}").to_numpy()[
        visible]).all()
    for cell, values in possible_values(s).items():
        assert len(values) >= 2, f"{cell} can be worked out: it must be {values}"


LEAKY = {
    "one small cell in a row": pd.DataFrame({"staff": [10, 12], "patients": [3, 9]},
                                            index=["A", "B"]),
    "one small cell in a list with a total": pd.DataFrame({"people": [50, 2, 20]},
                                                          index=["A", "B", "C"]),
    "small row total": pd.DataFrame({"staff": [0, 14], "patients": [3, 15]}, index=["A", "B"]),
    # hiding 1 and 5 is not enough: 1..4 plus 5 or more making 6 pins both
    "interval leak": pd.DataFrame({"staff": [1, 6, 5], "patients": [5, 7, 6]},
                                  index=["A", "B", "C"]),
    "small grand total": pd.DataFrame({"staff": [1, 0], "patients": [0, 2]}, index=["A", "B"]),
    "two small in one column": pd.DataFrame({"staff": [3, 4, 14], "patients": [9, 8, 7]},
                                            index=["A", "B", "C"]),
}


@pytest.mark.parametrize("name", LEAKY)
def test_tables_built_to_leak_do_not(name):
    s = suppress(LEAKY[name])
    assert_safe(s)
    assert s.leaks() == []


def test_secondary_cells_are_marked_withheld_not_small():
    s = suppress(LEAKY["one small cell in a row"])
    shown = s.display()
    assert shown.loc["A", "patients"] == SMALL
    assert (shown == WITHHELD).to_numpy().sum() >= 1
    assert shown.loc[TOTAL, TOTAL] == "34"


def test_nothing_hidden_when_every_count_is_5_or_more():
    s = suppress(pd.DataFrame({"x": [5, 9], "y": [0, 12]}, index=["A", "B"]))
    assert (s.state == "shown").all().all()
    assert s.display().loc["A", "y"] == "0"  # a zero is shown


def test_linear_programme_ranges_agree_with_brute_force():
    s = suppress(LEAKY["interval leak"])
    brute = possible_values(s)
    for cell, (low, high) in s.ranges().items():
        assert (min(brute[cell]), max(brute[cell])) == (low, min(high, max(brute[cell])))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(0, 9), min_size=2, max_size=2), min_size=2, max_size=3))
def test_random_small_tables_never_leak(rows):
    table = pd.DataFrame(np.array(rows), columns=["staff", "patients"],
                         index=[f"R{i}" for i in range(len(rows))])
    s = suppress(table)
    assert s.leaks() == []
    counts = s.counts.to_numpy()
    assert ((s.state.to_numpy() != "shown") | ~((counts > 0) & (counts < 5))).all()
