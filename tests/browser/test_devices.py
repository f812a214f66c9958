"""The built book on any device, in the real browser (Debian chromium).

- The menu (☰) opens on a phone (390×844), a tablet (768×1024) and at 1280×800 with 200% zoom,
  and lists every page of the book, so every page reaches every other; on a desktop the
  "toggle sidebar" button hides and shows the sidebar.
- No page scrolls sideways on a 390 px wide phone, and every control in every page's article
  (each button, disclosure and self-check answer) does something visible when clicked, the
  theme's own buttons once per kind: nothing looks live and does nothing.
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

#: What a reader can click in a page's article: buttons, disclosures (<summary>: "Show the
#: code"), labels of choices (jupyterquiz answers, tabs). Links styled as buttons are checked
#: by their address instead (ARTICLE_JS).
ARTICLE_CONTROLS = ("button, [role=button], input[type=button], input[type=submit], "
                    "input[type=reset], summary, label[for], label:has(input)")

#: The test's own helpers in the page. ``look(el)`` is what a reader sees of the part of the
#: page a control belongs to: its text as rendered (hidden content has none), its size, and
#: the colours of the controls in it, plus the address, full screen and open dialogs.
#: Transitions and animations are switched off so a change shows at once (a hover fading in
#: would otherwise look like a change).
HELPERS_JS = """(controls) => {
  const style = document.createElement('style');
  style.textContent = '*, *::before, *::after { transition: none !important; '
                    + 'animation: none !important; scroll-behavior: auto !important; }';
  document.head.appendChild(style);
  const article = document.querySelector('.bd-article');
  const shown = el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && !el.closest('[inert]'); };
  const scopeOf = el => el.closest('details, .toggle, .qi-quiz, .sd-tab-set, div.highlight, '
                                   + '.cell, section') || article;
  const paint = el => { const s = getComputedStyle(el);
    return [s.backgroundColor, s.color, s.borderColor, s.transform, s.opacity].join(' '); };
  const look = el => { const scope = scopeOf(el); const r = scope.getBoundingClientRect();
    return [location.href, !!document.fullscreenElement,
            document.querySelectorAll('dialog[open]').length, scope.innerText,
            Math.round(r.width), Math.round(r.height), paint(el),
            ...Array.from(scope.querySelectorAll(controls)).slice(0, 60).map(paint)].join('|'); };
  const name = el => (el.getAttribute('aria-label') || el.title || el.textContent).trim()
                       .replace(/\\s+/g, ' ').slice(0, 50);
  let tried = 0;
  window.__qi = {
    article, shown, name,
    // the first control the reader can see that has not been clicked: scrolled to, focused,
    // with the point to click; null when every visible one has been clicked
    next() {
      const el = Array.from(article.querySelectorAll(controls)).find(
        c => !c.dataset.qiTried && shown(c));
      document.querySelectorAll('[data-qi-next]').forEach(c => c.removeAttribute('data-qi-next'));
      if (!el) return null;
      el.dataset.qiTried = String(++tried);
      el.dataset.qiNext = '';
      el.scrollIntoView({block: 'center', inline: 'center'});
      const r = el.getBoundingClientRect();
      const x = r.left + r.width / 2, y = r.top + r.height / 2;
      const hit = document.elementFromPoint(x, y);
      return {x, y, name: el.tagName.toLowerCase() + ' ' + JSON.stringify(name(el)),
              copy: el.classList.contains('copybtn'),
              covered: !(hit && (el.contains(hit) || hit.contains(el) ||
                                 hit.closest('label') === el))};
    },
    before() { const el = document.querySelector('[data-qi-next]');
      el.focus({preventScroll: true}); window.__qiBefore = look(el); },
    changed() { const el = document.querySelector('[data-qi-next]');
      return !el || look(el) !== window.__qiBefore; },
    copied() { const el = document.querySelector('[data-qi-next]');
      return el.dataset.tooltip === 'Copied!' && !!el.querySelector('svg'); },
    copiedText() { const el = document.querySelector('[data-qi-next]');
      return document.querySelector(el.dataset.clipboardTarget).textContent; },
    // controls the reader can see that were never clicked (none, once all have been)
    left() { return Array.from(article.querySelectorAll(controls))
      .filter(c => !c.dataset.qiTried && shown(c)).map(name); },
    tried() { return tried; },
  };
}"""

#: What in the article looks usable but is not: a form field outside a live self-check, a
#: control or pointer inside an exercise's static preview, anything that shows a pointer (or
#: is styled as a button) and is not a control or a link, and links styled as buttons with no
#: address of this site.
ARTICLE_JS = """(controls) => { const {article, shown} = window.__qi; const out = [];
  const what = el => el.tagName.toLowerCase() + '.' + String(el.className).split(' ')[0] + ' '
    + JSON.stringify((el.textContent || '').trim().slice(0, 40));
  for (const el of article.querySelectorAll(
      'input, select, textarea, [contenteditable]:not([contenteditable=false])'))
    if (!el.closest('.qi-quiz label'))
      out.push('a form field that does nothing here: ' + what(el));
  for (const preview of article.querySelectorAll('.qi-exercise-preview')) {
    if (!preview.querySelector('.qi-preview-note')) out.push('a preview not marked as one');
    for (const el of preview.querySelectorAll('*'))
      if (!el.closest('a[href]') && (el.matches(controls + ', input, select, textarea')
          || el.tabIndex >= 0 || getComputedStyle(el).cursor === 'pointer'))
        out.push('in a preview, something that looks usable: ' + what(el));
  }
  for (const el of article.querySelectorAll('*')) {
    if (el.closest(controls) || el.closest('a[href]') || el.closest('.toggle > .admonition-title')
        || el.closest('.qi-exercise-preview') || !shown(el)) continue;
    const looks = getComputedStyle(el).cursor === 'pointer' || (el instanceof HTMLElement
      && /(^|\\s)(btn|button|sd-btn)(\\s|$)/.test(el.className));
    if (looks) out.push('looks clickable but is not a control: ' + what(el));
  }
  const links = Array.from(article.querySelectorAll(
      'a.btn, a.sd-btn, a[role=button], a[class*=button]'));
  return [out, links.map(a => a.href)];
}"""


def click_article_controls(page, url: str, dialogs: list[str]) -> tuple[int, list[str]]:
    """Click every control in the article that a reader can see, in page order, each once,
    including those that appear when another is clicked (the copy button of code that "Show
    the code" reveals). ``dialogs`` fills with the messages of any alert a click opens.
    Returns the number clicked and what failed."""
    dead: list[str] = []
    while (control := page.evaluate("() => window.__qi.next()")) is not None:
        what = control["name"]
        if control["covered"]:
            dead.append(f"{what}: covered by something else, so a click does not reach it")
            continue
        page.mouse.move(control["x"], control["y"])
        page.evaluate("() => window.__qi.before()")
        seen = len(dialogs)
        page.mouse.click(control["x"], control["y"])
        if page.url != url:  # it took the reader somewhere: that is something visible
            dead.append(f"{what}: a button that leaves the page ({page.url})")
            break
        if control["copy"]:
            try:
                page.wait_for_function("() => window.__qi.copied()", timeout=2000)
            except Exception:  # noqa: BLE001 - the reader sees no "Copied!"
                dead.append(f"{what}: no visible 'Copied!'")
                continue
            copied = page.evaluate("() => navigator.clipboard.readText()")
            shown_text = page.evaluate("() => window.__qi.copiedText()")
            if copied.strip() != shown_text.strip() or not copied.strip():
                dead.append(f"{what}: copied {copied[:60]!r}, not the code shown")
            continue
        try:
            page.wait_for_function("() => window.__qi.changed()", timeout=2000, polling="raf")
        except Exception:  # noqa: BLE001 - nothing changed within two seconds
            if len(dialogs) == seen:
                dead.append(f"{what}: nothing visible happens")
    left = page.evaluate("() => window.__qi.left()")
    dead += [f"{name}: never reachable by a click" for name in left]
    return page.evaluate("() => window.__qi.tried()"), dead


CONTROLS_JS = """() => {
  const shown = el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && !el.closest('[inert]'); };
  const all = Array.from(document.querySelectorAll(
      'button, [role=button], input[type=button], input[type=submit], summary'));
  return all.map((el, i) => ({i, shown: shown(el), article: !!el.closest('.bd-article'),
    key: el.tagName + '|' + el.className + '|' + (el.getAttribute('aria-label') || el.title ||
         el.textContent.trim().slice(0, 40))})).filter(c => c.shown && !c.article);
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
  // the print dialog cannot be seen headless: count the calls that would open it
  if (!window.__qiPrints) { window.__qiPrints = 0; window.print = () => { window.__qiPrints++; }; }
  window.__qiState = () => [location.href, !!document.fullscreenElement,
    document.querySelectorAll('dialog[open]').length, window.__qiPrints].join('|');
  window.__qiStart = window.__qiState();
}"""

#: The items of the theme's open menu ("Download this page": .md, .pdf).
MENU_JS = """() => Array.from(document.querySelectorAll('.dropdown-menu.show .dropdown-item'))
  .map((el, i) => ({i, href: el.getAttribute('href') ? el.href : '',
                    name: el.title || el.textContent.trim()}))"""


def click_and_watch(page, index: int) -> bool:
    """Click the theme's control ``index``; True when something visible happened."""
    return click_watched(page, page.locator("button, [role=button], input[type=button], "
                                            "input[type=submit], summary").nth(index))


