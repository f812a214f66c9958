"""What a real afternoon brings to the workshop games, without a browser (issue 17).

Each test is one defect the workshop review reproduced: a learner's saved data overwritten,
large or odd input that hung the page or drew nothing, a double click on Send shown as an
error, teams split by the case of their name, Round clamped, code names in messages, writing
outside the workshop folder, and spreadsheet formulas in exported CSV files.
"""
from __future__ import annotations

import io
import json
import os
import time

import pandas as pd
import pytest

from qilab.errors import QIDataError
from qilab.widgets.games.own_data import OwnDataGame
from qilab.widgets.games.red_beads import RedBeadsGame
from qilab.widgets.games.team_game import FacilitatorView, TeamEntry
from qilab.widgets.run_chart_builder import (
    MAX_POINTS,
    MAX_UPLOAD_BYTES,
    RunChartBuilder,
    parse_pasted,
    read_upload,
)

# ---- your own data: nothing saved is overwritten without the learner's say ------------------


def _own(folder, learner="Sam", measure="Falls per week") -> OwnDataGame:
    game = OwnDataGame(folder=folder)
    game.learner.value, game.measure.value = learner, measure
    return game


def _add(game: OwnDataGame, date: str, value: str) -> bool:
    game.date.value, game.value.value = date, value
    return game.add()


def test_a_new_page_asks_before_replacing_saved_points_and_keeps_a_backup(tmp_path):
    first = _own(tmp_path)
    for i, v in enumerate(["5", "7", "6"], 1):
        assert _add(first, f"Week {i}", v)
    saved = tmp_path / "sam" / "falls-per-week.json"

    later = _own(tmp_path)  # a new page: same name, a point added without pressing Load
    assert not _add(later, "Week 4", "4")
    assert later.messages.kind == "warning" and "already has 3 saved point(s)" in later.messages.text
    assert [p["value"] for p in json.loads(saved.read_text())["points"]] == [5, 7, 6]
    assert later.replace_button.layout.display is None  # "Start again" is offered

    later.replace_button.click()  # the learner says so: replaced, with a dated backup
    assert [p["value"] for p in json.loads(saved.read_text())["points"]] == [4]
    backup = json.loads(later.last_backup.read_text())
    assert [p["value"] for p in backup["points"]] == [5, 7, 6]

    again = _own(tmp_path)  # loading first carries on, as before
    assert again.load() == 1 and _add(again, "Week 5", "3")
    assert len(json.loads(saved.read_text())["points"]) == 2


def test_two_learners_with_the_example_name_keep_their_own_files(tmp_path):
    a, b = _own(tmp_path, "Asha"), _own(tmp_path, "Ben")
    assert _add(a, "Week 1", "5") and _add(b, "Week 1", "9")
    assert json.loads((tmp_path / "asha" / "falls-per-week.json").read_text())["points"][0][
        "value"] == 5
    assert json.loads((tmp_path / "ben" / "falls-per-week.json").read_text())["points"][0][
        "value"] == 9


@pytest.mark.parametrize("measure", ["Cost in $ and $ saved", "$x^$", "Falls $\\alpha$"])
def test_a_dollar_in_the_measure_name_still_draws_and_the_form_clears(tmp_path, measure):
    game = _own(tmp_path, measure=measure)
    assert _add(game, "Week 1", "5") and _add(game, "Week 2", "7")
    assert game.builder.result is not None and "<img" in game.builder.picture.value
    assert game.builder.messages.kind != "error", game.builder.messages.text
    assert game.value.value == "" and game.date.value == ""  # Add cannot add it twice
    assert len(game.points) == 2


@pytest.mark.parametrize("value, words", [("1e308", "too large"), ("55,2", "decimal point"),
                                          ("inf", "not a number")])
def test_values_that_cannot_be_charted_get_a_clear_message(tmp_path, value, words):
    game = _own(tmp_path)
    assert not _add(game, "Week 1", value)
    assert game.messages.kind == "error" and words in game.messages.text
    assert game.messages.text.startswith("Value:") and game.points == []


# ---- run chart builder: limits, text in numbers, formulas, saving --------------------------


def test_large_pasted_data_is_refused_quickly_with_the_limit():
    start = time.perf_counter()
    with pytest.raises(QIDataError, match=f"paste at most .*about {MAX_POINTS:,} values"):
        parse_pasted("\n".join(str(i % 7) for i in range(100_000)))
    with pytest.raises(QIDataError, match="lines; a run chart here takes at most"):
        parse_pasted("\n".join(str(i % 7) for i in range(MAX_POINTS + 5)))
    assert time.perf_counter() - start < 2


