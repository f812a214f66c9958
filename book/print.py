"""Print the built book as A4 workbooks, one PDF per tier, with the real browser.

    python book/print.py [--html _build/html] [--skip-without-browser]

For each tier (a part of ``_toc.yml``: Aware, Foundation, Practitioner, Coach, Leaders) this
joins the built pages of that part into one HTML document with a cover and contents, adds the
sheets a workshop needs (``book/workbook-sheets.html``: PDSA form, project charter, run chart
paper with the rules, driver diagram and fishbone templates, tally sheets), and prints it to
``_build/html/_static/workbooks/<tier>-workbook.pdf`` with Debian's chromium through Playwright,
using the book's own print styles (``book/assets/qi-print.css``). The book links each PDF
(``book/how-to-use.md`` and each exercise's "Do this exercise" box).

Only pages from this machine are loaded: the document is served from ``_build/html`` on
127.0.0.1 and any other request is blocked.
"""
from __future__ import annotations

import argparse
import functools
import html
import http.server
import posixpath
import re
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))

from qi_pages import toc_tiers  # noqa: E402 - the book's own extension, found above

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"]
TIERS = ("Aware", "Foundation", "Practitioner", "Coach", "Leaders")
OUT = "_static/workbooks"
SHEETS = ROOT / "book" / "workbook-sheets.html"
#: Resource pages printed in every workbook but the Aware one.
CHEAT_SHEETS = ("book/resources/cheat-sheet-model-for-improvement",
                "book/resources/cheat-sheet-measures",
                "book/resources/cheat-sheet-process-maps-fishbones",
                "book/resources/cheat-sheet-run-charts")
#: Sheets (sections of workbook-sheets.html, by id) in each tier's workbook.
TIER_SHEETS = {"Aware": ("red-beads-tally", "tally-sheet")}
ALL_SHEETS = ("pdsa-form", "project-charter", "run-chart-paper", "driver-diagram-template",
              "fishbone-template", "stakeholder-grid-template", "communication-plan-template",
              "tally-sheet", "red-beads-tally")

ARTICLE = re.compile(r'<article class="bd-article"[^>]*>(.*?)</article>', re.S)
TITLE = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)
URL_ATTR = re.compile(r'(\s(?:src|href)=")([^"]*)(")')
STYLESHEET = re.compile(r'<link rel="stylesheet"[^>]*href="([^"]+)"[^>]*>')
EXTERNAL_SCRIPT = re.compile(r"<script\b[^>]*\bsrc=[^>]*>\s*</script>", re.S)


def workbook_name(tier: str) -> str:
    return f"{tier.lower()}-workbook"


def tier_pages(toc: Path = ROOT / "_toc.yml") -> dict[str, list[str]]:
    """tier -> its pages in toc order (and, but for Aware, the cheat sheets)."""
    tiers = toc_tiers(toc)
    pages = {tier: [name for name, part in tiers.items() if part == tier] for tier in TIERS}
    for tier in TIERS:
        if tier != "Aware":
            pages[tier] += [name for name in CHEAT_SHEETS if name in tiers]
    return pages


def rebase(fragment: str, page: str) -> str:
    """Make the relative links of a page's HTML work from ``_static/workbooks/``."""
    folder = posixpath.dirname(page)

    def fix(match: re.Match) -> str:
        url = match.group(2)
        parts = urlsplit(url)
        if (not url or parts.scheme or url.startswith(("#", "/", "data:", "mailto:"))):
            return match.group(0)
        target = posixpath.normpath(posixpath.join(folder, url))
        return f"{match.group(1)}../../{target}{match.group(3)}"

    return URL_ATTR.sub(fix, fragment)


def page_section(html_dir: Path, page: str) -> tuple[str, str]:
    """(title, HTML) of one built page's article, ready for the workbook."""
    text = (html_dir / f"{page}.html").read_text(encoding="utf8")
    match = ARTICLE.search(text)
    if not match:
        raise SystemExit(f"{page}.html has no article: was the book built with `make book`?")
    body = EXTERNAL_SCRIPT.sub("", match.group(1))
    title_match = TITLE.search(body)
    title = re.sub(r"<[^>]+>", "", title_match.group(1)).replace("#", "").strip() if (
        title_match) else page
    # Ids must stay unique across the joined pages; a quiz's id is (its script refers to it).
    prefix = re.sub(r"\W+", "-", page)
    body = re.sub(r'\sid="((?!qiquiz)[^"]+)"', lambda m: f' id="{prefix}--{m.group(1)}"', body)
    body = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}--{m.group(1)}"', body)
    return title, rebase(body, page)


