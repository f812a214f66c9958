"""deploy/local/jupyterhub_config.py and its settings, checked without starting a hub."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml
from traitlets.config import Config

ROOT = Path(__file__).resolve().parents[2]
LOCAL = ROOT / "deploy" / "local"
sys.path.insert(0, str(LOCAL))
import qi_hub_settings as settings_mod  # noqa: E402


def load_config(tmp_path: Path, monkeypatch, **settings) -> Config:
    """Run the real config file as JupyterHub would, with these settings."""
    settings.setdefault("hub", {})["state_dir"] = str(tmp_path / "state")
    path = tmp_path / "hub.yml"
    path.write_text(yaml.safe_dump(settings))
    monkeypatch.setenv("QI_HUB_SETTINGS", str(path))
    monkeypatch.setenv("QI_HUB_CHECK_ONLY", "1")  # no course folders made under /srv
    c = Config()
    code = (LOCAL / "jupyterhub_config.py").read_text()
    exec(compile(code, "jupyterhub_config.py", "exec"),
         {"get_config": lambda: c, "__file__": str(LOCAL / "jupyterhub_config.py"),
          "load_subconfig": lambda p: None})
    return c


def test_defaults_are_safe(tmp_path, monkeypatch):
    monkeypatch.delenv("QI_HUB_TESTING", raising=False)
    c = load_config(tmp_path, monkeypatch)
    assert c.JupyterHub.authenticator_class == "jupyterhub.auth.PAMAuthenticator"
    assert c.Authenticator.admin_users == set()          # administrators only by configuration
    assert c.LocalAuthenticator.allowed_groups == {"qi-learners", "qi-trainers"}
    assert c.JupyterHub.bind_url.startswith("http://127.0.0.1:")
    assert c.JupyterHub.spawner_class == "qi_spawner.LearnerGroupSpawner"  # LocalProcessSpawner + cgroups
    cmd = c.Spawner.cmd
    assert cmd[:4] == ["/usr/bin/prlimit", f"--as={3 * 1024**3}", "--nproc=200", "--"]
    assert cmd[4:] == ["/opt/qi-curriculum/venv/bin/python", "-m", "jupyterhub.singleuser"]
    assert c.Spawner.environment["QI_NBGRADER_EXCHANGE"] == "/srv/nbgrader/exchange"
    assert c.Spawner.environment["PATH"].startswith("/opt/qi-curriculum/venv/bin:")
    services = {s["name"]: s for s in c.JupyterHub.services}
    culler = services["idle-culler"]
    assert "--timeout=3600" in culler["command"]
    # Grading runs as the grader account, never as the hub (root) or a trainer.
    assert services["qi-grading"]["user"] == "qi-grader"
    assert services["qi-grading"]["environment"]["QI_GRADING_QILAB"] == (
        "/opt/qi-curriculum/venv/bin/qilab")
    roles = {r["name"]: r for r in c.JupyterHub.load_roles}
    assert roles["qi-grading"]["scopes"] == ["read:users:name", "read:users:groups"]
    assert "read:users:groups!user" in roles["server"]["scopes"]
    assert set(roles["idle-culler"]["scopes"]) >= {"list:users", "delete:servers"}
    assert (tmp_path / "state").stat().st_mode & 0o777 == 0o700


def test_courses_and_cohorts_become_hub_groups(tmp_path, monkeypatch):
    c = load_config(tmp_path, monkeypatch, courses={
        "qi-foundation": {"trainers": ["tara"], "learners": ["lee", "lin"]}},
        cohorts={"2025-spring": ["lee", "lin"]}, hub={"admins": ["ada"]})
    assert c.JupyterHub.load_groups == {
        "nbgrader-qi-foundation": {"users": ["lee", "lin", "tara"]},
        "formgrade-qi-foundation": {"users": ["tara"]},
        "cohort-2025-spring": {"users": ["lee", "lin"]},
    }
    # Only a course's trainers may use the grading service.
    roles = {r["name"]: r for r in c.JupyterHub.load_roles}
    assert roles["qi-grading-users"]["groups"] == ["formgrade-qi-foundation"]
    assert roles["qi-grading-users"]["scopes"] == ["access:services!service=qi-grading"]
    assert c.Authenticator.allowed_users == {"ada", "lee", "lin", "tara"}
    assert c.Authenticator.admin_users == {"ada"}


def test_dummy_authenticator_is_refused_outside_tests(tmp_path, monkeypatch):
    monkeypatch.delenv("QI_HUB_TESTING", raising=False)
    with pytest.raises(SystemExit, match="only for tests"):
        load_config(tmp_path, monkeypatch,
                    authenticator={"class": "jupyterhub.auth.DummyAuthenticator"})


def test_organisation_login_settings_pass_through(tmp_path, monkeypatch):
    c = load_config(tmp_path, monkeypatch, authenticator={
        "class": "oauthenticator.generic.LocalGenericOAuthenticator", "allowed_unix_groups": [],
        "settings": {"client_id": "abc", "oauth_callback_url": "https://hub/hub/oauth_callback"}})
    assert c.LocalGenericOAuthenticator.client_id == "abc"
    assert "allowed_groups" not in c.LocalAuthenticator


@pytest.mark.parametrize("bad, message", [
    ({"colour": "red"}, "unknown setting"),
    ({"limits": {"mem_limit": "lots"}}, "not a size"),
    ({"limits": {"memory": "2G"}}, "unknown setting"),
    ({"courses": {"Bad Name": {}}}, "lower case"),
    ({"courses": {"ok": {"learners": ["Not A Unix Name"]}}}, "not a unix name"),
    ({"limits": {"max_processes": 5}}, "max_processes"),
])
def test_wrong_settings_are_named(tmp_path, bad, message):
    path = tmp_path / "hub.yml"
    path.write_text(yaml.safe_dump(bad))
    with pytest.raises(settings_mod.SettingsError, match=message):
        settings_mod.load_settings(path)


def test_example_settings_file_loads_and_sizes_parse():
    example = settings_mod.load_settings(LOCAL / "hub.example.yml")
    assert example["authenticator"]["class"] == "jupyterhub.auth.PAMAuthenticator"
    assert settings_mod.parse_size("512M") == 512 * 1024**2
    assert settings_mod.parse_size("2G") == 2 * 1024**3


def test_nbgrader_settings_match_the_documented_multi_course_exchange():
    c = Config()
    exec((LOCAL / "nbgrader_config.py").read_text(), {"get_config": lambda: c})
    assert c.Exchange.root == "/srv/nbgrader/exchange"
    assert c.Exchange.path_includes_course is True
    assert c.Authenticator.plugin_class == "nbgrader.auth.JupyterHubAuthPlugin"


def test_the_spawner_is_local_processes_with_learner_groups():
    """The hub's spawner class imports from deploy/local and is a LocalProcessSpawner."""
    import importlib
    import sys
    from pathlib import Path

    from jupyterhub.spawner import LocalProcessSpawner

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "deploy" / "local"))
    spawner = importlib.import_module("qi_spawner").LearnerGroupSpawner
    assert issubclass(spawner, LocalProcessSpawner)
