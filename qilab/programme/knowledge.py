"""Knowledge: agreement between raters (weighted kappa) and the paired pre/post gain.

Scores are 0 to 9 per scenario (:mod:`qilab.programme.scenarios`). A second rater scores a
sample; agreement is Cohen's weighted kappa with quadratic weights (Cohen 1968), the usual
choice for an ordered scale. The gain is each person's post score minus their pre score (the
mean over scenarios and raters), summarised as the mean gain with a 95% confidence interval
from the t distribution.

>>> weighted_kappa([0, 1, 2, 3, 4], [0, 1, 2, 3, 4])
1.0
>>> g = paired_gain([2, 3, 4, 5], [4, 4, 6, 8])
>>> g.n, g.mean, round(g.low, 2), round(g.high, 2)
(4, 2.0, 0.7, 3.3)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

import numpy as np
import pandas as pd

from ..errors import QIDataError

if TYPE_CHECKING:
    from .frames import Records

SCALE = 10  # scores 0..9


def weighted_kappa(a: Sequence[int], b: Sequence[int], *, categories: int = SCALE,
                   weights: str = "quadratic") -> float:
    """Cohen's weighted kappa of two raters' scores on the same answers (0..categories-1)."""
    a, b = np.asarray(a, int), np.asarray(b, int)
    if a.shape != b.shape or a.size == 0:
        raise QIDataError("Weighted kappa needs the two raters' scores of the same answers, "
                          f"in pairs; got {a.size} and {b.size}.", field="scores")
    if a.min() < 0 or b.min() < 0 or a.max() >= categories or b.max() >= categories:
        raise QIDataError(f"Scores must be from 0 to {categories - 1}.", field="score")
    observed = np.zeros((categories, categories))
    np.add.at(observed, (a, b), 1)
    observed /= a.size
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    i, j = np.indices((categories, categories))
    power = {"linear": 1, "quadratic": 2}[weights]
    w = (np.abs(i - j) / (categories - 1)) ** power
    denominator = (w * expected).sum()
    if denominator == 0:
        return 1.0
    return float(1 - (w * observed).sum() / denominator)


@dataclass(frozen=True)
class Gain:
    """The mean paired gain, its 95% confidence interval and the numbers behind it."""

    n: int
    mean_pre: float
    mean_post: float
    mean: float
    low: float
    high: float

    def explain(self) -> str:
        if self.n < 2:
            return "Too few people have both a pre and a post score to estimate the gain."
        return (f"Across {self.n} people with both scores, knowledge scores rose from a mean "
                f"of {self.mean_pre:.1f} to {self.mean_post:.1f} out of 9: a mean gain of "
                f"{self.mean:.1f} points (95% confidence interval {self.low:.1f} to "
                f"{self.high:.1f}).")


def paired_gain(pre: Sequence[float], post: Sequence[float], level: float = 0.95) -> Gain:
    """Mean of ``post - pre`` with a t-based confidence interval."""
    from scipy import stats

    pre, post = np.asarray(pre, float), np.asarray(post, float)
    diff = post - pre
    n = diff.size
    if n < 2:
        return Gain(n, float(pre.mean()) if n else np.nan, float(post.mean()) if n else np.nan,
                    float(diff.mean()) if n else np.nan, np.nan, np.nan)
    half = stats.t.ppf(0.5 + level / 2, n - 1) * diff.std(ddof=1) / np.sqrt(n)
    mean = float(diff.mean())
    return Gain(n, float(pre.mean()), float(post.mean()), mean, float(mean - half),
                float(mean + half))


@dataclass(frozen=True)
class Knowledge:
    """Knowledge results: the gain, the raters' agreement and the sample it rests on."""

    gain: Gain
    kappa: float | None
    double_rated: int
    exact_agreement: float | None

    def explain(self) -> str:
        text = self.gain.explain()
        if self.kappa is not None:
            text += (f" A second rater scored {self.double_rated} answers: weighted kappa "
                     f"{self.kappa:.2f}, exact agreement {self.exact_agreement:.0%}.")
        return text


def knowledge(records: "Records") -> Knowledge:
    """Gain and agreement from the programme's knowledge scores."""
    scores = records.knowledge
    if scores.empty:
        return Knowledge(paired_gain([], []), None, 0, None)
    pairs = scores.sort_values("rater").assign(
        order=lambda f: f.groupby(["person", "phase", "scenario"]).cumcount())
    wide = pairs.pivot_table(index=["person", "phase", "scenario"], columns="order",
                             values="score")
    kappa = exact = None
    doubled = wide.dropna(subset=[1]) if 1 in wide.columns else wide.iloc[0:0]
    if len(doubled):
        kappa = weighted_kappa(doubled[0].astype(int), doubled[1].astype(int))
        exact = float((doubled[0] == doubled[1]).mean())
    per_person = scores.groupby(["person", "phase"])["score"].mean().unstack("phase")
    both = per_person.dropna(subset=[c for c in ("pre", "post") if c in per_person.columns])
    if not {"pre", "post"} <= set(both.columns):
        return Knowledge(paired_gain([], []), kappa, len(doubled), exact)
    return Knowledge(paired_gain(both["pre"], both["post"]), kappa, len(doubled), exact)


def per_person_scores(records: "Records") -> pd.DataFrame:
    """Each person's mean pre and post score (for the report's table and the dashboard)."""
    return records.knowledge.groupby(["person", "phase"])["score"].mean().unstack("phase")