def sheets(ids: tuple[str, ...]) -> tuple[list[str], str]:
    """(titles, HTML) of the chosen sections of workbook-sheets.html."""
    text = SHEETS.read_text(encoding="utf8")
    titles, parts = [], []
    for ident in ids:
        match = re.search(rf'<section class="qi-sheet" id="{ident}">.*?</section>', text, re.S)
        if not match:
            raise SystemExit(f"{SHEETS.name} has no sheet {ident!r}")
        parts.append(match.group(0))
        titles.append(re.sub(r"<[^>]+>", "", TITLE.search(match.group(0)).group(1)).strip())
    style = re.search(r"<style>.*?</style>", text, re.S)
    return titles, (style.group(0) if style else "") + "".join(parts)


def run_chart_limits() -> str:
    """The Anhøj rules' limits for 10 to 30 useful points, from qilab (the book's rules)."""
    from qilab.charts.runs import longest_run_max, n_crossings_min

    cells = "".join(f"<tr><td>{n}</td><td>{longest_run_max(n)}</td><td>{n_crossings_min(n)}"
                    "</td></tr>" for n in range(10, 31, 2))
    return ("<table class=\"qi-limits\"><thead><tr><th>Useful points</th><th>A run longer than "
            "this is a signal</th><th>Fewer crossings than this is a signal</th></tr></thead>"
            f"<tbody>{cells}</tbody></table>")


def workbook_html(html_dir: Path, tier: str, pages: list[str], region: str) -> str:
    first = (html_dir / f"{pages[0]}.html").read_text(encoding="utf8")
    links = "".join(f'<link rel="stylesheet" href="{href}">' for href in STYLESHEET.findall(
        rebase(first.split("</head>", 1)[0], pages[0])))
    sections, titles = [], []
    for page in pages:
        title, body = page_section(html_dir, page)
        titles.append(title)
        sections.append(f'<section class="qi-workbook-page">{body}</section>')
    sheet_titles, sheet_html = sheets(TIER_SHEETS.get(tier, ALL_SHEETS))
    sheet_html = sheet_html.replace("<!--run-chart-limits-->", run_chart_limits())
    contents = "".join(f"<li>{html.escape(t)}</li>" for t in [*titles, *sheet_titles])
    return f"""<!DOCTYPE html>
<html lang="en-GB" data-theme="light" data-mode="light">
<head><meta charset="utf-8"><title>{tier} workbook</title>{links}
<style>
  .qi-workbook-page, .qi-sheet {{ break-before: page; }}
  .qi-cover h1 {{ font-size: 24pt; margin-top: 30mm; }}
  .qi-cover ol {{ columns: 2; font-size: 10pt; }}
  body {{ background: #fff; }}
</style></head>
<body><main class="bd-article">
<section class="qi-cover"><h1>Quality improvement for everyone: {tier} workbook</h1>
<p>{html.escape(region)}. The pages of the {tier} tier, then the sheets to print and fill in.
Teaching content CC BY 4.0; code MIT.</p><h2>Contents</h2><ol>{contents}</ol></section>
{''.join(sections)}
{sheet_html}
</main></body></html>"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


def print_pdfs(html_dir: Path, region: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out = html_dir / OUT
    out.mkdir(parents=True, exist_ok=True)
    documents = {}
    for tier, pages in tier_pages().items():
        if pages:
            path = out / f"{workbook_name(tier)}.html"
            path.write_text(workbook_html(html_dir, tier, pages, region), encoding="utf8")
            documents[tier] = path
    handler = functools.partial(_Quiet, directory=str(html_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    written = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                                 args=CHROMIUM_ARGS)
            context = browser.new_context()
            context.route("**/*", lambda route: route.continue_() if urlsplit(
                route.request.url).hostname == "127.0.0.1" else route.abort())
            page = context.new_page()
            for tier, path in documents.items():
                start = time.perf_counter()
                page.goto(base + path.relative_to(html_dir).as_posix(), wait_until="load")
                page.wait_for_timeout(800)  # the quizzes render from their own scripts
                page.emulate_media(media="print")
                pdf = path.with_suffix(".pdf")
                pdf.write_bytes(page.pdf(
                    format="A4", print_background=True, display_header_footer=True,
                    header_template="<span></span>",
                    footer_template=('<div style="font-size:8pt;width:100%;text-align:center">'
                                     f'{tier} workbook, page <span class="pageNumber"></span> of '
                                     '<span class="totalPages"></span></div>'),
                    margin={"top": "12mm", "bottom": "14mm", "left": "12mm", "right": "12mm"}))
                written.append(pdf)
                print(f"{pdf.relative_to(ROOT) if pdf.is_relative_to(ROOT) else pdf}: "
                      f"{pdf.stat().st_size // 1024} kB in {time.perf_counter() - start:.1f} s")
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--skip-without-browser", action="store_true",
                        help="say so and stop (exit 0) when Debian's chromium is missing")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium): no workbook PDFs printed."
        print(message, file=sys.stderr)
        return 0 if args.skip_without_browser else 1
    if not (args.html / "index.html").is_file():
        print(f"{args.html} has no built book: run `make book` first.", file=sys.stderr)
        return 1
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    from qi_branding import read_branding

    print_pdfs(args.html, read_branding()["region_name"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
