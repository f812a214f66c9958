"""Two trainers writing at once lose or double nothing; a killed import leaves no trace."""
from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qilab.programme import models as m
from qilab.programme.db import open_database
from qilab.programme.importer import import_files

TODAY = date(2025, 12, 31)
ORGS = "organisation,sector\nTestshire County Council,Council\nRiverside Home Care,Social care\n"
ROUNDS = 4


def enrolment_file(folder: Path, who: range, tier: str, cohort: str) -> Path:
    lines = ["learner,organisation,role,patient_or_carer,consent_to_share,tier,cohort,started"]
    lines += [f"l{i},Testshire County Council,manager,no,yes,{tier},{cohort},01/02/2025"
              for i in who]
    path = folder / cohort / "enrolments.csv"
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def trainer(url: str, folder: str, who: tuple[int, int], tier: str, name: str) -> None:
    """One trainer importing ROUNDS cohorts, one after another (its own engine)."""
    engine = open_database(url)
    for r in range(ROUNDS):
        path = enrolment_file(Path(folder), range(*who), tier, f"{name}-{r}")
        import_files(engine, [path], today=TODAY)
    engine.dispose()


def totals(url: str) -> tuple[int, int]:
    engine = open_database(url)
    with engine.connect() as conn:
        people = conn.execute(select(func.count()).select_from(m.Person)).scalar()
        enrolments = conn.execute(select(func.count()).select_from(m.Enrolment)).scalar()
    engine.dispose()
    return people, enrolments


def prepared(url: str, folder: Path) -> None:
    (folder / "organisations.csv").write_text(ORGS)
    import_files(open_database(url), [folder / "organisations.csv"], today=TODAY)


def test_two_trainers_in_threads_on_sqlite_wal(tmp_path):
    url = "sqlite:///" + str(tmp_path / "programme.sqlite")
    prepared(url, tmp_path)
    errors: list[BaseException] = []

    def run(*args):
        try:
            trainer(*args)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    # people 0-99 and 50-149 overlap: both trainers add l50..l99, who must be stored once
    threads = [threading.Thread(target=run, args=(url, str(tmp_path), (0, 100), "aware", "a")),
               threading.Thread(target=run, args=(url, str(tmp_path), (50, 150), "foundation",
                                                  "b"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert totals(url) == (150, 2 * ROUNDS * 100)


def test_two_trainers_in_processes_on_postgresql(postgres_cluster, tmp_path):
    url = postgres_cluster.new_database()
    prepared(url, tmp_path)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=trainer, args=(url, str(tmp_path), (0, 100), "aware", "a")),
             ctx.Process(target=trainer, args=(url, str(tmp_path), (50, 150), "foundation",
                                               "b"))]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0]
    assert totals(url) == (150, 2 * ROUNDS * 100)


KILLED = textwrap.dedent("""
    import sys, time
    from datetime import date
    from pathlib import Path
    from qilab.programme.db import open_database
    from qilab.programme.importer import import_tables, read_tables

    def stall(kind):
        if kind == "enrolments":          # rows are written, the transaction is still open
            Path(sys.argv[3]).write_text("written")
            time.sleep(120)

    engine = open_database(sys.argv[1])
    import_tables(engine, read_tables([Path(sys.argv[2]) / "organisations.csv",
                                       Path(sys.argv[2]) / "enrolments.csv"]),
                  today=date(2025, 12, 31), _after_write=stall)
""")


def test_killed_import_leaves_the_database_as_it_was(db_url, tmp_path):
    open_database(db_url).dispose()
    (tmp_path / "organisations.csv").write_text(ORGS)
    enrolment_file(tmp_path, range(500), "aware", "c")
    (tmp_path / "c" / "enrolments.csv").rename(tmp_path / "enrolments.csv")
    flag = tmp_path / "flag"
    proc = subprocess.Popen([sys.executable, "-c", KILLED, db_url, str(tmp_path), str(flag)],
                            env={**os.environ, "PYTHONPATH": str(Path.cwd())})
    deadline = time.monotonic() + 60
    while not flag.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert flag.exists(), "the import never reached its write"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    engine = open_database(db_url)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(m.Enrolment)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(m.Organisation)).scalar() == 0
    # and the database is not left locked: the same import now goes through
    report = import_files(engine, [tmp_path / "organisations.csv", tmp_path / "enrolments.csv"],
                          today=TODAY)
    assert report.added["enrolments"] == 500


@pytest.mark.parametrize("kind", ["sqlite"])
def test_report_reads_while_a_trainer_imports(kind, tmp_path):
    """WAL mode: a reader is not blocked by an open write transaction."""
    url = "sqlite:///" + str(tmp_path / "programme.sqlite")
    prepared(url, tmp_path)
    engine = open_database(url)
    from qilab.programme.db import writing

    with writing(engine) as conn:
        conn.execute(m.Setting.__table__.insert(), {"key": "k", "value": "v"})
        other = open_database(url)
        start = time.monotonic()
        with other.connect() as reader:
            assert reader.execute(select(func.count()).select_from(m.Organisation)).scalar() == 2
        assert time.monotonic() - start < 2
