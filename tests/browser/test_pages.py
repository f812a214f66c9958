"""Every built page in headless chromium: offline, no JavaScript errors, accessible.

Each page listed in ``_toc.yml`` (plus the search and index pages Sphinx adds) is a separate
test, so a failure names the page. A page fails on:

- any request to a host other than 127.0.0.1/localhost (requests are intercepted and blocked),
  and any script, stylesheet, image or frame in the HTML that points at another host;
- any JavaScript error (uncaught exceptions and console errors);
- any axe-core violation of impact serious or critical under WCAG 2.0/2.1 A and AA, in light
  and in dark mode (widgets, exercise previews and quizzes included);
- any ``<img>`` without meaningful alt text (empty is allowed only for decorative images;
  a path or file name is not alt text);
- widgets in the page's embedded state that do not render.
"""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.browser

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = ("serious", "critical")
WIDGET_VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]'
AXE_REPORT = ROOT / "_build" / "axe-report.json"


def toc_docnames(toc_path: Path = ROOT / "_toc.yml") -> list[str]:
    """Every ``file:`` entry of the toc, in order (the root first)."""
    toc = yaml.safe_load(toc_path.read_text(encoding="utf8"))
    names = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                names.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({k: v for k, v in toc.items() if k != "root"})
    return [re.sub(r"\.(md|ipynb|rst)$", "", name) for name in names]


PAGES = [f"{name}.html" for name in toc_docnames()] + ["search.html", "genindex.html"]


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname in ("127.0.0.1",
                                                                             "localhost")


# --- checks that read the HTML file -------------------------------------------------------

class _ResourceFinder(HTMLParser):
    """Collects URLs the browser would load by itself: scripts, stylesheets, images, frames."""

    ATTRS = {"script": ("src",), "link": ("href",), "img": ("src", "srcset"),
             "iframe": ("src",), "source": ("src", "srcset"), "video": ("src", "poster"),
             "audio": ("src",), "embed": ("src",), "object": ("data",), "input": ("src",)}

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        wanted = self.ATTRS.get(tag)
        if not wanted:
            return
        attrs = dict(attrs)
        if tag == "link" and not set((attrs.get("rel") or "").lower().split()) & {
                "stylesheet", "icon", "preload", "modulepreload", "prefetch", "manifest",
                "shortcut", "apple-touch-icon", "dns-prefetch", "preconnect"}:
            return
        for attr in wanted:
            value = attrs.get(attr)
            if value:
                self.urls.extend(part.strip().split(" ")[0] for part in value.split(","))


def third_party_urls_in_html(html: str) -> list[str]:
    finder = _ResourceFinder()
    finder.feed(html)
    found = [u for u in finder.urls if re.match(r"^(https?:)?//", u) and not is_local(
        u if not u.startswith("//") else "http:" + u)]
    # CSS in the page: @import and url(...) to another host.
    found += [m for m in re.findall(r"""url\(\s*['"]?((?:https?:)?//[^'")\s]+)""", html)
              if not is_local(m if not m.startswith("//") else "http:" + m)]
    return sorted(set(found))


# --- alt text ------------------------------------------------------------------------------

IMAGE_FILE = re.compile(r"\.(png|jpe?g|gif|svg|webp|bmp|tiff?|pdf)(\?.*)?$", re.IGNORECASE)
GENERIC_ALT = {"image", "img", "figure", "fig", "picture", "graph", "chart", "plot", "photo",
               "png", "svg", "untitled", "alt", "logo", "icon", "output"}


def alt_problem(alt: str | None, decorative: bool) -> str | None:
    """Why ``alt`` is not meaningful alt text, or None when it is."""
    if alt is None:
        return "no alt attribute"
    text = alt.strip()
    if not text:
        return None if decorative else "empty alt on an image that is not marked decorative"
    if IMAGE_FILE.search(text) or "_images/" in text or "jupyter_execute" in text:
        return f"alt is a file name or path: {text!r}"
    if re.fullmatch(r"[\w.\-/\\:]+", text) and ("/" in text or "\\" in text or "_" in text):
        return f"alt looks like a path or identifier: {text!r}"
    if text.lower().strip(".") in GENERIC_ALT:
        return f"alt says what it is, not what it shows: {text!r}"
    return None


