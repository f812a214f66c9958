"""Dice: shape, the hidden loaded die, exact theory, and the loaded period's mean shift."""
from __future__ import annotations

import itertools
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from scipy import stats  # noqa: E402

from qilab.errors import QIDataError  # noqa: E402
from qilab.sims import dice  # noqa: E402

LOW_LOADED = (0.3, 0.3, 0.1, 0.1, 0.1, 0.1)  # a die that favours 1 and 2


def test_shape_totals_and_loaded_flag():
    df = dice.roll_days(days=30, dice=3, loaded_from=21, seed=1)
    assert list(df.columns) == ["day", "total", "die_1", "die_2", "die_3", "loaded"]
    assert df["day"].tolist() == list(range(1, 31))
    assert (df["total"] == df[["die_1", "die_2", "die_3"]].sum(axis=1)).all()
    assert df[["die_1", "die_2", "die_3"]].isin(range(1, 7)).all().all()
    assert df["loaded"].tolist() == [False] * 20 + [True] * 10
    assert df["total"].between(3, 18).all()


def test_reproducible_and_fair_days_do_not_depend_on_the_change_day():
    a = dice.roll_days(days=40, loaded_from=25, seed=8)
    pd.testing.assert_frame_equal(a, dice.roll_days(days=40, loaded_from=25, seed=8))
    fair = dice.roll_days(days=40, seed=8)
    # Up to the change the dice are the same; after it only die 1 differs.
    pd.testing.assert_frame_equal(a.iloc[:24, :5], fair.iloc[:24, :5])
    assert a["die_2"].equals(fair["die_2"]) and a["die_3"].equals(fair["die_3"])


def _enumerate_mean_var(dice_count: int, loaded: tuple[float, ...] | None):
    """Exact mean and variance of the total by listing every outcome."""
    probs = [dice.FAIR] * dice_count
    if loaded is not None:
        probs[0] = loaded
    outcomes = []
    for faces in itertools.product(range(1, 7), repeat=dice_count):
        p = math.prod(probs[i][f - 1] for i, f in enumerate(faces))
        outcomes.append((sum(faces), p))
    mean = sum(t * p for t, p in outcomes)
    var = sum((t - mean) ** 2 * p for t, p in outcomes)
    return mean, var


@pytest.mark.parametrize("loaded", [None, dice.DEFAULT_LOADED, LOW_LOADED])
@pytest.mark.parametrize("k", [1, 2, 3])
def test_exact_theory_matches_enumeration(k, loaded):
    mean, var = _enumerate_mean_var(k, loaded)
    assert dice.expected_total(k, loaded) == pytest.approx(mean)
    assert dice.total_variance(k, loaded) == pytest.approx(var)


def test_theory_values():
    assert dice.die_mean() == 3.5 and dice.die_variance() == pytest.approx(35 / 12)
    assert dice.die_mean(dice.DEFAULT_LOADED) == pytest.approx(5.25)
    assert dice.expected_total(3, dice.DEFAULT_LOADED) == pytest.approx(12.25)
    assert dice.expected_total(3, LOW_LOADED) == pytest.approx(2 * 3.5 + 2.7)


@pytest.mark.parametrize(("probs", "seed"), [(dice.DEFAULT_LOADED, 31), (LOW_LOADED, 32)])
def test_loaded_period_mean_shifts_as_theory_says(probs, seed):
    days, change = 6000, 3001
    df = dice.roll_days(days=days, dice=3, loaded_from=change, loaded_probs=probs, seed=seed)
    before = df.loc[~df["loaded"], "total"]
    after = df.loc[df["loaded"], "total"]
    se_before = math.sqrt(dice.total_variance(3) / len(before))
    se_after = math.sqrt(dice.total_variance(3, probs) / len(after))
    assert abs(before.mean() - dice.expected_total(3)) < 4.5 * se_before
    assert abs(after.mean() - dice.expected_total(3, probs)) < 4.5 * se_after
    shift = after.mean() - before.mean()
    theory = dice.expected_total(3, probs) - dice.expected_total(3)
    assert abs(shift - theory) < 4.5 * math.hypot(se_before, se_after)
    assert after.var(ddof=1) == pytest.approx(dice.total_variance(3, probs), rel=0.1)


def test_loaded_die_faces_follow_the_probabilities():
    df = dice.roll_days(days=5000, loaded_from=1, loaded_probs=LOW_LOADED, seed=3)
    counts = df["die_1"].value_counts().reindex(range(1, 7), fill_value=0).to_numpy()
    result = stats.chisquare(counts, np.array(LOW_LOADED) * len(df))
    assert result.pvalue > 0.001
    fair = df["die_2"].value_counts().reindex(range(1, 7), fill_value=0).to_numpy()
    assert stats.chisquare(fair).pvalue > 0.001


def test_public_view_handoff_and_reveal():
    df = dice.roll_days(days=30, loaded_from=16, seed=2)
    assert "loaded" not in dice.public_view(df).columns
    assert "loaded" in df.columns  # the original is untouched
    h = dice.spc_handoff(df)
    assert h.kwargs == {"y": "total", "x": "day", "chart": "i"}
    assert "loaded" not in h.data.columns
    text = dice.reveal(df)
    assert "From day 16" in text and "10.5 to 12.25" in text
    assert "No die was loaded" in dice.reveal(dice.roll_days(days=10, seed=2))
    with pytest.raises(QIDataError) as info:
        dice.reveal(dice.public_view(df))
    assert info.value.field == "loaded"


def test_plot_and_alt_text_keep_the_secret_until_asked():
    df = dice.roll_days(days=30, loaded_from=16, seed=2)
    ax = dice.plot_days(df)
    assert ax.get_ylabel() == "Total of the dice"
    assert "loaded" not in dice.alt_text(df)
    assert "from 16" in dice.alt_text(df, show_loaded=True)
    dice.plot_days(df, show_loaded=True)
    plt.close("all")


@pytest.mark.parametrize(("call", "field"), [
    (lambda: dice.roll_days(days=0), "days"),
    (lambda: dice.roll_days(dice=0), "dice"),
    (lambda: dice.roll_days(days=10, loaded_from=11), "loaded_from"),
    (lambda: dice.roll_days(loaded_probs=(0.5, 0.5)), "loaded_probs"),
    (lambda: dice.roll_days(loaded_probs=(0.2,) * 6), "loaded_probs"),
    (lambda: dice.roll_days(loaded_probs=(-0.1, 0.3, 0.2, 0.2, 0.2, 0.2)), "loaded_probs"),
    (lambda: dice.roll_days(loaded_probs=5), "loaded_probs"),
    (lambda: dice.roll_days(seed="abc"), "seed"),
    (lambda: dice.expected_total(0), "dice"),
    (lambda: dice.public_view(pd.DataFrame({"x": [1]})), "day"),
])
def test_bad_input_names_the_field(call, field):
    with pytest.raises(QIDataError) as info:
        call()
    assert info.value.field == field
