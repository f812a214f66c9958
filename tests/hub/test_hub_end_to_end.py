"""The one-machine hub, installed and run by following deploy/README.md, attacked as a learner.

The fixture runs the README's commands in order (hubharness.Readme): install.sh into a scratch
folder, the settings edit, adding people, the trial hub (`make hub`, which must show the
courses of the real hub.yml), then the production start through the installed systemd unit.
Then, through the hub as each person would:

- a learner signs in with their unix password and finds the curriculum in their home;
- learners have no trainer tools; the trainer's Formgrader can be shown in a JupyterLab panel;
- the trainer writes an assignment in the shared course folder and asks the grading service to
  release it; learners fetch, answer and submit; a learner added while the hub runs (README)
  does too, with a hostile notebook; the trainer asks the service to collect and autograde,
  which runs as the grader account; the grades are asserted (the honest learner keeps full
  marks although the hostile one forged a submission in their name);
- what the hostile notebook could read while it was being graded is asserted;
- removing the added learner (README) takes them out of the course's groups, with no restart;
- exchange attacks: listing, deleting or renaming another's submission, pre-making a course's
  exchange folder.
- the book's "Do this exercise" link for the run chart builder, followed in chromium by a
  signed-out learner: sign-in, nbgitpuller clones the curriculum (a git-daemon-served snapshot
  of this checkout, curriculum_repo.py), the app opens in Voila with no code and draws a chart.

Users, servers and the hub are removed afterwards, also when a test fails. Needs root; in CI
(CI=true) not being able to run is a failure, elsewhere a skip.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import stat
import sys
import time
from pathlib import Path

import pytest

from . import hubharness as hh

COURSE = "qi-foundation"          # the README's example course
ASSIGNMENT = "qi-check"
TRAINER, LEARNER, LATE = hh.PEOPLE["tara"], hh.PEOPLE["lee"], hh.PEOPLE["lin"]
GRADER = f"{hh.PREFIX}grader"
SOURCE = Path(__file__).parent / "fixtures" / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"

pytestmark = pytest.mark.slow


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


@pytest.fixture(scope="module")
def hub():
    reason = hh.can_run_hub()
    if reason:
        if _in_ci():
            pytest.fail(f"the hub test must run in CI but cannot: {reason}")
        pytest.skip(reason)
    lock = hh.machine_lock()
    lock.__enter__()
    hh.remove_test_users()  # left by an earlier run that crashed
    base = hh.make_base()
    readme = None
    try:
        started = time.perf_counter()
        token = secrets.token_hex(32)
        driver = base / "test_driver.py"  # the documented `extra_config`: a test service token
        driver.write_text(
            "c = get_config()\n"
            "c.JupyterHub.services.append({'name': 'qitest-driver', "
            f"'api_token': {token!r}}})\n"
            "c.JupyterHub.load_roles.append({'name': 'qitest-driver', 'scopes': [\n"
            "    'admin:users', 'admin:servers', 'access:servers', 'access:services',\n"
            "    'read:groups', 'tokens',\n"
            "    'list:users', 'list:groups', 'list:services', 'read:services'],\n"
            "    'services': ['qitest-driver']})\n")
        driver.chmod(0o600)
        port = hh.free_port()
        settings = {
            "hub": {"bind_url": f"http://127.0.0.1:{port}", "hub_port": hh.free_port(),
                    "proxy_api_port": hh.free_port(), "grading_port": hh.free_port()},
            "courses": {COURSE: {"trainers": [TRAINER], "learners": [LEARNER]}},
            "extra_config": str(driver),
        }
        password = secrets.token_urlsafe(16)
        readme = hh.Readme(base, settings, password)
        readme.env["PORT"] = str(hh.free_port())  # the trial hub's documented PORT
        timings = {}
        t = time.perf_counter()
        readme.next("install.sh")
        timings["install.sh"] = time.perf_counter() - t
        readme.next("add-user.sh lee learner")

        # The trial hub reads the real settings: the course and its people are there.
        trial = readme.next("make hub", background=True)
        client = hh.HubClient(f"http://127.0.0.1:{readme.env['PORT']}", token)
        try:
            client.wait(trial)
            groups = {g["name"]: set(g["users"]) for g in client.api("GET", "/groups").json()}
        finally:
            readme.stop(trial)
        assert groups.get(f"nbgrader-{COURSE}") == {TRAINER, LEARNER}, groups
        trial_state = re.search(r"state in (\S+);", Path(trial.log_path).read_text())
        if trial_state:
            shutil.rmtree(trial_state.group(1), ignore_errors=True)

        production = readme.next("systemctl enable --now jupyterhub", background=True)
        client = hh.HubClient(f"http://127.0.0.1:{port}", token)
        client.wait(production)
        client.readme, client.base, client.password = readme, base, password
        client.places = readme.places
        client.hub_pid = production.pid
        client.timings = timings
        timings["setup"] = time.perf_counter() - started
        yield client
    finally:
        try:
            for proc in readme.background if readme else []:
                readme.stop(proc)
                # Kept for reading after a failure (root only); the next run replaces it.
                last = Path(f"/tmp/qitest-hub-last-{Path(proc.log_path).stem}.log")
                last.touch(mode=0o600)
                shutil.copyfile(proc.log_path, last)
            hh.remove_test_users()
            shutil.rmtree(base, ignore_errors=True)
        finally:
            lock.__exit__(None, None, None)


def _ok(response, what: str):
    assert response.status_code in (200, 201), (
        f"{what}: HTTP {response.status_code} {response.text[:2000]}")
    return response.json() if response.text else None


def _home(user: str) -> Path:
    import pwd

    return Path(pwd.getpwnam(user).pw_dir)


def _token_of(hub, user: str) -> str:
    """A hub API token of the user's own, as they would make on the hub's Token page."""
    reply = _ok(hub.api("POST", f"/users/{user}/tokens", json={"note": "qitest"}), "token")
    return reply["token"]


def _grading(hub, token: str, step: str, assignment: str = ASSIGNMENT):
    import requests

    return requests.post(f"{hub.url}/services/qi-grading/api/{COURSE}/{assignment}/{step}",
                         headers={"Authorization": f"token {token}"}, timeout=600)


def test_a_learner_signs_in_with_their_password_and_finds_the_curriculum(hub):
    import requests

    session = requests.Session()
    page = session.get(f"{hub.url}/hub/login", timeout=30)
    xsrf = session.cookies.get("_xsrf") or re.search(r'name="_xsrf" value="([^"]+)"',
                                                      page.text).group(1)
    signed_in = session.post(f"{hub.url}/hub/login?next=", timeout=120, data={
        "username": LEARNER, "password": hub.password, "_xsrf": xsrf})
    assert signed_in.status_code == 200, signed_in.text[:500]
    me = session.get(f"{hub.url}/hub/api/user", timeout=30,
                     headers={"X-XSRFToken": session.cookies.get("_xsrf", "")})
    assert me.status_code == 200 and me.json()["name"] == LEARNER, me.text
    wrong = requests.Session()
    wrong.get(f"{hub.url}/hub/login", timeout=30)
    refused = wrong.post(f"{hub.url}/hub/login", timeout=60, data={
        "username": LEARNER, "password": "not-the-password",
        "_xsrf": wrong.cookies.get("_xsrf", "")})
    assert "Invalid username or password" in refused.text

    hub.spawn(LEARNER, TRAINER)
    copy = _home(LEARNER) / "qi-curriculum"
    assert (copy / "modules" / "m1-model-for-improvement").is_dir()
    assert (copy / "dashboards").is_dir() and not (copy / "exercises").exists()
    assert copy.stat().st_uid == _home(LEARNER).stat().st_uid


def test_learners_never_get_trainer_tools_and_formgrader_shows_in_a_panel(hub):
    def page_config(user: str) -> dict:
        page = hub.user_request(user, "GET", "/lab")
        assert page.status_code == 200, page.text[:300]
        found = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)'
                          r"</script>", page.text, re.S)
        return json.loads(found.group(1))

    trainer_tools = ("nbgrader:formgrader", "nbgrader:create-assignment")
    learner = page_config(LEARNER)["disabledExtensions"]
    assert all(tool in learner for tool in trainer_tools), learner
    assert hub.user_request(LEARNER, "GET", "/formgrader").status_code == 404
    trainer = page_config(TRAINER)["disabledExtensions"]
    assert not any(tool in trainer for tool in trainer_tools), trainer
    formgrader = hub.user_request(TRAINER, "GET", "/formgrader")
    assert formgrader.status_code == 200, formgrader.text[:300]
    assert "frame-ancestors 'self'" in formgrader.headers["Content-Security-Policy"]
    lab = hub.user_request(LEARNER, "GET", "/lab")
    assert "frame-ancestors 'none'" in lab.headers["Content-Security-Policy"]


def test_release_submit_and_grade_as_the_grader_account(hub):
    t0 = time.perf_counter()
    # The hub made the shared course folder; the trainer's link ~/<course> leads to it.
    course_dir = hub.places["QI_COURSES"] / COURSE
    info = course_dir.stat()
    assert stat.S_IMODE(info.st_mode) == 0o2770 and info.st_uid == _uid(GRADER)
    assert (_home(TRAINER) / COURSE).resolve() == course_dir.resolve()

    # Trainer: write the assignment in the course's source/ through their own server.
    notebook = json.loads(SOURCE.read_text())
    _ok(hub.user_request(TRAINER, "PUT", f"/api/contents/{COURSE}/source/{ASSIGNMENT}",
                         json={"type": "directory"}), "new assignment folder")
    _ok(hub.user_request(TRAINER, "PUT",
                         f"/api/contents/{COURSE}/source/{ASSIGNMENT}/{ASSIGNMENT}.ipynb",
                         json={"type": "notebook", "format": "json", "content": notebook}),
        "upload source")
    trainer_token = _token_of(hub, TRAINER)
    learner_token = _token_of(hub, LEARNER)
    # Only the course's trainers may use the grading service.
    assert _grading(hub, learner_token, "release").status_code == 403
    import requests

    page = requests.get(f"{hub.url}/services/qi-grading/", timeout=60,
                        headers={"Authorization": f"token {trainer_token}"})
    assert page.status_code == 200 and f"<td>{ASSIGNMENT}</td>" in page.text, page.text[:500]
    assert '<button name="step" value="autograde">' in page.text
    released = _ok(_grading(hub, trainer_token, "release"), "release")
    assert released["returncode"] == 0, released["output"]

    # The learner fetches, answers right, submits.
    _fetch_answer_submit(hub, LEARNER, _correct_answer())

    # A learner added while everything runs (README), with no restart of the hub or servers.
    lee_server = hub.api("GET", f"/users/{LEARNER}").json()["servers"][""]["started"]
    hub.readme.next("add-user.sh lin learner")
    hub.spawn(LATE)
    assert hub.api("GET", f"/users/{LEARNER}").json()["servers"][""]["started"] == lee_server
    assert os.path.exists(f"/proc/{hub.hub_pid}")
    # The hostile learner forges a submission in the honest learner's name (a later
    # timestamp, a wrong answer), then submits their own notebook that probes the grader.
    forged = _run_as(hub, LATE, _forge_code())
    assert "forged" in forged, forged
    _fetch_answer_submit(hub, LATE, _probe_answer(hub))

    collected = _ok(_grading(hub, trainer_token, "collect"), "collect")
    assert collected["returncode"] == 0, collected["output"]
    assert f"named for {LEARNER} but made by {LATE}" in collected["output"], collected["output"]
    # The trainer's own server cannot grade: submitted/ is the grader's alone.
    assert stat.S_IMODE((course_dir / "submitted").stat().st_mode) == 0o700
    autograde = _formgrader(hub, "POST", f"/submission/{ASSIGNMENT}/{LEARNER}/autograde")
    assert autograde.status_code != 200 or not autograde.json().get("success"), autograde.text
    graded = _ok(_grading(hub, trainer_token, "autograde"), "autograde")
    assert graded["returncode"] == 0, graded["output"]

    # Grades, read in the trainer's Formgrader (the gradebook the grader wrote).
    submissions = _ok(_formgrader(hub, "GET", f"/submissions/{ASSIGNMENT}"), "submissions")
    scores = {s["student"]: (s["score"], s["max_score"]) for s in submissions}
    assert scores[LEARNER] == (3.0, 3.0), scores
    hub.probe = _probe_results(course_dir)
    hub.timings["release, 2 learners, collect, autograde"] = time.perf_counter() - t0
    print("\nhub end-to-end timings (s):", {k: round(v, 1) for k, v in hub.timings.items()})


def test_learner_code_being_graded_gets_nothing_of_the_trainer(hub):
    """What the hostile notebook printed while the grader ran it (autograded/ outputs)."""
    probe = hub.probe
    assert probe["user"] not in (TRAINER, LEARNER, LATE, "root"), probe
    assert probe["hub_token_in_env"] == [], probe
    for what in ("trainer home", "trainer jupyter config"):
        assert probe["read"][what] == "denied", (what, probe)
    assert probe["trainer_processes_token"] == "none readable", probe


def test_learner_code_being_graded_gets_nothing_of_the_grader_or_other_learners(hub):
    """With the grading sandbox (qilab cohort autograde), the submission runs as its own
    unprivileged user: the grader's gradebook, faculty secret and source notebooks, the other
    learner's submission and home are all out of reach."""
    probe = hub.probe
    for what in ("grader home", "faculty secret", "gradebook", "source notebook",
                 "other learner's submission", "other learner's home"):
        assert probe["read"][what] == "denied", (what, probe)
    # Nor the grading service's hub token, through /proc.
    assert probe["grader_processes_token"] == "none readable", probe