def click_watched(page, control, *, strict: bool = False) -> bool:
    """Click ``control``; True when something visible happened: any change to the page or,
    when ``strict``, a new address, full screen, an open dialog or the print dialog."""
    page.evaluate(WATCH_JS)
    try:
        control.click(timeout=3000)
    except Exception:  # noqa: BLE001 - a control that cannot be clicked is a failure
        return False
    page.wait_for_timeout(150)
    try:
        return page.evaluate("(strict) => (!strict && window.__qiChanges > 0) || "
                             "window.__qiState() !== window.__qiStart", strict)
    except Exception:  # noqa: BLE001 - the page navigated away: that is something visible
        return True


def check_menu_items(page, url: str, toggle) -> list[str]:
    """Each item of the menu ``toggle`` opens: a link must lead to a file of this site, a
    button must do what it says (a new page, a dialog, printing), not only close the menu."""
    problems = []
    for item in page.evaluate(MENU_JS):
        if item["href"]:
            if not item["href"].startswith(url.split("/")[0] + "//" + url.split("/")[2]) or (
                    page.request.get(item["href"]).status != 200):
                problems.append(f"the menu item {item['name']!r} links to {item['href']}, "
                                "which is not here")
            continue
        if page.url != url:
            page.goto(url, wait_until="load")
        if not page.locator(".dropdown-menu.show").count():
            toggle.click()
        if not click_watched(page, page.locator(".dropdown-menu.show .dropdown-item")
                             .nth(item["i"]), strict=True):
            problems.append(f"the menu item {item['name']!r}: nothing visible happens")
        page.keyboard.press("Escape")
    return problems


