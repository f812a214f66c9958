"""Benchmark: how long the run chart builder takes to redraw a 100-point chart.

Budget: after any change of a control, the chart and its explanation are redrawn in at most
200 ms. Run with ``make bench`` (or ``python tests/bench/bench_run_chart_builder.py``). Prints a
table and writes ``_build/bench/run_chart_builder.json``.
"""
from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from qilab.storage import atomic_write_text  # noqa: E402
from qilab.widgets.run_chart_builder import RunChartBuilder  # noqa: E402

BUDGET_MS = 200.0
REPEATS = 11


def main() -> int:
    values = np.random.default_rng(2025).normal(50, 5, 100).round(1)
    shifted = np.concatenate([values[:60], values[60:] - 6])
    w = RunChartBuilder()
    w.paste.value = "\n".join(str(v) for v in shifted)  # first draw (warms caches)
    assert w.result is not None and len(w.result.points) == 100, w.messages.text

    changes = {
        "rule set (Anhøj ↔ IHI)": (w.rules, ["ihi", "anhoej"]),
        "baseline (freeze)": (w.freeze, [20, 30]),
        "goal line (target)": (w.target, ["45", "55"]),
        "notes on points": (w.notes, ["60: PDSA 1 started", "60: PDSA 1\n80: PDSA 2"]),
        "chart title": (w.chart_title, ["Waiting times", "Waiting times (minutes)"]),
        "pasted data (one value edited)": (w.paste, [
            "\n".join(str(v) for v in np.append(shifted[:-1], 41.0)),
            "\n".join(str(v) for v in shifted)]),
    }
    rows = []
    for name, (control, options) in changes.items():
        times, cpu = [], []
        for i in range(REPEATS):
            value = options[i % len(options)]
            start, start_cpu = time.perf_counter(), time.process_time()
            control.value = value
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            assert w.messages.kind != "error", w.messages.text
        rows.append({"change": name, "median_ms": round(statistics.median(times), 1),
                     "max_ms": round(max(times), 1),
                     "median_cpu_ms": round(statistics.median(cpu), 1), "repeats": REPEATS,
                     "within_budget": statistics.median(times) <= BUDGET_MS})

    width = max(len(r["change"]) for r in rows)
    print(f"\nRun chart builder: redraw of a 100-point run chart (budget {BUDGET_MS:.0f} ms)")
    print(f"(wall-clock time; CPU time shown too, as other work on the machine inflates wall "
          f"time: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    print(f"{'change'.ljust(width)}  median ms  max ms  median CPU ms  within budget")
    for r in rows:
        print(f"{r['change'].ljust(width)}  {r['median_ms']:9.1f}  {r['max_ms']:6.1f}  "
              f"{r['median_cpu_ms']:13.1f}  {'yes' if r['within_budget'] else 'NO'}")
    report = {"benchmark": "run_chart_builder", "points": 100, "budget_ms": BUDGET_MS,
              "python": platform.python_version(), "machine": platform.machine(),
              "cpus": os.cpu_count(), "load_average": list(os.getloadavg()), "results": rows,
              "all_within_budget": all(r["within_budget"] for r in rows)}
    out = ROOT / "_build" / "bench" / "run_chart_builder.json"
    atomic_write_text(out, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
