"""Red beads: shape, reproducibility, sampling without replacement, theory, leaderboard."""
from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from qilab.display import show  # noqa: E402
from qilab.errors import QIDataError  # noqa: E402
from qilab.sims import red_beads as rb  # noqa: E402


def test_default_run_shape_and_order():
    df = rb.run_red_beads(seed=1)
    assert list(df.columns) == rb.COLUMNS
    assert len(df) == 6 * 4
    assert df["draw"].tolist() == list(range(1, 25))
    assert df["day"].tolist() == [d for d in range(1, 5) for _ in range(6)]
    assert df["worker"].tolist()[:6] == list(rb.DEFAULT_WORKERS)
    assert (df["paddle"] == 50).all() and (df["red_share"] == 0.2).all()
    assert (df["n_beads"] == 4000).all()
    assert df["red"].between(0, 50).all()
    assert str(df["red"].dtype) == "int64"


def test_same_seed_same_frame_and_different_seed_differs():
    a = rb.run_red_beads(seed=11, days=10)
    pd.testing.assert_frame_equal(a, rb.run_red_beads(seed=11, days=10))
    assert not a["red"].equals(rb.run_red_beads(seed=12, days=10)["red"])


def test_workers_as_a_number_and_custom_paddle():
    df = rb.run_red_beads(workers=3, paddle=20, days=2, seed=2)
    assert df["worker"].unique().tolist() == ["Worker 1", "Worker 2", "Worker 3"]
    assert (df["paddle"] == 20).all() and df["red"].le(20).all()


def test_draws_are_without_replacement_from_the_box():
    # A paddle as big as the box takes every bead: always exactly the red beads in the box.
    df = rb.run_red_beads(rb.BeadBox(n_beads=10, red_share=0.5), paddle=10, days=20, seed=3)
    assert (df["red"] == 5).all()
    # With 8 of 10 beads (5 red), between 3 and 5 red are possible; with replacement 0-8 are.
    df = rb.run_red_beads(rb.BeadBox(n_beads=10, red_share=0.5), paddle=8, days=200, seed=3)
    assert df["red"].between(3, 5).all()
    assert set(df["red"]) == {3, 4, 5}


def test_mean_and_variance_match_hypergeometric_theory():
    df = rb.run_red_beads(days=400, seed=2024)  # 2400 draws
    lim = rb.hypergeometric_limits()
    se = lim.sd / math.sqrt(len(df))
    assert lim.mean == pytest.approx(rb.expected_red()) == pytest.approx(10.0)
    assert abs(df["red"].mean() - lim.mean) < 4.5 * se
    assert df["red"].var(ddof=1) == pytest.approx(lim.sd ** 2, rel=0.10)
    outside = ~df["red"].between(lim.lower, lim.upper)
    assert outside.mean() < 0.01  # 3-sigma limits: very few points outside by chance


def test_theory_limits():
    binom = rb.binomial_limits(50, 0.2)
    assert binom.mean == 10.0
    assert binom.sd == pytest.approx(math.sqrt(8))
    assert binom.upper == pytest.approx(10 + 3 * math.sqrt(8))
    hyper = rb.hypergeometric_limits(rb.BeadBox(4000, 0.2), 50)
    fpc = (4000 - 50) / (4000 - 1)
    assert hyper.sd == pytest.approx(math.sqrt(8 * fpc))
    assert hyper.sd < binom.sd
    small = rb.binomial_limits(5, 0.1)
    assert small.lower == 0.0  # never below zero


def test_change_the_system_shifts_results():
    change = rb.change_the_system(rb.BeadBox(), red_share=0.1, from_day=101)
    df = rb.run_red_beads(days=200, changes=[change], seed=5)
    before, after = df[df["day"] <= 100], df[df["day"] > 100]
    assert (before["red_share"] == 0.2).all() and (after["red_share"] == 0.1).all()
    se_after = rb.hypergeometric_limits(change.box).sd / math.sqrt(len(after))
    assert abs(after["red"].mean() - 5.0) < 4.5 * se_after
    assert after["red"].mean() < before["red"].mean() - 4
    # The same seed with no change gives the same first 100 days.
    same = rb.run_red_beads(days=200, seed=5)
    assert same.loc[same["day"] <= 100, "red"].equals(before["red"])