def test_alt_rules_can_fail():
    assert alt_problem(None, False)
    assert alt_problem("", False)
    assert alt_problem("", True) is None
    assert alt_problem("../_images/abc123.png", False)
    assert alt_problem("/work/main/_build/jupyter_execute/fig", False)
    assert alt_problem("figure_1", False)
    assert alt_problem("Chart", False)
    assert alt_problem("Run chart of falls over 12 weeks, with no signals.", False) is None


def test_third_party_scan_can_fail():
    html = ('<script src="https://cdn.jsdelivr.net/npm/x.js"></script>'
            '<link rel="stylesheet" href="//fonts.googleapis.com/css">'
            '<img src="http://127.0.0.1:8000/a.png" alt="A">'
            '<a href="https://example.org">a link is not a request</a>'
            '<style>@import url("https://fonts.example.com/a.css");</style>')
    assert third_party_urls_in_html(html) == [
        "//fonts.googleapis.com/css", "https://cdn.jsdelivr.net/npm/x.js",
        "https://fonts.example.com/a.css"]


# --- the browser ---------------------------------------------------------------------------

IMAGES_JS = """() => Array.from(document.querySelectorAll('img')).map(img => ({
    src: (img.getAttribute('src') || '').slice(0, 80),
    alt: img.getAttribute('alt'),
    decorative: ['presentation', 'none'].includes(img.getAttribute('role'))
                || img.getAttribute('aria-hidden') === 'true'
                || !!img.closest('[aria-hidden="true"]'),
}))"""

AXE_JS = """async (tags) => {
    const result = await axe.run(document, {
        runOnly: {type: 'tag', values: tags},
        resultTypes: ['violations'],
    });
    return result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        targets: v.nodes.map(n => n.target.join(' ')).slice(0, 8),
        count: v.nodes.length,
    }));
}"""


def settle(page) -> None:
    """Wait for widgets and maths to render, so they are checked too."""
    views = page.locator(WIDGET_VIEW).count()
    if views:
        # The widget manager renders each view next to its script tag.
        page.wait_for_function(
            """(n) => document.querySelectorAll('.jupyter-widgets.widget-container, '
                 + '.jupyter-widgets:not(.widget-container *)').length >= n""",
            arg=views, timeout=15000)
    if page.evaluate("() => !!(window.MathJax && MathJax.startup && MathJax.startup.promise)"):
        page.evaluate("() => MathJax.startup.promise")
    # Let our accessibility script's MutationObserver run after the last render.
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 50)))")


def check_page(page, watch, server, html_dir: Path, relative: str, axe_source: str,
               report: dict) -> list[str]:
    """All the problems on one page, as readable lines."""
    problems: list[str] = []
    path = html_dir / relative
    if not path.is_file():
        return [f"{relative} was not built"]
    for url in third_party_urls_in_html(path.read_text(encoding="utf8")):
        problems.append(f"HTML loads a resource from another host: {url}")

    html_text = path.read_text(encoding="utf8")
    redirect = re.search(r'http-equiv="refresh" content="\d+;\s*url=([^"]+)"', html_text, re.I)
    response = page.goto(server.url(relative), wait_until="load")
    if response is None or not response.ok:
        problems.append(f"HTTP status {response.status if response else 'none'}")
    if redirect:
        # A redirect page (the site's index.html): check where it lands instead.
        target = redirect.group(1)
        page.wait_for_url(f"**/{target.lstrip('./')}", wait_until="load", timeout=10000)
    try:
        settle(page)
    except Exception as exc:  # noqa: BLE001 - reported as a page problem
        problems.append(f"widgets or maths did not render: {str(exc).splitlines()[0]}")

    for image in page.evaluate(IMAGES_JS):
        reason = alt_problem(image["alt"], image["decorative"])
        if reason:
            problems.append(f"<img src={image['src']!r}>: {reason}")

    page.evaluate(axe_source)
    for mode in ("light", "dark"):
        # The theme's colour switch sets data-theme on <html>; widgets and quizzes follow it.
        page.evaluate("(mode) => { document.documentElement.dataset.theme = mode; "
                      "document.documentElement.dataset.mode = mode; }", mode)
        # Let the theme's colour transitions finish before measuring contrast.
        page.wait_for_function("() => document.getAnimations().every(a => "
                               "a.playState !== 'running' || a.effect.getTiming().iterations "
                               "=== Infinity)", timeout=5000)
        violations = page.evaluate(AXE_JS, AXE_TAGS)
        report[relative if mode == "light" else f"{relative} (dark)"] = violations
        for v in violations:
            if v["impact"] in FAILING_IMPACTS:
                problems.append(f"axe {v['id']} ({v['impact']}, {mode} mode): {v['help']} — "
                                f"{v['count']} element(s): {'; '.join(v['targets'])}")

    for url in watch.third_party:
        problems.append(f"request to another host (blocked): {url}")
    for error in watch.js_errors:
        problems.append(f"JavaScript error: {error}")
    return problems


