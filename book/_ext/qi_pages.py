"""Page mechanics for a reader who does not code, applied to every page of the book.

- **Code by tier.** Pages in the toc's "Aware" part never show code: every code cell gets
  myst-nb's ``remove-input`` tag (a solution cell, ``hide-cell``, keeps its output behind a
  toggle). On every other page code is collapsed behind a "Show the code" toggle
  (``hide-input``), unless the page's front matter says ``qi_code: shown`` (a page that teaches
  code). Cells already tagged to hide or remove keep their tags.
- **Self-checks that mark themselves.** A quiz question written as a bold numbered question, a
  paragraph of choices ``a) ... b) ... c) ...`` and an "Answer" dropdown whose text starts with
  the right letter in bold becomes an interactive question (jupyterquiz's own HTML and
  JavaScript, served from the page: no third-party request): choose, check, see why. The
  "Answer" dropdown stays, so the reasons can be read again. Open questions keep their
  dropdown.
- **Exercises that need a kernel.** qilab widgets show a static preview in the book
  (``qilab.widgets.static``); after each one this adds a "Do this exercise" box: on the hub
  (one click, only when ``branding.jupyterhub_url`` and ``repository_url`` are set: an
  nbgitpuller link that pulls the curriculum into ``~/qi-exercises`` and opens the widget's app
  from ``apps/`` in Voila, with no code), on your own computer, or on paper (the tier's
  workbook PDF).
- **Explanations as prose.** Printed text that is sentences (such as a result's
  ``explain()``), not a table, is shown as paragraphs instead of a scrolling monospace box.
"""
from __future__ import annotations

import ast
import hashlib
import html
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import yaml
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
AWARE = "Aware"
#: The tiers that have a printed workbook, by toc part caption (see book/print.py).
WORKBOOK_TIERS = ("Aware", "Foundation", "Practitioner", "Coach", "Leaders")


# --- tiers ---------------------------------------------------------------------------------

def toc_tiers(toc_path: Path) -> dict[str, str]:
    """docname -> the caption of the toc part it is in ("Aware", "Foundation", ...)."""
    toc = yaml.safe_load(toc_path.read_text(encoding="utf8")) or {}
    tiers: dict[str, str] = {}

    def walk(node: Any, caption: str) -> None:
        if isinstance(node, dict):
            if "file" in node:
                tiers[re.sub(r"\.(md|ipynb|rst)$", "", node["file"])] = caption
            for key, value in node.items():
                if key != "file":
                    walk(value, caption)
        elif isinstance(node, list):
            for item in node:
                walk(item, caption)

    for part in toc.get("parts", []) or []:
        walk(part.get("chapters", []), part.get("caption", ""))
    walk(toc.get("chapters", []), "")
    return tiers


def _tiers(app: Sphinx) -> dict[str, str]:
    cached = getattr(app, "_qi_tiers", None)
    if cached is None:
        path = Path(getattr(app.config, "external_toc_path", "") or ROOT / "_toc.yml")
        if not path.is_absolute():
            path = Path(app.srcdir) / path
        cached = toc_tiers(path) if path.is_file() else {}
        app._qi_tiers = cached  # type: ignore[attr-defined]
    return cached


# --- code cells by tier --------------------------------------------------------------------

CODE_CELL = re.compile(r"^(`{3,}|:{3,})\{code-cell\}")
TAGS = re.compile(r"^:tags:\s*\[(.*)\]\s*$")
HIDDEN = {"hide-input", "hide-cell", "remove-input", "remove-cell"}
SHOWN_CODE = re.compile(r"^qi_code:\s*shown\s*$", re.M)


def retag(tags: list[str], aware: bool) -> list[str]:
    """The tags a code cell gets: no code on Aware pages, collapsed code elsewhere."""
    tags = list(tags)
    if aware:
        if "remove-cell" in tags:
            return tags
        if "hide-cell" in tags:
            tags = [t for t in tags if t != "hide-cell"] + ["hide-output"]
        tags = [t for t in tags if t != "hide-input"]
        return tags if "remove-input" in tags else tags + ["remove-input"]
    return tags if HIDDEN & set(tags) else tags + ["hide-input"]