def test_leaderboard_praises_and_punishes_but_blames_the_system():
    df = rb.run_red_beads(seed=3)
    board = rb.leaderboard(df)
    t = board.table
    assert list(t.columns) == ["rank", "worker", "total_red", "draws", "mean_red",
                               "expected_red", "lower", "upper", "within_system",
                               "management_says"]
    assert sorted(t["worker"]) == sorted(rb.DEFAULT_WORKERS)
    assert t["total_red"].is_monotonic_increasing
    assert t["rank"].iloc[0] == 1
    assert t["management_says"].iloc[0].startswith("Best worker")
    assert t["management_says"].iloc[-1].startswith("Worst worker")
    assert (t["total_red"] == df.groupby("worker")["red"].sum().loc[t["worker"]].values).all()
    assert t["expected_red"].tolist() == pytest.approx([40.0] * 6)
    assert t["within_system"].all()
    note = board.explain()
    assert "from the system, not from the workers" in note
    assert str(t["worker"].iloc[0]) in note


def test_leaderboard_names_a_worker_outside_the_system():
    df = rb.run_red_beads(seed=3)
    df.loc[df["worker"] == "Dev", "red"] = 40  # something special is going on
    board = rb.leaderboard(df)
    assert not board.table.set_index("worker").loc["Dev", "within_system"]
    assert "Dev fell outside" in board.explain()


def test_leaderboard_ties_share_the_verdict():
    df = rb.run_red_beads(workers=["A", "B", "C"], days=1, seed=1)
    df["red"] = [5, 5, 9]
    t = rb.leaderboard(df).table
    assert t["management_says"].str.startswith("Best").sum() == 2
    assert t["rank"].tolist() == [1, 1, 3]


def test_spc_handoff():
    df = rb.run_red_beads(seed=1).sample(frac=1, random_state=0)
    h = rb.spc_handoff(df)
    assert h.kwargs == {"y": "red", "n": "paddle", "x": "draw", "chart": "p"}
    assert h.data["draw"].is_monotonic_increasing
    assert {"red", "paddle", "draw"} <= set(h.data.columns)


def test_plot_and_alt_text():
    change = rb.change_the_system(rb.BeadBox(), red_share=0.1, from_day=3)
    df = rb.run_red_beads(changes=[change], seed=1)
    ax = rb.plot_draws(df)
    assert ax.get_xlabel() == "Draw (in order)"
    alt = rb.alt_text(df)
    assert "24 draws" in alt and "day 3" in alt
    shown = show(ax, alt=alt)
    assert shown.png.startswith(b"\x89PNG")
    plt.close("all")


@pytest.mark.parametrize(("call", "field"), [
    (lambda: rb.BeadBox(red_share=20), "red_share"),
    (lambda: rb.BeadBox(red_share=0), "red_share"),
    (lambda: rb.BeadBox(n_beads=1), "n_beads"),
    (lambda: rb.BeadBox(n_beads=3, red_share=0.01), "red_share"),
    (lambda: rb.run_red_beads(paddle=0), "paddle"),
    (lambda: rb.run_red_beads(paddle=2.5), "paddle"),
    (lambda: rb.run_red_beads(rb.BeadBox(n_beads=20), paddle=50), "paddle"),
    (lambda: rb.run_red_beads(days=0), "days"),
    (lambda: rb.run_red_beads(workers=["A", "A"]), "workers"),
    (lambda: rb.run_red_beads(workers=[]), "workers"),
    (lambda: rb.run_red_beads(workers="Ann"), "workers"),
    (lambda: rb.run_red_beads(seed=-1), "seed"),
    (lambda: rb.run_red_beads(box="box"), "box"),
    (lambda: rb.run_red_beads(changes=["later"]), "changes"),
    (lambda: rb.change_the_system(rb.BeadBox(), red_share=0.1, from_day=0), "from_day"),
    (lambda: rb.leaderboard([1, 2]), "df"),
    (lambda: rb.leaderboard(pd.DataFrame({"worker": ["A"], "red": [3]})), "day"),
    (lambda: rb.leaderboard(rb.run_red_beads(seed=1).iloc[0:0]), "df"),
])
def test_bad_input_names_the_field(call, field):
    with pytest.raises(QIDataError) as info:
        call()
    assert info.value.field == field
    assert field.split("_")[0] in str(info.value) or field == "df"


def test_share_as_a_percentage_gets_a_hint():
    with pytest.raises(QIDataError, match="write 20% as 0.2"):
        rb.BeadBox(red_share=20)


def test_numpy_integers_are_accepted():
    df = rb.run_red_beads(paddle=np.int64(50), days=np.int32(2), seed=np.int64(1))
    assert len(df) == 12