def test_large_uploads_are_refused_before_they_are_read():
    big = b"week,falls\n" + b"".join(b"%d,%d\n" % (i, i % 9) for i in range(MAX_POINTS + 10))
    with pytest.raises(QIDataError, match="rows; a run chart here takes at most"):
        read_upload("long.csv", big)
    with pytest.raises(QIDataError, match="MB; upload at most"):
        read_upload("huge.csv", b"1\n" * (MAX_UPLOAD_BYTES // 2 + 1))
    rows = pd.DataFrame({"week": range(MAX_POINTS + 10), "falls": 1})
    buffer = io.BytesIO()
    rows.to_excel(buffer, index=False)
    start = time.perf_counter()
    with pytest.raises(QIDataError, match="rows; a run chart here takes at most"):
        read_upload("long.xlsx", buffer.getvalue())
    assert time.perf_counter() - start < 2
    # the widget checks the size it is given before touching the content
    builder = RunChartBuilder()
    builder._on_upload({"new": [{"name": "big.csv", "size": 50_000_000, "content": b""}]})
    assert builder.messages.kind == "error" and "50.0 MB" in builder.messages.text


def _upload(builder: RunChartBuilder, name: str, text: str) -> None:
    builder._on_upload({"new": [{"name": name, "size": len(text), "content": text.encode()}]})


def test_text_in_a_number_column_is_named_and_no_other_column_is_charted():
    builder = RunChartBuilder()
    _upload(builder, "falls.csv", "week,falls\n1,4\n2,five\n3,6\n4,n/a\n5,7\n6,5\n")
    assert builder.y_column.value == "falls" and builder.result is None
    assert builder.messages.kind == "error"
    text = builder.messages.text
    assert "'falls'" in text and "row 3 ('five')" in text and "row 5 ('n/a')" in text


def test_empty_csv_and_dollar_column_names():
    builder = RunChartBuilder()
    _upload(builder, "empty.csv", "")
    assert builder.messages.kind == "error" and "'empty.csv' is empty" in builder.messages.text
    _upload(builder, "cost.csv", "month,$cost$\n" + "".join(f"m{i},{i % 5}\n" for i in range(12)))
    assert builder.result is not None and "<img" in builder.picture.value


def test_long_text_dates_get_a_readable_number_of_labels():
    builder = RunChartBuilder()
    builder.paste.value = "\n".join(f"Week {i}, {i % 7}" for i in range(1, 401))
    assert builder.result is not None
    labels = [t.get_text() for t in builder._figure.axes[0].get_xticklabels() if t.get_text()]
    assert 5 <= len(labels) <= 24


def test_csv_export_neutralises_formulas(tmp_path):
    builder = RunChartBuilder(folder=str(tmp_path), root=tmp_path)
    builder.paste.value = "\n".join(
        [f"{label}, {v}" for label, v in [("=cmd|' /C calc'!A0", 3), ("@SUM(1+1)", 4),
                                          ("+1", 5), ("-2", 6), ("\tTab", 7), ("Week 6", 5)]])
    assert builder.result is not None, builder.messages.text
    path = builder.save("csv")
    cells = pd.read_csv(path, dtype=str)["x"].tolist()
    assert all(not c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells), cells
    assert "Week 6" in cells


@pytest.mark.parametrize("folder", ["../outside", "/tmp", "link/escape", "a/../../outside"])
def test_save_in_folder_never_writes_outside_the_workshop_folder(tmp_path, folder):
    root = tmp_path / "workshop"
    root.mkdir()
    os.symlink(tmp_path, root / "link")
    builder = RunChartBuilder(folder=str(root), root=root)
    builder.paste.value = "4\n6\n5\n7"
    builder.folder.value = folder
    assert builder.save("png") is None
    assert builder.messages.kind == "error" and "Save in folder" in builder.messages.text
    assert not list(tmp_path.rglob("run-chart.png"))
    builder.folder.value = "charts"  # a folder inside it is fine
    assert builder.save("png") == (root / "charts" / "run-chart.png").resolve()


# ---- team game ----------------------------------------------------------------------------


def _fill(entry: TeamEntry, round_: str, actual: str = "70", prediction: str = "80") -> None:
    entry.round.value = round_
    entry.change.value, entry.prediction.value, entry.actual.value = "Baseline", prediction, actual
    entry.accuracy.value = 3


def test_double_click_on_send_stores_once_and_stays_a_success(tmp_path):
    entry = TeamEntry(path=tmp_path / "g.sqlite", game="potato_head")
    entry.redraw = lambda mine=None: None
    entry.team.value = "Red"
    _fill(entry, "1")
    entry.submit_button.click()
    entry.submit_button.click()  # the second click of a double click, on the emptied form
    assert entry.messages.kind == "success" and "Sent: Red round 1" in entry.messages.text
    assert len(entry.store.rounds("Red")) == 1 and entry.round.value == "2"


def test_team_names_differing_in_case_are_one_team_in_the_file_and_the_view(tmp_path):
    db = tmp_path / "g.sqlite"
    for name, k in [("Dbl 5795", "1"), ("DBL 5795", "2"), (" dbl   5795 ", "3")]:
        entry = TeamEntry(path=db, game="potato_head")
        entry.redraw = lambda mine=None: None
        entry.team.value = name
        _fill(entry, k)
        assert entry.submit(), entry.messages.text
    view = FacilitatorView(path=db, auto=False)
    assert view.rounds["team"].tolist() == ["Dbl 5795"] * 3
    assert "1 team(s), 3 round(s)" in view.explanation.value


@pytest.mark.parametrize("typed, words", [("99999", "out of range"), ("2.5", "not a whole number"),
                                          ("0", "out of range"), ("two", "not a whole number")])
def test_round_out_of_range_is_refused_not_clamped(tmp_path, typed, words):
    entry = TeamEntry(path=tmp_path / "g.sqlite", game="potato_head")
    entry.team.value = "Red"
    _fill(entry, typed)
    assert not entry.submit()
    assert entry.messages.text.startswith("Round:") and words in entry.messages.text
    assert entry.store.rounds().empty and entry.round.value == typed


def test_messages_use_the_form_labels_and_hint_at_the_decimal_point(tmp_path):
    entry = TeamEntry(path=tmp_path / "g.sqlite", game="potato_head")
    entry.team.value = "Red"
    _fill(entry, "1")
    entry.change.value = ""
    assert not entry.submit()
    assert entry.messages.text.startswith("Change tested this round")
    assert "change_tested" not in entry.messages.text
    _fill(entry, "1", actual="55,2")
    assert not entry.submit()
    assert entry.messages.text == ("Actual assembly time (seconds): '55,2' is not a number. "
                                   "Use a decimal point: 55.2.")


def test_team_charts_have_whole_round_ticks_and_predictions_in_the_legend(tmp_path):
    db = tmp_path / "g.sqlite"
    entry = TeamEntry(path=db, game="potato_head")
    entry.team.value = "Red"
    captured = {}
    real_draw = entry.chart.draw

    def draw(fig, alt):
        ax = fig.axes[0]
        fig.canvas.draw() if fig.canvas else None
        captured["ticks"] = list(ax.get_xticks())
        captured["legend"] = [t.get_text() for t in ax.get_legend().get_texts()]
        real_draw(fig, alt)

    entry.chart.draw = draw
    for k, actual in [("1", "70"), ("2", "66")]:
        _fill(entry, k, actual)
        assert entry.submit(), entry.messages.text
    assert all(float(t).is_integer() for t in captured["ticks"]), captured
    assert "Prediction (hollow)" in captured["legend"]


def test_a_team_chart_drawn_again_is_the_picture_a_new_page_draws(tmp_path):
    """Send redraws the team's chart on the same figure (quicker); every picture must be the
    one a new page would draw for the same rounds: one round, a run chart, a run chart with a
    signal, another team's on another scale, and back to one round."""
    db = tmp_path / "g.sqlite"
    entry = TeamEntry(path=db, game="potato_head")

    def fresh(team: str) -> str:
        page = TeamEntry(path=db)
        page.team.value = team
        return page.chart.digest

    entry.team.value = "Slow"
    for k, actual in enumerate(["900", "950"], 1):
        _fill(entry, str(k), actual, prediction="1000")
        assert entry.submit(), entry.messages.text
    entry.team.value = "Red"
    seen = set()
    for k, actual in enumerate(["70", "66", "71", "69", "60", "58", "57", "55", "54", "52", "50",
                                "49"], 1):
        _fill(entry, str(k), actual)
        assert entry.submit(), entry.messages.text
        if k in (1, 2, 12):
            assert entry.chart.digest == fresh("Red"), f"round {k}"
            seen.add(entry.chart.digest)
    assert entry.result is not None and bool(entry.result.parts["runs_signal"].any())
    entry.team.value = "Slow"  # another team's rounds, in the hundreds
    assert entry.chart.digest == fresh("Slow")
    entry.team.value = "Green"
    _fill(entry, "1", "40")
    assert entry.submit(), entry.messages.text
    assert entry.chart.digest == fresh("Green")
    assert len(seen | {entry.chart.digest}) == 4  # the pictures did change


def test_more_than_ten_teams_get_distinct_styles(tmp_path):
    from qilab.sims.helicopter import team_style

    styles = [team_style(i) for i in range(24)]
    assert len(set(styles)) == 24
    assert all(styles[i][1:] != styles[i + 10][1:] for i in range(10))


# ---- red beads ----------------------------------------------------------------------------


def test_red_beads_says_when_it_reruns_the_same_seed_and_offers_a_new_one():
    game = RedBeadsGame(seed=4)
    first = game.df.copy()
    game.run_button.click()
    assert game.messages.kind == "info" and "same random seed (4)" in game.messages.text
    assert game.df.equals(first)
    game.new_seed_button.click()
    assert game.seed.value == 5 and not game.df.equals(first)


def test_red_beads_best_and_worst_are_labelled_not_only_coloured():
    game = RedBeadsGame(seed=2)
    texts = []
    real_draw = game.chart.draw

    def draw(fig, alt):
        ax = fig.axes[0]
        texts.extend(t.get_text() for t in ax.texts)
        texts.extend(t.get_text() for t in ax.get_legend().get_texts())
        hatched = [p for p in ax.patches if p.get_hatch()]
        assert len(hatched) >= 2
        assert all(p.get_edgecolor()[:3] != p.get_facecolor()[:3] for p in hatched)
        real_draw(fig, alt)

    game.chart.draw = draw
    game.redraw()
    assert any("best" in t for t in texts) and any("worst" in t for t in texts)
    assert "Best: praised" in texts and "Worst: on probation" in texts