def test_removing_a_learner_takes_them_off_the_course_without_a_restart(hub):
    listed = _ok(hub.user_request(LATE, "GET", "/assignments", params={"course_id": COURSE}),
                 "list")
    assert listed["success"] and listed["value"], listed
    hub.readme.next("course-member.sh remove lin")
    groups = {g["name"]: set(g["users"]) for g in _ok(hub.api("GET", "/groups"), "groups")}
    assert LATE not in groups[f"nbgrader-{COURSE}"] | groups[f"formgrade-{COURSE}"], groups
    assert LEARNER in groups[f"nbgrader-{COURSE}"]
    courses = _ok(hub.user_request(LATE, "GET", "/assignments", params={"course_id": COURSE}),
                  "list after removal")
    assert not courses["success"] or not courses["value"], courses
    assert os.path.exists(f"/proc/{hub.hub_pid}")


def test_exchange_attacks_are_refused(hub):
    inbound = hub.places["EXCHANGE"] / COURSE / "inbound"
    assert stat.S_IMODE(inbound.stat().st_mode) == 0o3733
    honest = next(p for p in inbound.iterdir() if p.name.startswith(f"{LEARNER}+")
                  and p.stat().st_uid == _uid(LEARNER))
    notebook = honest / f"{ASSIGNMENT}.ipynb"
    out = _run_as(hub, LATE, f"""
import os
for what, act in [('list', lambda: os.listdir({str(inbound)!r})),
                  ('rename', lambda: os.rename({str(honest)!r}, {str(honest)!r} + 'x')),
                  ('change', lambda: open({str(notebook)!r}, 'a').write(' ')),
                  ('delete', lambda: os.unlink({str(notebook)!r}))]:
    try:
        act(); print('ALLOWED', what)
    except PermissionError as exc:
        print('refused', what)
""")
    for what in ("list", "rename", "change", "delete"):
        assert f"refused {what}" in out, out
    # A learner makes a future course's exchange folder to block its release: when the hub
    # prepares the course, the folder is moved aside and a fresh one belongs to the grader.
    sys.path.insert(0, str(hub.places["QI_ETC"]))
    import qi_courses

    squatted = hub.places["EXCHANGE"] / "qitest-next"
    hh.run(["runuser", "-u", LATE, "--", "mkdir", "-p", str(squatted / "outbound")])
    warnings = qi_courses.prepare_exchange(hub.places["EXCHANGE"], "qitest-next", GRADER)
    assert any(f"made by {LATE}" in w for w in warnings), warnings
    assert squatted.stat().st_uid == _uid(GRADER)
    assert all((squatted / d).stat().st_uid == _uid(GRADER)
               for d in ("outbound", "inbound", "feedback"))


