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

import re
import shutil
from pathlib import Path
from typing import Any

import yaml
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
CONFIG_FILE = ROOT / "_config.yml"
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
    "notebook_interface": "jupyterlab",
}
HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")
# Colours that are used for text on a white background must meet WCAG 2.1 AA (4.5:1).
TEXT_COLOURS = ("primary", "link", "link_hover")


def read_branding(path: Path = CONFIG_FILE) -> dict[str, Any]:
    """The ``branding`` block of ``_config.yml`` merged over the defaults."""
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
    if branding["notebook_interface"] not in ("jupyterlab", "classic"):
        logger.warning("branding.notebook_interface must be 'jupyterlab' or 'classic'.")


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
    options["repository_branch"] = branding["repository_branch"]
    options["path_to_docs"] = ""
    for button in ("use_repository_button", "use_issues_button", "use_edit_page_button",
                   "use_source_button"):
        options[button] = False
    options["footer_content_items"] = ["author.html", "copyright.html", "licences.html"]
    options["navigation_with_keys"] = False
    config.html_theme_options = options

    context = dict(config.html_context or {})
    context.update(region_name=branding["region_name"], faculty_name=branding["faculty_name"],
                   licence_files=LICENCE_FILES)
    config.html_context = context

    subs = dict(getattr(config, "myst_substitutions", {}) or {})
    subs.setdefault("region_name", branding["region_name"])
    subs.setdefault("faculty_name", branding["faculty_name"])
    config.myst_substitutions = subs


def builder_inited(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    app.add_css_file("qi-branding.css")
    app.add_css_file("qi-a11y.css")
    app.add_js_file("qi-a11y.js", loading_method="defer")


def build_finished(app: Sphinx, exception: Exception | None) -> None:
    if exception or app.builder.format != "html":
        return
    outdir = Path(app.builder.outdir)
    static = outdir / "_static"
    static.mkdir(parents=True, exist_ok=True)
    branding = getattr(app, "env_branding", None) or read_branding()
    (static / "qi-branding.css").write_text(branding_css(branding["colours"]), encoding="utf8")
    for source, target in LICENCE_FILES.items():
        path = ROOT / source
        if path.is_file():
            shutil.copyfile(path, outdir / target)
        else:
            logger.warning("%s is missing from the repository root: the footer links to it.",
                           source)


def setup(app: Sphinx) -> dict[str, Any]:
    # Run after Jupyter Book has put its own config in place.
    app.connect("config-inited", config_inited, priority=900)
    app.connect("builder-inited", builder_inited)
    app.connect("build-finished", build_finished)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
