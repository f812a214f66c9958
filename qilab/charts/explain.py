"""Plain-English explanations of run charts and control charts, written from the numbers.

Short sentences for learners, British spelling. The first sentence always names the chart and
the rule set; the next ones say what fired (or that nothing did) and why it matters.

>>> from qilab.charts.spc import spc
>>> r = spc(y=[5, 6, 5, 7, 6, 5, 6, 7, 9, 9, 10, 9, 10, 11, 10, 9])
>>> print(alt_text(r))
This run chart of 16 points uses the Anhøj rules. 8 points in a row are below the median; more than 7 in a row is unlikely by chance, so something has probably changed.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .runs import anhoej, run_lengths

if TYPE_CHECKING:
    from .spc import SPCResult

_RULE_TEXT = {
    "two_of_three_beyond_2sigma": "2 of 3 points in a row beyond 2 sigma on one side",
    "four_of_five_beyond_1sigma": "4 of 5 points in a row beyond 1 sigma on one side",
    "eight_one_side": "8 or more points in a row on one side of the centre line",
    "six_trend": "6 points in a row going up or going down",
    "nine_one_side": "9 points in a row on one side of the centre line",
    "fourteen_alternating": "14 points in a row going up and down in turn",
    "eight_beyond_1sigma_both_sides": "8 points in a row beyond 1 sigma, on both sides",
    "fifteen_within_1sigma": "15 points in a row close to the centre line (within 1 sigma)",
    "two_in_three": "2 of 3 points close to a limit on the same side",
    "trend": "7 points in a row going up or going down",
    "shift": "7 points in a row on one side of the mean",
}


def _num(value: float) -> str:
    """A number as a learner would write it: up to 4 significant figures."""
    if value is None or not np.isfinite(value):
        return "not available"
    text = f"{value:.4g}"
    return text if "e" not in text else f"{value:,.0f}"


def _list(positions: list[int]) -> str:
    items = [str(p) for p in positions[:8]]
    more = f" and {len(positions) - 8} more" if len(positions) > 8 else ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + (f" and {items[-1]}" if not more else f", {items[-1]}{more}")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _centre_word(result: "SPCResult") -> str:
    return "median" if result.chart in ("run", "g") else "centre line"


def _opening(result: "SPCResult") -> str:
    from .spc import CHART_NAMES, RULE_NAMES, SHEWHART_SETS

    k = len(result.points)
    title = f" ({result.title})" if result.title else ""
    rule = RULE_NAMES[result.rules]
    extra = "" if result.chart == "run" or result.rules in (*SHEWHART_SETS, "mdc") \
        else " and the 3-sigma rule"
    return f"This {CHART_NAMES[result.chart]}{title} of {k} points uses the {rule}{extra}."


def _longest_run_side(result: "SPCResult", part: int) -> str:
    pts = result.points
    sel = (pts["part"] == part) & pts["include"]
    y, cl = pts["y"].to_numpy(float)[sel], pts["cl"].to_numpy(float)[sel]
    runs = anhoej(y, cl)
    reduced = runs.signs[runs.signs != 0]
    starts, lengths = run_lengths(reduced)
    if not lengths.size:
        return "on one side of"
    return "above" if reduced[starts[np.argmax(lengths)]] > 0 else "below"


def _anhoej_sentences(result: "SPCResult", row, prefix: str) -> list[str]:
    centre = _centre_word(result)
    if row["n_useful"] is None or int(row["n_useful"]) == 0:
        return [f"{prefix}every point is on the {centre}, so the runs rules cannot say "
                "anything."]
    longest, limit = int(row["longest_run"]), int(row["longest_run_max"])
    cross, cmin = int(row["n_crossings"]), int(row["n_crossings_min"])
    out = []
    if result.chart == "mr" or result.x_kind == "category":
        return []
    if longest > limit:
        side = _longest_run_side(result, int(row["part"]))
        out.append(f"{prefix}{longest} points in a row are {side} the {centre}; more than "
                   f"{limit} in a row is unlikely by chance, so something has probably changed.")
    if cross < cmin:
        out.append(f"{prefix}the line crosses the {centre} only {_plural(cross, 'time')}; "
                   f"fewer than {cmin} is unlikely by chance, which suggests a shift.")
    if not out and limit >= int(row["n_useful"]) and cmin == 0:
        out.append(f"{prefix}with only {_plural(int(row['n_useful']), 'point')} off the "
                   f"{centre}, the runs rules cannot find a signal yet; keep adding points.")
    elif not out:
        out.append(f"{prefix}the longest run is {_plural(longest, 'point')} (the limit is "
                   f"{limit}) and the line crosses the {centre} {_plural(cross, 'time')} (at "
                   f"least {cmin} expected), so the runs show only random variation.")
    return out


def _positions(result: "SPCResult", column: str, part: int | None = None) -> list[int]:
    pts = result.points
    mask = pts[column].to_numpy(bool).copy()
    if part is not None:
        mask &= pts["part"].to_numpy() == part
    return (np.flatnonzero(mask) + 1).tolist()


def _ihi_sentences(result: "SPCResult", row, prefix: str) -> list[str]:
    part = int(row["part"])
    out = []
    shift = _positions(result, "shift", part)
    if shift:
        out.append(f"{prefix}there is a shift: 6 or more points in a row on one side of the "
                   f"{_centre_word(result)} (points {_list(shift)}).")
    trend = _positions(result, "trend", part)
    if trend:
        out.append(f"{prefix}there is a trend: 5 or more points in a row going the same way "
                   f"(points {_list(trend)}).")
    if row.get("n_runs") is not None and not _isna(row.get("n_runs")):
        runs, lo, hi = int(row["n_runs"]), row["runs_lower"], row["runs_upper"]
        if _positions(result, "runs_too_few", part):
            out.append(f"{prefix}there are too few runs ({runs}; fewer than {int(lo)} is "
                       "unusual), which suggests a shift.")
        if _positions(result, "runs_too_many", part):
            out.append(f"{prefix}there are too many runs ({runs}; more than {int(hi)} is "
                       "unusual): the data may zig-zag, for example from two alternating "
                       "sources.")
    if not out:
        out.append(f"{prefix}no shift, trend or unusual number of runs was found, so the chart "
                   "shows only random variation.")
    return out


def _isna(value) -> bool:
    try:
        return bool(np.isnan(float(value)))
    except (TypeError, ValueError):
        return value is None


def _pattern_sentences(result: "SPCResult", columns: tuple[str, ...]) -> list[str]:
    out = []
    for column in columns:
        if column in ("outside_3sigma", "outside_limits", "direction"):
            continue
        fired = _positions(result, column)
        if fired:
            out.append(f"The rule '{_RULE_TEXT[column]}' flags points {_list(fired)}.")
    return out


def _sigma_sentence(result: "SPCResult") -> str | None:
    if result.chart == "run":
        return None
    reasons = [(i + 1, info["no_limits"]) for i, info in
               enumerate(result.details.get("parts", [])) if "no_limits" in info]
    if reasons:
        many = len(result.parts) > 1
        text = "; ".join(f"in part {p}, {why}" if many else why for p, why in reasons)
        return (f"The control limits could not be worked out: {text}. No point can be outside "
                "limits that are not there.")
    outside = _positions(result, "sigma_signal")
    if not outside:
        return "All points are inside the control limits."
    word = "Point" if len(outside) == 1 else "Points"
    verb = "is" if len(outside) == 1 else "are"
    return (f"{word} {_list(outside)} {verb} outside the control limits: a sign of special "
            "cause variation worth looking into.")


def sentences(result: "SPCResult") -> list[str]:
    """The explanation as a list of sentences (the first names the chart and rules)."""
    from .spc import RULE_COLUMNS, SHEWHART_SETS

    out = [_opening(result)]
    parts = result.parts
    multi = len(parts) > 1
    findings: list[str] = []
    for row in parts.to_dict("records"):
        prefix = f"In part {row['part']}, " if multi else ""
        if result.rules == "anhoej":
            text = _anhoej_sentences(result, row, prefix)
        elif result.rules == "ihi":
            text = _ihi_sentences(result, row, prefix)
        else:
            text = []
        findings += [t[0].upper() + t[1:] for t in text]
    if result.rules == "ihi":
        findings.append("The fourth IHI rule, an astronomical point (one obviously different "
                        "from all the others), is a judgement: look at the chart yourself.")
    if result.rules in (*SHEWHART_SETS, "mdc"):
        findings += _pattern_sentences(result, RULE_COLUMNS[result.rules])
        if not findings:
            findings.append("None of the pattern rules fired.")
    out += findings
    sigma = _sigma_sentence(result)
    if sigma:
        out.append(sigma)
    out += _context(result)
    return out


_SIGMA_SENTENCES = {
    "sd": ("The limits use the standard deviation of all the points (sigma='sd'), as a "
           "spreadsheet would. SPC estimates sigma from the moving ranges instead: a shift or "
           "trend inflates the standard deviation, so these limits are too wide and can hide "
           "the signals they are for."),
    "rbar": ("Sigma comes from the average subgroup range (R-bar / d2), as in the R package "
             "qcc."),
}


def _context(result: "SPCResult") -> list[str]:
    out = []
    sigma = result.details.get("sigma") if result.details else None
    if sigma in _SIGMA_SENTENCES:
        out.append(_SIGMA_SENTENCES[sigma])
    pts = result.points
    if len(result.parts) > 1:
        out.append(f"The chart has {len(result.parts)} parts; each has its own centre line and "
                   "limits.")
    if not pts["baseline"].all():
        last = int(pts["baseline"].to_numpy().nonzero()[0].max()) + 1
        out.append(f"The lines come from the first {last} points (the baseline) and are "
                   "extended to the rest.")
    excluded = (np.flatnonzero(~pts["include"].to_numpy(bool)) + 1).tolist()
    if excluded:
        out.append(f"Point{'s' if len(excluded) > 1 else ''} {_list(excluded)} "
                   f"{'are' if len(excluded) > 1 else 'is'} left out of the calculations.")
    useful = parts_min_useful(result)
    if useful is not None and useful < 10 and result.rules in ("anhoej", "ihi"):
        out.append("With fewer than 10 useful points the runs rules are less reliable: "
                   "keep collecting data.")
    if result.target is not None:
        out.append(f"The target is {_num(result.target)}.")
    return out


def parts_min_useful(result: "SPCResult") -> int | None:
    """Smallest number of useful points in any part (None if unknown)."""
    values = [int(v) for v in result.parts["n_useful"] if not _isna(v)]
    return min(values) if values else None


def explain(result: "SPCResult") -> str:
    """The full explanation as one paragraph."""
    return " ".join(sentences(result))


def alt_text(result: "SPCResult") -> str:
    """The first two sentences: what the chart is and the main finding."""
    return " ".join(sentences(result)[:2])
