"""The book's hub links open a page or an exercise on the hub with the curriculum pulled in.

When `branding.jupyterhub_url` and `branding.repository_url` are set in _config.yml,
book/_ext/qi_branding.py turns on sphinx-book-theme's JupyterHub launch button. These tests run
the real code of both at build-time configuration (no book build) and check the URL: the hub's
nbgitpuller endpoint, the repository and branch, and a JupyterLab path to the page inside the
folder nbgitpuller clones into (~/qi-exercises, named by book/_ext/qi_pages.py). The "Do this exercise" box (book/_ext/qi_pages.py) links to the
exercise's app instead: the same nbgitpuller endpoint, into ~/qi-exercises, then Voila. They
also check what the hub side needs for those URLs to work. A learner following the box's link
on a real hub is in test_hub_end_to_end.py.
"""
from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PAGE = "modules/m1-model-for-improvement/overview"


class _Config(dict):
    """Enough of sphinx.config.Config: attribute and item access to the same values."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name, value):
        self[name] = value


def launch_buttons(tmp_path: Path, monkeypatch, **branding) -> list[dict]:
    """The launch buttons sphinx-book-theme puts on PAGE with this branding."""
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    import qi_branding
    from sphinx_book_theme.header_buttons import update_context_with_repository_info
    from sphinx_book_theme.header_buttons.launch import add_launch_buttons

    config_file = tmp_path / "_config.yml"
    real = yaml.safe_load((ROOT / "_config.yml").read_text())
    real["branding"] = {**real["branding"], **branding}
    config_file.write_text(yaml.safe_dump(real))
    monkeypatch.setattr(qi_branding, "CONFIG_FILE", config_file)

    config = _Config(html_theme_options={}, html_context={}, myst_substitutions={},
                     html_logo=None)
    app = SimpleNamespace(config=config, builder=None)
    qi_branding.config_inited(app, config)
    update_context_with_repository_info(app)

    # The page as myst-nb hands it over: a MyST notebook whose executed .ipynb is in the build.
    outdir = tmp_path / "_build" / "html"
    executed = tmp_path / "_build" / "jupyter_execute" / f"{PAGE}.ipynb"
    executed.parent.mkdir(parents=True)
    executed.write_text("{}")
    app.outdir = str(outdir)
    app.env = SimpleNamespace(doc2path=lambda name: str(ROOT / f"{name}.md"),
                              metadata={PAGE: {"kernelspec": {"name": "python3"}}})
    context = {"pagename": PAGE, "sourcename": f"{PAGE}.md.txt", "header_buttons": [],
               **config.html_context}
    add_launch_buttons(app, PAGE, "page.html", context, None)
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    import qi_pages

    qi_pages.retarget_launch_button(app, PAGE, "page.html", context, None)
    for button in context["header_buttons"]:
        if button.get("label") == "launch-buttons":
            return button["buttons"]
        if "buttons" in button:
            return button["buttons"]
    return []


HUB = {"jupyterhub_url": "https://hub.example.nhs.uk/",
       "repository_url": "https://github.com/example-ics/qi-curriculum",
       "repository_branch": "main", "notebook_interface": "jupyterlab"}


def test_launch_url_opens_the_page_in_jupyterlab_through_nbgitpuller(tmp_path, monkeypatch):
    buttons = launch_buttons(tmp_path, monkeypatch, **HUB)
    assert [b["text"] for b in buttons] == ["JupyterHub"], buttons
    url = urlsplit(buttons[0]["url"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == (
        "https://hub.example.nhs.uk/hub/user-redirect/git-pull")
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert query == {
        "repo": "https://github.com/example-ics/qi-curriculum",
        "branch": "main",
        # nbgitpuller clones into ~/qi-exercises (the one-machine hub copies the curriculum
        # into ~/qi-curriculum, which is not a clone); JupyterLab opens the page there.
        "targetpath": "qi-exercises",
        "urlpath": f"lab/tree/qi-exercises/{PAGE}.md",
    }


def test_self_hosted_gitlab_and_classic_interface(tmp_path, monkeypatch):
    buttons = launch_buttons(tmp_path, monkeypatch, **{
        **HUB, "repository_url": "https://git.example.nhs.uk/qi/curriculum",
        "repository_provider": "gitlab", "repository_branch": "cohort-2025",
        "notebook_interface": "classic"})
    query = {k: v[0] for k, v in parse_qs(urlsplit(buttons[0]["url"]).query).items()}
    assert query == {"repo": "https://git.example.nhs.uk/qi/curriculum",
                     "branch": "cohort-2025", "targetpath": "qi-exercises",
                     "urlpath": f"tree/qi-exercises/{PAGE}.md"}


@pytest.mark.parametrize("branding", [
    {"jupyterhub_url": "", "repository_url": "https://github.com/example-ics/qi-curriculum"},
    {"jupyterhub_url": "https://hub.example.nhs.uk", "repository_url": ""},
])
def test_no_launch_button_unless_hub_and_repository_are_both_set(tmp_path, monkeypatch,
                                                                  branding):
    assert launch_buttons(tmp_path, monkeypatch, **branding) == []


def test_the_hub_side_can_follow_the_link():
    """nbgitpuller is in the learners' environment, and JupyterLab opens the MyST page as a
    notebook (jupytext) rather than as a text file."""
    requirements = (ROOT / "requirements.txt").read_text().splitlines()
    assert any(line.startswith("nbgitpuller==") for line in requirements)
    assert any(line.startswith("jupytext==") for line in requirements)
    overrides = json.loads((ROOT / "deploy" / "local" / "lab-overrides.json").read_text())
    viewers = overrides["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers["markdown"] == viewers["myst"] == "Jupytext Notebook"
    for installer in ("deploy/local/install.sh", "deploy/kubernetes/Dockerfile"):
        assert "lab-overrides.json" in (ROOT / installer).read_text(), installer


def exercise_boxes(body: str, **branding) -> str:
    """The page body after the book's extension has put in its "Do this exercise" boxes."""
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    import qi_pages

    app = SimpleNamespace(env_branding={"region_name": "Testshire", **branding},
                          _qi_tiers={"modules/m7-testing-changes-pdsa/pdsa-form": "Foundation"})
    context = {"body": body}
    qi_pages.add_exercise_boxes(app, "modules/m7-testing-changes-pdsa/pdsa-form", "page.html",
                                context, None)
    return context["body"]


