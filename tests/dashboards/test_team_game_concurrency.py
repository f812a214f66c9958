"""Many teams sending rounds at the same moment, each from its own process, through the team
game's entry form: every round arrives, none twice.

Each process stands for one team's browser tab (one Voila kernel): it builds a
:class:`~qilab.widgets.games.team_game.TeamEntry` on the shared file, waits at a barrier so all
teams start together, then fills in and sends its rounds as fast as it can. One team also sends
one round twice (a double click), which must be refused, not stored twice.
"""
from __future__ import annotations

import multiprocessing as mp
import sqlite3
from pathlib import Path

from qilab.sims.team_game import TeamGameStore

TEAMS = 12
ROUNDS = 6


def _team(db: str, team: int, barrier, results) -> None:
    """One team's kernel: send ROUNDS rounds through the entry form."""
    import matplotlib

    matplotlib.use("Agg")
    from qilab.widgets.games.team_game import TeamEntry

    entry = TeamEntry(path=db)
    entry.team.value = f"Team {team:02d}"
    entry.redraw = lambda mine=None: None  # the chart is not under test; the writes are
    barrier.wait(timeout=120)
    sent, refused = 0, 0
    for k in range(1, ROUNDS + 1):
        entry.round.value = str(k)
        entry.change.value = "Baseline" if k == 1 else f"Change {k}"
        entry.prediction.value = str(60 - k)
        entry.actual.value = str(70 - k + team / 100)
        entry.accuracy.value = 1 + (team + k) % 3
        ok = entry.submit()
        sent += ok
        if not ok:
            results.put((team, "error", entry.messages.text))
        if team == 0 and k == 3:  # a double click on round 3 sends it again
            entry.round.value = "3"
            entry.change.value, entry.prediction.value, entry.actual.value = "Again", "1", "1"
            entry.accuracy.value = 1
            refused += not entry.submit()
    results.put((team, "sent", sent, refused))


def test_ten_plus_teams_submit_at_once_and_no_round_is_lost_or_doubled(tmp_path):
    db = tmp_path / "workshop" / "team-game.sqlite"
    TeamGameStore(db, game="potato_head")  # the facilitator opens the game first
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(TEAMS)
    results = ctx.Queue()
    procs = [ctx.Process(target=_team, args=(str(db), t, barrier, results)) for t in range(TEAMS)]
    for p in procs:
        p.start()
    try:
        for p in procs:
            p.join(timeout=240)
        assert all(p.exitcode == 0 for p in procs), [p.exitcode for p in procs]
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
    reports = [results.get(timeout=5) for _ in range(TEAMS)]
    errors = [r for r in reports if r[1] == "error"]
    assert not errors, errors
    assert sorted(r[2] for r in reports if r[1] == "sent") == [ROUNDS] * TEAMS
    assert [r[3] for r in reports if r[0] == 0] == [1]  # the double click was refused

    rounds = TeamGameStore(db).rounds()
    assert len(rounds) == TEAMS * ROUNDS
    assert not rounds.duplicated(["team", "round"]).any()
    assert sorted(set(zip(rounds["team"], rounds["round"]))) == sorted(
        (f"Team {t:02d}", k) for t in range(TEAMS) for k in range(1, ROUNDS + 1))
    assert (rounds["revision"] == 1).all()
    assert not (rounds["change_tested"] == "Again").any()
    for row in rounds.itertuples():
        team = int(row.team.split()[1])
        assert row.actual == 70 - row.round + team / 100
    with sqlite3.connect(Path(db)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


FILES = 15
OPENERS = 6


def _opener(folder: str, barrier, results) -> None:
    """One pre-heated kernel starting the team game: open each new results file at the same
    moment as the other kernels, naming the game the workshop plays."""
    from qilab.widgets.games.team_game import open_store

    for k in range(FILES):
        barrier.wait(timeout=60)
        try:
            results.put(open_store(Path(folder) / f"game-{k}.sqlite", "helicopter").game)
        except Exception as exc:  # noqa: BLE001 - any failure is reported to the test
            results.put(f"{type(exc).__name__}: {exc}")


def test_kernels_starting_together_all_play_the_workshops_game(tmp_path):
    """With pre-heated kernels, several start the team game at the same moment on a results
    file none has yet made. A kernel that finds the file just created by another must still
    see the game the workshop named, not an unlabelled file ('other') that then refuses the
    creator's game."""
    ctx = mp.get_context("fork")
    barrier, results = ctx.Barrier(OPENERS), ctx.Queue()
    procs = [ctx.Process(target=_opener, args=(str(tmp_path), barrier, results))
             for _ in range(OPENERS)]
    for p in procs:
        p.start()
    seen = [results.get(timeout=120) for _ in range(FILES * OPENERS)]
    for p in procs:
        p.join(timeout=60)
    wrong = [s for s in seen if s != "helicopter"]
    assert not wrong, f"{len(wrong)} of {len(seen)} openings went wrong: {sorted(set(wrong))}"
    for k in range(FILES):
        assert TeamGameStore(tmp_path / f"game-{k}.sqlite").game == "helicopter"
