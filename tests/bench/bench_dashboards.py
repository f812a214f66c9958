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

- **a room** (issue 17), with the pre-heated pools the facilitator guide documents for 30
  people (``make workshop ROOM=30``: ``dashboards/share/room-30/voila.json``): 30
  your-own-data pages opened at the same moment, the time until each shows its form; then 12
  team-game pages, as 12 teams, fill in a round and press Send at the same instant (a timer in
  each page), the time until each team's updated chart is on screen, over several rounds; the
  processor seconds the browser, Voila and the kernels used while the 30 pages opened;
- **the server's share of that room**: in a room each person's device draws their own page,
  so 30 clients that draw nothing ask at the same moment for all a page needs before it can
  show its form (the page, its files six at a time, the kernel's info and every widget's state
  over the kernel's websocket), on a fresh server with the same pools; and what drawing one
  page costs a browser (``--no-session`` leaves out the session below);
- **a simulated 90-minute session**, compressed: cycles of pages opened, used (a round sent,
  dice rolled, beads drawn, a point added) and closed, as a room's 30 people come and go; after
  each cycle the kernels still running and the memory of Voila and its kernels are recorded,
  to show that closing pages ends their kernels and memory stays flat.

Budgets: first render at most 4 s cold, round trip at most 300 ms; in the room, Send to chart
median at most 400 ms and 95th percentile at most 1 s, and 30 pages showing the form within
5 s. Prints a table and writes ``_build/bench/dashboards.json``; the figures go into
book/trainers/running-workshop-games.md. Run with ``make bench`` or
``python tests/bench/bench_dashboards.py`` (``--room`` for the room and the session only).
"""
from __future__ import annotations

import asyncio
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "dashboards"))
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402  (installed with ipykernel)
from conftest import kernels, start_voila, stop_voila  # noqa: E402

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


SEND_MEDIAN_BUDGET_MS = 400.0
SEND_P95_BUDGET_MS = 1000.0
FORM_BUDGET_S = 5.0
ROOM_PAGES = 30
PERSON_RUSHES = 3  # rushes in which one real page opens among the room's others
TEAMS = 12
ROUNDS = 5
SESSION_CYCLES = 15

#: The pool the facilitator guide documents for a 30-person room (`make workshop ROOM=30`).
ROOM_CONFIG = ROOT / "dashboards" / "share" / "room-30"
FORM_BUTTONS = ("Send this round", "Add this point and save")

FORM_SEEN_JS = """(() => {
    const seen = () => Array.from(document.querySelectorAll('button'))
        .some(b => ['Send this round', 'Add this point and save'].includes(b.textContent.trim()));
    const obs = new MutationObserver(() => {
        if (!window.qilabFormAt && seen()) { window.qilabFormAt = performance.now(); obs.disconnect(); }
    });
    document.addEventListener('DOMContentLoaded',
        () => obs.observe(document.body, {childList: true, subtree: true}));
})();"""

ARM_SEND_JS = """(at) => {
    const img = () => { const i = document.querySelector('figure.qilab-figure img');
                        return i ? i.src.length + ':' + i.src.slice(-60) : ''; };
    const before = img();
    window.qilabChartAt = null;
    const obs = new MutationObserver(() => {
        if (window.qilabChartAt === null && img() !== before) {
            window.qilabChartAt = Date.now(); obs.disconnect();
        }
    });
    obs.observe(document.body, {subtree: true, childList: true, attributes: true,
                                attributeFilter: ['src']});
    const send = Array.from(document.querySelectorAll('button'))
        .find(b => b.textContent.trim() === 'Send this round');
    setTimeout(() => send.click(), at - Date.now());
}"""


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def wait_pool(server, size: int, timeout: float = 600) -> float:
    """Wait until ``size`` pre-heated kernels are running and have run their notebooks; return
    the seconds taken. A kernel counts as ready once it has used the processor time a
    kernel takes to start (at least 0.5 s) and then sits idle."""
    start = time.monotonic()
    last: dict[int, float] = {}
    while time.monotonic() - start < timeout:
        time.sleep(3)
        ready = 0
        for p in kernels(server):
            try:
                used = sum(p.cpu_times()[:2])
            except psutil.NoSuchProcess:
                continue
            if used >= 0.5 and used - last.get(p.pid, 0.0) < 0.05:
                ready += 1
            last[p.pid] = used
        if ready >= size:
            break
    return time.monotonic() - start


def open_at_once(context, server, name: str, count: int) -> tuple[list, list[float]]:
    """Open ``count`` pages of ``name`` at the same moment; seconds until each shows its form."""
    pages = [context.new_page() for _ in range(count)]
    for page in pages:
        page.set_default_timeout(600_000)
        page.goto(server.url(f"{name}.ipynb"), wait_until="commit")
    shown = []
    for page in pages:
        page.wait_for_function("() => window.qilabFormAt", polling=200)
        shown.append(page.evaluate("() => window.qilabFormAt") / 1000)
    print(f"  {count} {name} pages: forms shown after {sorted(round(x, 1) for x in shown)} s",
          flush=True)
    return pages, shown


def browser_processes() -> dict[int, tuple[str, float]]:
    """This benchmark's own chromium processes: pid -> (process type, processor seconds so
    far). Only the browser this script started counts: other people's browsers on a shared
    machine (tests, other benchmarks) are not this page's work."""
    out = {}
    for p in psutil.Process().children(recursive=True):
        try:
            cmd = p.cmdline()
            if not cmd or "chromium" not in cmd[0]:
                continue
            kind = next((a.split("=", 1)[1] for a in cmd if a.startswith("--type=")), "browser")
            sub = next((a.split("=", 1)[1].rsplit(".", 1)[-1] for a in cmd
                        if a.startswith("--utility-sub-type=")), "")
            out[p.pid] = (f"{kind} ({sub})" if sub else kind, sum(p.cpu_times()[:4]))
        except psutil.Error:
            pass
    return out