def test_every_readme_step_was_followed(hub):
    hub.readme.finished()



def test_a_learner_opens_the_run_chart_builder_as_an_app_from_the_book(hub, chromium_page):
    """The run chart builder's "Do this exercise" link, made by the book's own code with this hub
    and a git repository of the curriculum: followed in a real browser, signed out. The learner
    signs in, nbgitpuller pulls the curriculum into ~/qi-exercises, and Voila on the learner's
    own server shows the app with no code; pasted numbers draw the chart. Nobody else can open
    the learner's app."""
    import requests

    from . import curriculum_repo

    started = time.perf_counter()
    hub.spawn(LEARNER)
    page, watch = chromium_page
    with curriculum_repo.served(hub.base) as repo:
        link = _exercise_link(hub.url, repo, "RunChartBuilder")
        page.goto(link)  # signed out: the hub asks the learner to sign in first
        page.locator("input[name=username]").fill(LEARNER)
        page.locator("input[name=password]").fill(hub.password)
        page.locator("input[name=password]").press("Enter")
        app = re.compile(rf"/user/{LEARNER}/voila/render/qi-exercises/apps/"
                         r"run-chart-builder\.ipynb$")
        page.wait_for_url(app, timeout=90_000)
        paste = page.locator(".widget-textarea textarea").first
        paste.wait_for(timeout=90_000)
    assert (_home(LEARNER) / "qi-exercises" / ".git").is_dir()
    assert (_home(LEARNER) / "qi-exercises").stat().st_uid == _uid(LEARNER)

    # No code: the code cell shows only its output (no input area, editor, prompt or
    # highlighted source), and not a line of the app's source is in the page.
    assert page.locator(".jp-CodeCell").count() == 1
    code = page.locator(".jp-CodeCell .jp-InputArea, .jp-CodeCell .jp-Cell-inputWrapper, "
                        ".jp-InputPrompt, .jp-InputArea-editor, .jp-CodeMirrorEditor, "
                        ".cm-editor, .CodeMirror, .highlight")
    assert code.count() == 0
    assert "from qilab" not in page.content() and "RunChartBuilder(" not in page.content()
    assert "There was an error when executing cell" not in page.content()

    paste.fill("\n".join(str(v) for v in
                          [12, 15, 11, 14, 13, 16, 12, 15, 14, 13, 11, 15, 20, 21, 22, 23, 21, 24]))
    chart = page.locator("figure.qilab-chart img")
    chart.wait_for(timeout=60_000)
    assert chart.evaluate("img => img.complete && img.naturalWidth > 100")
    assert "run chart" in chart.get_attribute("alt") and "18 points" in chart.get_attribute("alt")
    assert watch.third_party == [], watch.third_party

    # Another person's own token cannot open this learner's app.
    other = requests.get(f"{hub.url}/user/{LEARNER}/voila/render/qi-exercises/apps/"
                         "run-chart-builder.ipynb", timeout=60, allow_redirects=False,
                         headers={"Authorization": f"token {_token_of(hub, TRAINER)}"})
    assert other.status_code == 403, other.status_code
    seconds = time.perf_counter() - started
    print(f"\napp from the book (sign in, pull, open, draw): {seconds:.1f} s")