def click_theme_controls(page, url: str, screen: str) -> list[str]:
    """Click each kind of the theme's controls visible on ``screen`` not yet tried there in
    this run (and the items of its menus); what did nothing visible."""
    problems = []
    for control in page.evaluate(CONTROLS_JS):
        if (screen, control["key"]) in THEME_TRIED:
            continue
        THEME_TRIED.add((screen, control["key"]))
        if page.url != url or page.evaluate("() => !!document.fullscreenElement || "
                                            "!!document.querySelector('dialog[open]')"):
            page.goto(url, wait_until="load")
        if not click_and_watch(page, control["i"]):
            problems.append(f"{screen}: the theme's {control['key']}: nothing visible happens")
        elif "dropdown-toggle" in control["key"]:
            problems += check_menu_items(page, url, page.locator(
                "button, [role=button], input[type=button], input[type=submit], summary")
                .nth(control["i"]))
        page.keyboard.press("Escape")
    return problems


WIDE_JS = """() => { const w = innerWidth; const out = [];
  for (const el of document.querySelectorAll('.bd-article *')) {
    const r = el.getBoundingClientRect();
    if (r.right > w + 1 && out.length < 3) out.push(el.tagName + '.' + el.className);
  } return [document.documentElement.scrollWidth, w, out]; }"""