def browser_cpu_s() -> float:
    """Processor seconds used so far by this benchmark's own browser (all its processes)."""
    return sum(seconds for _kind, seconds in browser_processes().values())


def server_cpu_s(server) -> tuple[float, float]:
    """Processor seconds used so far by Voila itself and by its running kernels."""
    voila = sum(psutil.Process(server.proc.pid).cpu_times()[:2])
    total = 0.0
    for p in kernels(server):
        try:
            total += sum(p.cpu_times()[:2])
        except psutil.Error:
            pass
    return voila, total


def page_assets(browser, server, name: str) -> list[str]:
    """The same-origin files a dashboard page loads (scripts, styles, font), as paths; the
    page itself and kernel requests are left out. Every dashboard loads the same files."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(180_000)
    seen: list[str] = []
    page.on("response", lambda r: seen.append(r.url))
    page.goto(server.url(f"{name}.ipynb"))
    page.locator(DASHBOARDS[name]).first.wait_for(state="visible")
    page.wait_for_timeout(1000)
    context.close()
    paths = [u[len(server.base) - 1:] for u in seen if u.startswith(server.base)]
    return [p for p in paths if p.startswith("/voila/") and "/render/" not in p
            and "/api/" not in p]


def _message(session: str, msg_type: str, content: dict, metadata: dict | None = None) -> str:
    return json.dumps({"header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type,
                                  "session": session, "username": "bench", "version": "5.3",
                                  "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
                       "parent_header": {}, "metadata": metadata or {}, "content": content,
                       "channel": "shell", "buffers": []})


async def _what_a_page_asks(base: str, name: str, assets: list[str]
                            ) -> tuple[float, object, str]:
    """Ask the server for all a page needs before it can show its form, as a browser does:
    the page, its files (six at a time, as browsers do per server), its kernel's details,
    then over the kernel's websocket the kernel's info and every widget's state. Returns the
    seconds until the last of these arrived, the open websocket and the kernel's id."""
    from tornado.httpclient import AsyncHTTPClient
    from tornado.websocket import websocket_connect

    http = AsyncHTTPClient()
    start = time.perf_counter()
    page = (await http.fetch(f"{base}voila/render/{name}.ipynb",
                             request_timeout=600)).body.decode()
    found = re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', page, re.S)
    assert found, f"{name} came without its kernel: {page[-300:]}"
    config = json.loads(found.group(1))
    kernel = config["kernelId"]
    six = asyncio.Semaphore(6)

    async def get(path: str) -> None:
        async with six:
            await http.fetch(base + path.lstrip("/"), request_timeout=600)

    await asyncio.gather(*(get(p) for p in [*assets, f"/api/kernels/{kernel}"]))
    session = uuid.uuid4().hex
    ws = await websocket_connect(f"ws{base[4:]}api/kernels/{kernel}/channels?"
                                 f"session_id={session}")
    await ws.write_message(_message(session, "kernel_info_request", {}))
    comm = uuid.uuid4().hex
    await ws.write_message(_message(session, "comm_open", {
        "comm_id": comm, "target_name": "jupyter.widget.control", "data": {}},
        {"version": "1.0.0"}))  # the widget control protocol, as ipywidgets 8 pages send
    await ws.write_message(_message(session, "comm_msg", {
        "comm_id": comm, "data": {"method": "request_states"}}))
    while True:
        reply = await asyncio.wait_for(ws.read_message(), 300)
        if reply is None:
            raise AssertionError(f"the kernel of {name} closed its websocket")
        msg = json.loads(reply)
        if msg["msg_type"] == "comm_msg" and \
                msg["content"].get("data", {}).get("method") == "update_states":
            assert msg["content"]["data"]["states"], "no widget states"
            return time.perf_counter() - start, ws, kernel


