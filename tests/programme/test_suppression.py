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
    # a table that hides its zeros too: there small is 0 to 4, except a listed row's total
    low = np.zeros(values.shape, int) if s.zeros_hidden else np.ones(values.shape, int)
    if s.zeros_hidden:
        low[:n_r, -1] = 1
    ranges = [np.arange(low[c], 5) if state[c] == "small" else np.arange(5, upper(*c) + 1)
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
                ok &= (cell >= low[i, j]) & (cell <= 4)
            else:
                ok &= cell >= 5
    return {(counts.index[i], counts.columns[j]): set(full[ok, i, j].tolist())
            for i in range(values.shape[0]) for j in range(values.shape[1])
            if state[i, j] != "shown"}


def assert_safe(s):
    counts = s.counts.to_numpy()
    assert (s.state != "shown").to_numpy().any(), "the table was built with a small count"
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
    # four cells "fewer than 5" adding up to "fewer than 5" must each be 1, unless zeros hide
    "all ones": pd.DataFrame({"staff": [1, 1], "patients": [1, 1]}, index=["A", "B"]),
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


# ---- two tables of the same people: by organisation, and by sector --------------------------

def possible_nested(fine, coarse, groups) -> dict[tuple, set[int]]:
    """Brute force, independent of the linear programme: every whole-number organisation table
    that agrees with everything both published tables show, and the values each hidden cell
    (of either table) takes."""
    f_state, c_state = fine.state.to_numpy(), coarse.state.to_numpy()
    values = fine.counts.to_numpy(np.int64)
    n_r = len(fine.counts.index) - (TOTAL in fine.counts.index)
    n_c = len(fine.counts.columns) - (TOTAL in fine.counts.columns)
    labels = list(coarse.counts.index[:len(coarse.counts.index) - (TOTAL in coarse.counts.index)])
    member = np.array([[groups[r] == g for r in fine.counts.index[:n_r]] for g in labels], int)
    shown_values = [v for t in (fine, coarse)
                    for v in t.counts.to_numpy()[t.state.to_numpy() == "shown"]]

    def upper(i, j) -> int:
        bounds = [int(max(shown_values))]
        if TOTAL in fine.counts.columns and f_state[i, -1] == "shown":
            bounds.append(int(values[i, -1]))
        if TOTAL in fine.counts.index and f_state[-1, j] == "shown":
            bounds.append(int(values[-1, j]))
        return min(bounds)

    hidden = [(i, j) for i in range(n_r) for j in range(n_c) if f_state[i, j] != "shown"]
    ranges = [np.arange(1, 5) if f_state[c] == "small" else np.arange(5, upper(*c) + 1)
              for c in hidden]
    assert np.prod([len(r) for r in ranges], dtype=float) < 3e6, "too big to brute force"
    grids = np.meshgrid(*ranges, indexing="ij")
    combos = np.stack([g.ravel() for g in grids], axis=1)
    body = np.broadcast_to(values[:n_r, :n_c], (len(combos), n_r, n_c)).copy()
    for k, (i, j) in enumerate(hidden):
        body[:, i, j] = combos[:, k]

    def full(b: np.ndarray, counts) -> np.ndarray:
        if TOTAL in counts.columns:
            b = np.concatenate([b, b.sum(axis=2, keepdims=True)], axis=2)
        if TOTAL in counts.index:
            b = np.concatenate([b, b.sum(axis=1, keepdims=True)], axis=1)
        return b

    tables = [full(body, fine.counts), full(np.einsum("gr,nrc->ngc", member, body),
                                            coarse.counts)]
    ok = np.ones(len(combos), bool)
    for t, state, s in ((tables[0], f_state, fine), (tables[1], c_state, coarse)):
        known = s.counts.to_numpy()
        for i, j in zip(*np.nonzero(state == "shown")):
            ok &= t[:, i, j] == known[i, j]
        for i, j in zip(*np.nonzero(state == "small")):
            ok &= (t[:, i, j] >= 1) & (t[:, i, j] <= 4)
        for i, j in zip(*np.nonzero(state == "withheld")):
            ok &= t[:, i, j] >= 5
    found = {}
    for name, t, state, s in (("organisation", tables[0], f_state, fine),
                              ("sector", tables[1], c_state, coarse)):
        for i, j in zip(*np.nonzero(state != "shown")):
            found[(name, s.counts.index[i], s.counts.columns[j])] = set(t[ok, i, j].tolist())
    return found


# Suppressed on its own, the organisation table hides A's 3 staff and then withholds cells of
# organisation C (the smallest near it), leaving B's 40 on show: the sector table's 43 NHS
# staff then gives A's 3 straight back.
NESTED = pd.DataFrame({"staff": [3, 40, 12, 60], "patients": [10, 50, 30, 70]},
                      index=["A", "B", "C", "D"])
SECTORS = {"A": "NHS", "B": "NHS", "C": "Council", "D": "Council"}


def test_two_tables_suppressed_apart_leak_a_small_count_through_each_other():
    from qilab.programme.suppression import suppress

    coarse = NESTED.groupby([SECTORS[r] for r in NESTED.index], sort=False).sum()
    apart = suppress(NESTED), suppress(coarse)
    assert apart[0].leaks() == [] and apart[1].leaks() == []   # each safe on its own ...
    assert possible_nested(*apart, SECTORS)[("organisation", "A", "staff")] == {3}  # ... not both


def test_nested_tables_suppressed_together_leak_nothing():
    from qilab.programme.suppression import suppress_nested

    fine, coarse = suppress_nested(NESTED, SECTORS)
    assert fine.display().loc["A", "staff"] == SMALL
    assert fine.leaks() == [] and coarse.leaks() == []
    for cell, values in possible_nested(fine, coarse, SECTORS).items():
        assert len(values) >= 2, f"{cell} can be worked out: it must be {values}"
    # nothing is lost that need not be: the sector table is all shown
    assert (coarse.state == "shown").all().all()
    assert coarse.display().loc[TOTAL, TOTAL] == fine.display().loc[TOTAL, TOTAL] == "275"


def test_a_row_with_no_group_is_a_clear_error():
    from qilab import QIDataError
    from qilab.programme.suppression import suppress_nested

    with pytest.raises(QIDataError, match="C, D have no group"):
        suppress_nested(NESTED, {"A": "NHS", "B": "NHS"})


@settings(max_examples=15, deadline=None)
@given(st.lists(st.lists(st.integers(0, 9), min_size=2, max_size=2), min_size=3, max_size=4),
       st.lists(st.sampled_from(["X", "Y"]), min_size=4, max_size=4))
def test_random_nested_tables_never_leak(rows, labels):
    from qilab.programme.suppression import suppress_nested

    table = pd.DataFrame(np.array(rows), columns=["staff", "patients"],
                         index=[f"R{i}" for i in range(len(rows))])
    groups = dict(zip(table.index, labels))
    fine, coarse = suppress_nested(table, groups)
    assert fine.leaks() == [] and coarse.leaks() == []
    for s in (fine, coarse):
        counts = s.counts.to_numpy()
        assert ((s.state.to_numpy() != "shown") | ~((counts > 0) & (counts < 5))).all()


def test_a_published_total_with_zeros_on_show_would_give_the_ones_away():
    # five people in five cells and a zero: with the total of 5 on show, every shown zero
    # leaves the five "fewer than 5" cells no room but 1 each
    table = pd.DataFrame({"staff": [0, 1, 1], "patients": [1, 1, 1]}, index=["A", "B", "C"])
    plain = suppress(table)
    assert plain.display().loc[TOTAL, TOTAL] == WITHHELD and plain.leaks() == []
    public = suppress(table, public_total=True)  # the report states the total anyway
    assert public.display().loc[TOTAL, TOTAL] == "5"
    assert public.zeros_hidden and public.display().loc["A", "staff"] == SMALL
    assert public.leaks() == []
    assert_safe(public)
