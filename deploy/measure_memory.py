"""Measure what one learner's server uses, to size a hub (deploy/README.md, "Sizing").

    .venv/bin/python deploy/measure_memory.py            # prints a table, writes JSON
    .venv/bin/python deploy/measure_memory.py --json _build/bench/hub_memory.json
    .venv/bin/python deploy/measure_memory.py --browser     # also JupyterLab in chromium

It starts a real single-user server (``jupyter lab``, the same server the hub starts for each
learner, with every server extension the learners' environment enables: nbgrader, Voila,
nbgitpuller, jupytext) on 127.0.0.1, then:

1. runs every M1 module page (modules/m1-model-for-improvement/*.md, read with jupytext) in one
   kernel, cell by cell, over the kernel websocket as JupyterLab does, and records the memory of
   the server plus the kernel after each page (a learner working through the module);
2. renders each Voila dashboard in dashboards/ through the server's Voila extension and
   records its kernel's memory (a workshop participant with a dashboard open);
3. with ``--browser`` (needs Debian's chromium and Playwright, as the browser tests), a learner
   with a browser: a second server on a copy of M1 and the data, JupyterLab open in headless
   chromium, each M1 page opened as a notebook (jupytext) and run with Run > Run All Cells,
   page after page without closing any (so each page keeps its own kernel, as a learner who
   never shuts a tab's kernel does). After each page it records the memory of the server and
   all its kernels, and the CPU seconds they used since the start.

Memory is RSS (resident set size) and PSS (proportional set size: shared libraries split
between the processes that share them), from /proc via psutil. RSS is what a container limit
counts against most conservatively, so the sizing uses RSS.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parents[1]
MODULE = ROOT / "modules" / "m1-model-for-improvement"
DASHBOARDS = ROOT / "dashboards"
MiB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memory(pids: list[int]) -> tuple[float, float]:
    rss = pss = 0
    for pid in pids:
        try:
            info = psutil.Process(pid).memory_full_info()
        except psutil.Error:
            continue
        rss += info.rss
        pss += getattr(info, "pss", info.rss)
    return rss / MiB, pss / MiB


class Server:
    def __init__(self, root: Path):
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        bindir = Path(sys.executable).parent
        env = {**os.environ, "PATH": f"{bindir}:{os.environ.get('PATH', '')}",
               "JUPYTER_RUNTIME_DIR": tempfile.mkdtemp(prefix="qi-measure-runtime-")}
        self.proc = subprocess.Popen(
            [str(bindir / "jupyter-lab"), "--no-browser", f"--port={self.port}",
             "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={self.token}",
             f"--ServerApp.root_dir={root}", "--allow-root"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if self.get("/api/status").status_code == 200:
                    return
            except requests.ConnectionError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("jupyter lab did not start in 90 s")

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}

    def get(self, path: str, **kw):
        return requests.get(self.url + path, headers=self.headers(), timeout=300, **kw)

    def post(self, path: str, **kw):
        return requests.post(self.url + path, headers=self.headers(), timeout=60, **kw)

    def kernel_pids(self) -> list[int]:
        return [p.pid for p in psutil.Process(self.proc.pid).children(recursive=True)]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


async def run_cells(server: Server, kernel_id: str, cells: list[str]) -> list[str]:
    """Run the cells in order in the kernel; return the errors (empty when all ran)."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    session = uuid.uuid4().hex
    url = server.url.replace("http", "ws", 1) + f"/api/kernels/{kernel_id}/channels"
    ws = await websocket_connect(HTTPRequest(url, headers=server.headers()))
    errors = []
    try:
        for code in cells:
            msg_id = uuid.uuid4().hex
            ws.write_message(json.dumps({
                "header": {"msg_id": msg_id, "username": "measure", "session": session,
                           "msg_type": "execute_request", "version": "5.3", "date": ""},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"code": code, "silent": False, "store_history": True,
                            "user_expressions": {}, "allow_stdin": False,
                            "stop_on_error": False}}))
            replied = idle = False
            while not (replied and idle):
                msg = json.loads(await asyncio.wait_for(ws.read_message(), 300))
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind = msg["header"]["msg_type"]
                if kind == "error":
                    errors.append(f"{msg['content']['ename']}: {msg['content']['evalue']}")
                replied |= kind == "execute_reply"
                idle |= kind == "status" and msg["content"]["execution_state"] == "idle"
    finally:
        ws.close()
    return errors


