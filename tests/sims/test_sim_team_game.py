"""Team game store: validation, one row per (team, round), schema version, and many teams
submitting at the same moment from separate processes."""
from __future__ import annotations

import multiprocessing as mp
import sqlite3

import pandas as pd
import pytest

from qilab.errors import QIDataError
from qilab.sims import team_game as tg
from qilab.sims.helicopter import simulate_potato_teams

TEAMS, ROUNDS = 12, 6


@pytest.fixture()
def store(tmp_path):
    return tg.TeamGameStore(tmp_path / "game.sqlite", game="potato_head")


def test_record_and_read_back(store):
    row = store.record_round("Team A", 1, "Baseline", 90, 84.2, 3)
    assert row["team"] == "Team A" and row["round"] == 1 and row["revision"] == 1
    store.record_round("Team B", 1, "Baseline", prediction="80", actual="77.5", accuracy="2")
    store.record_round("Team A", "2", "Lay the parts out in order", 70, 66.0, None)
    df = store.rounds()
    assert list(df.columns) == tg.COLUMNS
    assert df[["team", "round"]].values.tolist() == [["Team A", 1], ["Team A", 2],
                                                     ["Team B", 1]]
    assert df["accuracy"].iloc[0] == 3 and pd.isna(df["accuracy"].iloc[1])
    assert str(df["accuracy"].dtype) == "Int64"
    assert str(df["submitted_at"].dt.tz) == "UTC"
    assert store.rounds(team="team b")["actual"].tolist() == [77.5]
    assert store.teams() == ["Team A", "Team B"]


def test_wal_mode_busy_timeout_and_schema_version(store):
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    assert meta["schema_version"] == str(tg.SCHEMA_VERSION) and meta["game"] == "potato_head"
    with store._connect() as conn:
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 30_000
    assert tg.TeamGameStore(store.path).game == "potato_head"  # reopening keeps the label


def test_resubmission_is_rejected_unless_replace(store):
    store.record_round("Blue", 1, "Baseline", 60, 71.5, 2)
    with pytest.raises(QIDataError, match="already recorded") as info:
        store.record_round("BLUE ", 1, "Baseline", 60, 70.0, 2)
    assert info.value.field == "round" and "replace=True" in str(info.value)
    assert store.rounds()["actual"].tolist() == [71.5]  # unchanged
    row = store.record_round("Blue", 1, "Baseline (timed again)", 60, 70.0, 3, replace=True)
    assert row["revision"] == 2 and row["actual"] == 70.0 and row["accuracy"] == 3
    df = store.rounds()
    assert len(df) == 1 and df.loc[0, "change_tested"] == "Baseline (timed again)"
    # replace=True on a new round simply records it.
    assert store.record_round("Blue", 2, "Swap roles", 65, 69.0, replace=True)["revision"] == 1


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"team": "  "}, "team"),
    ({"team": 7}, "team"),
    ({"team": "x" * 61}, "team"),
    ({"round": 0}, "round"),
    ({"round": "second"}, "round"),
    ({"round": 1.5}, "round"),
    ({"change_tested": ""}, "change_tested"),
    ({"change_tested": None}, "change_tested"),
    ({"prediction": None}, "prediction"),
    ({"prediction": ""}, "prediction"),
    ({"prediction": -5}, "prediction"),
    ({"actual": 0}, "actual"),
    ({"actual": "fast"}, "actual"),
    ({"actual": None}, "actual"),
    ({"actual": float("inf")}, "actual"),
    ({"accuracy": 4}, "accuracy"),
    ({"accuracy": "good"}, "accuracy"),
])
def test_bad_submission_names_the_field(store, kwargs, field):
    good = {"team": "Red", "round": 1, "change_tested": "Baseline", "prediction": 60,
            "actual": 58.0, "accuracy": 2}
    with pytest.raises(QIDataError) as info:
        store.record_round(**{**good, **kwargs})
    assert info.value.field == field
    assert f"'{field}'" in str(info.value)
    assert store.rounds().empty  # nothing half recorded


def test_newer_schema_other_game_and_damaged_files_are_refused(tmp_path, store):
    with sqlite3.connect(store.path) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(QIDataError, match="Update qilab") as info:
        tg.TeamGameStore(store.path)
    assert info.value.field == "schema_version"

    tg.TeamGameStore(tmp_path / "heli.sqlite", game="helicopter")
    with pytest.raises(QIDataError) as info:
        tg.TeamGameStore(tmp_path / "heli.sqlite", game="potato_head")
    assert info.value.field == "game"

    damaged = tmp_path / "damaged.sqlite"
    damaged.write_bytes(b"this is not a database, just some text " * 50)
    with pytest.raises(QIDataError) as info:
        tg.TeamGameStore(damaged)
    assert info.value.field == "path"

    with pytest.raises(QIDataError) as info:
        tg.TeamGameStore(tmp_path, game="potato_head")
    assert info.value.field == "path"
    with pytest.raises(QIDataError) as info:
        tg.TeamGameStore(tmp_path / "x.sqlite", game="chess")
    assert info.value.field == "game"


