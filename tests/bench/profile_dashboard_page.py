"""Profile: where a browser's processor time goes when it draws one workshop dashboard page.

Opens one page (``your-own-data`` unless a dashboard name is given) in Debian's chromium, cold
(a new browser context: empty HTTP cache and compiled-code cache, as a person's own device the
first time), on a Voila with a pre-heated kernel, and records a Chromium trace from the request
until the form is shown and settled. Prints:

- the processor seconds of each of this browser's processes (renderer, browser, network, GPU),
  counted from the operating system, not from the trace;
- the page's main thread by activity (running scripts, compiling, parsing the HTML, styles,
  layout, painting, garbage collection, loading files), as self time from the trace;
- the scripts whose evaluation took longest, and what the 'other' time was;
- the number of files the page loaded.

Run: ``python tests/bench/profile_dashboard_page.py [dashboard] [voila options...]``, for
example ``... your-own-data --template=classic`` to compare Voila's classic template. Tracing
itself adds some time, so compare runs of this tool with each other, and use
``bench_dashboards.py`` for the figures in the facilitator guide.
"""
from __future__ import annotations

import collections
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "bench"))

import bench_dashboards as bench  # noqa: E402

#: The trace categories recorded (those Chromium's DevTools performance panel uses, roughly).
CATEGORIES = ["disabled-by-default-devtools.timeline", "devtools.timeline", "v8", "v8.execute",
              "blink", "loading", "disabled-by-default-v8.compile"]
#: Trace event name (prefix) -> activity, checked in order.
ACTIVITIES = [
    (("v8.compile", "v8.parseOnBackground", "V8.CompileCode", "v8.produceCache",
      "v8.consumeCache", "V8.ParseProgram", "V8.ParseFunction", "V8.Compile"), "compiling"),
    (("MinorGC", "MajorGC", "V8.GC", "BlinkGC", "ThreadState::"), "garbage collection"),
    (("EvaluateScript", "v8.", "V8.", "FunctionCall", "RunMicrotasks", "TimerFire",
      "EventDispatch", "FireAnimationFrame", "PendingScript", "ScriptRunner",
      "HTMLParserScriptRunner"), "running scripts"),
    (("ParseHTML", "HTMLDocumentParser", "DecodedDataDocumentParser"), "parsing HTML"),
    (("UpdateLayoutTree", "Document::recalcStyle", "Blink.Style", "ParseAuthorStyleSheet",
      "CSSParserImpl", "StyleEngine", "Document::UpdateStyle"), "styles"),
    (("Layout", "LocalFrameView::layout", "LocalFrameView::performLayout", "Blink.Layout"),
     "layout"),
    (("Paint", "PrePaint", "Layerize", "Commit", "UpdateLayer", "CompositeLayers",
      "Blink.Paint", "Blink.PrePaint", "LocalFrameView::RunPaint"), "painting"),
    (("Resource", "DocumentLoader", "ResponseBodyLoader", "ResourceFetcher"), "loading files"),
]


def activity(name: str) -> str:
    """The activity a trace event belongs to, by its name."""
    for prefixes, label in ACTIVITIES:
        if name.startswith(prefixes):
            return label
    return "other"


def self_times(events: list[dict]) -> collections.Counter:
    """Self time (microseconds) of complete ('X') events on one thread, by event name."""
    spans = sorted((e for e in events if e.get("ph") == "X" and "dur" in e),
                   key=lambda e: (e["ts"], -e["dur"]))
    out: collections.Counter = collections.Counter()
    stack: list[dict] = []
    for e in spans:
        while stack and stack[-1]["ts"] + stack[-1]["dur"] <= e["ts"]:
            stack.pop()
        if stack:
            out[stack[-1]["name"]] -= e["dur"]
        out[e["name"]] += e["dur"]
        stack.append(e)
    return out


def summarise(events: list[dict]) -> dict:
    """Main-thread activities, slowest scripts and the largest 'other' items, in ms."""
    busy: collections.Counter = collections.Counter()
    for e in events:
        if e.get("name") == "RunTask" and e.get("ph") == "X":
            busy[(e["pid"], e["tid"])] += e.get("dur", 0)
    main = busy.most_common(1)[0][0]
    on_main = [e for e in events if (e["pid"], e["tid"]) == main]
    by_activity: collections.Counter = collections.Counter()
    for name, us in self_times(on_main).items():
        by_activity[activity(name)] += us
    scripts: collections.Counter = collections.Counter()
    for e in on_main:
        if e.get("name") == "EvaluateScript" and e.get("ph") == "X":
            url = e.get("args", {}).get("data", {}).get("url", "") or "(inline)"
            scripts[url.split("?")[0].rsplit("/", 1)[-1]] += e["dur"]
    files = sum(1 for e in on_main if e.get("name") == "ResourceSendRequest")
    other = collections.Counter({k: v for k, v in self_times(on_main).items()
                                 if activity(k) == "other"})
    return {"main_thread_ms": {k: round(v / 1000) for k, v in by_activity.most_common()},
            "slowest_scripts_ms": {k: round(v / 1000) for k, v in scripts.most_common(8)},
            "other_ms": {k: round(v / 1000) for k, v in other.most_common(5)},
            "requests": files}


def profile(browser, server, name: str) -> dict:
    """Trace one cold page of ``name`` until its form is shown and settled."""
    context = browser.new_context()
    context.add_init_script(bench.FORM_SEEN_JS)
    page = context.new_page()
    page.set_default_timeout(180_000)
    cdp = context.new_cdp_session(page)
    events: list[dict] = []
    done: list[bool] = []
    cdp.on("Tracing.dataCollected", lambda p: events.extend(p["value"]))
    cdp.on("Tracing.tracingComplete", lambda p: done.append(True))
    cdp.send("Tracing.start", {"traceConfig": {"includedCategories": CATEGORIES},
                               "transferMode": "ReportEvents"})
    before = bench.browser_processes()
    page.goto(server.url(f"{name}.ipynb"), wait_until="commit")
    page.locator(bench.DASHBOARDS[name]).first.wait_for(state="visible")
    page.wait_for_timeout(1000)
    after = bench.browser_processes()
    cdp.send("Tracing.end")
    while not done:
        page.wait_for_timeout(100)
    context.close()
    cpu: collections.Counter = collections.Counter()
    for pid, (kind, seconds) in after.items():
        cpu[kind] += seconds - before.get(pid, (kind, 0.0))[1]
    out = {"browser_cpu_s": {k: round(v, 2) for k, v in cpu.most_common() if v >= 0.005}}
    out["browser_cpu_s"]["total"] = round(sum(cpu.values()), 2)
    out.update(summarise(events))
    return out


def main() -> int:
    from playwright.sync_api import sync_playwright

    name = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("-") else \
        "your-own-data"
    extra = [a for a in sys.argv[1:] if a.startswith("-")]
    tmp = Path(tempfile.mkdtemp(prefix="profile-dashboard-"))
    server = bench.start_voila(tmp, "--preheat_kernel=True", "--pool_size=2", *extra)
    try:
        bench.wait_pool(server, 2 * len(bench.DASHBOARDS), timeout=180)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=bench.CHROMIUM, headless=True,
                                         args=bench.ARGS)
            for run in (1, 2):
                result = profile(browser, server, name)
                print(f"Run {run}, one cold {name} page:")
                for key, value in result.items():
                    print(f"  {key}: {value}")
                time.sleep(2)
            browser.close()
    finally:
        bench.stop_voila(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
