"""The Aware assessment as a Voila app in a real browser: questions, no code, Submit.

The notebook, as nbgrader releases it (hidden tests removed), is served by Voila (as a learner's server serves it on the hub) in a
folder laid out as nbgrader's fetch leaves it (``<home>/<course>/aware-assessment``), with an
nbgrader exchange holding the release. The learner, known to the app as ``ann`` (as
JupyterHub's ``JUPYTERHUB_USER`` would say), clicks a radio button for each choice question,
types the short answer and presses Submit: the answers file is saved in the folder and the
real ``nbgrader submit`` puts the folder in the exchange's inbound.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from qilab.cohort import assessment
from qilab.cohort.course import EXERCISES_DIR
from qilab.cohort.identity import learner_seed

pytestmark = [pytest.mark.browser, pytest.mark.slow]
LEARNER, COURSE = "ann", "qi-voila"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def app_server(tmp_path):
    import nbformat
    from nbgrader.preprocessors import ClearHiddenTests

    home = tmp_path / "home"
    folder = home / COURSE / assessment.ASSIGNMENT
    folder.mkdir(parents=True)
    name = f"{assessment.ASSIGNMENT}.ipynb"
    nb = nbformat.read(EXERCISES_DIR / assessment.ASSIGNMENT / name, as_version=4)
    nbformat.write(ClearHiddenTests().preprocess(nb, {})[0], folder / name)  # as released
    exchange = tmp_path / "exchange" / COURSE
    shutil.copytree(folder, exchange / "outbound" / assessment.ASSIGNMENT)
    (exchange / "inbound").mkdir()
    (home / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.Exchange.root = {str(tmp_path / 'exchange')!r}\n"
        f"c.Exchange.cache = {str(tmp_path / 'cache')!r}\n")
    port = free_port()
    env = dict(os.environ, JUPYTERHUB_USER=LEARNER, JUPYTER_PLATFORM_DIRS="1",
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    log = open(tmp_path / "voila.log", "wb")
    proc = subprocess.Popen([str(Path(sys.executable).parent / "voila"), "--no-browser",
                             f"--port={port}", "--Voila.ip=127.0.0.1", "."], cwd=home, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (tmp_path / "voila.log").read_text()
            try:
                urllib.request.urlopen(base + "api", timeout=2).close()
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                assert time.monotonic() < deadline, "voila did not answer"
                time.sleep(0.3)
        yield base + f"voila/render/{COURSE}/{assessment.ASSIGNMENT}/" \
            f"{assessment.ASSIGNMENT}.ipynb", folder, exchange / "inbound"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_a_learner_answers_in_the_voila_app_and_submits(app_server, chromium_page):
    url, folder, inbound = app_server
    page, _ = chromium_page
    page.goto(url, timeout=60_000)
    submit = page.get_by_role("button", name="Submit my answers")
    submit.wait_for(timeout=60_000)
    text = page.inner_text("body")
    assert "from qilab" not in text and "AwareAssessment" not in text  # no code shown
    assert "There was an error" not in text

    seed = learner_seed(LEARNER, assessment.ASSIGNMENT)
    key = assessment._key(seed)
    for q in assessment.paper(seed):
        if q["kind"] == "choice":
            letter = key[q["id"]]
            page.get_by_role("radio", name=f"{letter}. {q['options'][letter]}").check()
        else:
            page.get_by_label(f"Question {q['number']}").fill(key[q["id"]])
    # ipywidgets holds back value updates while earlier ones are pending but sends a click at
    # once: on a loaded machine a click can overtake the last answer. A person is never that
    # quick; a short pause keeps the test faithful to real use.
    page.keyboard.press("Tab")
    page.wait_for_timeout(700)
    submit.click()
    page.get_by_text("Submitted.").wait_for(timeout=60_000)

    saved = json.loads((folder / assessment.ANSWERS_FILE).read_text())
    assert saved["learner"] == LEARNER and saved["answers"] == key
    entries = list(inbound.iterdir())
    assert len(entries) == 1 and (entries[0] / assessment.ANSWERS_FILE).is_file()
    assert assessment.check_answers(
        (entries[0] / assessment.ANSWERS_FILE).read_text(), seed).details["right"] == 8