def test_record_simulated_teams_and_shortcuts(tmp_path, store):
    sim = simulate_potato_teams(3, rounds=4, seed=1)
    assert store.record_rounds(sim) == 12
    got = store.rounds()
    assert got[["team", "round", "actual", "accuracy"]].astype(object).values.tolist() == (
        sim.sort_values(["team", "round"])[["team", "round", "actual", "accuracy"]]
        .astype(object).values.tolist())
    with pytest.raises(QIDataError) as info:
        store.record_rounds(sim.iloc[[5]])
    assert info.value.row == 0 and info.value.field == "round"
    path = tmp_path / "short.sqlite"
    tg.record_round(path, "Green", 1, "Baseline", 50, 47.0)
    assert tg.rounds(path)["actual"].tolist() == [47.0]


# ------------------------------------------------------------------------------- concurrency

def _team_process(path: str, team: str, rounds: int, barrier, results) -> None:
    try:
        barrier.wait(timeout=60)  # every team starts at the same moment
        store = tg.TeamGameStore(path, game="potato_head", timeout=60)
        for k in range(1, rounds + 1):
            store.record_round(team, k, f"Change {k}", 60 - k, 55.0 - k + 0.1 * len(team),
                               1 + k % 3)
        results.put(("ok", team))
    except BaseException as exc:  # report, do not hang the parent
        results.put(("error", f"{team}: {exc!r}"))


def _same_round_process(path: str, who: int, barrier, results) -> None:
    try:
        store = tg.TeamGameStore(path, timeout=60)
        barrier.wait(timeout=60)
        store.record_round("Team X", 1, f"Submitted by tab {who}", 60, 50.0 + who)
        results.put(("ok", who))
    except QIDataError as exc:
        results.put(("rejected", str(exc)))
    except BaseException as exc:
        results.put(("error", repr(exc)))


def _run(ctx, target, args_list):
    results = ctx.Queue()
    barrier = ctx.Barrier(len(args_list))
    procs = [ctx.Process(target=target, args=(*args, barrier, results)) for args in args_list]
    for p in procs:
        p.start()
    out = [results.get(timeout=90) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    return out


def test_many_teams_submit_at_the_same_time(tmp_path):
    """12 teams x 6 rounds from 12 processes into one new file: every row, none twice."""
    path = str(tmp_path / "live.sqlite")
    ctx = mp.get_context("fork")
    names = [f"Team {i:02d}" for i in range(1, TEAMS + 1)]
    out = _run(ctx, _team_process, [(path, name, ROUNDS) for name in names])
    assert sorted(out) == sorted(("ok", n) for n in names), out
    df = tg.TeamGameStore(path).rounds()
    assert len(df) == TEAMS * ROUNDS
    assert not df.duplicated(["team", "round"]).any()
    assert set(zip(df["team"], df["round"])) == {(n, k) for n in names
                                                 for k in range(1, ROUNDS + 1)}
    assert (df["revision"] == 1).all()
    # Every value arrived intact.
    expected = {(n, k): 55.0 - k + 0.1 * len(n) for n in names for k in range(1, ROUNDS + 1)}
    assert all(abs(a - expected[(t, r)]) < 1e-9
               for t, r, a in zip(df["team"], df["round"], df["actual"]))
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT COUNT(*) FROM meta WHERE key = 'schema_version'"
                            ).fetchone()[0] == 1


def test_the_same_round_from_many_tabs_is_recorded_once(tmp_path):
    path = str(tmp_path / "race.sqlite")
    tg.TeamGameStore(path)
    ctx = mp.get_context("fork")
    out = _run(ctx, _same_round_process, [(path, who) for who in range(8)])
    kinds = [kind for kind, _ in out]
    assert kinds.count("ok") == 1 and kinds.count("rejected") == 7, out
    assert all("already recorded" in msg for kind, msg in out if kind == "rejected")
    df = tg.TeamGameStore(path).rounds()
    assert len(df) == 1 and df.loc[0, "revision"] == 1
    winner = next(who for kind, who in out if kind == "ok")
    assert df.loc[0, "actual"] == 50.0 + winner
