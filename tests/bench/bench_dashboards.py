"""Benchmark: the workshop dashboards under Voila, in Debian's chromium.

Measures, on this machine:

- **first render** of each dashboard, cold (the first visit after Voila starts: a new kernel
  imports qilab and runs the notebook) and warm (a second visit: a new kernel again, but the
  files are in the page cache), as the time from the request to the first chart image (or, for
  the two forms that start without a chart, the form's main button) being visible;
- the same with **pre-heated kernels** (``--preheat_kernel=True --pool_size=1``): the kernel is
  started and the notebook run before the visit;
- the **widget round trip**: click (or a keyboard step on a slider) until the new chart image
  is in the page, repeated;
- the **memory** of one dashboard kernel (resident set size, and unique set size where psutil
  gives it) and of the Voila server itself.

Budgets: first render at most 4 s cold, round trip at most 300 ms. Prints a table and writes
``_build/bench/dashboards.json``; the figures go into book/trainers/running-workshop-games.md.
Run with ``make bench`` or ``python tests/bench/bench_dashboards.py``.
"""
from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "dashboards"))
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402  (installed with ipykernel)
from conftest import start_voila, stop_voila  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"]
RENDER_BUDGET_S = 4.0
ROUND_TRIP_BUDGET_MS = 300.0
REPEATS = 10

#: Dashboard -> CSS selector that means "rendered" (a chart, or the form's main button).
DASHBOARDS = {
    "red-beads": "figure.qilab-figure img",
    "funnel": "figure.qilab-figure img",
    "dice": "figure.qilab-figure img",
    "team-game": "button:has-text('Send this round')",
    "team-game-facilitator": ".jupyter-widgets button:has-text('Refresh now')",
    "your-own-data": "button:has-text('Add this point and save')",
}
IMG = "figure.qilab-figure img"
SRC_JS = f"() => {{ const i = document.querySelector('{IMG}'); " \
         "return i ? i.getAttribute('src').length + ':' + i.getAttribute('src').slice(-80) : ''; }"