def expected_controls(html: str) -> int:
    """How many controls the article's HTML promises at least: each "Show the code" (or
    other <summary>), each "Answer" dropdown, two or more answers per self-check question."""
    article = html.split('class="bd-article"', 1)[-1].split("</article>", 1)[0]
    return (article.count("<summary") + article.count('class="dropdown admonition')
            + 2 * article.count('class="qi-quiz"'))


@pytest.fixture(scope="module")
def device_page(browser):
    """One tab for the page-by-page test, allowed to read what a copy button copied, and the
    messages of the alerts it has dismissed."""
    context = browser.new_context(service_workers="block",
                                  permissions=["clipboard-read", "clipboard-write"])
    context.route("**/*", lambda route: route.continue_() if re.match(
        r"^(https?://(127\.0\.0\.1|localhost)[:/]|data:|blob:|about:)", route.request.url)
        else route.abort())
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    yield page, dialogs
    context.close()


#: The theme's controls (header and sidebar, the same on every page) already clicked, by kind.
THEME_TRIED: set[tuple[str, str]] = set()


@pytest.mark.parametrize("relative", [*CONTENT_PAGES, "genindex.html"])
def test_page_fits_a_phone_and_every_control_works(relative, built_book, book_server,
                                                   device_page):
    """Each page (and the index; the search page's form is tested in test_pages.py) is loaded
    once. At 390 px wide nothing may scroll sideways. At 1280×800:

    - every control in the article a reader can see ("Show the code", "Copy", each answer of
      a self-check, each "Answer" dropdown, anything an exercise adds) is clicked, in page
      order, including those a click reveals, and each must change what the reader sees
      there; a copy button must show "Copied!" and put the code shown on the clipboard;
    - nothing in the article looks usable and is not: no form field outside a self-check, no
      control in an exercise's static preview, no pointer over something that is not a
      control or a link, and a link styled as a button goes to a page of this site that exists;
    - the theme's controls (header and sidebar: the same on every page) are clicked once per
      kind (tag, class and name) in the whole run, on the first page that has them, at
      1280×800 and again at 390×844 (where some of them differ), with the items of its
      "Download this page" menu; its .md link, which differs on each page, must lead to a file.
    """
    page, dialogs = device_page
    url = book_server.url(relative)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url, wait_until="load")
    settle(page)
    scroll_width, width, culprits = page.evaluate(WIDE_JS)
    problems = ([f"{scroll_width} px wide on a 390 px phone ({culprits})"]
                if scroll_width > width + 1 else [])
    page.set_viewport_size({"width": 1280, "height": 800})
    page.evaluate(HELPERS_JS, ARTICLE_CONTROLS)
    clicked, dead = click_article_controls(page, url, dialogs)
    problems += dead
    if page.url == url:
        inert, button_links = page.evaluate(ARTICLE_JS, ARTICLE_CONTROLS)
        problems += inert
        for href in button_links:
            target = href.split("#")[0]
            if not target.startswith(book_server.base) or page.request.get(target).status != 200:
                problems.append(f"a link styled as a button goes nowhere here: {href}")
    html = (built_book / relative).read_text(encoding="utf8")
    expected = expected_controls(html)
    if clicked < expected:
        problems.append(f"only {clicked} controls clicked; the page's HTML has {expected}")
    # the theme's "Download this page: .md" differs on each page: its file must be there
    for href in re.findall(r'<a href="([^"]+)"[^>]*\s+class="[^"]*btn-download-source', html):
        if not (built_book / urljoin("/" + relative, href).lstrip("/")).is_file():
            problems.append(f"the theme's download link {href} leads to no file")
    for screen, size in (("desktop", {"width": 1280, "height": 800}),
                         ("phone", {"width": 390, "height": 844})):
        page.set_viewport_size(size)
        if page.url != url:
            page.goto(url, wait_until="load")
        problems += click_theme_controls(page, url, screen)
    assert not problems, f"{relative}:\n  " + "\n  ".join(problems)


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