def server_side_open(server, name: str, count: int, assets: list[str]) -> list[float]:
    """``count`` clients ask at the same moment for everything a page of ``name`` needs to
    show its form (no browser: the server's share of opening ``count`` pages at once); then
    they close their pages, which ends their kernels."""
    from tornado.httpclient import AsyncHTTPClient

    async def run() -> list[float]:
        AsyncHTTPClient.configure(None, max_clients=6 * count + 10)
        done = await asyncio.gather(*(_what_a_page_asks(server.base, name, assets)
                                      for _ in range(count)))
        http = AsyncHTTPClient()
        for _seconds, ws, kernel in done:  # the page is closed, as the qilab template does
            ws.close()
            await http.fetch(f"{server.base}voila/api/shutdown/{kernel}", method="POST",
                             body="_xsrf=bench", headers={"Cookie": "_xsrf=bench"})
        return [seconds for seconds, _ws, _kernel in done]

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:  # Playwright's own event loop runs in this thread
        return pool.submit(asyncio.run, run()).result()


def one_person_in_the_rush(browser, server, name: str, count: int, assets: list[str]) -> dict:
    """What one person in the room sees: their page opens, cold, in a real browser at the same
    moment as ``count - 1`` other people's (clients that ask for all a page needs and draw
    nothing, as the others' own devices draw their pages). Seconds until this person's page
    shows its form, counted from its request; and the others' server-side times."""
    from concurrent.futures import ThreadPoolExecutor

    context = browser.new_context()  # empty caches, as a device opening the page first time
    context.add_init_script(FORM_SEEN_JS)
    page = context.new_page()
    page.set_default_timeout(300_000)
    with ThreadPoolExecutor(1) as pool:
        others = pool.submit(server_side_open, server, name, count - 1, assets)
        page.goto(server.url(f"{name}.ipynb"), wait_until="commit")
        page.wait_for_function("() => window.qilabFormAt", polling=200)
        shown = page.evaluate("() => window.qilabFormAt") / 1000
        rest = others.result()
    page.close(run_before_unload=True)  # leaving the page ends its kernel
    context.close()
    return {"form_s": round(shown, 2), "others_median_s": round(statistics.median(rest), 2),
            "others_max_s": round(max(rest), 2)}


def one_page_work(browser, server, name: str) -> dict:
    """What one page costs the device that shows it: the processor seconds of the browser
    (all its processes, and the page's own main thread) from the request until the form is
    shown and settled, with nothing else running in the browser. The page is cold, as on a
    person's own device the first time: a new browser context has an empty HTTP cache and no
    compiled code cached. ``tests/bench/profile_dashboard_page.py`` shows where it goes."""
    context = browser.new_context()
    context.add_init_script(FORM_SEEN_JS)
    page = context.new_page()
    page.set_default_timeout(180_000)
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    before = browser_processes()
    page.goto(server.url(f"{name}.ipynb"), wait_until="commit")
    page.wait_for_function("() => window.qilabFormAt", polling=200)
    page.wait_for_timeout(1000)
    after = browser_processes()
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    page.close(run_before_unload=True)  # leaving the page ends its kernel
    context.close()
    by_kind: dict[str, float] = {}
    for pid, (kind, seconds) in after.items():
        by_kind[kind] = by_kind.get(kind, 0.0) + seconds - before.get(pid, (kind, 0.0))[1]
    return {"browser_cpu_s": round(sum(by_kind.values()), 2),
            "by_process_s": {k: round(v, 2) for k, v in sorted(by_kind.items(),
                                                                key=lambda kv: -kv[1])
                             if v >= 0.005},
            "page_main_thread_s": round(metrics["TaskDuration"], 2),
            "main_thread_scripts_s": round(metrics["ScriptDuration"], 2),
            "main_thread_styles_layout_s": round(metrics["RecalcStyleDuration"]
                                                 + metrics["LayoutDuration"], 2)}


