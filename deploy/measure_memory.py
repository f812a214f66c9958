"""Measure what one learner's server uses, to size a hub (deploy/README.md, "Sizing").

    .venv/bin/python deploy/measure_memory.py            # prints a table, writes JSON
    .venv/bin/python deploy/measure_memory.py --json _build/bench/hub_memory.json

It starts a real single-user server (``jupyter lab``, the same server the hub starts for each
learner, with every server extension the learners' environment enables: nbgrader, Voila,
nbgitpuller, jupytext) on 127.0.0.1, then:

1. runs every M1 module page (modules/m1-model-for-improvement/*.md, read with jupytext) in one
   kernel, cell by cell, over the kernel websocket as JupyterLab does, and records the memory of
   the server plus the kernel after each page (a learner working through the module);
2. renders each Voila dashboard in dashboards/ through the server's Voila extension and
   records its kernel's memory (a workshop participant with a dashboard open).

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


def sizing(per_learner_gib: float = 0.5, node_gib: float = 16, node_cpu: int = 4,
           system_gib: float = 1.5, cpu_guarantee: float = 0.1) -> list[dict]:
    """User nodes needed for 100, 300 and 1000 concurrent learners at a memory guarantee.

    ``system_gib`` is kept back on each node for the kubelet, the operating system and the
    chart's per-node pods (image puller); the hub and proxy run on a separate core node.
    """
    usable = node_gib - system_gib
    per_node = min(math.floor(usable / per_learner_gib), math.floor(node_cpu / cpu_guarantee))
    return [{"learners": n, "per_node": per_node, "nodes": math.ceil(n / per_node)}
            for n in (100, 300, 1000)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=ROOT / "_build" / "bench" / "hub_memory.json")
    args = parser.parse_args()
    root = ROOT
    server = Server(root)
    try:
        module_rows = measure_module(server)
        dashboard_rows = measure_dashboards(server)
    finally:
        server.stop()
    rows = module_rows + dashboard_rows
    width = max(len(r["step"]) for r in rows)
    print(f"{'step'.ljust(width)}  RSS MiB  PSS MiB")
    for r in rows:
        flag = f"  ERRORS: {r['errors']}" if r["errors"] else ""
        print(f"{r['step'].ljust(width)}  {r['rss_mib']:7.0f}  {r['pss_mib']:7.0f}{flag}")
    peak = max(r["rss_mib"] for r in module_rows)
    voila = max((r["rss_mib"] for r in dashboard_rows), default=0.0)
    print(f"\npeak, one learner working through M1 (server + kernel): {peak:.0f} MiB RSS")
    print(f"largest Voila dashboard kernel: {voila:.0f} MiB RSS")
    guarantee = max(0.5, math.ceil((peak + voila) / 256) * 0.25)  # GiB, in quarter steps
    print(f"\nguarantee per learner (M1 open + one dashboard, rounded up): {guarantee} GiB")
    table = sizing(guarantee)
    for row in table:
        print(f"{row['learners']:5d} learners: {row['per_node']} a node -> {row['nodes']} "
              "user nodes of 4 vCPU / 16 GiB (+1 core node)")
    result = {"sizing": table, "guarantee_gib": guarantee, "module_rows": module_rows,
              "dashboard_rows": dashboard_rows,
              "peak_module_rss_mib": peak, "max_voila_kernel_rss_mib": voila,
              "python": sys.version.split()[0], "cpus": os.cpu_count()}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2))
    print(f"written {args.json}")
    return 1 if any(r["errors"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