def tag_code_cells(text: str, aware: bool) -> str:
    """MyST notebook text with every code cell's tags set by :func:`retag`."""
    head = text.split("\n---", 1)[0] if text.startswith("---") else ""
    if not aware and SHOWN_CODE.search(head):
        return text
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        i += 1
        if not CODE_CELL.match(line):
            continue
        tags: list[str] = []
        options: list[str] = []
        while i < len(lines) and lines[i].startswith(":") and not CODE_CELL.match(lines[i]):
            match = TAGS.match(lines[i])
            if match:
                tags = [t.strip().strip("'\"") for t in match.group(1).split(",") if t.strip()]
            else:
                options.append(lines[i])
            i += 1
        new = retag(tags, aware)
        if new:
            out.append(f":tags: [{', '.join(new)}]")
        out.extend(options)
    return "\n".join(out)


def source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    if "{code-cell}" not in source[0]:
        return
    source[0] = tag_code_cells(source[0], _tiers(app).get(docname) == AWARE)


# --- quizzes -------------------------------------------------------------------------------

QUESTION = re.compile(r"^\s*(\d+)\.\s+(.+)$", re.S)
CHOICES = re.compile(r"(?:^|\s)([a-f])\)\s+")
RIGHT = re.compile(r"^\s*\(?([a-f])\)")


def split_choices(text: str) -> list[tuple[str, str]] | None:
    """``"a) Cheap b) Timely"`` -> ``[("a", "Cheap"), ("b", "Timely")]``, or None."""
    parts = CHOICES.split(" " + text.strip())
    if len(parts) < 5 or parts[0].strip():
        return None
    letters, answers = parts[1::2], [p.strip() for p in parts[2::2]]
    expected = [chr(ord("a") + i) for i in range(len(letters))]
    if letters != expected or not all(answers):
        return None
    return list(zip(letters, answers))


def _quiz_id(docname: str, number: str) -> str:
    digest = hashlib.sha1(f"{docname}:{number}".encode()).hexdigest()
    return "qiquiz" + "".join(chr(ord("a") + int(c, 16) % 26) for c in digest[:10])


def quiz_html(div_id: str, question: str, choices: list[tuple[str, str]], right: str,
              why: str, first: bool) -> str:
    """jupyterquiz's HTML, styles and script for one multiple-choice question."""
    from jupyterquiz.dynamic.loader import load_questions_script
    from jupyterquiz.dynamic.renderer import build_script, build_styles, render_div

    answers = []
    for letter, text in choices:
        correct = letter == right
        feedback = (f"Correct. {why}" if correct else
                    "Not this one. Try another answer, or open the answer below to see why.")
        answers.append({"answer": f"{letter}) {html.escape(text)}", "correct": correct,
                        "feedback": html.escape(feedback)})
    questions = [{"question": html.escape(question), "type": "multiple_choice",
                  "answers": answers}]
    prefix, static, url = load_questions_script(questions, div_id)
    div = render_div(div_id, False, False, False, 1_000_000, 720, 10, "left")
    # Colours chosen for WCAG AA contrast in light and dark mode (QUIZ_COLOURS, qi-pages.css).
    styles = build_styles(div_id, QUIZ_COLOURS)
    script = build_script(prefix, static, url, div_id, load_js=first)
    # render_div gives only the opening tag of jupyterquiz's container.
    return (f'<div class="qi-quiz">{div}</div></div>{styles}'
            f'<script type="text/javascript">{script}</script>')