def kernels(server) -> list[psutil.Process]:
    """The kernel processes Voila started."""
    try:
        children = psutil.Process(server.proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    return [p for p in children if "ipykernel" in " ".join(p.cmdline())]


def memory_mb(proc: psutil.Process) -> tuple[float, float | None]:
    """(RSS, USS) in MB; USS is None where the system does not give it."""
    try:
        full = proc.memory_full_info()
        return full.rss / 2**20, getattr(full, "uss", None) and full.uss / 2**20
    except (psutil.AccessDenied, psutil.NoSuchProcess):
        return proc.memory_info().rss / 2**20, None


def render(browser, server, name: str) -> float:
    """Seconds from the request to the dashboard's first chart or main button being visible."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(120_000)
    start = time.perf_counter()
    page.goto(server.url(f"{name}.ipynb"), wait_until="commit")
    page.locator(DASHBOARDS[name]).first.wait_for(state="visible")
    seconds = time.perf_counter() - start
    context.close()
    return seconds


def round_trips(browser, server) -> dict[str, dict[str, float]]:
    """Click (or slide) until the new chart is shown, REPEATS times per interaction."""
    out = {}
    context = browser.new_context()
    for name, action in [("funnel", "Drop the next marble"), ("dice", "Roll the next day"),
                         ("red-beads", "slider:Willing workers")]:
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(server.url(f"{name}.ipynb"))
        page.locator(IMG).first.wait_for(state="visible")
        times = []
        for i in range(REPEATS):
            before = page.evaluate(SRC_JS)
            start = time.perf_counter()
            if action.startswith("slider:"):
                handle = page.locator(f'[role="slider"][aria-label="{action[7:]}"]')
                handle.focus()
                page.keyboard.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
            else:
                page.get_by_role("button", name=action).click()
            page.wait_for_function(f"(b) => ({SRC_JS})() !== b", arg=before)
            times.append((time.perf_counter() - start) * 1000)
        out[f"{name}: {action.replace('slider:', 'slide ')}"] = {
            "median_ms": round(statistics.median(times), 1),
            "max_ms": round(max(times), 1)}
        page.close()
    context.close()
    return out


def main() -> int:
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="bench-dashboards-"))
    results: dict = {"machine": {"python": platform.python_version(),
                                 "cpus": os.cpu_count(),
                                 "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
                                 "load_average_at_start": [round(x, 1)
                                                           for x in os.getloadavg()]},
                     "budgets": {"first_render_s": RENDER_BUDGET_S,
                                 "round_trip_ms": ROUND_TRIP_BUDGET_MS}}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        server = start_voila(tmp / "plain")
        try:
            cold = {name: round(render(browser, server, name), 2) for name in DASHBOARDS}
            warm = {name: round(render(browser, server, name), 2) for name in DASHBOARDS}
            trips = round_trips(browser, server)
            # memory: open one page of each dashboard and keep it open
            context = browser.new_context()
            pages = {}
            for name in DASHBOARDS:
                before = {p.pid for p in kernels(server)}
                page = context.new_page()
                page.set_default_timeout(120_000)
                page.goto(server.url(f"{name}.ipynb"))
                page.locator(DASHBOARDS[name]).first.wait_for(state="visible")
                page.wait_for_timeout(500)
                pages[name] = [p for p in kernels(server) if p.pid not in before]
            memory = {}
            for name, procs in pages.items():
                if procs:
                    rss, uss = memory_mb(procs[-1])
                    memory[name] = {"rss_mb": round(rss, 1),
                                    "uss_mb": None if uss is None else round(uss, 1)}
            server_rss, _ = memory_mb(psutil.Process(server.proc.pid))
            results["voila_server_rss_mb"] = round(server_rss, 1)
            context.close()
        finally:
            stop_voila(server)

        preheated = start_voila(tmp / "preheat", "--preheat_kernel=True", "--pool_size=1")
        try:
            deadline = time.monotonic() + 180  # wait for one kernel per dashboard to be ready
            while len(kernels(preheated)) < len(DASHBOARDS) and time.monotonic() < deadline:
                time.sleep(0.5)
            time.sleep(8)  # and for each to have run its notebook
            pool = {name: round(render(browser, preheated, name), 2) for name in DASHBOARDS}
        finally:
            stop_voila(preheated)
        browser.close()

    results.update(first_render_cold_s=cold, first_render_warm_s=warm,
                   first_render_preheated_s=pool, round_trip=trips, kernel_memory=memory)
    kernel_rss = [m["rss_mb"] for m in memory.values()]
    results["kernel_rss_mb_max"] = max(kernel_rss)
    results["kernel_rss_mb_median"] = round(statistics.median(kernel_rss), 1)

    print(f"{'dashboard':24} {'cold s':>7} {'warm s':>7} {'preheated s':>12} {'kernel RSS MB':>14}")
    for name in DASHBOARDS:
        print(f"{name:24} {cold[name]:7.2f} {warm[name]:7.2f} {pool[name]:12.2f} "
              f"{memory.get(name, {}).get('rss_mb', float('nan')):14.1f}")
    print(f"Load average at start (other work on this machine slows every figure): "
          f"{results['machine']['load_average_at_start']}")
    print(f"\nVoila server RSS: {results['voila_server_rss_mb']} MB")
    print(f"{'round trip':44} {'median ms':>10} {'max ms':>8}")
    for name, row in trips.items():
        print(f"{name:44} {row['median_ms']:10.1f} {row['max_ms']:8.1f}")
    over = [n for n, s in cold.items() if s > RENDER_BUDGET_S]
    slow = [n for n, r in trips.items() if r["median_ms"] > ROUND_TRIP_BUDGET_MS]
    results["over_render_budget"] = over
    results["over_round_trip_budget"] = slow
    print(f"\nCold first render over {RENDER_BUDGET_S:g} s: {', '.join(over) or 'none'}; "
          f"round trip over {ROUND_TRIP_BUDGET_MS:g} ms: {', '.join(slow) or 'none'}.")
    out = ROOT / "_build" / "bench" / "dashboards.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf8")
    print(f"Written {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