def measure_module(server: Server) -> list[dict]:
    import jupytext

    rows = []
    pages = sorted(MODULE.glob("*.md"))
    relative = MODULE.relative_to(ROOT)
    session = server.post("/api/sessions", json={
        "path": f"{relative}/measure.ipynb", "type": "notebook", "name": "measure.ipynb",
        "kernel": {"name": "python3"}}).json()
    kernel_id = session["kernel"]["id"]
    base_rss, base_pss = memory([server.proc.pid] + server.kernel_pids())
    rows.append({"step": "server + idle kernel", "rss_mib": base_rss, "pss_mib": base_pss,
                 "errors": []})
    for page in pages:
        nb = jupytext.read(page)
        cells = [c.source for c in nb.cells if c.cell_type == "code" and c.source.strip()]
        start = time.perf_counter()
        errors = asyncio.run(run_cells(server, kernel_id, cells))
        rss, pss = memory([server.proc.pid] + server.kernel_pids())
        rows.append({"step": f"after {page.name} ({len(cells)} cells, "
                             f"{time.perf_counter() - start:.1f} s)",
                     "rss_mib": rss, "pss_mib": pss, "errors": errors})
    requests.delete(f"{server.url}/api/sessions/{session['id']}", headers=server.headers(),
                    timeout=30)
    return rows


def measure_dashboards(server: Server) -> list[dict]:
    rows = []
    for notebook in sorted(DASHBOARDS.glob("*.ipynb")):
        before = set(server.kernel_pids())
        start = time.perf_counter()
        page = server.get(f"/voila/render/{notebook.relative_to(ROOT).as_posix()}")
        seconds = time.perf_counter() - start
        new = [pid for pid in server.kernel_pids() if pid not in before]
        rss, pss = memory(new)
        failed = page.status_code != 200 or "There was an error when executing cell" in page.text
        rows.append({"step": f"Voila kernel: {notebook.name} ({seconds:.1f} s)",
                     "rss_mib": rss, "pss_mib": pss,
                     "errors": [f"HTTP {page.status_code} or a cell error"] if failed else []})
        for kernel in server.get("/api/kernels").json():
            requests.delete(f"{server.url}/api/kernels/{kernel['id']}",
                            headers=server.headers(), timeout=30)
        time.sleep(1)
    return rows


def measure_browser() -> list[dict]:
    """A learner in JupyterLab in chromium working through every M1 page (see the docstring)."""
    import shutil

    from playwright.sync_api import sync_playwright

    root = Path(tempfile.mkdtemp(prefix="qi-measure-lab-"))
    shutil.copytree(MODULE, root / MODULE.relative_to(ROOT))
    shutil.copytree(ROOT / "data", root / "data")
    settings = root / ".lab-settings" / "@jupyterlab" / "docmanager-extension"
    settings.mkdir(parents=True)
    overrides = json.loads((ROOT / "deploy" / "local" / "lab-overrides.json").read_text())
    (settings / "plugin.jupyterlab-settings").write_text(
        json.dumps(overrides["@jupyterlab/docmanager-extension:plugin"]))
    os.environ["JUPYTERLAB_SETTINGS_DIR"] = str(root / ".lab-settings")
    server = Server(root)
    rows = []
    try:
        def used() -> tuple[float, float, float]:
            pids = [server.proc.pid] + server.kernel_pids()
            cpu = 0.0
            for pid in pids:
                try:
                    times = psutil.Process(pid).cpu_times()
                    cpu += times.user + times.system
                except psutil.Error:
                    pass
            rss, pss = memory(pids)
            return rss, pss, cpu

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"])
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{server.url}/lab?token={server.token}")
            page.wait_for_selector("#jp-main-dock-panel", timeout=120_000)
            _, _, cpu0 = used()
            started = time.perf_counter()
            rss, pss, cpu = used()
            rows.append({"step": "JupyterLab open in chromium, no notebook", "rss_mib": rss,
                         "pss_mib": pss, "cpu_s": cpu - cpu0, "kernels": 0, "errors": []})
            for md in sorted((root / MODULE.relative_to(ROOT)).glob("*.md")):
                rel = md.relative_to(root).as_posix()
                page.goto(f"{server.url}/lab/tree/{rel}?token={server.token}")
                page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").first.wait_for(
                    timeout=120_000)
                before = time.perf_counter()
                page.get_by_role("menuitem", name="Run", exact=True).click()
                page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
                errors = _wait_until_run(server, page)
                rss, pss, cpu = used()
                rows.append({"step": f"after {md.name} ({time.perf_counter() - before:.1f} s)",
                             "rss_mib": rss, "pss_mib": pss, "cpu_s": cpu - cpu0,
                             "kernels": len(server.get("/api/kernels").json()),
                             "errors": errors})
            rows.append({"step": f"whole module ({time.perf_counter() - started:.0f} s)",
                         "rss_mib": rss, "pss_mib": pss, "cpu_s": cpu - cpu0,
                         "kernels": rows[-1]["kernels"], "errors": []})
            browser.close()
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    return rows


def _wait_until_run(server: Server, page, timeout: float = 300) -> list[str]:
    """Wait until every kernel is idle and the page shows no running cell; return errors."""
    deadline = time.monotonic() + timeout
    time.sleep(1)
    while time.monotonic() < deadline:
        busy = any(k["execution_state"] != "idle" for k in server.get("/api/kernels").json())
        running = page.locator(".jp-InputArea-prompt:has-text('[*]')").count()
        if not busy and not running:
            break
        time.sleep(0.5)
    else:
        return [f"still running after {timeout} s"]
    errors = page.locator(".jp-OutputArea-output[data-mime-type="
                          "'application/vnd.jupyter.stderr']").count()
    return [f"{errors} error output(s)"] if errors else []


