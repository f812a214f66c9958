"""The built book on any device, in the real browser (Debian chromium).

- The menu (☰) opens on a phone (390×844), a tablet (768×1024) and at 1280×800 with 200% zoom,
  and lists every page of the book, so every page reaches every other; on a desktop the
  "toggle sidebar" button hides and shows the sidebar.
- No page scrolls sideways on a 390 px wide phone, and every button (and every disclosure,
  <summary>) of every page does something visible when clicked: nothing looks live and does
  nothing.
- Each module's multiple-choice self-check marks an answer in the page, with no server.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin

import pytest
from test_pages import AXE_JS, AXE_TAGS, PAGES, settle  # noqa: E402 - tests/browser is on sys.path

pytestmark = pytest.mark.browser

CONTENT_PAGES = [p for p in PAGES if p not in ("search.html", "genindex.html")]
SCREENS = {
    "phone": dict(viewport={"width": 390, "height": 844}, device_scale_factor=3,
                  is_mobile=True, has_touch=True),
    "tablet": dict(viewport={"width": 768, "height": 1024}, device_scale_factor=2,
                   is_mobile=True, has_touch=True),
    # 1280×800 at 200% zoom: the page lays out in 640×400 CSS pixels.
    "zoom-200": dict(viewport={"width": 640, "height": 400}, device_scale_factor=2),
}


@pytest.fixture
def context_for(browser):
    contexts = []

    def make(**options):
        context = browser.new_context(service_workers="block", **options)
        context.route("**/*", lambda route: route.continue_() if re.match(
            r"^(https?://(127\.0\.0\.1|localhost)[:/]|data:|blob:|about:)", route.request.url)
            else route.abort())
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def visible_toggle(page, selector: str):
    toggles = page.locator(selector)
    for i in range(toggles.count()):
        if toggles.nth(i).is_visible():
            return toggles.nth(i)
    raise AssertionError(f"no visible {selector} button")


def page_of(url: str, base: str) -> str:
    return url.split("#")[0].split("?")[0].removeprefix(base)


@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_menu_opens_and_reaches_every_page(screen, book_server, context_for):
    page = context_for(**SCREENS[screen]).new_page()
    start = "modules/m1-model-for-improvement/aim-builder.html"
    page.goto(book_server.url(start), wait_until="load")
    menu = page.locator("#pst-primary-sidebar-modal")
    assert not menu.is_visible()
    visible_toggle(page, ".primary-toggle").click()
    menu.wait_for(state="visible", timeout=5000)
    hrefs = menu.locator("a.reference.internal").evaluate_all("els => els.map(a => a.href)")
    reached = {page_of(href, book_server.base) for href in hrefs} | {start}
    missing = sorted(set(CONTENT_PAGES) - reached)
    assert not missing, f"{screen}: the menu does not link to {missing}"
    # and a link in it takes you there
    link = menu.locator("a.reference.internal", has_text="Cheat sheet: run charts").first
    link.scroll_into_view_if_needed()
    link.click()
    page.wait_for_url("**/cheat-sheet-run-charts.html", timeout=10000)


def test_desktop_toggle_sidebar_hides_and_shows_it(book_server, context_for):
    page = context_for(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(book_server.url("book/how-to-use.html"), wait_until="load")
    sidebar = page.locator(".bd-sidebar-primary")
    assert sidebar.is_visible()
    toggle = visible_toggle(page, ".primary-toggle")
    toggle.click()
    page.wait_for_function("() => getComputedStyle(document.querySelector("
                           "'.bd-sidebar-primary')).visibility === 'hidden'", timeout=5000)
    toggle.click()
    page.wait_for_function("() => getComputedStyle(document.querySelector("
                           "'.bd-sidebar-primary')).visibility === 'visible'", timeout=5000)


# --- buttons -------------------------------------------------------------------------------

CONTROLS_JS = """() => {
  const shown = el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && !el.closest('[inert]'); };
  const all = Array.from(document.querySelectorAll(
      'button, [role=button], input[type=button], input[type=submit], summary'));
  return all.map((el, i) => ({i, shown: shown(el), article: !!el.closest('.bd-article'),
    key: el.tagName + '|' + el.className + '|' + (el.getAttribute('aria-label') || el.title ||
         el.textContent.trim().slice(0, 40))})).filter(c => c.shown);
}"""

WATCH_JS = """() => {
  window.__qiChanges = 0;
  const ignored = n => !n || (n.nodeType === 1 && n.closest && n.closest('.tooltip'));
  new MutationObserver(records => { for (const r of records) {
      if (r.type === 'attributes' && ['aria-describedby', 'data-bs-original-title', 'title']
          .includes(r.attributeName)) continue;
      if (ignored(r.target)) continue;
      if (r.type === 'childList' && [...r.addedNodes, ...r.removedNodes].every(
          n => n.nodeType === 1 && n.classList.contains('tooltip'))) continue;
      window.__qiChanges++; } })
    .observe(document.documentElement, {attributes: true, childList: true, subtree: true,
                                        characterData: true});
  window.__qiState = () => [location.href, !!document.fullscreenElement,
    document.querySelectorAll('dialog[open]').length].join('|');
  window.__qiStart = window.__qiState();
}"""


def click_and_watch(page, index: int) -> bool:
    """Click control ``index``; True when something visible happened."""
    page.evaluate(WATCH_JS)
    control = page.locator("button, [role=button], input[type=button], input[type=submit], "
                           "summary").nth(index)
    try:
        control.click(timeout=3000)
    except Exception:  # noqa: BLE001 - a control that cannot be clicked is a failure
        return False
    page.wait_for_timeout(150)
    try:
        return page.evaluate("() => window.__qiChanges > 0 || "
                             "window.__qiState() !== window.__qiStart")
    except Exception:  # noqa: BLE001 - the page navigated away: that is something visible
        return True


WIDE_JS = """() => { const w = innerWidth; const out = [];
  for (const el of document.querySelectorAll('.bd-article *')) {
    const r = el.getBoundingClientRect();
    if (r.right > w + 1 && out.length < 3) out.push(el.tagName + '.' + el.className);
  } return [document.documentElement.scrollWidth, w, out]; }"""


def test_every_page_fits_a_phone_and_every_button_works(built_book, book_server, context_for):
    """Each page is loaded once: at 390 px wide nothing may scroll sideways; at 1280×800 each
    visible button or disclosure must change something when clicked. Each kind of control
    (tag, class and name: the theme's buttons, "Show the code", "Copy", any exercise's own
    button) is clicked once, on the first page that has it."""
    page = context_for(viewport={"width": 390, "height": 844}).new_page()
    tried: set[str] = set()
    wide, dead = [], []
    clicks = 0
    for relative in CONTENT_PAGES:
        url = book_server.url(relative)
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(url, wait_until="load")
        settle(page)
        scroll_width, width, culprits = page.evaluate(WIDE_JS)
        if scroll_width > width + 1:
            wide.append(f"{relative}: {scroll_width} px wide ({culprits})")
        page.set_viewport_size({"width": 1280, "height": 800})
        for control in page.evaluate(CONTROLS_JS):
            if control["key"] in tried:
                continue
            tried.add(control["key"])
            if page.url != url or page.evaluate("() => !!document.fullscreenElement || "
                                                "!!document.querySelector('dialog[open]')"):
                page.goto(url, wait_until="load")
                settle(page)
            clicks += 1
            if not click_and_watch(page, control["i"]):
                dead.append(f"{relative}: {control['key']}")
            page.keyboard.press("Escape")
    assert not wide and not dead, (
        "pages wider than a 390 px phone:\n  " + "\n  ".join(wide)
        + "\ncontrols that do nothing visible:\n  " + "\n  ".join(dead))
    assert clicks >= 8


# --- self-checks ---------------------------------------------------------------------------

def quiz_pages(built_book: Path) -> list[str]:
    return [p for p in CONTENT_PAGES if p.startswith("modules/")
            and 'class="qi-quiz"' in (built_book / p).read_text(encoding="utf8")]


def answered_quiz_problems(page) -> list[str]:
    """axe's serious and critical findings in the answered quizzes, light and dark mode."""
    found = []
    for mode in ("light", "dark"):
        page.evaluate("(m) => { document.documentElement.dataset.theme = m; }", mode)
        page.wait_for_function("() => document.getAnimations().every(a => a.playState !== "
                               "'running' || a.effect.getTiming().iterations === Infinity)",
                               timeout=5000)
        violations = page.evaluate(AXE_JS.replace("axe.run(document,",
                                                  "axe.run({include: [['.qi-quiz']]},"),
                                   AXE_TAGS)
        found += [f"{mode}: {v['id']} {v['targets']}" for v in violations
                  if v["impact"] in ("serious", "critical")]
    return found


