"""Branding, offline assets and accessibility fixes for the curriculum's Jupyter Book.

Everything a region changes to reuse the course lives in the ``branding`` block of
``_config.yml`` (see ``book/reuse.md``). Jupyter Book 1 ignores keys it does not know, so this
extension reads the block itself and sets:

- the logo and its alt text;
- the theme colours, as CSS custom properties in a generated ``qi-branding.css``;
- MyST substitutions ``{{ region_name }}`` and ``{{ faculty_name }}`` for pages to use;
- the JupyterHub launch buttons (nbgitpuller links), off unless ``jupyterhub_url`` is set;
- the licence footer (``book/_templates/licences.html``), with the licence files copied into
  the site as ``LICENSE.txt`` and ``LICENSE-CONTENT.txt``.

It also adds ``book/assets/qi-a11y.js`` and ``qi-a11y.css``: small fixes for accessibility
problems in the theme and in widget and pandas output (see the comments there).

A wrong setting is reported as a Sphinx warning, which ``-W`` turns into a failed build.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import yaml
from markupsafe import Markup
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
# The tests build a variant of the book with `jupyter-book build --config OTHER.yml`; they set
# QI_BOOK_CONFIG to that file so its branding block is the one used.
CONFIG_FILE = Path(os.environ.get("QI_BOOK_CONFIG", ROOT / "_config.yml"))
LICENCE_FILES = {"LICENSE": "LICENSE.txt", "LICENSE-CONTENT": "LICENSE-CONTENT.txt"}

DEFAULTS: dict[str, Any] = {
    "region_name": "Your region",
    "faculty_name": "Quality Improvement Faculty",
    "logo": "book/assets/logo.svg",
    "logo_alt": "Quality improvement for everyone: home",
    "colours": {
        "primary": "#005eb8",
        "link": "#005eb8",
        "link_hover": "#003087",
        "accent": "#ffb81c",
    },
    "jupyterhub_url": "",
    "repository_url": "",
    "repository_branch": "main",
    "repository_provider": "",
    "notebook_interface": "jupyterlab",
}
HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")
# Colours that are used for text on a white background must meet WCAG 2.1 AA (4.5:1).
TEXT_COLOURS = ("primary", "link", "link_hover")


def read_branding(path: Path | None = None) -> dict[str, Any]:
    """The ``branding`` block of ``_config.yml`` merged over the defaults."""
    path = path or CONFIG_FILE
    data = yaml.safe_load(path.read_text(encoding="utf8")) if path.exists() else {}
    given = (data or {}).get("branding") or {}
    branding = {**DEFAULTS, **given}
    branding["colours"] = {**DEFAULTS["colours"], **(given.get("colours") or {})}
    return branding


def _luminance(colour: str) -> float:
    hexpart = colour.lstrip("#")
    if len(hexpart) == 3:
        hexpart = "".join(c * 2 for c in hexpart)
    channels = [int(hexpart[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_with_white(colour: str) -> float:
    """WCAG contrast ratio of ``colour`` against white."""
    return 1.05 / (_luminance(colour) + 0.05)


def branding_css(colours: dict[str, str]) -> str:
    """CSS custom properties for the light theme (the dark theme keeps its tested palette)."""
    return (
        "/* Generated from the `branding` block of _config.yml by book/_ext/qi_branding.py. */\n"
        ":root {\n"
        f"  --qi-primary: {colours['primary']};\n"
        f"  --qi-accent: {colours['accent']};\n"
        "}\n"
        'html[data-theme="light"] {\n'
        f"  --pst-color-primary: {colours['primary']};\n"
        f"  --pst-color-link: {colours['link']};\n"
        f"  --pst-color-link-hover: {colours['link_hover']};\n"
        f"  --pst-color-primary-highlight: {colours['link_hover']};\n"
        "}\n"
        ".bd-sidebar-primary .navbar-brand { border-bottom: 4px solid var(--qi-accent); }\n"
    )


def _check(branding: dict[str, Any]) -> None:
    for name, value in branding["colours"].items():
        if not isinstance(value, str) or not HEX.match(value):
            logger.warning("branding.colours.%s in _config.yml must be a CSS hex colour such as "
                           "#005eb8, not %r", name, value)
        elif name in TEXT_COLOURS and contrast_with_white(value) < 4.5:
            logger.warning("branding.colours.%s (%s) has a contrast ratio of %.2f:1 against "
                           "white; WCAG 2.1 AA needs at least 4.5:1. Choose a darker colour.",
                           name, value, contrast_with_white(value))
    logo = ROOT / branding["logo"]
    if not logo.is_file():
        logger.warning("branding.logo in _config.yml: no file at %s", logo)
    hub, repo = branding["jupyterhub_url"], branding["repository_url"]
    if hub and not repo:
        logger.warning("branding.jupyterhub_url is set but branding.repository_url is empty: "
                       "the launch button needs the repository the hub pulls notebooks from.")
    if (branding.get("repository_provider") or "github").lower() not in (
            "github", "gitlab", "bitbucket"):
        logger.warning("branding.repository_provider must be github, gitlab or bitbucket.")
    if branding["notebook_interface"] not in ("jupyterlab", "classic"):
        logger.warning("branding.notebook_interface must be 'jupyterlab' or 'classic'.")


def repository_provider(url: str, branding: dict[str, Any]) -> str:
    """github, gitlab or bitbucket: from ``repository_provider`` or the repository's host."""
    given = (branding.get("repository_provider") or "").strip().lower()
    if given:
        return given
    for provider in ("github", "gitlab", "bitbucket"):
        if provider in url.lower():
            return provider
    logger.warning("branding.repository_url %s is not on GitHub, GitLab or Bitbucket: set "
                   "branding.repository_provider to the kind of server it is (github, gitlab "
                   "or bitbucket).", url)
    return "github"