@pytest.fixture(scope="session")
def axe_report():
    report: dict = {}
    yield report
    if report:
        AXE_REPORT.parent.mkdir(parents=True, exist_ok=True)
        previous = json.loads(AXE_REPORT.read_text()) if AXE_REPORT.exists() else {}
        AXE_REPORT.write_text(json.dumps({**previous, **report}, indent=1), encoding="utf8")


def test_every_built_page_is_checked(built_book):
    """No built page escapes the per-page checks below."""
    built = {p.relative_to(built_book).as_posix() for p in built_book.rglob("*.html")
             if not p.relative_to(built_book).parts[0].startswith("_")}
    built.discard("index.html")  # the redirect to book/index.html, checked separately
    assert built == set(PAGES), (
        f"built but not checked: {sorted(built - set(PAGES))}; "
        f"checked but not built: {sorted(set(PAGES) - built)}")


@pytest.mark.parametrize("relative", PAGES + ["index.html"])
def test_page(relative, built_book, book_server, chromium_page, axe_source, axe_report):
    page, watch = chromium_page
    problems = check_page(page, watch, book_server, built_book, relative, axe_source,
                          axe_report)
    assert not problems, f"{relative}:\n  " + "\n  ".join(problems)


def test_search_works_offline(built_book, book_server, chromium_page):
    page, watch = chromium_page
    page.goto(book_server.url("search.html?q=improvement"), wait_until="load")
    results = page.locator("#search-results ul.search li")
    results.first.wait_for(timeout=15000)
    assert results.count() >= 3
    titles = [t.lower() for t in results.all_inner_texts()]
    # the Model for Improvement pages are found by a word in their titles
    assert any("improvement" in t for t in titles), titles[:10]
    assert not watch.third_party and not watch.js_errors, (watch.third_party, watch.js_errors)


def test_search_finds_nothing_for_nonsense(built_book, book_server, chromium_page):
    """The search really searches (the check above could pass on a page listing everything)."""
    page, _ = chromium_page
    page.goto(book_server.url("search.html?q=zqxjvbnonsenseword"), wait_until="load")
    page.locator("#search-results").get_by_text(re.compile("did not match any|no results",
                                                            re.I)).wait_for(timeout=15000)
    assert page.locator("#search-results ul.search li").count() == 0


def test_fixture_widgets_render_offline_and_are_named(fixture_book, serve, chromium_page,
                                                      axe_source):
    """A slider from the test book renders from the local widget manager, has an accessible
    name from its description and responds to the keyboard; the table, figure and maths pass
    the same page checks as the real book."""
    page, watch = chromium_page
    server = serve(fixture_book)
    relative = "tests/fixtures/book/widgets.html"
    problems = check_page(page, watch, server, fixture_book, relative, axe_source, {})
    assert not problems, f"{relative}:\n  " + "\n  ".join(problems)

    handle = page.locator('.widget-slider [role="slider"]').first
    handle.wait_for(timeout=10000)
    assert handle.get_attribute("aria-label") == "Red beads"
    assert handle.get_attribute("aria-valuenow") in ("3", "3.0", "3.00")
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        """() => document.querySelector('.widget-slider [role="slider"]')
                 .getAttribute('aria-valuenow').startsWith('4')""", timeout=5000)
    assert page.locator(".widget-readout").first.inner_text().strip() == "4"
    # The maths was typeset by the local MathJax.
    assert page.locator("mjx-container").count() >= 1
    assert page.evaluate("() => !!document.querySelector('img[alt^=\"Run chart of falls\"]')")