def test_self_checks_mark_answers_with_no_server(built_book, book_server, context_for,
                                                 axe_source):
    pages = quiz_pages(built_book)
    assert len(pages) >= 5
    page = context_for(**SCREENS["phone"]).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    marked = explained = 0
    for relative in pages:
        page.goto(book_server.url(relative), wait_until="load")
        quizzes = page.locator(".qi-quiz")
        quizzes.first.locator(".MCButton").first.wait_for(timeout=10000)
        for i in range(quizzes.count()):
            quiz = quizzes.nth(i)
            feedback = quiz.locator(".Feedback")
            wrong = quiz.locator('.MCButton[data-correct="false"]').first
            right = quiz.locator('.MCButton[data-correct="true"]')
            assert right.count() == 1, f"{relative}: question {i + 1} has no single right answer"
            wrong.scroll_into_view_if_needed()
            wrong.click()
            assert feedback.inner_text().startswith("Not this one"), relative
            right.click()
            text = feedback.inner_text()
            assert text.startswith("Correct."), (relative, text)
            marked += 1
            explained += len(text) > 20  # "Correct." and the reason from the answer
        # jupyterquiz's "preserve responses" helper text is not for readers of the book
        assert "IMPORTANT" not in page.locator(".bd-article").inner_text(), relative
        if relative == pages[0]:
            page.evaluate(axe_source)
            assert not answered_quiz_problems(page), answered_quiz_problems(page)
    assert marked >= 15
    assert explained >= marked - 2, "most right answers say why"
    assert not errors, errors