def config_inited(app: Sphinx, config: Config) -> None:
    branding = read_branding()
    _check(branding)
    app.env_branding = branding  # type: ignore[attr-defined]

    config.html_logo = str(ROOT / branding["logo"])
    options = dict(config.html_theme_options or {})
    options["logo"] = {**options.get("logo", {}), "alt_text": branding["logo_alt"],
                       "text": branding["region_name"]}
    hub = (branding["jupyterhub_url"] or "").strip()
    repo = (branding["repository_url"] or "").strip()
    # Launch buttons only when both are set; no Binder, Colab, Deepnote or Thebe (third parties).
    options["launch_buttons"] = {
        "notebook_interface": branding["notebook_interface"],
        "jupyterhub_url": hub.rstrip("/") if hub and repo else "",
        "binderhub_url": "",
        "colab_url": "",
        "deepnote_url": "",
        "thebe": False,
    }
    options["repository_url"] = repo
    if repo:
        options["repository_provider"] = repository_provider(repo, branding)
    options["repository_branch"] = branding["repository_branch"]
    options["path_to_docs"] = ""
    for button in ("use_repository_button", "use_issues_button", "use_edit_page_button",
                   "use_source_button"):
        options[button] = False
    options["footer_content_items"] = ["author.html", "copyright.html", "licences.html"]
    options["navigation_with_keys"] = False
    config.html_theme_options = options

    context = dict(config.html_context or {})
    # The theme's default is an empty mode, which logs a JavaScript error on every page.
    context.setdefault("default_mode", "auto")
    context.update(region_name=branding["region_name"], faculty_name=branding["faculty_name"],
                   licence_files=LICENCE_FILES)
    config.html_context = context

    subs = dict(getattr(config, "myst_substitutions", {}) or {})
    subs.setdefault("region_name", branding["region_name"])
    subs.setdefault("faculty_name", branding["faculty_name"])
    subs.setdefault("course_files", course_files_sentence(repo, branding))
    config.myst_substitutions = subs


def course_files_sentence(repo: str, branding: dict[str, Any]) -> str:
    """How to get the course's files, for ``{{ course_files }}`` in book/how-to-use.md: the
    repository when ``branding.repository_url`` is set, otherwise who to ask."""
    if repo:
        return (f"Get the course files from its repository, <{repo}>: in a terminal, run "
                f"`git clone {repo}`, or download them as a ZIP file from that page and unzip "
                "them.")
    return (f"Get the course files from the {branding['faculty_name']}, who run this course "
            "(this copy of the book does not give the address of its repository).")


def switch_off_thebe(app: Sphinx) -> None:
    """Jupyter Book always loads sphinx-thebe, which adds a script declaring THEBE_JS_URL (an
    unpkg.com address) to every page, twice, so every page logs a JavaScript error. Thebe is off
    in this book (it needs Binder, a third party): disconnect its per-build and per-page hooks.
    """
    for event, listeners in list(app.events.listeners.items()):
        for listener in list(listeners):
            handler = listener.handler
            if getattr(handler, "__module__", "") == "sphinx_thebe" and handler.__name__ in (
                    "init_thebe_core", "update_thebe_context"):
                app.disconnect(listener.id)


SUMMARY = re.compile(r'(<a class="[^"]*reference internal[^"]*"[^>]*>(.*?)</a>)<details([^>]*)><summary>')


