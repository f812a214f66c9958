"""The faculty's programme dashboard in a real browser under Voila, on 127.0.0.1 only."""
from __future__ import annotations

import socket
import subprocess
import time
import urllib.request

import pytest

from qilab.programme.dashboard import ProgrammeDashboard, voila_command, voila_env
from qilab.programme.db import open_database
from qilab.programme.importer import import_files
from qilab.programme.synthetic import synthetic_programme

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_JS = """async (tags) => {
    const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                            resultTypes: ['violations']});
    return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '));
}"""


@pytest.fixture(scope="module")
def programme_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dashboard")
    s = synthetic_programme(people=120, seed=4)
    url = "sqlite:///" + str(folder / "programme.sqlite")
    import_files(open_database(url), s.write_csvs(folder), today=s.today, secret=None)
    return url, s


def test_views_without_a_browser(programme_db):
    url, s = programme_db
    board = ProgrammeDashboard(open_database(url))
    assert f"{s.truth['reach']:,} people have completed training" in board.body.value
    assert 'alt="This run chart' in board.body.value
    board.view.value = "Outcomes"
    assert "PRJ-01" in board.body.value and "improvement" in board.body.value
    board.view.value = "Knowledge"
    assert "weighted kappa" in board.body.value


@pytest.mark.browser
@pytest.mark.slow
def test_dashboard_in_a_browser(programme_db, chromium_page, axe_source, tmp_path):
    url, s = programme_db
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = open(tmp_path / "voila.log", "wb")
    env = dict(voila_env(url), JUPYTER_PLATFORM_DIRS="1")
    proc = subprocess.Popen(voila_command(port), env=env, stdout=log, stderr=subprocess.STDOUT,
                            cwd=tmp_path)
    try:
        base = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(base, timeout=5)
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, \
                    (tmp_path / "voila.log").read_text(errors="replace")[-3000:]
                time.sleep(0.5)
        page, watch = chromium_page
        page.set_default_timeout(90_000)
        page.goto(base, wait_until="load")
        page.get_by_text(f"{s.truth['reach']:,} people have completed training").wait_for()
        assert "There was an error when executing cell" not in page.content()
        assert "ProgrammeDashboard()" not in page.content()  # no code shown
        page.get_by_label("Show", exact=True).select_option("Outcomes")
        page.get_by_text("PRJ-01").wait_for()
        alts = page.evaluate("() => Array.from(document.images).map(i => i.alt)")
        assert all(a and a.strip() for a in alts)
        page.add_script_tag(content=axe_source)
        assert page.evaluate(AXE_JS, AXE_TAGS) == []
        assert watch.third_party == [] and [e for e in watch.js_errors
                                            if "favicon" not in e] == []
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
