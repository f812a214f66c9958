"""The workshop games without a browser: set values, click, and check state, text and charts.

Each game's widget tree (``.ui``) is driven as a facilitator would: sliders and drop-downs set,
buttons clicked. A chart "changes" when its PNG digest changes; its alt text must say what the
chart shows.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from qilab.sims import funnel as fn
from qilab.widgets.games.dice import DiceGame, secret_day
from qilab.widgets.games.funnel import FunnelGame, variance_table
from qilab.widgets.games.own_data import SCHEMA, OwnDataGame
from qilab.widgets.games.red_beads import RedBeadsGame
from qilab.widgets.games.team_game import FacilitatorView, TeamEntry, database_path

ROOT = Path(__file__).resolve().parents[2]
DASHBOARDS = ROOT / "dashboards"
NOTEBOOKS = ["red-beads", "funnel", "team-game", "team-game-facilitator", "dice",
             "your-own-data"]


def changed(area, before: str) -> bool:
    return area.digest != "" and area.digest != before


# ---- the notebooks ------------------------------------------------------------------------

@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_is_tiny_and_has_no_outputs(name):
    nb = nbformat.read(DASHBOARDS / f"{name}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    markdown = [c for c in nb.cells if c.cell_type == "markdown"]
    assert len(code) == 1 and len(markdown) == 1
    assert not code[0].outputs and code[0].execution_count is None
    assert len(code[0].source.splitlines()) <= 3
    assert markdown[0].source.startswith("# ") and "What to look for" in markdown[0].source


def test_voila_settings():
    config = json.loads((DASHBOARDS / "voila.json").read_text())
    settings = config["VoilaConfiguration"]
    assert settings["template"] == "qilab" and settings["strip_sources"] is True
    culling = config["MappingKernelManager"]  # kernels of pages gone without a word end
    assert 0 < culling["cull_idle_timeout"] <= 900 and culling["cull_connected"] is False
    template = (DASHBOARDS / "share/jupyter/voila/templates/qilab/index.html.j2").read_text()
    assert "extends 'lab/index.html.j2'" in template
    from qilab.widgets.run_chart_builder import MAX_UPLOAD_BYTES

    assert f"var MAX_UPLOAD_BYTES = {MAX_UPLOAD_BYTES};" in template  # the browser's limit


# ---- red beads ----------------------------------------------------------------------------

def test_red_beads_management_then_chart_then_change():
    game = RedBeadsGame(seed=3)
    assert "Management&#x27;s ranking" in game.table.value
    assert "Best worker" in game.table.value and "Worst worker" in game.table.value
    assert game.chart.alt.startswith("Bar chart of total red beads per worker")
    before = game.chart.digest
    game.view.value = "chart"
    assert changed(game.chart, before)
    assert game.chart.alt.startswith("This P chart")
    assert "system" in game.explanation.value
    assert len(game.df) == 6 * 4

    game.days.value = 8
    game.from_day.value = 5
    game.new_share.value = 0.05
    before = game.chart.digest
    game.change_button.click()
    assert changed(game.chart, before)
    assert game.messages.kind == "info" and "From day 5" in game.messages.text
    assert game.df.loc[game.df["day"] >= 5, "red_share"].eq(0.05).all()
    # The limits come from the days before the change, and the drop shows as a signal.
    assert game.result.points["baseline"].sum() == 6 * 4
    assert bool(game.result.parts["runs_signal"].any()
                or game.result.points["sigma_signal"].any())

    game.undo_button.click()
    assert game.change is None and game.df["red_share"].eq(0.2).all()


def test_red_beads_settings_rerun_and_same_seed_same_beads():
    game = RedBeadsGame(seed=5)
    first = game.df.copy()
    game.paddle.value = 80
    assert game.df["paddle"].eq(80).all()
    game.paddle.value = 50
    assert game.df.equals(first)
    game.workers.value = 3
    assert game.df["worker"].nunique() == 3


def test_red_beads_change_after_last_day_is_explained():
    game = RedBeadsGame()
    game.from_day.value = 4
    game.change_button.click()
    game.days.value = 3
    assert game.messages.kind == "error" and "day 4" in game.messages.text


# ---- funnel -------------------------------------------------------------------------------

def test_funnel_steps_views_and_ratios():
    game = FunnelGame(seed=2, drops=50, start=10)
    before = game.chart.digest
    game.step_button.click()
    assert game.shown == 11 and changed(game.chart, before)
    assert "Spread after 11 drops" in game.table.value
    game.step_size.value = 5
    assert game.step_button.description == "Drop the next 5 marbles"
    game.step_button.click()
    assert game.shown == 16
    game.all_button.click()
    assert game.shown == 50
    game.step_button.click()
    assert game.messages.kind == "info" and "All 50" in game.messages.text
    before = game.chart.digest
    game.view.value = "time"
    assert changed(game.chart, before) and game.chart.alt.startswith("Line chart")
    table = game.table_data.set_index("rule")
    assert table.loc[1, "simulated_ratio"] == pytest.approx(1.0)
    assert table.loc[2, "theory_these_drops"] == pytest.approx((1 + 2 * 49) / 50)
    assert table.loc[3, "theory_long_run"] == "no limit"
    game.reset_button.click()
    assert game.shown == 2


def test_variance_table_matches_theory_over_many_drops():
    t = variance_table(fn.run_all_rules(drops=2000, seed=11)).set_index("rule")
    assert t.loc[2, "simulated_ratio"] == pytest.approx(2.0, rel=0.15)
    assert t.loc[4, "simulated_ratio"] > 50


# ---- dice ---------------------------------------------------------------------------------

def test_dice_roll_chart_and_reveal():
    game = DiceGame(seed=4)
    assert game.shown == 10 and "loaded" not in game.chart.alt.lower()
    before = game.chart.digest
    game.next_button.click()
    assert game.shown == 11 and changed(game.chart, before)
    game.all_button.click()
    assert game.shown == 30
    game.chart_type.value = "i"
    assert "I chart" in game.explanation.value
    before = game.chart.digest
    game.reveal_button.click()
    assert changed(game.chart, before)
    day = secret_day(30, 4)
    assert f"From day {day} one die was loaded" in game.explanation.value
    assert f"Days from {day} are shaded" in game.chart.alt
    game.reveal_button.click()
    assert "loaded" not in game.chart.alt.lower()


def test_dice_all_fair_and_new_game():
    game = DiceGame(seed=1)
    game.loading.value = "none"
    game.all_button.click()
    game.reveal_button.click()
    assert "No die was loaded" in game.explanation.value
    game.new_button.click()
    assert game.seed.value == 2 and game.shown == 10 and not game.revealed


# ---- your own data ------------------------------------------------------------------------

def test_own_data_grows_across_sessions(tmp_path):
    game = OwnDataGame(folder=tmp_path)
    game.add_button.click()
    assert game.messages.kind == "error" and "Your name or initials" in game.messages.text
    game.learner.value = "Sam P"
    game.add_button.click()
    assert game.messages.kind == "error" and "name your measure" in game.messages.text
    game.measure.value = "Falls per week"
    values = [5, 6, 4, 7, 5, 6, 5, 4, 6, 5, 2, 2, 3, 2, 1, 2, 3, 2]
    for i, v in enumerate(values, 1):
        game.date.value, game.value.value = f"Week {i}", str(v)
        game.note.value = "PDSA 1: new checklist" if i == 11 else ""
        assert game.add(), game.messages.text
    assert game.builder.result.chart == "run"
    assert "PDSA 1 - new checklist" in game.builder.notes.value
    saved = json.loads((tmp_path / "sam-p" / "falls-per-week.json").read_text())
    assert saved["schema"] == SCHEMA and len(saved["points"]) == len(values)

    # next session: a new kernel loads it and carries on
    later = OwnDataGame(folder=tmp_path)
    later.learner.value = "sam p"
    assert later.load("Falls per week") == len(values)
    assert later.sessions == 1 and "session 1" in later.messages.text
    later.date.value, later.value.value = "Week 19", "abc"
    assert not later.add() and "not a number" in later.messages.text
    assert later.value.value == "abc"  # the typing is kept
    later.value.value = "2"
    assert later.add() and len(later.points) == len(values) + 1
    assert later.remove_last() and len(later.points) == len(values)


def test_own_data_damaged_file_is_set_aside(tmp_path):
    (tmp_path / "ab").mkdir()
    (tmp_path / "ab" / "waits.json").write_text("{not json")
    game = OwnDataGame(folder=tmp_path)
    game.learner.value = "AB"
    assert game.load("Waits") is None and game.messages.kind == "error"
    assert any(p.name.startswith("waits.json.corrupt-") for p in (tmp_path / "ab").iterdir())


# ---- team game ----------------------------------------------------------------------------

def _send(entry: TeamEntry, change: str, prediction: str, actual: str, accuracy=None) -> bool:
    entry.change.value, entry.prediction.value, entry.actual.value = change, prediction, actual
    if accuracy is not None:
        entry.accuracy.value = accuracy
    return entry.submit()


def test_team_entry_round_by_round(tmp_path):
    db = tmp_path / "g.sqlite"
    entry = TeamEntry(path=db, game="potato_head", seed=1)
    entry.team.value = "Red"
    assert not _send(entry, "Baseline", "90", "84")  # no accuracy chosen
    assert "accuracy" in entry.messages.text and entry.actual.value == "84"
    assert _send(entry, "Baseline", "90", "84", 2) and entry.round.value == "2"
    assert entry.chart.alt.startswith("Chart of 1 rounds") or "1 team" in entry.chart.alt
    assert _send(entry, "Lay the parts out", "75", "70.5", 3)
    assert entry.result is not None and "run chart" in entry.explanation.value
    before = entry.chart.digest
    assert _send(entry, "One job each", "60", "66", 3) and changed(entry.chart, before)
    # a round already sent is refused unless it is a correction
    entry.round.value = "2"
    assert not _send(entry, "Lay the parts out", "75", "71", 3)
    assert "already recorded" in entry.messages.text
    assert "tick 'This corrects a round we already sent'" in entry.messages.text
    entry.correction.value = True
    assert _send(entry, "Lay the parts out", "75", "71", 3)
    assert entry.last_row["revision"] == 2 and "Corrected" in entry.messages.text
    # a new kernel for the same team continues at the next round
    again = TeamEntry(path=db)
    again.team.value = "red"
    assert again.round.value == "4"


def test_team_entry_simulated_tests(tmp_path):
    for game in ("helicopter", "coin_spin", "potato_head"):
        entry = TeamEntry(path=tmp_path / f"{game}.sqlite", game=game, seed=7)
        entry.team.value = "Blue"
        assert not entry.simulate() and "prediction first" in entry.messages.text
        for _ in range(3):
            entry.prediction.value = "3"
            assert entry.simulate(), entry.messages.text
            assert float(entry.actual.value) > 0 and entry.change.value
            assert entry.submit(), entry.messages.text
        assert len(entry.store.rounds("Blue")) == 3


def test_facilitator_view_live_and_simulated(tmp_path):
    db = tmp_path / "g.sqlite"
    view = FacilitatorView(path=db, game="helicopter", auto=False)
    assert "No rounds yet" in view.explanation.value and view.chart.digest == ""
    entry = TeamEntry(path=db)
    entry.team.value = "Green"
    assert _send(entry, "Baseline", "2.5", "2.61")
    assert view.refresh() is True and view.refresh() is False  # redraw only when new
    assert "1 team(s), 1 round(s)" in view.explanation.value
    added = view.add_simulated_teams()
    assert added == 4 * 5 and len(view.rounds) == 21
    assert view.chart.alt.startswith("Run charts of 5 teams side by side")
    assert "Simulated 1" in view.summary.value and "Green" in view.summary.value
    before = view.chart.digest
    view.view.value = "one"
    view.team.value = "Simulated 2"
    assert changed(view.chart, before) and "Simulated 2" in view.chart.alt
    view.view.value = "together"
    assert view.chart.alt.startswith("Chart of")
    assert view.add_simulated_teams() == 20 and "Simulated 5" in view.summary.value


def test_facilitator_auto_refresh_picks_up_new_rounds(tmp_path):
    db = tmp_path / "g.sqlite"
    view = FacilitatorView(path=db, game="coin_spin", auto=True, interval=0.2)
    try:
        entry = TeamEntry(path=db)
        entry.team.value = "Amber"
        assert _send(entry, "Baseline", "2", "2.2")
        import time
        deadline = time.monotonic() + 10
        while view.refreshes < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(view.rounds) == 1 and view.refreshes >= 2
    finally:
        view.auto.value = False


def test_facilitator_draws_a_burst_of_sends_once_after_it(tmp_path):
    """Teams pressing Send together: the live view waits until no new round has come for a
    moment before drawing every team's chart (the costliest drawing in the game), rather
    than drawing during the burst; a stream that never pauses is drawn after one interval."""
    db = tmp_path / "g.sqlite"
    view = FacilitatorView(path=db, game="potato_head", auto=False, interval=5, settle=1)
    teams = [TeamEntry(path=db) for _ in range(3)]
    for i, entry in enumerate(teams):
        entry.redraw = lambda mine=None: None
        entry.team.value = f"Team {i}"
    sent = iter(teams)

    def sleep_while_the_others_send(seconds):  # each wait, one more team's round arrives
        entry = next(sent, None)
        if entry is not None:
            assert _send(entry, "Baseline", "60", "55", 3), entry.messages.text

    assert view.wait_until_settled(sleep_while_the_others_send) == 0  # nothing new: no wait
    first = next(sent)
    assert _send(first, "Baseline", "60", "58", 3), first.messages.text
    assert view.wait_until_settled(sleep_while_the_others_send) == 3  # 2 more arrive, a pause
    assert view.refresh() and len(view.rounds) == 3 and view.refreshes == 2

    endless = FacilitatorView(path=db, auto=False, interval=5, settle=1)
    endless.store.version = iter(range(100)).__next__  # a round every moment
    endless._signature = (-1,)
    assert endless.wait_until_settled(lambda seconds: None) == 5  # one interval, then draw


def test_database_path_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("QILAB_TEAM_GAME_DB", str(tmp_path / "x.sqlite"))
    assert database_path() == tmp_path / "x.sqlite"
    monkeypatch.delenv("QILAB_TEAM_GAME_DB")
    monkeypatch.setenv("QILAB_WORKSHOP_DIR", str(tmp_path / "w"))
    assert database_path() == tmp_path / "w" / "team-game.sqlite"


def test_alt_text_is_meaningful_everywhere(tmp_path):
    games = [RedBeadsGame(), FunnelGame(), DiceGame()]
    for game in games:
        assert len(game.chart.alt) > 40 and not re.search(r"\.(png|svg)\b", game.chart.alt)
        assert f'alt="{game.chart.alt[:20]}' in game.chart.value


@pytest.mark.parametrize("module", ["_common", "red_beads", "funnel", "dice", "own_data",
                                    "team_game"])
def test_docstring_examples(module):
    import doctest
    import importlib

    mod = importlib.import_module(f"qilab.widgets.games.{module}")
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0, result


def test_make_workshop_command():
    """`make workshop` starts Voila on loopback with the workshop settings (dry run)."""
    import subprocess

    def dry(*args: str) -> str:
        done = subprocess.run(["make", "-n", "workshop", *args], cwd=ROOT, capture_output=True,
                              text=True, check=True)
        return done.stdout

    out = dry("PORT=9123")
    assert "--port=9123" in out and "--Voila.ip=127.0.0.1" in out
    assert "--template=qilab" in out and "--strip_sources=True" in out
    assert "QILAB_TEAM_GAME_DB" in out and "dashboards/share/jupyter" in out
    assert "http://127.0.0.1:9123/voila/render/" in out
    assert "--preheat_kernel" not in out
    assert "--preheat_kernel=True --pool_size=3" in dry("POOL=3")
    assert "JUPYTER_CONFIG_PATH" not in out
    room = dry("ROOM=30")
    assert "dashboards/share/room-30" in room
    pools = json.loads((DASHBOARDS / "share/room-30/voila.json").read_text())
    assert pools["VoilaConfiguration"]["preheat_kernel"] is True
    assert pools["VoilaKernelManager"]["kernel_pools_config"]["your-own-data.ipynb"] == {
        "pool_size": 30}
    # A page asked for once its pool is used up waits for the refill, fill_delay included
    # (Voila queues it behind the refill): 300 s here left a 31st page blank for 5 minutes.
    assert pools["VoilaKernelManager"]["fill_delay"] <= 30
    # 46 kernels starting at once on 2 busy cores took over Voila's 60 s to answer
    assert pools["VoilaExecutor"]["startup_timeout"] >= 180
    # and kernels talk over local sockets, not TCP ports, which many kernels starting at
    # once could collide on ("Address already in use": the page got no kernel)
    assert pools["KernelManager"]["transport"] == "ipc"