def start_room_voila(tmp: Path):
    """Voila with the room's pools (`make workshop ROOM=30`)."""
    old = os.environ.get("JUPYTER_CONFIG_PATH")
    os.environ["JUPYTER_CONFIG_PATH"] = str(ROOM_CONFIG)
    try:
        return start_voila(tmp)
    finally:
        if old is None:
            os.environ.pop("JUPYTER_CONFIG_PATH")
        else:
            os.environ["JUPYTER_CONFIG_PATH"] = old


def room_pool_size() -> int:
    """How many pre-heated kernels the room's settings keep."""
    config = json.loads((ROOM_CONFIG / "voila.json").read_text(encoding="utf8"))
    pools = config["VoilaKernelManager"]["kernel_pools_config"]
    named = [k for k in pools if k != "default"]
    return sum(pools[k]["pool_size"] for k in named) + pools["default"]["pool_size"] * (
        len(DASHBOARDS) - len(named))


def room_server_side(browser, tmp: Path) -> dict:
    """The server's share of the room: 30 your-own-data pages asked for at once by clients
    that fetch all a page needs but draw nothing (in a room each person's own device draws
    their page), on the documented pools; then what drawing one page costs a device."""
    server = start_room_voila(tmp / "server-side")
    out: dict = {}
    try:
        out["pool_fill_s"] = round(wait_pool(server, room_pool_size()), 1)
        assets = page_assets(browser, server, "dice")  # dice's pool: the room's pool stays
        out["files_per_page"] = len(assets) + 2
        time.sleep(3)
        out["load_average_before"] = [round(x, 1) for x in os.getloadavg()]
        cpu0 = server_cpu_s(server)
        shown = server_side_open(server, "your-own-data", ROOM_PAGES, assets)
        cpu1 = server_cpu_s(server)
        out["server_side_form_s"] = {"median": round(statistics.median(shown), 2),
                                     "max": round(max(shown), 2)}
        out["cpu_s"] = {"voila": round(cpu1[0] - cpu0[0], 1),
                        "kernels": round(cpu1[1] - cpu0[1], 1)}
        print(f"  server side, {ROOM_PAGES} pages at once: all a page needs delivered after "
              f"{sorted(round(x, 2) for x in shown)} s; Voila used {out['cpu_s']['voila']} "
              "processor seconds", flush=True)
        out["refill_s"] = round(wait_pool(server, room_pool_size()), 1)
        out["one_device"] = one_page_work(browser, server, "your-own-data")
        print(f"  one page drawn alone: {out['one_device']}", flush=True)
        out["one_person"] = []
        for _ in range(PERSON_RUSHES):
            wait_pool(server, room_pool_size())
            time.sleep(3)
            out["one_person"].append(one_person_in_the_rush(browser, server, "your-own-data",
                                                            ROOM_PAGES, assets))
            print(f"  one person's page among {ROOM_PAGES} opened at once: "
                  f"{out['one_person'][-1]}", flush=True)
    finally:
        stop_voila(server)
    return out


def _fill_round(page, team: str | None, k: int, actual: str) -> None:
    if team is not None:
        page.get_by_label("Team name", exact=True).fill(team)
        page.keyboard.press("Tab")
    page.get_by_label("Change tested this round (round 1: 'baseline')", exact=True).fill(
        "Baseline" if k == 1 else f"Change {k}")
    page.get_by_label("Prediction: assembly time (seconds) you expect", exact=True).fill("60")
    page.get_by_label("Actual assembly time (seconds)", exact=True).fill(actual)
    page.get_by_label("Accuracy", exact=True).select_option(
        label="3: every part in the right place")
    page.keyboard.press("Tab")