# --- helpers ------------------------------------------------------------------------------------

def _uid(user: str) -> int:
    import pwd

    return pwd.getpwnam(user).pw_uid


def _formgrader(hub, method: str, path: str):
    return hub.user_request(TRAINER, method, f"/formgrader/api{path}")


def _run_as(hub, user: str, code: str) -> str:
    kernel = hh.KernelSession(hub, user)
    try:
        return kernel.execute(code)
    finally:
        kernel.shutdown()


def _fetch_answer_submit(hub, learner: str, answer: str) -> None:
    fetched = _ok(hub.user_request(learner, "POST", "/assignments/fetch",
                                   data={"course_id": COURSE, "assignment_id": ASSIGNMENT}),
                  f"{learner} fetch")
    assert fetched["success"], fetched
    ran = _run_as(hub, learner, f"""
import os, nbformat
path = os.path.expanduser('~/{COURSE}/{ASSIGNMENT}/{ASSIGNMENT}.ipynb')
nb = nbformat.read(path, as_version=4)
assert 'centre_line([1, 2, 10])' not in ''.join(c.source for c in nb.cells)
for cell in nb.cells:
    if cell.metadata.get('nbgrader', {{}}).get('solution'):
        cell.source = {answer!r}
nbformat.write(nb, path)
print('answered')
""")
    assert "answered" in ran, ran
    submitted = _ok(hub.user_request(learner, "POST", "/assignments/submit",
                                     data={"course_id": COURSE, "assignment_id": ASSIGNMENT}),
                    f"{learner} submit")
    assert submitted["success"], submitted