QUIZ_COLOURS = {
    "--jq-multiple-choice-bg": "#003087",
    "--jq-mc-button-bg": "#ffffff",
    "--jq-mc-button-border": "#4c6272",
    "--jq-mc-button-inset-shadow": "#4c6272",
    "--jq-many-choice-bg": "#003087",
    "--jq-numeric-bg": "#003087",
    "--jq-numeric-input-bg": "#ffffff",
    "--jq-numeric-input-label": "#212b32",
    "--jq-numeric-input-shadow": "#4c6272",
    "--jq-string-bg": "#003087",
    # the feedback line and the chosen button; qi-pages.css gives the feedback a white ground
    "--jq-incorrect-color": "#b3261e",
    "--jq-correct-color": "#00703c",
    "--jq-text-color": "#ffffff",
    "--jq-link-color": "#ffffff",
}


def _meaningful(paragraph: nodes.Element) -> list[nodes.Node]:
    """A paragraph's children without empty text (myst-nb leaves some around inline markup)."""
    return [child for child in paragraph.children
            if not (isinstance(child, nodes.Text) and not child.astext().strip())]


def _is_answer(node: nodes.Node) -> bool:
    if not isinstance(node, nodes.admonition):
        return False
    title = node.next_node(nodes.title)
    return title is not None and title.astext().strip().lower() == "answer"


def _right_letter(answer: nodes.Element) -> tuple[str, str] | None:
    """The right letter (from the bold start of the answer) and the reason that follows it."""
    body = [child for child in answer.children if not isinstance(child, nodes.title)]
    if not body or not isinstance(body[0], nodes.paragraph) or not _meaningful(body[0]):
        return None
    first = _meaningful(body[0])
    strong = first[0]
    match = RIGHT.match(strong.astext()) if isinstance(strong, nodes.strong) else None
    if not match:
        return None
    rest = "".join(child.astext() for child in first[1:]).lstrip(" .:;")
    why = " ".join([rest, *(child.astext() for child in body[1:])]).strip()
    return match.group(1), why


def make_quizzes(app: Sphinx, doctree: nodes.document) -> None:
    """Turn each multiple-choice question with an "Answer" dropdown into a live question."""
    if app.builder.format != "html":
        return
    docname = app.env.docname
    first = True
    for question in list(doctree.findall(nodes.paragraph)):
        inner = _meaningful(question)
        if len(inner) != 1 or not isinstance(inner[0], nodes.strong):
            continue
        match = QUESTION.match(question.astext())
        parent = question.parent
        if not match or parent is None:
            continue
        index = parent.index(question)
        siblings = parent.children[index + 1:index + 3]
        if len(siblings) < 2 or not isinstance(siblings[0], nodes.paragraph):
            continue
        choices = split_choices(siblings[0].astext())
        if not choices or not _is_answer(siblings[1]):
            continue
        right = _right_letter(siblings[1])
        if right is None or right[0] not in dict(choices):
            logger.warning("%s: quiz question %s has choices but its answer does not start with "
                           "the right letter in bold, such as **b)**", docname, match.group(1),
                           location=question)
            continue
        letter, why = right
        raw = nodes.raw("", quiz_html(_quiz_id(docname, match.group(1)), question.astext(),
                                      choices, letter, why, first), format="html")
        first = False
        # The quiz shows the question and its choices; the "Answer" dropdown stays after it.
        parent.remove(siblings[0])
        parent.replace(question, raw)


# --- "Do this exercise" boxes --------------------------------------------------------------

#: Where a widget's static preview ends (see qilab.widgets.static): the box goes there.
BOX_MARKER = "<!--qi-do-exercise-->"


#: The apps: one small notebook per exercise that only shows its widget (see apps/README.md).
APPS = ROOT / "apps"
#: The folder in a learner's home that the hub links pull the curriculum into (nbgitpuller's
#: ``targetpath``). Not ``qi-curriculum``: the one-machine hub copies the curriculum there
#: (deploy/local/qi_spawner.py), and nbgitpuller cannot update a folder that is not a clone.
HUB_FOLDER = "qi-exercises"