def room(browser, tmp: Path) -> dict:
    """30 pages at once, then 12 teams pressing Send together, on the documented pool.

    The 30 pages share one browser context, as 30 tabs of one browser do: so they share its
    HTTP cache and its cache of compiled scripts, which 30 people's own devices do not. Each
    of those devices instead pays what ``one_page_work`` measures, on its own processor."""
    server = start_room_voila(tmp / "room")
    config = json.loads((ROOM_CONFIG / "voila.json").read_text(encoding="utf8"))
    pools = config["VoilaKernelManager"]["kernel_pools_config"]
    size = room_pool_size()
    out: dict = {"pool": {k: v["pool_size"] for k, v in pools.items()}}
    try:
        out["pool_fill_s"] = round(wait_pool(server, size), 1)
        print(f"  pool of {size} kernels ready after {out['pool_fill_s']} s", flush=True)
        out["load_average_before"] = [round(x, 1) for x in os.getloadavg()]
        context = browser.new_context()
        context.add_init_script(FORM_SEEN_JS)
        cpu0, browser0, wall0 = server_cpu_s(server), browser_cpu_s(), time.monotonic()
        pages, shown = open_at_once(context, server, "your-own-data", ROOM_PAGES)
        cpu1, browser1 = server_cpu_s(server), browser_cpu_s()
        out["form_s"] = {"median": round(statistics.median(shown), 2),
                         "max": round(max(shown), 2)}
        out["form_cpu_s"] = {"browser": round(browser1 - browser0, 1),
                             "voila": round(cpu1[0] - cpu0[0], 1),
                             "kernels": round(cpu1[1] - cpu0[1], 1),
                             "wall": round(time.monotonic() - wall0, 1)}
        print(f"  processor seconds while they opened: {out['form_cpu_s']}", flush=True)
        for page in pages:
            page.close(run_before_unload=True)
        time.sleep(3)
        teams, shown = open_at_once(context, server, "team-game", TEAMS)
        out["team_form_s"] = {"median": round(statistics.median(shown), 2),
                              "max": round(max(shown), 2)}
        # a round takes teams minutes, by which time the pools have refilled: wait for that
        out["refill_s"] = round(wait_pool(server, size + TEAMS), 1)
        latencies = []
        for k in range(1, ROUNDS + 1):
            for i, page in enumerate(teams):
                _fill_round(page, f"Bench team {i + 1}" if k == 1 else None, k,
                            f"{70 - k + i / 10:g}")
            time.sleep(1.5)  # the typing has reached every kernel
            at = int(time.time() * 1000) + 1500
            for page in teams:
                page.evaluate(ARM_SEND_JS, at)
            for i, page in enumerate(teams):
                page.wait_for_function("() => window.qilabChartAt !== null", timeout=120_000)
                latencies.append(page.evaluate("() => window.qilabChartAt") - at)
                page.get_by_text(re.compile(rf"Sent: Bench team {i + 1} round {k},")).wait_for()
            print(f"  round {k}: Send to chart {sorted(latencies[-TEAMS:])} ms", flush=True)
        out["send_ms"] = {"median": round(statistics.median(latencies), 1),
                          "p95": round(_percentile(latencies, 0.95), 1),
                          "max": round(max(latencies), 1), "samples": len(latencies)}
        out["load_average_after"] = [round(x, 1) for x in os.getloadavg()]
        context.close()
    finally:
        stop_voila(server)
    return out


def _use(page, name: str, cycle: int, slot: int) -> None:
    """Do what a person does on each dashboard (one action), then wait for its answer."""
    if name == "team-game":
        _fill_round(page, f"Session {cycle}-{slot}", 1, "65")
        page.wait_for_timeout(600)
        page.get_by_role("button", name="Send this round").click()
        page.get_by_text(re.compile(r"Sent: Session")).wait_for()
    elif name == "dice":
        page.get_by_role("button", name="Roll the next day").click()
        page.locator('img[alt*="11 points"]').wait_for()
    elif name == "red-beads":
        page.get_by_role("button", name="New experiment (new seed)").click()
        page.get_by_text(re.compile("New experiment with random seed")).wait_for()
    elif name == "your-own-data":
        page.get_by_label("Your name or initials", exact=True).fill(f"S{cycle}-{slot}")
        page.get_by_label("Your measure (for example 'Falls per week')", exact=True).fill(
            "Falls per week")
        page.get_by_label("Date or label of the new point", exact=True).fill("Week 1")
        page.get_by_label("Value", exact=True).fill("5")
        page.keyboard.press("Tab")
        page.wait_for_timeout(600)
        page.get_by_role("button", name="Add this point and save").click()
        page.get_by_text(re.compile("Added point 1")).wait_for()