# Per-node limits of a 4 vCPU / 16 GiB node on the common managed clusters, besides memory:
# volumes a node can attach (each learner's home is one volume with per-user disks) and pods a
# node may run. Sources are cited in deploy/README.md ("Sizing"). None: not the binding limit.
CLOUD_LIMITS = {
    "AKS, Standard_D4s_v5, Azure Disk homes": {"volumes": 8, "pods": 30},
    "AKS, Standard_D4s_v5, Azure Files homes": {"volumes": None, "pods": 30},
    "EKS, m5.xlarge, EBS homes (VPC CNI)": {"volumes": None, "pods": 58},
    "EKS, m7i.xlarge, EBS homes (VPC CNI)": {"volumes": 32, "pods": None},
    "GKE Standard, 4 vCPU / 16 GB, Persistent Disk homes": {"volumes": 127, "pods": 110},
}
SYSTEM_PODS = 6  # per node: the chart's image puller, kube-proxy, the network and CSI agents


def sizing(per_learner_gib: float = 0.5, node_gib: float = 16, node_cpu: int = 4,
           system_gib: float = 1.5, cpu_guarantee: float = 0.1,
           volumes: int | None = None, pods: int | None = None) -> list[dict]:
    """User nodes needed for 100, 300 and 1000 concurrent learners.

    Learners a node: the fewest of what memory allows (``node_gib`` less ``system_gib`` kept
    for the kubelet and the operating system, over the guarantee), what the CPU guarantee
    allows, the volumes the node can attach and the pods it may run (less ``SYSTEM_PODS``).

    >>> sizing(0.75)[0]["per_node"], sizing(0.75, volumes=8)[0]["nodes"]
    (19, 13)
    """
    usable = node_gib - system_gib
    caps = [math.floor(usable / per_learner_gib), math.floor(node_cpu / cpu_guarantee)]
    if volumes is not None:
        caps.append(volumes)
    if pods is not None:
        caps.append(pods - SYSTEM_PODS)
    per_node = min(caps)
    return [{"learners": n, "per_node": per_node, "nodes": math.ceil(n / per_node)}
            for n in (100, 300, 1000)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=ROOT / "_build" / "bench" / "hub_memory.json")
    parser.add_argument("--browser", action="store_true",
                        help="also measure JupyterLab in chromium working through M1")
    args = parser.parse_args()
    root = ROOT
    server = Server(root)
    try:
        module_rows = measure_module(server)
        dashboard_rows = measure_dashboards(server)
    finally:
        server.stop()
    browser_rows = measure_browser() if args.browser else []
    rows = module_rows + dashboard_rows + browser_rows
    width = max(len(r["step"]) for r in rows)
    print(f"{'step'.ljust(width)}  RSS MiB  PSS MiB")
    for r in rows:
        flag = f"  ERRORS: {r['errors']}" if r["errors"] else ""
        print(f"{r['step'].ljust(width)}  {r['rss_mib']:7.0f}  {r['pss_mib']:7.0f}{flag}")
    peak = max(r["rss_mib"] for r in module_rows)
    voila = max((r["rss_mib"] for r in dashboard_rows), default=0.0)
    print(f"\npeak, one learner working through M1 (server + kernel): {peak:.0f} MiB RSS")
    print(f"largest Voila dashboard kernel: {voila:.0f} MiB RSS")
    for r in browser_rows:
        print(f"browser: {r['step']}: {r['rss_mib']:.0f} MiB RSS, {r['pss_mib']:.0f} MiB PSS, "
              f"{r['cpu_s']:.1f} CPU s, {r['kernels']} kernel(s)")
    with_browser = max((r["rss_mib"] for r in browser_rows), default=0.0)
    peak = max(peak, with_browser)
    guarantee = max(0.5, math.ceil((peak + voila) / 256) * 0.25)  # GiB, in quarter steps
    print(f"\nguarantee per learner (M1 open + one dashboard, rounded up): {guarantee} GiB")
    table = sizing(guarantee)
    for row in table:
        print(f"{row['learners']:5d} learners: {row['per_node']} a node -> {row['nodes']} "
              "user nodes of 4 vCPU / 16 GiB (+1 core node)")
    clouds = {name: sizing(guarantee, **limits) for name, limits in CLOUD_LIMITS.items()}
    for name, rows in clouds.items():
        print(f"{name}: {rows[0]['per_node']} a node -> "
              + ", ".join(f"{r['learners']}: {r['nodes']}" for r in rows))
    result = {"sizing": table, "clouds": clouds, "guarantee_gib": guarantee, "module_rows": module_rows,
              "dashboard_rows": dashboard_rows, "browser_rows": browser_rows,
              "peak_module_rss_mib": peak, "max_voila_kernel_rss_mib": voila,
              "python": sys.version.split()[0], "cpus": os.cpu_count()}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2))
    print(f"written {args.json}")
    return 1 if any(r["errors"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
