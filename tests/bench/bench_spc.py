"""Benchmark qilab.spc: one 100-point chart with all its rules, per chart and rule set.

Run by `make bench`. Prints a table of the best time of several repeats (timeit) in
milliseconds and writes the figures to _build/bench/spc.json. The target is 2 ms per chart
(computation only, no drawing).
"""
from __future__ import annotations

import json
import timeit
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from qilab import spc

TARGET_MS = 2.0
ROOT = Path(__file__).resolve().parents[2]


def _data() -> pd.DataFrame:
    rng = np.random.default_rng(42)
    n = rng.integers(80, 120, 100)
    return pd.DataFrame({"week": pd.date_range("2023-01-02", periods=100, freq="W-MON"),
                         "value": rng.normal(50, 5, 100).round(1),
                         "events": rng.binomial(n, 0.2), "n": n})


def main() -> list[dict]:
    data = _data()
    cases = [("run", "value", None, rules) for rules in ("anhoej", "ihi")]
    cases += [(chart, "value" if chart == "i" else "events", None if chart == "i" else "n", rules)
              for chart in ("i", "p")
              for rules in ("anhoej", "ihi", "western_electric", "provost_murray", "mdc")]
    rows = []
    warnings.simplefilter("ignore")
    for chart, y, n, rules in cases:
        def call():
            spc(data, y, "week", n, chart=chart, rules=rules)
        call()
        timer = timeit.Timer(call)
        number = 50
        best = min(timer.repeat(repeat=7, number=number)) / number * 1000
        rows.append({"chart": chart, "rules": rules, "points": 100, "best_ms": round(best, 3),
                     "within_target": best <= TARGET_MS})
    print(f"{'chart':<6}{'rules':<18}{'best ms':>9}  target {TARGET_MS} ms")
    for r in rows:
        print(f"{r['chart']:<6}{r['rules']:<18}{r['best_ms']:>9.3f}  "
              f"{'ok' if r['within_target'] else 'SLOW'}")
    out = ROOT / "_build" / "bench" / "spc.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"target_ms": TARGET_MS, "results": rows}, indent=2) + "\n")
    return rows


if __name__ == "__main__":
    main()