def test_exercise_box_opens_the_widgets_app_in_voila_through_nbgitpuller(tmp_path):
    """Each preview's box links to the app that shows that widget (the PDSA page has the form
    and the ramp chart, both in the pdsa-form app; the run chart builder has its own app)."""
    from qilab.widgets import PDSAWidget, RampView, RunChartBuilder

    log = tmp_path / "log.json"
    body = (PDSAWidget(log).static_preview() + "<p>between</p>" + RampView(log).static_preview()
            + RunChartBuilder().static_preview())
    page = exercise_boxes(body, **HUB)
    links = re.findall(r'<a class="qi-launch" href="([^"]+)"', page)
    assert len(links) == 3 and "<p>between</p>" in page
    apps = []
    for link in links:
        url = urlsplit(html.unescape(link))
        assert f"{url.scheme}://{url.netloc}{url.path}" == (
            "https://hub.example.nhs.uk/hub/user-redirect/git-pull")
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        apps.append(query.pop("urlpath"))
        assert query == {"repo": "https://github.com/example-ics/qi-curriculum",
                         "branch": "main", "targetpath": "qi-exercises"}
    assert apps == ["voila/render/qi-exercises/apps/pdsa-form.ipynb"] * 2 + [
        "voila/render/qi-exercises/apps/run-chart-builder.ipynb"]
    for app in apps:
        assert (ROOT / app.removeprefix("voila/render/qi-exercises/")).is_file(), app


def test_exercise_box_has_no_hub_link_without_a_hub():
    from qilab.widgets import RunChartBuilder

    for branding in ({**HUB, "jupyterhub_url": ""}, {**HUB, "repository_url": ""}):
        page = exercise_boxes(RunChartBuilder().static_preview(), **branding)
        assert "Do this exercise" in page and "git-pull" not in page and "qi-launch" not in page


def test_the_hub_serves_apps_with_voila_and_no_code():
    """Voila is a server extension of every learner's server (pip installs its switch), and
    the learners' settings keep sources stripped, tracebacks hidden and the offline template,
    which the installers put where Voila finds it."""
    requirements = (ROOT / "requirements.txt").read_text().splitlines()
    assert any(line.startswith("voila==") for line in requirements)
    settings = json.loads((ROOT / "deploy/local/jupyter/learner/jupyter_server_config.json")
                          .read_text())
    voila = settings["VoilaConfiguration"]
    assert voila["strip_sources"] is True and voila["show_tracebacks"] is False
    assert voila["template"] == "qilab"
    template = "dashboards/share/jupyter/voila/templates/qilab"
    assert (ROOT / template / "index.html.j2").is_file()
    for installer in ("deploy/local/install.sh", "deploy/kubernetes/Dockerfile"):
        text = (ROOT / installer).read_text()
        assert template in text and "voila/templates/qilab" in text, installer