def app_widgets(notebook: Path) -> list[str]:
    """The qilab widget classes an app imports (from ``qilab.widgets`` or a module in it).

    >>> app_widgets(APPS / "run-chart-builder.ipynb")
    ['RunChartBuilder']
    """
    cells = json.loads(notebook.read_text(encoding="utf8"))["cells"]
    names: list[str] = []
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    "qilab.widgets"):
                names.extend(alias.name for alias in node.names)
    return names


def app_index(apps: Path = APPS) -> dict[str, str]:
    """widget class name -> the app (file name in ``apps/``) that shows it."""
    index: dict[str, str] = {}
    for notebook in sorted(apps.glob("*.ipynb")):
        for name in app_widgets(notebook):
            index.setdefault(name, notebook.name)
    return index


def app_launch_url(branding: dict[str, Any], app: str) -> str:
    """The hub link that pulls the curriculum (nbgitpuller) and opens ``app`` in Voila, or ''
    when the book has no hub (``jupyterhub_url``) or no repository (``repository_url``).

    >>> url = app_launch_url({"jupyterhub_url": "https://hub.example.nhs.uk/",
    ...     "repository_url": "https://github.com/example/qi", "repository_branch": "main"},
    ...     "run-chart-builder.ipynb")
    >>> url.split("?")[0]
    'https://hub.example.nhs.uk/hub/user-redirect/git-pull'
    >>> "urlpath=voila%2Frender%2Fqi-exercises%2Fapps%2Frun-chart-builder.ipynb" in url
    True
    """
    hub = (branding.get("jupyterhub_url") or "").strip().rstrip("/")
    repo = (branding.get("repository_url") or "").strip()
    if not hub or not repo:
        return ""
    query = {"repo": repo}
    if branding.get("repository_branch"):
        query["branch"] = branding["repository_branch"]
    query["targetpath"] = HUB_FOLDER
    query["urlpath"] = f"voila/render/{HUB_FOLDER}/apps/{app}"
    return f"{hub}/hub/user-redirect/git-pull?{urlencode(query)}"


def into_hub_folder(url: str) -> str:
    """The theme's JupyterHub launch link, made to pull into :data:`HUB_FOLDER` too (so the
    page's button and the exercises' links share one clone, and neither meets the one-machine
    hub's copied ``~/qi-curriculum``).

    >>> url = into_hub_folder("https://hub/hub/user-redirect/git-pull?repo=https://git/x/qi"
    ...                       "&urlpath=lab/tree/qi/modules/m1/aim.md&branch=main")
    >>> sorted(parse_qsl(url.partition("?")[2]))  # doctest: +NORMALIZE_WHITESPACE
    [('branch', 'main'), ('repo', 'https://git/x/qi'), ('targetpath', 'qi-exercises'),
     ('urlpath', 'lab/tree/qi-exercises/modules/m1/aim.md')]
    """
    base, _, query = url.partition("?")
    params = dict(parse_qsl(query))
    if "git-pull" not in base or "urlpath" not in params or "repo" not in params:
        return url
    clone = params["repo"].rstrip("/").split("/")[-1]
    for ui in ("lab/tree/", "tree/"):
        if params["urlpath"].startswith(f"{ui}{clone}/"):
            params["urlpath"] = f"{ui}{HUB_FOLDER}/" + params["urlpath"][len(ui + clone) + 1:]
            params["targetpath"] = HUB_FOLDER
            return f"{base}?{urlencode(params)}"
    return url


def retarget_launch_button(app: Sphinx, pagename: str, templatename: str, context: dict,
                           doctree: Any) -> None:
    """The page's JupyterHub launch button pulls into :data:`HUB_FOLDER` (see above)."""
    for group in context.get("header_buttons", []) or []:
        for button in group.get("buttons", []) or []:
            if button.get("text") == "JupyterHub" and button.get("url"):
                button["url"] = into_hub_folder(str(button["url"]))


