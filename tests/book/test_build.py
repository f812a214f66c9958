"""The book builds cleanly, every page in the toc is built and real, and each module page runs.

The build is ``jupyter-book build . -W --keep-going`` (as ``make book``), once per session.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import yaml

pytestmark = pytest.mark.book

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\bTODO\b|\bTBD\b|coming soon|lorem ipsum|\blorem\b|\bFIXME\b|"
                         r"under construction|to be written", re.IGNORECASE)


def toc_files() -> list[str]:
    """Every file in ``_toc.yml`` (root first), as written there, without a suffix."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf8"))
    names = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                names.append(node["file"])
            for key, value in node.items():
                if key != "root":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return [re.sub(r"\.(md|ipynb|rst)$", "", name) for name in names]


def source_of(name: str) -> Path:
    for suffix in (".md", ".ipynb", ".rst"):
        path = ROOT / f"{name}{suffix}"
        if path.is_file():
            return path
    raise FileNotFoundError(f"{name} is in _toc.yml but has no .md, .ipynb or .rst file")


def module_pages() -> list[Path]:
    """Module pages that are notebooks: MyST markdown with a jupytext header."""
    pages = []
    for path in sorted((ROOT / "modules").glob("**/*.md")):
        head = path.read_text(encoding="utf8")[:2000]
        if head.startswith("---") and "jupytext:" in head.split("\n---", 1)[0]:
            pages.append(path)
    return pages


def visible_text(html: str) -> str:
    """The article text of a built page (no scripts, styles or tags)."""
    match = re.search(r'<article class="bd-article"[^>]*>(.*?)</article>', html, re.S)
    body = match.group(1) if match else html
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S | re.I)
    return re.sub(r"<[^>]+>", " ", body)


def test_toc_shape():
    """The parts are the ones the curriculum promises, in order (parts land as pages do)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf8"))
    assert toc["format"] == "jb-book"
    assert toc["root"] == "book/index"
    captions = [part["caption"] for part in toc["parts"]]
    order = ["Start here", "Aware", "Foundation", "Practitioner", "Coach", "Leaders",
             "Community", "Resources", "For trainers"]
    assert captions == [c for c in order if c in captions], captions
    # every tier has its pathway, then the resources and the trainers' pages
    assert set(order) - {"Community"} <= set(captions), captions
    for part in toc["parts"]:
        assert part.get("chapters"), f"part {part['caption']!r} has no pages"


def test_every_toc_file_exists():
    missing = []
    for name in toc_files():
        try:
            source_of(name)
        except FileNotFoundError as exc:
            missing.append(str(exc))
    assert not missing, "\n".join(missing)


def test_build_is_clean(book_build):
    """``jupyter-book build . -W --keep-going`` exits 0: no warnings, no failing cells."""
    assert book_build.returncode == 0, (
        f"the book build failed (exit {book_build.returncode}); warnings:\n"
        + "\n".join(line for line in book_build.log.splitlines()
                    if "WARNING" in line or "ERROR" in line or "rror" in line)[-6000:]
        + "\n--- last lines ---\n" + book_build.tail(30))


@pytest.mark.parametrize("name", toc_files())
def test_page_built_and_not_a_placeholder(name, built_book):
    page = built_book / f"{name}.html"
    assert page.is_file(), f"{name} is in _toc.yml but {page} was not built"
    text = visible_text(page.read_text(encoding="utf8"))
    words = len(text.split())
    assert words >= 80, f"{name} has only {words} words: a stub, not a page"
    found = PLACEHOLDER.findall(text)
    assert not found, f"{name} has placeholder text: {sorted(set(found))}"


def test_footer_states_both_licences(built_book):
    for name in toc_files():
        html = (built_book / f"{name}.html").read_text(encoding="utf8")
        footer = re.search(r'<p class="qi-licences">(.*?)</p>', html, re.S)
        assert footer, f"{name}: no licence footer"
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", footer.group(1))).strip()
        assert text == "Code: MIT licence. Teaching content: CC BY 4.0.", (name, text)
        for target in re.findall(r'href="([^"]+)"', footer.group(1)):
            linked = (built_book / name).parent / target
            assert linked.resolve().is_file(), f"{name}: footer links to missing {target}"
    assert "MIT" in (built_book / "LICENSE.txt").read_text(encoding="utf8")
    assert "Attribution 4.0" in (built_book / "LICENSE-CONTENT.txt").read_text(encoding="utf8")


def test_no_cdn_in_configured_assets(built_book):
    """MathJax, require.js and the widget manager are served from the site itself."""
    for name in toc_files():
        html = (built_book / f"{name}.html").read_text(encoding="utf8")
        for src in re.findall(r'<script[^>]*\bsrc="([^"]+)"', html):
            assert not re.match(r"^(https?:)?//", src), f"{name} loads {src}"
    assert (built_book / "_static" / "mathjax" / "tex-svg.js").is_file()
    assert (built_book / "_static" / "embed-amd.js").is_file()
    assert (built_book / "_static" / "require.js").is_file()


@pytest.mark.slow
@pytest.mark.parametrize("page", module_pages(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_module_page_executes_on_its_own(page):
    """Each module page runs top to bottom in a fresh kernel, in its own folder, with no error
    and nothing written to stderr (so no warning reaches a learner)."""
    import jupytext
    from nbclient import NotebookClient

    notebook = jupytext.read(page)
    client = NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(page.parent)}})
    client.execute()
    outputs = [output for cell in notebook.cells if cell.cell_type == "code"
               for output in cell.get("outputs", [])]
    errors = [o for o in outputs if o.get("output_type") == "error"]
    assert not errors, f"{page.name}: {errors[0].get('ename')}: {errors[0].get('evalue')}"
    stderr = [o for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stderr"]
    assert not stderr, f"{page.name} wrote to stderr: {stderr[0].get('text', '')[:300]}"


def test_rebranding_changes_the_book(fixture_book):
    """The test book (tests/conftest.py) is rebranded: colours, names and launch button."""
    css = (fixture_book / "_static" / "qi-branding.css").read_text(encoding="utf8")
    assert "--pst-color-primary: #6a1b9a" in css
    index = (fixture_book / "tests/fixtures/book/index.html").read_text(encoding="utf8")
    page = (fixture_book / "tests/fixtures/book/widgets.html").read_text(encoding="utf8")
    assert "This copy is run by the Testshire Improvement Academy for Testshire." in (
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", index)))
    launch = re.search(r'href="(https://hub\.example\.org/hub/user-redirect/git-pull\?[^"]+)"',
                       page)
    assert launch, "no JupyterHub launch button on a notebook page"
    query = dict(parse_qsl(urlsplit(launch.group(1).replace("&amp;", "&")).query))
    assert query["repo"] == "https://git.example.org/qi/curriculum"
    # into ~/qi-exercises, the folder the exercises' links use too (book/_ext/qi_pages.py)
    assert query["targetpath"] == "qi-exercises"
    assert query["urlpath"].startswith("lab/tree/qi-exercises/tests/fixtures/book/widgets")
    assert query["branch"] == "main"


def test_launch_buttons_off_by_default(built_book):
    for name in toc_files():
        html = (built_book / f"{name}.html").read_text(encoding="utf8")
        assert not re.search(r'href="[^"]*(git-pull\?|mybinder|colab\.research|deepnote)', html), (
            f"{name} has a launch button although branding.jupyterhub_url is empty")
        assert "THEBE_JS_URL" not in html, f"{name}: Thebe is still loaded"
