"""Results store for the live PDSA team game (Mr Potato Head, paper helicopter, coin spin).

During a workshop every team submits each round from its own browser tab (a Voila dashboard,
one kernel per tab), so many processes write to one file at the same moment. The store is a
SQLite database in WAL mode (write-ahead logging: readers never block the writer, and a crash
leaves the last committed round intact), with a busy timeout so a team that submits while
another is writing waits briefly instead of failing. Each write is one transaction.

The ``rounds`` table has one row per team and round. ``(team, round)`` is unique (team names
ignore case and extra spaces, so "Team A" and "team  a" are the same team, kept under the
spelling first used): **a round is never recorded twice. A
second submission of the same round is rejected** with a :class:`qilab.QIDataError` that says
when the first was recorded; to correct a mistake, submit again with ``replace=True``, which
updates the row, refreshes ``submitted_at`` and adds one to ``revision``.

The ``meta`` table holds ``schema_version`` (now :data:`SCHEMA_VERSION`), the ``game`` and
``created_at``; a file written by a newer qilab is refused rather than misread.

>>> import tempfile, pathlib
>>> store = TeamGameStore(pathlib.Path(tempfile.mkdtemp()) / "game.sqlite", game="potato_head")
>>> row = store.record_round("Team A", 1, "Baseline", prediction=90, actual=84.2, accuracy=3)
>>> row["revision"]
1
>>> store.rounds()[["team", "round", "actual", "accuracy"]].values.tolist()
[['Team A', 1, 84.2, 3]]
"""
from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import QIDataError
from ._common import check_int, check_number, check_text

__all__ = ["SCHEMA_VERSION", "GAMES", "TeamGameStore", "record_round", "rounds"]

#: Version of the database layout this qilab writes and reads.
SCHEMA_VERSION = 1
#: Games the store knows (only used as a label and a guard against mixing games in one file).
GAMES: tuple[str, ...] = ("potato_head", "helicopter", "coin_spin", "other")

