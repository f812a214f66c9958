"""Benchmark qilab programme: the full impact report and the reach chart at county scale.

Run by `make bench`. The requirement (issue 15): for 10,000 people over 3 years (about 50,000
records) the full report is computed in at most 2 s and the reach chart in at most 200 ms.

* *full report*: read every table from the database, compute every figure (reach and its
  suppressed tables, knowledge gain and kappa, each project's chart and verdict) and write the
  HTML page with the reach chart embedded (:func:`qilab.programme.report.build_report` and
  ``to_html``). Per-project charts are drawn for the gallery, not the report.
* *reach chart*: from the database to a PNG with alt text (query, monthly totals, the run
  chart's rules, drawing and encoding).

The programme is the seeded synthetic one (:mod:`qilab.programme.synthetic`), imported through
the real import into a SQLite file (``--db URL`` to use another database, such as PostgreSQL).
Each figure is the best (minimum) of several repeats, as the other benchmarks, with the median
shown for noise. Prints a table and writes ``_build/bench/programme.json``; ``--strict`` exits
with status 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from qilab.display import show  # noqa: E402
from qilab.programme.db import open_database  # noqa: E402
from qilab.programme.importer import import_files, import_register  # noqa: E402
from qilab.programme.reach import first_completions, monthly, reach_chart  # noqa: E402
from qilab.programme.report import build_report  # noqa: E402
from qilab.programme.synthetic import synthetic_programme  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
TARGETS = {"full report": 2.0, "reach chart": 0.2}
SECRET = b"synthetic faculty secret, not a real one"


def populate(url: str, people: int, projects: int) -> tuple[int, float]:
    """Import the synthetic programme; return the number of records and the seconds taken."""
    s = synthetic_programme(people=people, months=36, projects=projects, seed=11)
    engine = open_database(url)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        report = import_files(engine, s.write_csvs(tmp), today=s.today, secret=SECRET)
        certs = import_register(engine, s.write_register(Path(tmp) / "register.csv"),
                                today=s.today, secret=SECRET)
        seconds = time.perf_counter() - start
    records = sum(report.added.values()) + sum(certs.added.values())
    return records, seconds


def timed(call, repeat: int) -> list[float]:
    call()  # warm up: imports, caches
    found = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        found.append(time.perf_counter() - start)
    return found


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--projects", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--db", default=None, help="database URL (default: a new SQLite file)")
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or "sqlite:///" + str(Path(tmp) / "programme.sqlite")
        records, import_seconds = populate(url, args.people, args.projects)
        engine = open_database(url)

        def full_report():
            build_report(engine).to_html()

        def chart():
            result = reach_chart(monthly(first_completions(engine)))
            show(result.plot(), alt=result.alt_text())

        times = {"full report": timed(full_report, args.repeat),
                 "reach chart": timed(chart, args.repeat * 3)}
        engine.dispose()
    rows = [{"what": what, "best_s": round(min(found), 3),
             "median_s": round(statistics.median(found), 3), "target_s": TARGETS[what],
             "within_target": min(found) <= TARGETS[what]} for what, found in times.items()]
    print(f"qilab programme: {args.people:,} people, {args.projects} projects over 36 months, "
          f"{records:,} records (imported in {import_seconds:.1f} s)")
    print(f"{'what':<14}{'best s':>9}{'median s':>10}  target")
    for r in rows:
        print(f"{r['what']:<14}{r['best_s']:>9.3f}{r['median_s']:>10.3f}  <= {r['target_s']} s "
              f"{'PASS' if r['within_target'] else 'FAIL'}")
    out = ROOT / "_build" / "bench" / "programme.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    result = {"people": args.people, "projects": args.projects, "records": records,
              "import_s": round(import_seconds, 1), "repeat": args.repeat,
              "database": "sqlite" if args.db is None else args.db.split(":")[0],
              "python": platform.python_version(), "results": rows}
    out.write_text(json.dumps(result, indent=2) + "\n")
    if args.strict and not all(r["within_target"] for r in rows):
        sys.exit(1)
    return result


if __name__ == "__main__":
    main()