def test_hub_link_is_absolute_and_local_links_resolve(built_book):
    """The links in the boxes and quizzes point at pages and files of this book."""
    for relative in CONTENT_PAGES:
        html = (built_book / relative).read_text(encoding="utf8")
        for box in re.findall(r'<aside class="qi-do-exercise"[\s\S]*?</aside>', html):
            for href in re.findall(r'href="([^"]+)"', box):
                if href.startswith("http"):
                    continue
                target = urljoin("/" + relative, href.split("#")[0]).lstrip("/")
                if target.startswith("_static/workbooks/"):
                    continue  # made by `make print`: tests/browser/test_print.py
                assert (built_book / target).is_file(), f"{relative}: {href} is missing"


def test_logo_text_is_not_clipped(built_book, book_server, context_for):
    """The logo's words fit inside its picture, whatever font the browser has."""
    page = context_for(viewport={"width": 600, "height": 300}).new_page()
    page.goto(book_server.url("_static/logo.svg"), wait_until="load")
    width, overflow = page.evaluate("""() => { const svg = document.documentElement;
        const w = svg.viewBox.baseVal.width;
        return [w, Array.from(svg.querySelectorAll('text'))
                 .filter(t => { const b = t.getBBox(); return b.x + b.width > w + 0.5; })
                 .map(t => t.textContent)]; }""")
    assert width > 0 and not overflow, f"logo text cut off at {width}: {overflow}"
