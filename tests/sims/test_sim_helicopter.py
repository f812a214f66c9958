"""Paper helicopter, coin spin and Mr Potato Head: the response models and simulated teams."""
from __future__ import annotations

import itertools
import math
from dataclasses import asdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from qilab.errors import QIDataError  # noqa: E402
from qilab.sims import helicopter as hc  # noqa: E402

DESIGN_COLUMNS = ["rotor_length_cm", "body_length_cm", "paper_clips", "folds"]


# ------------------------------------------------------------------------------- helicopter

def test_helicopter_model_has_one_optimum_inside_the_ranges():
    grid = itertools.product(np.arange(3.0, 14.01, 0.5), np.arange(3.0, 12.01, 0.5),
                             range(4), range(3))
    times = {g: hc.expected_flight_time(hc.Design(*g)) for g in grid}
    best = max(times, key=times.get)
    assert best == (9.5, 6.5, 1, 1)
    assert times[best] == pytest.approx(3.0)
    # The optimum is inside the ranges, not at an edge, and every design is plausible.
    assert 3.0 < best[0] < 14.0 and 3.0 < best[1] < 12.0
    assert min(times.values()) >= 0.6 and max(times.values()) <= 3.0
    # Smooth: one step from the optimum costs little; far away costs a lot.
    assert hc.expected_flight_time(hc.Design(10.5, 6.5, 1, 1)) > 2.95
    assert hc.expected_flight_time(hc.Design(3, 12, 3, 0)) < 1.5


def test_flights_scatter_around_the_model():
    design = hc.Design(8, 7, 0, 1)
    rng = np.random.default_rng(42)
    flights = np.array([hc.fly(design, rng) for _ in range(3000)])
    mean, sd = hc.expected_flight_time(design), hc.flight_time_sd(design)
    assert abs(flights.mean() - mean) < 4.5 * sd / math.sqrt(len(flights))
    assert flights.std(ddof=1) == pytest.approx(sd, rel=0.08)
    assert hc.flight_time_sd(hc.Design(paper_clips=0)) > hc.flight_time_sd(hc.Design())


def test_fly_is_seeded():
    assert hc.fly(hc.Design(), seed=5) == hc.fly(hc.Design(), seed=5)
    assert len({hc.fly(hc.Design(), seed=s) for s in range(20)}) > 1


def test_simulated_team_changes_one_setting_a_round():
    df = hc.simulate_team("Red", rounds=12, seed=3)
    assert list(df.columns) == ["team", "round", "change_tested", "prediction", "actual",
                                "adopted", *DESIGN_COLUMNS]
    assert df["round"].tolist() == list(range(1, 13)) and (df["team"] == "Red").all()
    assert df.loc[0, "change_tested"] == "Baseline: starting design" and df.loc[0, "adopted"]
    current = df.loc[0, DESIGN_COLUMNS]
    best = df.loc[0, "actual"]
    for _, row in df.iloc[1:].iterrows():
        changed = [c for c in DESIGN_COLUMNS if row[c] != current[c]]
        assert len(changed) == 1, row["change_tested"]
        assert row["adopted"] == (row["actual"] > best)
        if row["adopted"]:
            current, best = row[DESIGN_COLUMNS], row["actual"]
    assert (df["prediction"] > 0).all() and (df["actual"] > 0).all()


def test_simulated_teams_are_reproducible_and_different():
    a = hc.simulate_teams(["A", "B", "C"], rounds=5, seed=10)
    pd.testing.assert_frame_equal(a, hc.simulate_teams(["A", "B", "C"], rounds=5, seed=10))
    pd.testing.assert_frame_equal(hc.simulate_team("A", 5, seed=1), hc.simulate_team("A", 5,
                                                                                    seed=1))
    by_team = [part["actual"].tolist() for _, part in a.groupby("team")]
    assert by_team[0] != by_team[1] != by_team[2]
    assert hc.simulate_teams(3, rounds=2, seed=1)["team"].unique().tolist() == [
        "Team 1", "Team 2", "Team 3"]


def test_teams_improve_on_average():
    df = hc.simulate_teams(30, rounds=10, seed=7)
    expected = [hc.expected_flight_time(hc.Design(**{c: r[c] for c in DESIGN_COLUMNS}))
                for r in df.to_dict("records")]
    df["expected"] = expected
    adopted = df[df["adopted"]].groupby("team")["expected"].last()
    assert adopted.mean() > hc.expected_flight_time(hc.Design())


# -------------------------------------------------------------------------------- coin spin

def test_coin_model():
    small = hc.expected_spin_time(hc.CoinSpin(coin="5p"))
    large = hc.expected_spin_time(hc.CoinSpin(coin="£2"))
    assert large > small
    practised = hc.expected_spin_time(hc.CoinSpin(practice=20))
    assert hc.expected_spin_time(hc.CoinSpin()) < practised < 1.25 * hc.expected_spin_time(
        hc.CoinSpin())
    assert hc.expected_spin_time(hc.CoinSpin(surface="carpet")) < small
    rng = np.random.default_rng(1)
    spins = np.array([hc.spin(hc.CoinSpin(), rng) for _ in range(3000)])
    # Lognormal noise: the median of the spins is the model's value.
    assert np.median(spins) == pytest.approx(hc.expected_spin_time(hc.CoinSpin()), rel=0.02)


def test_coin_team():
    df = hc.simulate_coin_team("Green", rounds=6, seed=4)
    assert df["practice"].tolist() == list(range(6))
    assert {"coin", "surface", "technique"} <= set(df.columns)
    pd.testing.assert_frame_equal(df, hc.simulate_coin_team("Green", rounds=6, seed=4))
    assert df.loc[1:, "change_tested"].str.match(r"^(Coin|Surface|Technique) ").all()