def session(browser, tmp: Path) -> dict:
    """A 90-minute afternoon compressed into open, use, close cycles; memory after each."""
    server = start_voila(tmp / "session")
    mix = ["team-game", "team-game", "your-own-data", "dice", "red-beads", "team-game"]
    rows = []
    try:
        start = time.monotonic()
        for cycle in range(1, SESSION_CYCLES + 1):
            context = browser.new_context()
            pages = []
            for slot, name in enumerate(mix):
                page = context.new_page()
                page.set_default_timeout(180_000)
                page.goto(server.url(f"{name}.ipynb"), wait_until="commit")
                pages.append((page, name, slot))
            for page, name, slot in pages:
                page.locator(DASHBOARDS[name]).first.wait_for(state="visible")
                _use(page, name, cycle, slot)
            for page, _name, _slot in pages:
                page.close(run_before_unload=True)
            context.close()
            deadline = time.monotonic() + 60
            while kernels(server) and time.monotonic() < deadline:
                time.sleep(0.5)
            procs = kernels(server)
            rss = memory_mb(psutil.Process(server.proc.pid))[0] + sum(
                memory_mb(p)[0] for p in procs)
            rows.append({"cycle": cycle, "pages_so_far": cycle * len(mix),
                         "kernels_left": len(procs), "voila_plus_kernels_rss_mb": round(rss, 1),
                         "elapsed_s": round(time.monotonic() - start, 1)})
            print(f"  session cycle {cycle}: {len(procs)} kernels left, {rss:.0f} MB",
                  flush=True)
    finally:
        stop_voila(server)
    return {"cycles": rows, "pages_per_cycle": len(mix)}


def main() -> int:
    from playwright.sync_api import sync_playwright

    if "--room" in sys.argv:
        return main_room()

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
    return main_room()


def main_room() -> int:
    """The room and the session only (issue 17); results in _build/bench/dashboards-room.json."""
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="bench-room-"))
    results: dict = {"machine": {"cpus": os.cpu_count(),
                                 "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
                                 "load_average_at_start": [round(x, 1)
                                                           for x in os.getloadavg()]},
                     "budgets": {"send_median_ms": SEND_MEDIAN_BUDGET_MS,
                                 "send_p95_ms": SEND_P95_BUDGET_MS,
                                 "form_s": FORM_BUDGET_S}}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        results["server_side"] = room_server_side(browser, tmp)
        results["room"] = room(browser, tmp)
        print(json.dumps(results["room"], indent=2), flush=True)
        if "--no-session" not in sys.argv:
            results["session"] = session(browser, tmp)
        browser.close()
    r, ss = results["room"], results["server_side"]
    print(f"\n30 pages at once, time to the form, all 30 drawn by one browser (one context, "
          f"sharing its caches) on this machine: "
          f"median {r['form_s']['median']} s, slowest {r['form_s']['max']} s (budget "
          f"{FORM_BUDGET_S:g} s); processor seconds meanwhile {r['form_cpu_s']}; pool filled "
          f"in {r['pool_fill_s']} s")
    print(f"Server side (30 clients fetch all a page needs, drawing nothing): median "
          f"{ss['server_side_form_s']['median']} s, slowest {ss['server_side_form_s']['max']} s; "
          f"one page drawn alone costs the browser {ss['one_device']['browser_cpu_s']} "
          f"processor seconds ({ss['one_device']['page_main_thread_s']} s on its main thread)")
    print(f"One person's page, cold, in a real browser, opened with {ROOM_PAGES - 1} others at "
          f"once (their devices drawing elsewhere), time to the form in "
          f"{PERSON_RUSHES} rushes: {[p['form_s'] for p in ss['one_person']]} s (budget "
          f"{FORM_BUDGET_S:g} s)")
    print(f"{TEAMS} teams pressing Send together, {ROUNDS} rounds: median "
          f"{r['send_ms']['median']} ms, p95 {r['send_ms']['p95']} ms, max "
          f"{r['send_ms']['max']} ms (budgets {SEND_MEDIAN_BUDGET_MS:g} / "
          f"{SEND_P95_BUDGET_MS:g} ms)")
    if "session" in results:
        cycles = results["session"]["cycles"]
        print(f"Session: {len(cycles)} cycles of {results['session']['pages_per_cycle']} "
              f"pages; kernels left after each: {[c['kernels_left'] for c in cycles]}; "
              f"memory MB: {[c['voila_plus_kernels_rss_mb'] for c in cycles]}")
    print(f"Load average at start {results['machine']['load_average_at_start']}, "
          f"now {[round(x, 1) for x in os.getloadavg()]}")
    out = ROOT / "_build" / "bench" / "dashboards-room.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf8")
    print(f"Written {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
