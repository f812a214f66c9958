"""Opening the programme database: SQLite by default, PostgreSQL by URL.

The database is named by a SQLAlchemy URL: ``--db`` on the command line, else the
``QILAB_PROGRAMME_DB`` environment variable, else a SQLite file in ``~/qilab-programme/``.
SQLite runs in write-ahead-log (WAL) mode so that reports can read while a trainer imports.
Every write happens in one transaction that holds the programme's write lock (``BEGIN
IMMEDIATE`` on SQLite, a transaction-level advisory lock on PostgreSQL), so two trainers
importing at once are served one after the other: no row is lost or doubled, and a killed
import leaves the database as it was.

>>> import tempfile, pathlib
>>> url = "sqlite:///" + str(pathlib.Path(tempfile.mkdtemp()) / "p.sqlite")
>>> engine = open_database(url)
>>> with engine.connect() as conn:
...     conn.exec_driver_sql("PRAGMA journal_mode").scalar()
'wal'
"""
from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Connection, Engine, create_engine, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from ..errors import QIDataError
from .models import Setting

ENV_URL = "QILAB_PROGRAMME_DB"
HEAD = "0001"  # the newest migration in qilab/programme/migrations/versions
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_PG_LOCK = 7_415_009  # the programme's advisory-lock number on PostgreSQL


def default_url() -> str:
    """The URL used when none is given: ``$QILAB_PROGRAMME_DB`` or a SQLite file."""
    url = os.environ.get(ENV_URL)
    if url:
        return url
    return "sqlite:///" + str(Path.home() / "qilab-programme" / "programme.sqlite")


def _sqlite_engine(url) -> Engine:
    database = url.database
    if database and database != ":memory:":
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 60})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # noqa: ANN001 - SQLAlchemy's signature
        dbapi_connection.isolation_level = None  # SQLAlchemy, not sqlite3, emits BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        writing = conn.get_execution_options().get("qilab_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")

    return engine


def open_database(url: str | None = None, *, migrate: bool = True) -> Engine:
    """An engine for the programme database at ``url``, brought up to the newest schema."""
    raw = url or default_url()
    try:
        parsed = make_url(raw)
    except ArgumentError as exc:
        raise QIDataError(f"The programme database URL {raw!r} is not a valid SQLAlchemy URL "
                          "(for example sqlite:////path/programme.sqlite or "
                          "postgresql+psycopg://user@host/dbname).", field="db") from exc
    if parsed.get_backend_name() == "sqlite":
        engine = _sqlite_engine(parsed)
    elif parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        engine = create_engine(parsed, pool_pre_ping=True)
    else:
        raise QIDataError(f"The programme database must be SQLite or PostgreSQL; got "
                          f"{parsed.get_backend_name()!r} in {raw!r}.", field="db")
    if migrate:
        upgrade(engine)
    return engine


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """One write transaction holding the programme's write lock; rolled back on any error.

    >>> import tempfile, pathlib
    >>> engine = open_database("sqlite:///" + str(pathlib.Path(tempfile.mkdtemp()) / "p.db"))
    >>> with writing(engine) as conn:
    ...     _ = conn.execute(text("INSERT INTO settings VALUES ('x', '1')"))
    >>> with engine.connect() as conn:
    ...     conn.execute(text("SELECT value FROM settings WHERE key = 'x'")).scalar()
    '1'
    """
    with engine.execution_options(qilab_write=True).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
        yield conn


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at (``None`` for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run Alembic migrations up to ``revision`` (quick when already there)."""
    if revision == "head" and current_revision(engine) == HEAD:
        return
    from alembic import command
    from alembic.config import Config

    with writing(engine) as conn:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
        if conn.execute(select(Setting.value).where(Setting.key == "pseudonym_key")
                        ).scalar() is None and revision == "head":
            conn.execute(Setting.__table__.insert(),
                         {"key": "pseudonym_key", "value": secrets.token_hex(32)})


def pseudonym_key(conn: Connection) -> bytes:
    """The random key behind this programme's pseudonyms (made when the database was)."""
    value = conn.execute(select(Setting.value).where(Setting.key == "pseudonym_key")).scalar()
    if value is None:
        raise QIDataError("The programme database has no pseudonym key: run `qilab programme "
                          "init` first.", field="settings")
    return value.encode("ascii")