def workbook_href(pagename: str, tier: str) -> str:
    depth = pagename.count("/")
    return "../" * depth + f"_static/workbooks/{tier.lower()}-workbook.pdf"


def exercise_box(pagename: str, tier: str, hub: str, region: str) -> str:
    up = "../" * pagename.count("/")
    ways = []
    if hub:
        ways.append(
            f'<li><strong>On the hub</strong>: <a class="qi-launch" href="{html.escape(hub)}">'
            f"open this exercise on {html.escape(region)}'s JupyterHub</a>. One click; sign in "
            "if asked. It opens as a form, with no code. What you save stays in your own space "
            "on the hub.</li>")
    ways.append(
        "<li><strong>On your own computer</strong>: follow "
        f'<a href="{up}book/how-to-use.html#on-your-own-computer">the steps in How to use '
        f"this book</a>, then open <code>{html.escape(pagename)}.md</code> in JupyterLab and "
        "choose <em>Run</em>, then <em>Run All Cells</em>.</li>")
    if tier and tier not in WORKBOOK_TIERS:  # a resource page: in no workbook
        ways.append("<li><strong>On paper</strong>: print this page. It has the blank form.</li>")
    else:
        book = tier if tier in WORKBOOK_TIERS else "Foundation"
        ways.append(
            f'<li><strong>On paper</strong>: print the <a href="{workbook_href(pagename, book)}">'
            f"{book} workbook (PDF)</a>. It has this page and the blank forms and templates a "
            "workshop needs.</li>")
    return ('<aside class="qi-do-exercise" aria-label="Do this exercise">'
            '<p class="qi-do-exercise-title">Do this exercise</p>'
            "<p>The form above is a preview: this website cannot run it. Do it in one of "
            f"these ways:</p><ul>{''.join(ways)}</ul></aside>")


def add_exercise_boxes(app: Sphinx, pagename: str, templatename: str, context: dict,
                       doctree: Any) -> None:
    body = context.get("body")
    if not isinstance(body, str) or BOX_MARKER not in body:
        return
    branding = getattr(app, "env_branding", {}) or {}
    tier = _tiers(app).get(pagename, "")
    region = branding.get("region_name", "your region")
    apps = getattr(app, "_qi_apps", None)
    if apps is None:
        apps = app._qi_apps = app_index()  # type: ignore[attr-defined]
    parts = body.split(BOX_MARKER)
    out = [parts[0]]
    for before, after in zip(parts, parts[1:]):
        shown = re.findall(r'data-qi-widget="(\w+)"', before)
        widget = shown[-1] if shown else ""
        hub = app_launch_url(branding, apps[widget]) if widget in apps else ""
        if not hub and app_launch_url(branding, "any.ipynb"):
            logger.warning("%s: no app in apps/ shows the %s widget, so its Do this exercise "
                           "box has no hub link; add one (see apps/README.md)", pagename,
                           widget or "(unnamed)")
        out.append(exercise_box(pagename, tier, hub, region) + after)
    context["body"] = "".join(out)


# --- explanations as prose -----------------------------------------------------------------

