"""Benchmark: the Making Data Count BI summary over many indicators.

Run by ``make bench`` (or ``python tests/bench/bench_mdc.py [n_indicators]``). Builds a seeded
synthetic extract of 10,000 indicators x 60 monthly points (600,000 rows), then measures:

* the time of one ``qilab.mdc(..., facet="indicator")`` call (best of 3 runs);
* the time of calling ``qilab.mdc`` once per indicator on a subset (200 indicators), scaled to
  all of them: what a loop over the single-chart API would cost;
* peak Python memory of the batch call (tracemalloc), against the input frame's size.

Targets: batch ≤ 0.5 s, at least 20 times faster than the loop, peak memory ≤ 10 x input.
Prints a table and writes ``_build/bench/mdc.json``.
"""
from __future__ import annotations

import json
import platform
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import qilab  # noqa: E402

N_INDICATORS = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
N_MONTHS = 60
LOOP_SUBSET = 200
TARGET_SECONDS = 0.5
TARGET_SPEEDUP = 20.0
TARGET_MEMORY = 10.0


def synthetic_extract(n_indicators: int, n_months: int, seed: int = 20240601) -> pd.DataFrame:
    """Tidy extract: one row per indicator and month, with level shifts and trends mixed in."""
    rng = np.random.default_rng(seed)
    months = pd.date_range("2019-04-01", periods=n_months, freq="MS")
    level = rng.uniform(50, 5000, n_indicators)
    noise = rng.normal(0, 1, (n_indicators, n_months)) * (level[:, None] * 0.05)
    shift = (rng.random(n_indicators) < 0.3)[:, None] * (np.arange(n_months) >= 40) * (
        level[:, None] * 0.15)
    values = level[:, None] + noise + shift
    names = np.array([f"IND{i:05d}" for i in range(n_indicators)], dtype=object)
    return pd.DataFrame({
        "indicator": np.repeat(names, n_months),
        "period": np.tile(months.to_numpy(), n_indicators),
        "value": values.ravel(),
    })


def run_batch(df: pd.DataFrame) -> qilab.MDCResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", qilab.QIWarning)
        return qilab.mdc(df, "value", "period", facet="indicator", target=1000.0)


def main() -> dict:
    df = synthetic_extract(N_INDICATORS, N_MONTHS)
    input_bytes = int(df.memory_usage(deep=True).sum())
    run_batch(df.head(N_MONTHS * 10))  # warm up imports

    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        result = run_batch(df)
        times.append(time.perf_counter() - t0)
    batch = min(times)

    shuffled = df.sample(frac=1.0, random_state=1)
    t0 = time.perf_counter()
    run_batch(shuffled)
    batch_unsorted = time.perf_counter() - t0

    subset_names = df["indicator"].unique()[:LOOP_SUBSET]
    subset = df[df["indicator"].isin(subset_names)]
    pieces = [g for _, g in subset.groupby("indicator", sort=False)]
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", qilab.QIWarning)
        for piece in pieces:
            qilab.mdc(piece, "value", "period", target=1000.0)
    loop_subset = time.perf_counter() - t0
    loop_all = loop_subset * N_INDICATORS / len(pieces)

    tracemalloc.start()
    run_batch(df)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    figures = {
        "indicators": N_INDICATORS,
        "points_per_indicator": N_MONTHS,
        "rows": len(df),
        "batch_seconds": round(batch, 4),
        "batch_seconds_all_runs": [round(t, 4) for t in times],
        "batch_seconds_unsorted_input": round(batch_unsorted, 4),
        "loop_subset_indicators": len(pieces),
        "loop_subset_seconds": round(loop_subset, 4),
        "loop_seconds_scaled_to_all": round(loop_all, 2),
        "speedup": round(loop_all / batch, 1),
        "input_frame_bytes": input_bytes,
        "peak_traced_bytes": int(peak),
        "peak_memory_ratio": round(peak / input_bytes, 2),
        "summary_rows": len(result.summary),
        "targets": {"batch_seconds": TARGET_SECONDS, "speedup": TARGET_SPEEDUP,
                    "peak_memory_ratio": TARGET_MEMORY},
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
    }
    figures["meets_targets"] = bool(batch <= TARGET_SECONDS and figures["speedup"]
                                    >= TARGET_SPEEDUP and figures["peak_memory_ratio"]
                                    <= TARGET_MEMORY)

    rows = [
        ("rows (indicators x months)", f"{len(df):,} ({N_INDICATORS:,} x {N_MONTHS})", ""),
        ("batch qilab.mdc, best of 3", f"{batch:.3f} s", f"<= {TARGET_SECONDS} s"),
        ("batch, rows shuffled", f"{batch_unsorted:.3f} s", ""),
        (f"loop over {len(pieces)} indicators", f"{loop_subset:.2f} s", ""),
        ("loop scaled to all indicators", f"{loop_all:.1f} s", ""),
        ("speed-up of batch over loop", f"{figures['speedup']:.0f}x",
         f">= {TARGET_SPEEDUP:.0f}x"),
        ("input frame (deep)", f"{input_bytes / 1e6:.1f} MB", ""),
        ("peak traced memory of batch", f"{peak / 1e6:.1f} MB",
         f"<= {TARGET_MEMORY:.0f}x input"),
        ("peak / input", f"{figures['peak_memory_ratio']:.2f}x", ""),
    ]
    width = max(len(r[0]) for r in rows)
    print("Making Data Count BI summary benchmark")
    for name, value, target in rows:
        print(f"  {name:<{width}}  {value:>22}  {target}")
    print(f"  meets targets: {'yes' if figures['meets_targets'] else 'NO'}")

    out = ROOT / "_build" / "bench" / "mdc.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return figures


if __name__ == "__main__":
    main()