def _correct_answer() -> str:
    nb = json.loads(SOURCE.read_text())
    cell = next(c for c in nb["cells"] if c["metadata"]["nbgrader"].get("solution"))
    source = "".join(cell["source"])
    return "\n".join(line for line in source.splitlines() if "### " not in line)


def _forge_code() -> str:
    """Runs as the hostile learner: a wrong copy in the honest learner's name, dated later."""
    return f"""
import os, shutil, nbformat
inbound = os.path.join(os.environ.get('QI_NBGRADER_EXCHANGE'), {COURSE!r}, 'inbound')
name = '{LEARNER}+{ASSIGNMENT}+2099-01-01 00:00:00.000000 UTC+forged'
os.mkdir(os.path.join(inbound, name))
nb = nbformat.v4.new_notebook()
nbformat.write(nb, os.path.join(inbound, name, '{ASSIGNMENT}.ipynb'))
print('forged')
"""


def _probe_answer(hub) -> str:
    """An answer cell that, when graded, reports what it can read (into its own output)."""
    trainer = _home(TRAINER)
    targets = {
        "trainer home": str(trainer),
        "trainer jupyter config": str(trainer / ".jupyter" / "nbgrader_config.py"),
        "grader home": str(_home(GRADER)),
        "faculty secret": str(_home(GRADER) / ".config" / "qilab" / "faculty-secret"),
        "gradebook": str(hub.places["QI_COURSES"] / COURSE / "gradebook.db"),
        "source notebook": str(hub.places["QI_COURSES"] / COURSE / "source" / ASSIGNMENT
                               / f"{ASSIGNMENT}.ipynb"),
        "other learner's submission": str(hub.places["QI_COURSES"] / COURSE / "submitted"
                                          / LEARNER),
        "other learner's home": str(_home(LEARNER)),
    }
    trainer_uid, grader_uid = _uid(TRAINER), _uid(GRADER)
    return _correct_answer() + f"""

def _qi_probe():
    import json, os, pwd
    found = {{'user': pwd.getpwuid(os.getuid()).pw_name, 'read': {{}},
              'hub_token_in_env': [k for k in os.environ if 'JUPYTERHUB' in k]}}
    for what, path in {targets!r}.items():
        try:
            os.listdir(path) if os.path.isdir(path) else open(path, 'rb').read(1)
            found['read'][what] = 'READABLE'
        except OSError:
            found['read'][what] = 'denied'
    for who, uid in (('trainer', {trainer_uid}), ('grader', {grader_uid})):
        leaked = []
        for pid in filter(str.isdigit, os.listdir('/proc')):
            try:
                if pid != str(os.getpid()) and os.stat('/proc/' + pid).st_uid == uid:
                    if b'JUPYTERHUB_API_TOKEN' in open('/proc/' + pid + '/environ', 'rb').read():
                        leaked.append(pid)
            except OSError:
                pass
        found[who + '_processes_token'] = leaked or 'none readable'
    print('QI-PROBE ' + json.dumps(found))
_qi_probe()
"""