def is_prose(text: str) -> bool:
    """Printed sentences (an explanation), not a table, a list of numbers or code."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines or len(text.strip()) < 100:
        return False
    if any(re.search(r"\S {2,}\S", line) or "|" in line or "\t" in line for line in lines):
        return False
    words = text.split()
    wordy = sum(any(ch.isalpha() for ch in w) for w in words) / max(len(words), 1)
    sentences = sum(line.rstrip().endswith((".", ":", "?", "!")) for line in lines)
    return wordy > 0.7 and sentences >= len(lines) / 2


def prose_nodes(text: str) -> list[nodes.Element]:
    """Paragraphs, with lines starting "- " gathered into bullet lists."""
    out: list[nodes.Element] = []
    for line in (line.strip() for line in text.strip().splitlines()):
        if not line:
            continue
        if line.startswith("- "):
            if not out or not isinstance(out[-1], nodes.bullet_list):
                out.append(nodes.bullet_list(bullet="-"))
            out[-1] += nodes.list_item("", nodes.paragraph(text=line[2:]))
        else:
            out.append(nodes.paragraph(text=line))
    return out


def prose_outputs(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if app.builder.format != "html":
        return
    for block in list(doctree.findall(nodes.literal_block)):
        classes = set(block.get("classes", []))
        if not {"output", "stream"} <= classes or not is_prose(block.astext()):
            continue
        container = nodes.container(classes=["qi-prose-output"])
        container.extend(prose_nodes(block.astext()))
        block.replace_self(container)


# --- reference list labels -----------------------------------------------------------------

def author_year_label(entry: Any) -> str:
    """"Langley et al. 2009", "Provost and Murray 2011", "Institute of Medicine 2001"."""
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [" ".join(name.render_as("text") for name in p.rich_last_names) for p in people]
    if not names:
        names = [str(entry.fields.get("organization") or entry.fields.get("title") or
                     entry.key).replace("{", "").replace("}", "")]
    who = (names[0] if len(names) == 1 else f"{names[0]} and {names[1]}" if len(names) == 2
           else f"{names[0]} et al.")
    return f"{who} {entry.fields.get('year', 'n.d.')}"


def register_bibliography_style() -> None:
    """A pybtex style ``qi_author_year``: pybtex's plain style with author-year labels, so the
    reference list matches the (Author, year) citations in the text."""
    from pybtex.plugin import register_plugin
    from pybtex.style.formatting.plain import Style as PlainStyle
    from pybtex.style.labels import BaseLabelStyle

    class AuthorYearLabels(BaseLabelStyle):
        def format_labels(self, sorted_entries):
            seen: dict[str, int] = {}
            labels = [author_year_label(entry) for entry in sorted_entries]
            for label in labels:
                seen[label] = seen.get(label, 0) + 1
            suffix: dict[str, int] = {}
            for label in labels:
                if seen[label] > 1:
                    suffix[label] = suffix.get(label, 0) + 1
                    yield label + "abcdefghijklmnopqrstuvwxyz"[suffix[label] - 1]
                else:
                    yield label

    class AuthorYearStyle(PlainStyle):
        default_label_style = "qi_author_year"

    register_plugin("pybtex.style.labels", "qi_author_year", AuthorYearLabels, force=True)
    register_plugin("pybtex.style.formatting", "qi_author_year", AuthorYearStyle, force=True)


def builder_inited(app: Sphinx) -> None:
    if app.builder.format == "html":
        app.add_css_file("qi-pages.css")


def write_example_storyboard(app: Sphinx, exception: Exception | None) -> None:
    """Write the example project's storyboard where the demonstration gallery links to it
    (every build, so the link never depends on the notebook cache)."""
    if exception or app.builder.format != "html":
        return
    from qilab.programme.gallery import DEMO_STORYBOARD, write_example_storyboard

    write_example_storyboard(Path(app.builder.outdir) / DEMO_STORYBOARD)


def setup(app: Sphinx) -> dict[str, Any]:
    # A change to this file changes this value, so Sphinx reads every page again (it would
    # otherwise keep pages transformed by the old code).
    app.add_config_value("qi_pages_source", hashlib.sha1(Path(__file__).read_bytes()).hexdigest(),
                         "env")
    register_bibliography_style()
    app.connect("builder-inited", builder_inited)
    app.connect("source-read", source_read)
    app.connect("doctree-read", make_quizzes)
    app.connect("doctree-resolved", prose_outputs)
    app.connect("html-page-context", add_exercise_boxes, priority=950)
    # After the theme has made its launch buttons (priority 501).
    app.connect("html-page-context", retarget_launch_button, priority=950)
    app.connect("build-finished", write_example_storyboard)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}


__all__ = ["toc_tiers", "retag", "tag_code_cells", "split_choices", "is_prose", "exercise_box",
           "app_index", "app_launch_url", "app_widgets"]
