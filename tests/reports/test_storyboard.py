"""A project folder becomes an evidence pack: a storyboard in HTML and a one-page A4 PDF, with
the annotated chart, the PDSA ramps and the progress-score run chart; bad or missing parts are
clear errors naming the file and the field. One PDF is printed for the whole module."""
from __future__ import annotations

import doctest
import html
import re

import pytest

import qilab
from qilab import QIDataError
from qilab.cli import main
from qilab.reports import project as project_module
from qilab.reports import storyboard as storyboard_module
from qilab.reports.project import FILES, example_project, read_project
from qilab.reports.storyboard import write_storyboard

IMG = re.compile(r'<img src="data:image/png;base64,[^"]+" alt="([^"]*)"')


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    folder = example_project(tmp_path_factory.mktemp("pack") / "oak-house")
    return qilab.evidence_pack(folder, pdf=True)


def test_one_call_writes_the_storyboard_beside_the_project(pack):
    story = pack.storyboard
    assert story.html_path == pack.project.folder / "storyboard.html"
    assert story.html_path.read_text(encoding="utf-8") == story.html
    assert story.pdf_path == story.html_path.with_suffix(".pdf")


def test_the_pdf_is_one_a4_page(pack):
    data = pack.storyboard.pdf_path.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page(?![s\w])", data)) == 1
    width, height = map(float, re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", data)
                        .groups())
    assert abs(width - 595.3) < 1.5 and abs(height - 841.9) < 1.5  # A4 in points


def test_the_storyboard_has_the_three_charts_each_with_alt_text(pack):
    page = pack.storyboard.html
    alts = [html.unescape(a) for a in IMG.findall(page)]
    assert len(alts) == 3
    chart, ramps, progress = alts
    # the annotated chart's reading: the run of 8 below the median after the changes
    assert chart.startswith("This run chart (Falls each month) of 18 points")
    assert "8 points in a row are below the median" in chart
    assert "Ramp 1: C1 'Night rounding, 1 resident, 1 week' on 4 Aug 2025 (adapt)" in ramps
    assert "Latest progress score 3.5 (improvement) on 28 December 2025" in progress
    assert "Rounding tested (C1)" in pack.project.chart().notes.values()


def test_the_storyboard_tells_the_project_in_words_too(pack):
    page = pack.storyboard.html
    assert '<html lang="en-GB">' in page
    for text in ("Reduce falls among Oak House residents from 8 a month to 4 a month by "
                 "March 2026.", "Daughter of a resident (family partner)",
                 "Integrated care board priority", "Night rounding at 2 am and 5 am",
                 "All 14 checks done", "Arrival falls review, 2 new residents"):
        assert text in page.replace("&#x27;", "'"), text
    # decisions are words, not colours alone; the unfinished cycle says its stage
    assert re.search(r"<td>adopt</td>", page) and "<td>Do stage</td>" in page
    assert [h for h in re.findall(r"<h2 id=\"(\w+)\"", page)] == [
        "who", "theory", "results", "tests", "progress"]


@pytest.mark.browser
def test_the_storyboard_passes_axe_in_the_browser(pack, chromium_page, axe_source, serve):
    page, watch = chromium_page
    story = pack.storyboard.html_path
    page.goto(serve(story.parent).url(story.name))
    page.evaluate(axe_source)
    serious = page.evaluate("""async () => (await axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations
        .filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id)""")
    assert serious == [] and watch.js_errors == [] and watch.third_party == []


def test_the_pack_reports_the_practitioner_checks(pack):
    assert pack.check.passed
    text = pack.explain()
    assert "Linked PDSA cycles: met. 3 linked cycles (C1 → C2 → C3)" in text
    assert "Progress score: met. The latest progress score is 3.5" in text


@pytest.fixture
def folder(tmp_path):
    return example_project(tmp_path / "project")


@pytest.mark.parametrize("part", sorted(FILES))
def test_a_missing_file_is_named(folder, tmp_path, part):
    (folder / FILES[part]).unlink()
    with pytest.raises(QIDataError) as info:
        write_storyboard(folder, tmp_path / "out.html", pdf=False)
    assert str(folder / FILES[part]) in str(info.value)
    assert not (tmp_path / "out.html").exists()


@pytest.mark.parametrize("file,old,new,where", [
    ("measure-data.csv", "2025-03-01,9", "01/03/2025,9", ("row", 4, "date")),
    ("measure-data.csv", "2025-05-01,8", "2025-05-01,eight", ("row", 6, "value")),
    ("measure-data.csv", "date,value,note", "day,value,note", ("column", None, "date")),
    ("progress-scores.csv", ",3.5,", ",7,", ("row", 10, "progress_score")),
    ("charter.json", '"review": "2026-03-31"', '"review": "2024-03-31"', ("field", "review")),
    ("charter.json", '"sponsor"', '"sponser"', ("field", "sponser")),
    ("pdsa-log.json", '"follows": "C1"', '"follows": "C9"', ("field", "follows")),
])
def test_a_bad_file_is_an_error_naming_it_and_the_field(folder, tmp_path, file, old, new,
                                                        where):
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(QIDataError) as info:
        write_storyboard(folder, tmp_path / "out.html", pdf=False)
    assert str(path) in str(info.value)
    if where[0] == "row":
        assert (info.value.row, info.value.column) == where[1:]
    elif where[0] == "column":
        assert info.value.column == where[2]
    else:
        assert info.value.field == where[1]


def test_reading_a_damaged_log_leaves_the_learners_file_alone(folder):
    log = folder / FILES["pdsa_log"]
    log.write_text("{not json", encoding="utf-8")
    project = read_project(folder, strict=False)
    assert "pdsa_log" in project.problems and str(log) in str(project.problems["pdsa_log"])
    assert log.read_text(encoding="utf-8") == "{not json"
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILES.values())


def test_the_command_writes_the_pack_and_records_scores(folder, capsys):
    assert main(["project", "score", str(folder), "--date", "2026-01-29", "--score", "4",
                 "--agreed-by", "Coach"]) == 0
    assert "Recorded 4 (significant improvement) for Fewer falls at Oak House" in \
        capsys.readouterr().out
    assert main(["project", "score", str(folder), "--date", "2026-01-30", "--score", "4",
                 "--agreed-by", "Coach"]) == 2
    assert "already has a score for January 2026" in capsys.readouterr().err
    assert main(["project", "pack", str(folder), "--no-pdf"]) == 0
    out = capsys.readouterr().out
    assert "Progress score: met. The latest progress score is 4" in out
    assert (folder / "storyboard.html").exists() and not (folder / "storyboard.pdf").exists()
    (folder / FILES["charter"]).unlink()
    assert main(["project", "pack", str(folder), "--no-pdf"]) == 2
    assert f"There is no charter file {folder / FILES['charter']}" in capsys.readouterr().err


def test_docstring_examples_run():
    for module in (project_module, storyboard_module):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.attempted >= 1 and result.failed == 0