def _probe_results(course_dir: Path) -> dict:
    notebook = course_dir / "autograded" / LATE / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    for cell in json.loads(notebook.read_text())["cells"]:
        for output in cell.get("outputs", []):
            for line in "".join(output.get("text", "")).splitlines():
                if line.startswith("QI-PROBE "):
                    return json.loads(line.removeprefix("QI-PROBE "))
    raise AssertionError(f"the probe printed nothing in {notebook}")


def _exercise_link(hub_url: str, repo: str, widget: str) -> str:
    """The hub link in the "Do this exercise" box after ``widget``'s preview, as the book's
    extension makes it for a book whose branding names this hub and repository."""
    import html
    from types import SimpleNamespace

    sys.path.insert(0, str(hh.ROOT / "book" / "_ext"))
    import qi_pages

    import qilab.widgets

    preview = getattr(qilab.widgets, widget)().static_preview()
    app = SimpleNamespace(_qi_tiers={}, env_branding={
        "jupyterhub_url": hub_url, "repository_url": repo, "repository_branch": "main"})
    context = {"body": preview}
    qi_pages.add_exercise_boxes(app, "modules/page", "page.html", context, None)
    found = re.search(r'<a class="qi-launch" href="([^"]+)"', context["body"])
    assert found, context["body"]
    return html.unescape(found.group(1))