COLUMNS = ["team", "round", "change_tested", "prediction", "actual", "accuracy",
           "submitted_at", "revision"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rounds (
    team          TEXT    NOT NULL COLLATE NOCASE,
    round         INTEGER NOT NULL CHECK (round >= 1),
    change_tested TEXT    NOT NULL,
    prediction    REAL    NOT NULL,
    actual        REAL    NOT NULL CHECK (actual > 0),
    accuracy      INTEGER CHECK (accuracy IS NULL OR accuracy BETWEEN 1 AND 3),
    submitted_at  TEXT    NOT NULL,
    revision      INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (team, round)
);
"""


class TeamGameStore:
    """One game's results in a SQLite file, safe for many teams submitting at once.

    ``game`` labels a new file; opening an existing file with a different ``game`` raises
    :class:`qilab.QIDataError` (leave it out to open any game). ``timeout`` is how long, in
    seconds, a submission waits for another team's write to finish.

    >>> import tempfile, pathlib
    >>> store = TeamGameStore(pathlib.Path(tempfile.mkdtemp()) / "g.sqlite")
    >>> store.schema_version, store.game
    (1, 'other')
    """

    def __init__(self, path: str | os.PathLike, *, game: str | None = None,
                 timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.timeout = check_number(timeout, "timeout", low=0, low_open=True)
        if game is not None and game not in GAMES:
            raise QIDataError(f"'game' must be one of {', '.join(GAMES)}; {game!r} is not.",
                              field="game")
        if self.path.exists() and self.path.is_dir():
            raise QIDataError(f"{self.path} is a folder; give the path of a database file.",
                              field="path")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            self._create(game)
        self.schema_version, self.game = self._initialise(game)
        self._keeper = self._keep_open()

    def _keep_open(self) -> sqlite3.Connection:
        """A connection held open (and idle) while this store lives, so the connections each
        operation opens are never the file's last: SQLite checkpoints the log and flushes it
        to disk when the last connection closes, which made every Send wait about 15 ms for
        the disk, holding up the other teams' Sends."""
        keeper = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        keeper.execute("SELECT 1 FROM meta LIMIT 1").fetchall()  # opens the shared log index
        return keeper

    # ---------------------------------------------------------------- connection and schema

    def _create(self, game: str | None) -> None:
        """Make a new results file whole under a private name, then link it into place, so
        no other kernel ever finds the file before its game is written (with pre-heated
        kernels, many start the team game at the same moment; one that found a half-made file
        labelled it 'other', and every kernel then refused the workshop's game). If another
        kernel's file is linked first, that one is kept. Where the disk cannot link files,
        the file is made in place, as before."""
        private = self.path.with_name(f".{self.path.name}.{os.getpid()}.{time.time_ns()}.new")
        try:
            self._initialise(game, private)
            os.link(private, self.path)
        except OSError:
            pass  # linked by another kernel first, or no links here: _initialise handles both
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{private}{suffix}").unlink(missing_ok=True)

    @contextmanager
    def _connect(self, path: Path | None = None) -> Iterator[sqlite3.Connection]:
        path = path or self.path
        try:
            conn = sqlite3.connect(path, timeout=self.timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise QIDataError(f"Cannot open the game results file {self.path} ({exc}).",
                              field="path") from exc
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            # In WAL mode, NORMAL flushes the log to disk at checkpoints, not at every commit:
            # a round still survives its kernel (or Voila) being killed; only an operating
            # system crash or a power cut could lose the last few seconds. It spares each Send
            # a disk flush (about 10 ms here) made while holding the write lock, which 12 teams
            # sending together would otherwise queue behind.
            conn.execute("PRAGMA synchronous = NORMAL")
            yield conn
        finally:
            conn.close()

    def _initialise(self, game: str | None, path: Path | None = None) -> tuple[int, str]:
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                with self._connect(path) as conn:
                    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                    if str(mode).lower() != "wal":
                        raise QIDataError(
                            f"The game results file {self.path} cannot use WAL mode (it is in "
                            f"{mode!r} mode, perhaps on a network drive); put it on a local "
                            "disk.", field="path")
                    conn.execute("BEGIN IMMEDIATE")
                    try:
                        for statement in _SCHEMA.split(";"):
                            if statement.strip():
                                conn.execute(statement)
                        now = _now()
                        conn.executemany("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
                                         [("schema_version", str(SCHEMA_VERSION)),
                                          ("game", game or "other"), ("created_at", now)])
                        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
                        conn.execute("COMMIT")
                    except BaseException:
                        if conn.in_transaction:
                            conn.execute("ROLLBACK")
                        raise
                break
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) and time.monotonic() < deadline:
                    time.sleep(0.05)
                    continue
                raise QIDataError(f"Cannot set up the game results file {self.path} ({exc}).",
                                  field="path") from exc
            except sqlite3.DatabaseError as exc:
                raise QIDataError(f"{self.path} is not a game results database ({exc}); choose "
                                  "another file name, or move the damaged file aside.",
                                  field="path") from exc
        try:
            version = int(meta.get("schema_version", ""))
        except ValueError:
            raise QIDataError(f"{self.path} has an unreadable schema_version "
                              f"{meta.get('schema_version')!r}.", field="schema_version") from None
        if version > SCHEMA_VERSION:
            raise QIDataError(f"{self.path} has schema_version {version}; this qilab reads up to "
                              f"{SCHEMA_VERSION}. Update qilab to open it.",
                              field="schema_version")
        stored_game = meta.get("game", "other")
        if game is not None and stored_game != game:
            raise QIDataError(f"{self.path} holds results of the {stored_game!r} game, not "
                              f"{game!r}; use a separate file for each game.", field="game")
        return version, stored_game

    # ---------------------------------------------------------------------------- writing

    def record_round(self, team: str, round: int, change_tested: str, prediction: float,
                     actual: float, accuracy: int | None = None, *,
                     replace: bool = False) -> dict[str, Any]:
        """Record one team's round and return the row as stored.

        ``prediction`` and ``actual`` are times in seconds (more than 0); ``accuracy`` is 1–3
        (Mr Potato Head) or None. A round already recorded is rejected unless ``replace=True``.

        >>> import tempfile, pathlib
        >>> store = TeamGameStore(pathlib.Path(tempfile.mkdtemp()) / "g.sqlite")
        >>> _ = store.record_round("Blue", 1, "Baseline", 60, 71.5, 2)
        >>> store.record_round("blue", 1, "Baseline", 60, 70.0, 2)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        qilab.errors.QIDataError: Team 'Blue' round 1 is already recorded ...
        >>> store.record_round("Blue", 1, "Baseline", 60, 70.0, 2, replace=True)["revision"]
        2
        """
        row = _validate(team, round, change_tested, prediction, actual, accuracy)
        now = _now()
        with self._connect() as conn:
            try:
                conn.execute("BEGIN IMMEDIATE")  # take the write lock before reading
                known = conn.execute("SELECT team FROM rounds WHERE team = ? LIMIT 1",
                                     (row["team"],)).fetchone()
                if known is not None:  # "DBL 5795" joins the team already called "Dbl 5795"
                    row["team"] = known[0]
                old = conn.execute("SELECT team, submitted_at, revision FROM rounds "
                                   "WHERE team = ? AND round = ?",
                                   (row["team"], row["round"])).fetchone()
                if old is not None and not replace:
                    raise QIDataError(
                        f"Team {row['team']!r} round {row['round']} is already recorded "
                        f"(submitted at {old[1]}). Check the round number; to correct the "
                        "recorded result, submit it again with replace=True.", field="round")
                if old is None:
                    conn.execute(
                        "INSERT INTO rounds (team, round, change_tested, prediction, actual, "
                        "accuracy, submitted_at, revision) VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
                        (row["team"], row["round"], row["change_tested"], row["prediction"],
                         row["actual"], row["accuracy"], now))
                else:
                    conn.execute(
                        "UPDATE rounds SET change_tested = ?, prediction = ?, actual = ?, "
                        "accuracy = ?, submitted_at = ?, revision = revision + 1 "
                        "WHERE team = ? AND round = ?",
                        (row["change_tested"], row["prediction"], row["actual"],
                         row["accuracy"], now, row["team"], row["round"]))
                stored = conn.execute(
                    f"SELECT {', '.join(COLUMNS)} FROM rounds WHERE team = ? AND round = ?",
                    (row["team"], row["round"])).fetchone()
                conn.execute("COMMIT")
            except sqlite3.IntegrityError as exc:  # a guard: BEGIN IMMEDIATE should prevent it
                raise QIDataError(f"Team {row['team']!r} round {row['round']} could not be "
                                  f"recorded ({exc}).", field="round") from exc
            except sqlite3.OperationalError as exc:
                raise QIDataError(f"The results file {self.path} was busy for more than "
                                  f"{self.timeout:g} s ({exc}); submit the round again.",
                                  field="path") from exc
            finally:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
        return dict(zip(COLUMNS, stored))

    def record_rounds(self, df: pd.DataFrame, *, replace: bool = False) -> int:
        """Record every row of a frame of rounds (for example from a simulated team).

        Needs columns ``team``, ``round``, ``change_tested``, ``prediction``, ``actual`` and,
        optionally, ``accuracy``. Returns how many rows were recorded. Stops at the first row
        that cannot be recorded, with a message naming that row.

        >>> import tempfile, pathlib
        >>> from qilab.sims.helicopter import simulate_potato_team
        >>> store = TeamGameStore(pathlib.Path(tempfile.mkdtemp()) / "g.sqlite")
        >>> store.record_rounds(simulate_potato_team("Red", rounds=4, seed=1))
        4
        """
        if not isinstance(df, pd.DataFrame):
            raise QIDataError(f"Expected a DataFrame of rounds, not {type(df).__name__}.",
                              field="df")
        need = ["team", "round", "change_tested", "prediction", "actual"]
        missing = [c for c in need if c not in df.columns]
        if missing:
            raise QIDataError(f"The rounds are missing column(s) {', '.join(missing)}.",
                              field=missing[0])
        count = 0
        for i, rec in enumerate(df.to_dict("records")):
            accuracy = rec.get("accuracy")
            if accuracy is not None and pd.isna(accuracy):
                accuracy = None
            try:
                self.record_round(rec["team"], rec["round"], rec["change_tested"],
                                  rec["prediction"], rec["actual"], accuracy, replace=replace)
            except QIDataError as exc:
                raise QIDataError(f"Row {i}: {exc}", row=i, field=exc.field) from exc
            count += 1
        return count

    # ---------------------------------------------------------------------------- reading

    def rounds(self, team: str | None = None) -> pd.DataFrame:
        """All recorded rounds (or one team's), sorted by team then round.

        Columns: ``team``, ``round``, ``change_tested``, ``prediction``, ``actual``,
        ``accuracy`` (nullable whole number), ``submitted_at`` (UTC time) and ``revision``.

        >>> import tempfile, pathlib
        >>> TeamGameStore(pathlib.Path(tempfile.mkdtemp()) / "g.sqlite").rounds().empty
        True
        """
        sql = f"SELECT {', '.join(COLUMNS)} FROM rounds"
        params: tuple[Any, ...] = ()
        if team is not None:
            sql += " WHERE team = ?"
            params = (check_text(" ".join(team.split()) if isinstance(team, str) else team,
                                 "team", max_length=60),)
        sql += " ORDER BY team COLLATE NOCASE, round"
        with self._connect() as conn:
            data = conn.execute(sql, params).fetchall()
        df = pd.DataFrame(data, columns=COLUMNS)
        if len(df):  # one spelling per team, also for files written before names were merged
            first: dict[str, str] = {}
            df["team"] = [first.setdefault(str(t).casefold(), str(t)) for t in df["team"]]
        return df.astype({"team": "object", "round": "int64", "change_tested": "object",
                          "prediction": "float64", "actual": "float64", "accuracy": "Int64",
                          "revision": "int64"}).assign(
            submitted_at=pd.to_datetime(df["submitted_at"], utc=True, format="ISO8601"))

    def version(self) -> tuple[int, int, str]:
        """A fingerprint of every recorded round, read without reading the rounds: how many
        rows, their revisions added up, and the latest ``submitted_at``. It changes whenever
        a round is recorded or corrected, so a live view can poll it cheaply.

        >>> import tempfile, pathlib
        >>> store = TeamGameStore(pathlib.Path(tempfile.mkdtemp()) / "g.sqlite")
        >>> store.version()
        (0, 0, '')
        >>> _ = store.record_round("Red", 1, "Baseline", 60, 58.0)
        >>> before = store.version()
        >>> _ = store.record_round("Red", 1, "Baseline", 60, 57.0, replace=True)
        >>> before[:2], store.version()[:2], store.version() != before
        ((1, 1), (1, 2), True)
        """
        with self._connect() as conn:
            rows, revisions, last = conn.execute(
                "SELECT count(*), coalesce(sum(revision), 0), coalesce(max(submitted_at), '') "
                "FROM rounds").fetchone()
        return int(rows), int(revisions), str(last)

    def teams(self) -> list[str]:
        """Team names with at least one round, in alphabetical order.

        >>> import tempfile, pathlib
        >>> TeamGameStore(pathlib.Path(tempfile.mkdtemp()) / "g.sqlite").teams()
        []
        """
        with self._connect() as conn:
            return [r[0] for r in conn.execute(
                "SELECT DISTINCT team FROM rounds ORDER BY team COLLATE NOCASE").fetchall()]


def record_round(path: str | os.PathLike, team: str, round: int, change_tested: str,
                 prediction: float, actual: float, accuracy: int | None = None, *,
                 replace: bool = False) -> dict[str, Any]:
    """Shortcut for ``TeamGameStore(path).record_round(...)``.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "g.sqlite"
    >>> record_round(p, "Green", 1, "Baseline", 50, 47.0)["actual"]
    47.0
    """
    return TeamGameStore(path).record_round(team, round, change_tested, prediction, actual,
                                            accuracy, replace=replace)


def rounds(path: str | os.PathLike, team: str | None = None) -> pd.DataFrame:
    """Shortcut for ``TeamGameStore(path).rounds(team)``.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "g.sqlite"
    >>> _ = record_round(p, "Green", 1, "Baseline", 50, 47.0)
    >>> len(rounds(p, team="green"))
    1
    """
    return TeamGameStore(path).rounds(team)


def _validate(team: Any, round_: Any, change_tested: Any, prediction: Any, actual: Any,
              accuracy: Any) -> dict[str, Any]:
    if isinstance(round_, str) and round_.strip().isdigit():
        round_ = int(round_.strip())
    if prediction is None or (isinstance(prediction, str) and not prediction.strip()):
        raise QIDataError("'prediction' is missing: write down the time you expect before you "
                          "test the change (the P in PDSA).", field="prediction")
    if actual is None or (isinstance(actual, str) and not actual.strip()):
        raise QIDataError("'actual' is missing: enter the time you measured, in seconds.",
                          field="actual")
    if isinstance(accuracy, str):
        accuracy = accuracy.strip() or None
        if accuracy is not None and accuracy.isdigit():
            accuracy = int(accuracy)
    row = {
        "team": check_text(" ".join(team.split()) if isinstance(team, str) else team, "team",
                           max_length=60),
        "round": check_int(round_, "round", low=1, high=1000),
        "change_tested": check_text(
            change_tested, "change_tested", max_length=200) if (
            not isinstance(change_tested, str) or change_tested.strip()) else None,
        "prediction": check_number(prediction, "prediction", low=0, low_open=True,
                                   high=86_400),
        "actual": check_number(actual, "actual", low=0, low_open=True, high=86_400),
        "accuracy": None if accuracy is None else check_int(accuracy, "accuracy", low=1, high=3),
    }
    if row["change_tested"] is None:
        raise QIDataError("'change_tested' is blank: say what you changed this round (for the "
                          "first round write 'baseline').", field="change_tested")
    return row


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")