def name_toc_toggles(html: str) -> str:
    """Give each sidebar expand/collapse toggle (an icon-only <summary>) a name (WCAG 4.1.2,
    axe summary-name), e.g. "Show or hide the pages under Measures"."""
    def add_name(match: re.Match) -> str:
        title = re.sub(r"<[^>]+>", "", match.group(2)).strip()
        return (f'{match.group(1)}<details{match.group(3)}><summary>'
                f'<span class="visually-hidden">Show or hide the pages under {title}</span>')
    return SUMMARY.sub(add_name, html)


# Fixes to the page body, made when the page is written (no JavaScript needed).
BODY_FIXES = [
    # myst-nb's "Show code cell source" toggle is named "Toggle hidden content", which does not
    # contain its visible text (WCAG 2.5.3): let the visible text name it.
    ('<summary aria-label="Toggle hidden content">', "<summary>"),
    # docutils marks bibliography entries role="doc-biblioentry" inside role="list"; ARIA 1.2
    # deprecated doc-biblioentry, so the list has no list items (axe aria-required-children).
    ('role="doc-biblioentry"', 'role="listitem"'),
]


def fix_body(body: str) -> str:
    for old, new in BODY_FIXES:
        body = body.replace(old, new)
    return body


def html_page_context(app: Sphinx, pagename: str, templatename: str, context: dict,
                      doctree: Any) -> None:
    if isinstance(context.get("body"), str):
        context["body"] = fix_body(context["body"])
    generate = context.get("generate_toctree_html")
    if generate is None or getattr(generate, "_qi_wrapped", False):
        return

    def wrapped(kind: str, *args: Any, **kwargs: Any):
        result = generate(kind, *args, **kwargs)
        if kind != "sidebar":
            return result
        return Markup(name_toc_toggles(str(result)))

    wrapped._qi_wrapped = True  # type: ignore[attr-defined]
    context["generate_toctree_html"] = wrapped


def builder_inited(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    app.add_css_file("qi-branding.css")
    app.add_css_file("qi-a11y.css")
    app.add_css_file("qi-print.css")
    app.add_js_file("qi-a11y.js", loading_method="defer")


def build_finished(app: Sphinx, exception: Exception | None) -> None:
    if exception or app.builder.format != "html":
        return
    outdir = Path(app.builder.outdir)
    static = outdir / "_static"
    static.mkdir(parents=True, exist_ok=True)
    branding = getattr(app, "env_branding", None) or read_branding()
    (static / "qi-branding.css").write_text(branding_css(branding["colours"]), encoding="utf8")
    prune_stale_pages(app, outdir)
    sync_static_files(app, static)
    for source, target in LICENCE_FILES.items():
        path = ROOT / source
        if path.is_file():
            shutil.copyfile(path, outdir / target)
        else:
            logger.warning("%s is missing from the repository root: the footer links to it.",
                           source)


def sync_static_files(app: Sphinx, static: Path) -> None:
    """Copy changed files from ``html_static_path`` into ``_static``.

    Sphinx copies static files only when at least one page is rebuilt, so a change to our CSS
    or JavaScript (or a new vendor version) alone would leave the old copy in the site.
    """
    for entry in app.config.html_static_path:
        source_dir = Path(app.confdir, entry)
        if not source_dir.is_dir():
            continue
        for source in source_dir.rglob("*"):
            if not source.is_file() or source.name.startswith("."):
                continue
            target = static / source.relative_to(source_dir)
            src_stat = source.stat()
            if target.exists():
                dst_stat = target.stat()
                if (dst_stat.st_size == src_stat.st_size
                        and int(dst_stat.st_mtime) == int(src_stat.st_mtime)):
                    continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def prune_stale_pages(app: Sphinx, outdir: Path) -> None:
    """Delete HTML pages left in the output by earlier builds (a page removed from the toc).

    Sphinx never deletes old output, so without this a page taken out of ``_toc.yml`` would
    still be published from a reused ``_build/html``.
    """
    keep = {f"{name}.html" for name in app.env.found_docs}
    keep |= {"index.html", "search.html", "genindex.html", "py-modindex.html"}
    for page in outdir.rglob("*.html"):
        relative = page.relative_to(outdir)
        if relative.parts[0].startswith("_") or relative.as_posix() in keep:
            continue
        logger.info("removing %s: no longer in the book", relative)
        page.unlink()


def setup(app: Sphinx) -> dict[str, Any]:
    # Run after Jupyter Book has put its own config in place.
    app.connect("config-inited", config_inited, priority=900)
    app.connect("config-inited", lambda app, config: switch_off_thebe(app), priority=950)
    # After pydata-sphinx-theme has put its toctree function in the page context.
    app.connect("html-page-context", html_page_context, priority=900)
    app.connect("builder-inited", builder_inited)
    app.connect("build-finished", build_finished)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