def test_a_learner_earns_the_aware_certificate_with_widget_answers_only(hub):
    """The Aware assessment on the hub, without code: the trainer releases it from the grading
    page; the learner fetches it and answers in the app, driven here through a kernel of the
    learner's own server exactly as the app's page drives it (the widgets' values set, then
    Submit clicked; Submit saves the answers and runs nbgrader's submit as the learner); the
    grading page collects and autogrades; the grader account certifies."""
    import subprocess

    from qilab.cohort import assessment
    from qilab.cohort.course import open_course
    from qilab.cohort.identity import learner_seed
    from qilab.cohort.register import read_register

    aware = assessment.ASSIGNMENT
    course_dir = hub.places["QI_COURSES"] / COURSE
    hub.spawn(LEARNER, TRAINER)  # running already when the earlier tests ran
    trainer_token = _token_of(hub, TRAINER)
    released = _ok(_grading(hub, trainer_token, "release", aware), "release")
    assert released["returncode"] == 0, released["output"]
    fetched = _ok(hub.user_request(LEARNER, "POST", "/assignments/fetch",
                                   data={"course_id": COURSE, "assignment_id": aware}), "fetch")
    assert fetched["success"], fetched

    # What the learner chooses and types: values only (the test knows the right ones).
    key = assessment._key(learner_seed(LEARNER, aware))
    ran = _run_as(hub, LEARNER, f"""
import os
os.chdir(os.path.expanduser('~/{COURSE}/{aware}'))
from qilab.cohort.assessment_app import AwareAssessment
app = AwareAssessment()
choices = {key!r}
for q, control in zip(app.paper, app.questions):
    control.value = choices[q['id']]
app.submit_button.click()
print('APP', app.learner, app.messages.kind, app.messages.text)
""")
    assert f"APP {LEARNER} success Submitted." in ran, ran

    for step in ("collect", "autograde"):
        done = _ok(_grading(hub, trainer_token, step, aware), step)
        assert done["returncode"] == 0, done["output"]
    submissions = _ok(_formgrader(hub, "GET", f"/submissions/{aware}"), "submissions")
    scores = {s["student"]: (s["score"], s["max_score"]) for s in submissions}
    assert scores[LEARNER] == (8.0, 8.0), scores

    # The administrator certifies as the grader account (deploy/README.md), after the
    # learner's name is in the gradebook (only the gradebook: the hub's groups are the hub's).
    venv_bin = hub.places["PREFIX"] / "venv" / "bin"
    env = {"PATH": f"{venv_bin}:/usr/bin:/bin", "HOME": str(_home(GRADER)), "LANG": "C.UTF-8"}
    for cmd in ([str(venv_bin / "nbgrader"), "db", "student", "add", LEARNER,
                 "--first-name", "Lee", "--last-name", "Learner",
                 "--Authenticator.plugin_class=nbgrader.auth.NoAuthPlugin"],
                [str(venv_bin / "qilab"), "cohort", "certify", "--tier", "aware", "--no-pdf",
                 "--course-dir", str(course_dir)]):
        done = subprocess.run([shutil.which("runuser"), "-u", GRADER, "--", *cmd], cwd=course_dir,
                              env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
    rows = read_register(open_course(course_dir).register)
    assert [(r["learner"], r["tier"]) for r in rows] == [(LEARNER, "aware")], rows
