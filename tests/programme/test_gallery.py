"""The project gallery shows every project whose lead consented, failures as well as
successes, and nothing at all of any other project: not its title, its measure, its id or its
chart's alt text."""
from __future__ import annotations

import html
import re

import pytest

from qilab.programme.gallery import LABELS, demo_gallery, gallery, gallery_html
from qilab.programme.synthetic import DEMO_PROJECTS


@pytest.fixture(scope="module")
def demo():
    return demo_gallery(people=60)


def words_of(project: int) -> list[str]:
    """What would give away project ``project`` (1-based) of the demonstration."""
    title, measure = DEMO_PROJECTS[project - 1]
    return [f"PRJ-{project:02d}", title, measure]


def test_only_consenting_projects_appear_not_even_in_alt_text(demo):
    # the generator's leads of projects 1, 5 and 9 did not consent; the others did
    assert sorted(e.project for e in demo.entries) == [
        "PRJ-02", "PRJ-03", "PRJ-04", "PRJ-06", "PRJ-07", "PRJ-08"]
    page = html.unescape(demo._repr_html_())
    alts = re.findall(r'alt="([^"]*)"', demo._repr_html_())
    assert len(alts) == 6
    for hidden in (1, 5, 9):
        for word in words_of(hidden):
            assert word not in page, word
            assert not any(word in alt for alt in alts), word
    for entry in demo.entries:
        assert entry.title in page and f"{entry.title}: {entry.measure}" in entry.chart.alt_text()


def test_failures_are_shown_as_well_as_successes_in_words_not_colour_alone(demo):
    assert demo.counts() == {"improvement": 2, "no signal yet": 2, "concern": 2}
    page = html.unescape(demo._repr_html_())
    order = [page.index(f"<strong>{LABELS[s][0]}</strong>") for s in LABELS]
    assert order == sorted(order)  # improvement, then no signal yet, then concern
    for entry in demo.entries:
        assert f"<strong>{entry.label}</strong>: {entry.reason}" in page
    assert "This is a demonstration. Every project, organisation and number in it is made up" \
        in page


def test_a_storyboard_link_shows_when_given(db_url, tmp_path):
    from qilab.programme.db import open_database
    from qilab.programme.importer import import_files
    from qilab.programme.synthetic import synthetic_programme

    made_up = synthetic_programme(people=40, seed=2)
    engine = open_database(db_url)
    try:
        import_files(engine, made_up.write_csvs(tmp_path), today=made_up.today)
        linked = gallery(engine, {"PRJ-02": "storyboards/PRJ-02.html",
                                  "PRJ-01": "storyboards/PRJ-01.html"})
        page = gallery_html(engine, storyboards={"PRJ-02": "storyboards/PRJ-02.html",
                                                 "PRJ-01": "storyboards/PRJ-01.html"})
    finally:
        engine.dispose()  # no connection left for the garbage collector to close
    links = {e.project: e.storyboard for e in linked.entries}
    assert links["PRJ-02"] == "storyboards/PRJ-02.html" and links["PRJ-03"] is None
    assert "PRJ-01" not in links  # a link does not bring in a project that was not shared
    assert '<a href="storyboards/PRJ-02.html">Storyboard for Project 2</a>' in page
    assert "PRJ-01" not in page and "<h2>Project 1</h2>" not in page
    assert page.count("Storyboard for") == 1


@pytest.fixture
def programme(tmp_path):
    """A made-up programme in a SQLite database: the lead of PRJ-01 did not consent, those of
    PRJ-02 and PRJ-03 did."""
    from qilab.programme.db import open_database
    from qilab.programme.importer import import_files
    from qilab.programme.synthetic import synthetic_programme

    made_up = synthetic_programme(people=40, seed=2)
    engine = open_database("sqlite:///" + str(tmp_path / "p.sqlite"))
    import_files(engine, made_up.write_csvs(tmp_path / "csv"), today=made_up.today)
    yield engine
    engine.dispose()


def test_project_folders_give_shared_projects_their_storyboards_and_no_others(
        programme, tmp_path, capsys):
    from qilab.cli import main
    from qilab.reports.project import example_project, read_project

    projects = tmp_path / "projects"
    example_project(projects / "PRJ-02")
    (projects / "PRJ-01").mkdir()  # not shared, so never read: read, it would be an error
    out = tmp_path / "gallery"
    (out / "storyboards").mkdir(parents=True)
    (out / "storyboards" / "PRJ-01.html").write_text("from before the lead withdrew consent")
    db = ["--db", str(programme.url)]
    assert main(["programme", "gallery", *db, "--out", str(out), "--projects", str(projects)]) == 0
    assert "Storyboards in" in capsys.readouterr().out
    assert sorted(p.name for p in (out / "storyboards").iterdir()) == ["PRJ-02.html"]
    story = (out / "storyboards" / "PRJ-02.html").read_text()
    alt = read_project(projects / "PRJ-02").chart().alt_text()
    assert "<h1>Fewer falls at Oak House</h1>" in story and html.escape(alt, quote=True) in story
    page = (out / "gallery.html").read_text()
    assert '<a href="storyboards/PRJ-02.html">Storyboard for Project 2</a>' in page
    assert page.count("Storyboard for") == 1 and "PRJ-01" not in page


def test_a_bad_project_folder_is_named_and_nothing_is_written(programme, tmp_path):
    from qilab import QIDataError
    from qilab.programme.gallery import write_gallery
    from qilab.reports.project import FILES, example_project

    projects = tmp_path / "projects"
    example_project(projects / "PRJ-03")
    bad = example_project(projects / "PRJ-02")
    (bad / FILES["measure_data"]).write_text("date,value\n2025-01-01,many\n")
    out = tmp_path / "gallery"
    with pytest.raises(QIDataError) as error:
        write_gallery(programme, out, projects=projects)
    message = str(error.value)
    assert f"Project PRJ-02's folder {bad}" in message
    assert "measure-data.csv, row 2: value 'many' is not a number" in message
    assert not out.exists()  # no storyboard, no gallery
    with pytest.raises(QIDataError, match="no folder of project folders"):
        write_gallery(programme, out, projects=tmp_path / "nowhere")
    assert not out.exists()
