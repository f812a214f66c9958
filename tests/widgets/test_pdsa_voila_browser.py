"""The PDSA widget in a real browser under Voila: labels, the prediction gate, and the saved log.

Starts ``voila tests/fixtures/pdsa_voila.ipynb`` on a free local port with the log in a
temporary folder, drives it with Playwright and Debian's chromium (the shared ``chromium_page``
fixture in tests/conftest.py), and reads the JSON log from disk.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "tests" / "fixtures" / "pdsa_voila.ipynb"
ERROR_TEXT = "There was an error when executing cell"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"voila exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "api", timeout=2):
                return
        except urllib.error.HTTPError:
            return  # any HTTP answer means the server is up
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.3)
    raise AssertionError(f"voila did not answer at {url} within {seconds} s")


def _read_cycles(path: Path, want, seconds: float = 15) -> list[dict]:
    deadline = time.monotonic() + seconds
    cycles: list[dict] = []
    while time.monotonic() < deadline:
        if path.exists():
            cycles = json.loads(path.read_text(encoding="utf-8"))["cycles"]
            if want(cycles):
                return cycles
        time.sleep(0.2)
    raise AssertionError(f"the log never reached the expected state; last seen: {cycles}")


@pytest.fixture
def voila(tmp_path):
    """Run voila on the fixture notebook; yield (url, log path); always stop it."""
    bindir = Path(sys.executable).parent
    voila_bin = bindir / "voila"
    assert voila_bin.exists(), f"{voila_bin} is missing: install the pinned requirements"
    port = _free_port()
    log_path = tmp_path / "learner" / "pdsa.json"
    env = dict(os.environ, PATH=f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}",
               QILAB_PDSA_LOG=str(log_path), JUPYTER_PLATFORM_DIRS="1", MPLBACKEND="Agg")
    output = open(tmp_path / "voila.log", "wb")
    proc = subprocess.Popen(
        [str(voila_bin), str(NOTEBOOK), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1"],
        cwd=tmp_path, env=env, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_for(url, proc)
        yield url, log_path
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        output.close()


def _settle(page) -> None:
    """Let typed values reach the kernel before a button press.

    ipywidgets buffers value updates while the kernel is busy, but sends a button's click at
    once, so on a loaded machine a click could overtake the last typed value. A person never
    types that fast; a short pause keeps the test faithful to real use.
    """
    page.keyboard.press("Tab")
    page.wait_for_timeout(700)


def test_pdsa_widget_in_voila(voila, chromium_page) -> None:
    url, log_path = voila
    page, _watch = chromium_page
    page.set_default_timeout(60_000)
    page.goto(url)
    title = page.get_by_label("Title of this test", exact=True)
    title.wait_for(state="visible")
    assert ERROR_TEXT not in page.content()

    title.fill("Falls leaflet, 1 patient")
    page.get_by_label("Change idea", exact=True).fill("Give the falls leaflet at admission")
    page.get_by_label("Question(s) this test will answer, one a line", exact=True).fill(
        "Will the patient read it?")
    page.get_by_label("Who will do it", exact=True).fill("Staff nurse, early shift")
    page.get_by_label("What they will do", exact=True).fill("Give and explain the leaflet")
    page.get_by_label("Where", exact=True).fill("Ward 7, bay 2")
    page.get_by_label("When (date)", exact=True).fill("14/03/2027")
    page.get_by_label("Data to collect", exact=True).fill("Minutes taken")
    _settle(page)

    # no prediction yet: a friendly message, and we stay on Plan
    page.get_by_role("button", name="Save and go to Do").click()
    page.get_by_text("Before you go on to Do, write your prediction").wait_for(state="visible")
    assert page.get_by_label("Title of this test", exact=True).input_value() == \
        "Falls leaflet, 1 patient"
    draft = _read_cycles(log_path, lambda cs: len(cs) == 1)
    assert draft[0]["prediction"] == "" and draft[0]["stage"] == "plan"

    # with a prediction we move on to Do
    page.get_by_label("Prediction: what do you expect to happen?", exact=True).fill(
        "The patient reads it; it takes 2 minutes")
    _settle(page)
    page.get_by_role("button", name="Save and go to Do").click()
    page.get_by_text("Step 2 of 4").wait_for(state="visible")
    page.get_by_label("What happened", exact=True).wait_for(state="visible")
    page.get_by_role("button", name="Save and go to Study").wait_for(state="visible")

    cycles = _read_cycles(log_path, lambda cs: cs and cs[0]["stage"] == "do")
    assert len(cycles) == 1
    assert cycles[0]["prediction"] == "The patient reads it; it takes 2 minutes"
    assert cycles[0]["plan_when"] == "2027-03-14" and cycles[0]["title"] == "Falls leaflet, 1 patient"
    assert json.loads(log_path.read_text())["schema"] == "qilab.pdsa_log"
    assert ERROR_TEXT not in page.content()
