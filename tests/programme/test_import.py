"""Importing organisations' spreadsheets: variants matched, bad rows named, all or nothing."""
from __future__ import annotations

import csv
from datetime import date

import pytest
from sqlalchemy import func, select, text

from qilab import QIDataError
from qilab.programme import models as m
from qilab.programme.db import current_revision, open_database
from qilab.programme.importer import Problems, import_files, import_register
from qilab.programme.synthetic import synthetic_programme

SECRET = b"synthetic faculty secret, not a real one"
TODAY = date(2025, 12, 31)

ORGS = ("organisation,sector,aliases\n"
        "Testshire Hospitals NHS Foundation Trust,NHS,Testshire Hospitals\n"
        "Testshire County Council,Council,Testshire CC\n")
HEADER = "learner,organisation,role,patient_or_carer,consent_to_share,tier,cohort,started,completed,rating\n"


def counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar()
                for t in m.Base.metadata.sorted_tables if t.name != "settings"}


def write(folder, name, body):
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


@pytest.fixture
def engine(db_url):
    return open_database(db_url)


def test_new_database_is_migrated_to_the_newest_schema(engine):
    assert current_revision(engine) == "0001"
    assert set(counts(engine)) == {t for t in m.Base.metadata.tables} - {"settings"}


def test_migrations_match_the_models(engine):
    """Alembic's own comparison finds no difference between the migrated schema and models."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), m.Base.metadata)
    assert diff == []


def test_synthetic_programme_imports_with_variants_matched(engine, tmp_path):
    s = synthetic_programme(people=120, seed=5)
    report = import_files(engine, s.write_csvs(tmp_path), today=s.today, secret=SECRET)
    assert report.added["people"] == 120
    assert report.added["enrolments"] == s.truth["enrolments"]
    got = counts(engine)
    assert got["organisations"] == 7 and got["people"] == 120
    assert got["enrolments"] == s.truth["enrolments"]
    assert got["coaching_sessions"] == s.truth["coaching_sessions"]
    reg = import_register(engine, s.write_register(tmp_path / "register.csv"), today=s.today,
                          secret=SECRET)
    assert reg.added["certificates"] == s.truth["certificates"]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).where(m.Certificate.verified.is_(True))
                            ).scalar() == s.truth["certificates"]
    # the register grows: importing it again adds nothing and says so
    again = import_register(engine, tmp_path / "register.csv", today=s.today, secret=SECRET)
    assert again.added["certificates"] == 0 and "already" in again.summary()


def test_excel_workbook_gives_the_same_records_as_csv(db_url, tmp_path):
    s = synthetic_programme(people=60, seed=8)
    engine = open_database(db_url)
    import_files(engine, [s.write_workbook(tmp_path / "all.xlsx")], today=s.today, secret=SECRET)
    assert counts(engine)["enrolments"] == s.truth["enrolments"]


def test_no_name_or_email_is_stored(engine, tmp_path):
    write(tmp_path, "organisations.csv", ORGS)
    write(tmp_path, "enrolments.csv", "name,email,organisation,role,patient_or_carer,"
          "consent_to_share,tier,cohort,started\n"
          "Dr Zebedee Quill,,Testshire Hospitals,nurse,no,yes,aware,c1,01/02/2025\n"
          "Ann Example,ann.example@nhs.test,Testshire CC,manager,no,yes,aware,c1,01/02/2025\n")
    import_files(engine, [tmp_path / "organisations.csv", tmp_path / "enrolments.csv"],
                 today=TODAY)
    with engine.connect() as conn:
        dump = " ".join(str(v) for t in m.Base.metadata.sorted_tables
                        for row in conn.execute(select(t)) for v in row)
    assert "P-" in dump
    for secret_text in ("Zebedee", "Quill", "zebedee", "ann.example", "Ann Example"):
        assert secret_text not in dump


def test_name_and_organisation_variants_are_one_person(engine, tmp_path):
    write(tmp_path, "organisations.csv", ORGS)
    write(tmp_path, "enrolments.csv", "name,organisation,role,patient_or_carer,"
          "consent_to_share,tier,cohort,started\n"
          "Dr. Ann  Jones,Testshire Hospitals NHS FT,nurse,no,yes,aware,c1,01/02/2025\n"
          "ann jones,testshire hospitals,Nurse,no,yes,foundation,c2,01/03/2025\n")
    import_files(engine, [tmp_path / "organisations.csv", tmp_path / "enrolments.csv"],
                 today=TODAY)
    assert counts(engine)["people"] == 1 and counts(engine)["enrolments"] == 2


def bad_case(tmp_path, rows: str, header: str = HEADER):
    write(tmp_path, "organisations.csv", ORGS)
    write(tmp_path, "enrolments.csv", header + rows)
    return [tmp_path / "organisations.csv", tmp_path / "enrolments.csv"]


GOOD = "ann,Testshire CC,manager,no,yes,aware,c1,01/02/2025,03/02/2025,4\n"


@pytest.mark.parametrize("row, column, words", [
    ("ann,Testshire CC,manager,no,yes,aware,c1,01/02/2025,03/02/2025,4\n", "learner",
     "duplicate of row 2"),
    ("ann,Testshire Hospitals,manager,no,yes,foundation,c2,01/02/2025,,\n", "organisation",
     "duplicate person with different details"),
    ("bob,Testshire CC,manager,no,yes,aware,c1,01/02/2031,,\n", "started", "in the future"),
    ("bob,Testshire CC,manager,no,yes,platinum,c1,01/02/2025,,\n", "tier", "not a known tier"),
    ("bob,Testshire Hospitalz,manager,no,yes,aware,c1,01/02/2025,,\n", "organisation",
     "Did you mean 'Testshire Hospitals NHS Foundation Trust'"),
    ("bob,Testshire CC,manager,no,yes,aware,c1,02/31/2025,,\n", "started", "dd/mm/yyyy"),
    ("bob,Testshire CC,,no,yes,aware,c1,01/02/2025,,\n", "role", "is empty"),
    ("bob,Testshire CC,manager,maybe,yes,aware,c1,01/02/2025,,\n", "patient_or_carer",
     "not yes or no"),
    ("bob,Testshire CC,manager,no,yes,aware,c1,01/02/2025,,7\n", "rating", "1 to 5"),
    ("bob,Testshire CC,manager,no,yes,aware,c1,01/02/2025,01/01/2025,\n", "completed",
     "before the start date"),
])
def test_bad_enrolment_names_row_and_column_and_writes_nothing(engine, tmp_path, row, column,
                                                               words):
    with pytest.raises(QIDataError) as info:
        import_files(engine, bad_case(tmp_path, GOOD + row), today=TODAY)
    message = str(info.value)
    assert f"enrolments.csv, row 3, column {column!r}" in message and words in message
    assert info.value.row == 3 and info.value.column == column
    assert sum(counts(engine).values()) == 0  # not even the good row or the organisations


@pytest.mark.parametrize("kind, body, column, words", [
    ("knowledge", "learner,phase,scenario,rater,score,date\n"
                  "ann,pre,care-home-falls,r1,10,01/02/2025\n", "score", "from 0 to 9"),
    ("knowledge", "learner,phase,scenario,rater,score,date\n"
                  "ann,pre,falls,r1,4,01/02/2025\n", "scenario", "not a known scenario"),
    ("progress", "project,month,score\nP1,02/2025,3.3\n", "score", "half steps"),
    ("progress", "project,month,score\nP1,02/2025,5.5\n", "score", "0.5 to 5"),
    ("progress", "project,month,score\nP1,02/2025,0\n", "score", "0.5 to 5"),
    ("progress", "project,month,score\nP9,02/2025,3\n", "project", "not a registered project"),
    ("measures", "project,period,value\nP1,01/02/2025,n/a\n", "value", "not a number"),
    ("certificates", "code,learner,name,tier,date,faculty,course\n"
                     "QI-AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG,zed,Zed,aware,2025-01-01,F,c\n",
     "learner", "no enrolment"),
])
def test_bad_rows_of_other_kinds(engine, tmp_path, kind, body, column, words):
    paths = bad_case(tmp_path, GOOD)
    paths.append(write(tmp_path, "projects.csv", "project,title,organisation,priority,aim,"
                       "measure,direction,registered,consent_to_share\n"
                       "P1,Falls,Testshire CC,Falls,Fewer falls,Falls,decrease,01/01/2025,yes\n"))
    paths.append(write(tmp_path, f"{kind}.csv", body))
    with pytest.raises(QIDataError) as info:
        import_files(engine, paths, today=TODAY, secret=None)
    assert f"{kind}.csv, row 2, column {column!r}" in str(info.value)
    assert words in str(info.value)
    assert sum(counts(engine).values()) == 0


def test_every_problem_is_listed_not_just_the_first(engine, tmp_path):
    rows = "".join(f"p{i},Testshire CC,manager,no,yes,platinum,c1,01/02/2025,,\n"
                   for i in range(3))
    with pytest.raises(Problems) as info:
        import_files(engine, bad_case(tmp_path, rows), today=TODAY)
    assert [p[1] for p in info.value.problems] == [2, 3, 4]


def test_missing_column_is_named(engine, tmp_path):
    header = HEADER.replace(",tier", "")
    with pytest.raises(QIDataError, match=r"enrolments.csv: has no column 'tier'"):
        import_files(engine, bad_case(tmp_path, "ann,Testshire CC,manager,no,yes,c1,01/02/2025,,\n",
                                      header), today=TODAY)


def test_altered_certificate_code_is_refused(engine, tmp_path):
    s = synthetic_programme(people=60, seed=2)
    import_files(engine, s.write_csvs(tmp_path), today=s.today, secret=SECRET)
    path = s.write_register(tmp_path / "register.csv")
    rows = list(csv.DictReader(path.open()))
    rows[1]["tier"] = "coach" if rows[1]["tier"] != "coach" else "foundation"
    with path.open("w") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(QIDataError, match=r"register.csv, row 3, column 'code': does not verify"):
        import_register(engine, path, today=s.today, secret=SECRET)
    assert counts(engine)["certificates"] == 0
    # without the faculty secret the codes are imported but marked unverified
    report = import_register(engine, path, today=s.today, secret=None)
    assert "not verified" in report.summary()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM certificates WHERE verified IS NULL")
                            ).scalar() == len(rows)