# --------------------------------------------------------------------------- Mr Potato Head

def test_potato_learning_curve():
    m = hc.PotatoHeadModel()
    times = [m.expected_time(k) for k in range(1, 11)]
    assert times[0] == pytest.approx(90.0)
    assert all(a > b for a, b in zip(times, times[1:]))  # falls with practice
    assert times[-1] > m.floor_s  # but never below the floor
    good = m.expected_time(3, ["Lay the parts out in order", "Give each person one job"])
    assert good < m.expected_time(3)
    assert m.expected_time(3, ["Swap roles"]) > m.expected_time(3)
    p = m.accuracy_probabilities(1)
    assert sum(p) == pytest.approx(1.0)
    assert m.accuracy_probabilities(5)[2] > p[2]
    assert m.accuracy_probabilities(1, ["Rush: go as fast as possible"])[2] < p[2]
    assert m.accuracy_probabilities(1, ["Use the picture of the finished head"])[2] > p[2]


def test_potato_assemblies_follow_the_model():
    m = hc.PotatoHeadModel()
    rng = np.random.default_rng(9)
    changes = ["Lay the parts out in order"]
    results = [m.assemble(3, changes, rng) for _ in range(4000)]
    times = np.array([t for t, _ in results])
    acc = np.array([a for _, a in results])
    # Median of lognormal noise is the model's time (rounding to 0.1 s is negligible).
    assert np.median(times) == pytest.approx(m.expected_time(3, changes), rel=0.01)
    observed = np.bincount(acc, minlength=4)[1:] / len(acc)
    assert observed == pytest.approx(m.accuracy_probabilities(3, changes), abs=0.03)


def test_potato_team():
    df = hc.simulate_potato_team("Yellow", rounds=6, seed=2)
    assert list(df.columns) == ["team", "round", "change_tested", "prediction", "actual",
                                "accuracy", "adopted"]
    assert df["accuracy"].isin([1, 2, 3]).all()
    assert df["change_tested"].iloc[1:].isin(list(hc.POTATO_CHANGES)).all()
    assert df["change_tested"].iloc[1:].is_unique  # a random team does not repeat a change
    pd.testing.assert_frame_equal(df, hc.simulate_potato_team("Yellow", rounds=6, seed=2))
    chosen = hc.simulate_potato_team("Y", rounds=3, seed=2, changes=["Swap roles",
                                                                     "Swap roles"])
    assert chosen["change_tested"].tolist()[1:] == ["Swap roles", "Swap roles"]
    teams = hc.simulate_potato_teams(4, rounds=5, seed=1)
    assert teams.groupby("team").size().tolist() == [5, 5, 5, 5]


def test_potato_teams_get_faster_over_rounds():
    df = hc.simulate_potato_teams(40, rounds=6, seed=3)
    means = df.groupby("round")["actual"].mean()
    assert means.loc[6] < 0.8 * means.loc[1]


# ---------------------------------------------------------------- charts, hand-off, errors

def test_best_so_far_plot_alt_and_handoff():
    df = hc.simulate_teams(2, rounds=5, seed=1)
    best = hc.best_so_far(df)
    for _, part in best.groupby("team"):
        assert part["best_so_far"].is_monotonic_increasing
        assert part["best_so_far"].iloc[-1] == part["actual"].max()
    potato = hc.simulate_potato_team("A", rounds=5, seed=1)
    fastest = hc.best_so_far(potato, higher_is_better=False)
    assert fastest["best_so_far"].is_monotonic_decreasing
    ax = hc.plot_rounds(df)
    assert ax.get_xlabel() == "Round"
    alt = hc.alt_text(df)
    assert alt.startswith("Chart of 5 rounds for 2 teams") and "Team 1 went from" in alt
    h = hc.spc_handoff(potato, "A")
    assert h.kwargs == {"y": "actual", "x": "round", "chart": "run"}
    assert h.data["round"].tolist() == [1, 2, 3, 4, 5]
    plt.close("all")


@pytest.mark.parametrize(("call", "field"), [
    (lambda: hc.Design(rotor_length_cm=20), "rotor_length_cm"),
    (lambda: hc.Design(body_length_cm="long"), "body_length_cm"),
    (lambda: hc.Design(paper_clips=1.5), "paper_clips"),
    (lambda: hc.Design(folds=-1), "folds"),
    (lambda: hc.expected_flight_time({"rotor_length_cm": 8}), "design"),
    (lambda: hc.simulate_team("", rounds=3), "team"),
    (lambda: hc.simulate_team("A", rounds=0), "rounds"),
    (lambda: hc.simulate_teams(["A", "A"]), "teams"),
    (lambda: hc.CoinSpin(coin="3p"), "coin"),
    (lambda: hc.CoinSpin(surface="ice"), "surface"),
    (lambda: hc.CoinSpin(practice=-1), "practice"),
    (lambda: hc.simulate_coin_team(start="10p"), "start"),
    (lambda: hc.simulate_potato_team(changes=["Juggle"], rounds=2), "changes"),
    (lambda: hc.simulate_potato_team(changes=["Swap roles"], rounds=4), "changes"),
    (lambda: hc.PotatoHeadModel(floor_s=100), "start_s"),
    (lambda: hc.spc_handoff(hc.simulate_team("A", 3, seed=1), "B"), "team"),
    (lambda: hc.plot_rounds(pd.DataFrame({"team": ["A"]})), "round"),
])
def test_bad_input_names_the_field(call, field):
    with pytest.raises(QIDataError) as info:
        call()
    assert info.value.field == field


def test_design_is_a_plain_dataclass():
    assert asdict(hc.Design()) == {"rotor_length_cm": 7.0, "body_length_cm": 7.0,
                                   "paper_clips": 1, "folds": 0}
