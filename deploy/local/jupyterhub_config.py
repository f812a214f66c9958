# JupyterHub configuration for one machine (up to about 100 concurrent learners).
#
# Start it as root (the hub must become each learner's unix user to start their server):
#
#     QI_HUB_SETTINGS=/etc/qi-curriculum/hub.yml \
#         /opt/qi-curriculum/venv/bin/jupyterhub -f deploy/local/jupyterhub_config.py
#
# Every setting a site changes is in the YAML file named by QI_HUB_SETTINGS (default
# /etc/qi-curriculum/hub.yml; deploy/local/hub.example.yml documents every key). This file turns
# those settings into JupyterHub configuration; deploy/README.md explains the choices.
# tests/hub/test_hub_end_to_end.py starts a hub with exactly this file, installed as
# deploy/README.md says.
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import qi_courses  # noqa: E402 - after the path change above
from qi_hub_settings import (  # noqa: E402
    hub_groups,
    load_settings,
    prlimit_prefix,
    server_role_scopes,
)

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

settings = load_settings(os.environ.get("QI_HUB_SETTINGS", "/etc/qi-curriculum/hub.yml"))
hub, auth, env, limits = (settings["hub"], settings["authenticator"], settings["environment"],
                          settings["limits"])
venv = Path(env["venv"])
python = str(venv / "bin" / "python")
state = Path(hub["state_dir"])
state.mkdir(mode=0o700, parents=True, exist_ok=True)

# --- Network: the public side of the proxy, the hub's API and the proxy's API ------------------
c.JupyterHub.bind_url = hub["bind_url"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(hub["hub_port"])
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{int(hub['proxy_api_port'])}"
c.ConfigurableHTTPProxy.command = [env["proxy_command"]]
c.ConfigurableHTTPProxy.pid_file = str(state / "jupyterhub-proxy.pid")
# HTTPS: best done by a reverse proxy in front (see README). To let the hub do it instead,
# set c.JupyterHub.ssl_cert and c.JupyterHub.ssl_key in `extra_config`.

# --- State: database and cookie secret, readable by root only ---------------------------------
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")

# --- Who may sign in, and who administers ------------------------------------------------------
authenticator_class = auth["class"]
if "DummyAuthenticator" in authenticator_class and os.environ.get("QI_HUB_TESTING") != "1":
    raise SystemExit("The dummy authenticator lets anyone in: it is only for tests. Choose a "
                     "real authenticator in the `authenticator.class` setting.")
c.JupyterHub.authenticator_class = authenticator_class
# Administrators only by configuration: nobody becomes one through the web interface.
c.Authenticator.admin_users = set(hub["admins"])
members = {name for course in settings["courses"].values()
           for name in course["trainers"] + course["learners"]}
members |= {name for people in settings["cohorts"].values() for name in people}
c.Authenticator.allowed_users = members | set(hub["admins"])
if auth["allowed_unix_groups"]:
    c.LocalAuthenticator.allowed_groups = set(auth["allowed_unix_groups"])
for trait, value in auth["settings"].items():
    setattr(c[authenticator_class.rsplit(".", 1)[-1]], trait, value)

# Hub groups: nbgrader-<course>, formgrade-<course> and cohort-<name>.
# They are made at start; later, people are added to and removed from them through the hub's
# REST API (deploy/local/course-member.sh), with no restart.
c.JupyterHub.load_groups = {name: {"users": sorted(users)}
                            for name, users in hub_groups(settings).items()}
# Anyone in the allowed unix groups may sign in (add-user.sh puts them there), so a learner
# added later needs no restart either.

# --- Learners' servers: real unix users, started from the world-readable environment ---------
# LocalProcessSpawner plus a control group per learner (qi_spawner.py): the CPU and memory
# limits below hold for the learner's server and all its kernels together.
c.JupyterHub.spawner_class = "qi_spawner.LearnerGroupSpawner"
c.Spawner.cmd = [*prlimit_prefix(limits), python, "-m", "jupyterhub.singleuser"]
c.Spawner.notebook_dir = "~"
# Each learner's home gets the curriculum (modules, data, dashboards) from here at every start;
# files they already have are kept, so their own edits stay (qi_spawner.py).
c.LearnerGroupSpawner.curriculum = str(venv.parent / "curriculum")
# Trainers (formgrade-<course> groups) get Formgrader and Create Assignment; learners do not.
c.LearnerGroupSpawner.trainer_config = str(venv.parent / "trainer-jupyter")
c.Spawner.default_url = env["default_url"]
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
# Enforced per learner by the control group (where the host has cgroups; the hub logs a
# warning where it has not) and per process by prlimit above; also shown to the learner.
c.Spawner.mem_limit = limits["mem_limit"]
c.Spawner.cpu_limit = float(limits["cpu_limit"])
threads = str(max(1, int(float(limits["cpu_limit"]))))
c.Spawner.environment = {
    # nbgrader runs `alembic` from PATH when it makes a gradebook: the venv comes first.
    "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
    # The shared nbgrader exchange, read by the venv's etc/jupyter/nbgrader_config.py.
    "QI_NBGRADER_EXCHANGE": settings["nbgrader"]["exchange_root"],
    # Numerical libraries start one thread per core unless told; keep to the CPU share.
    "OMP_NUM_THREADS": threads,
    "OPENBLAS_NUM_THREADS": threads,
    "MKL_NUM_THREADS": threads,
}

# A learner's server token may read the learner's own hub groups: nbgrader's
# JupyterHubAuthPlugin lists the learner's courses from them.
c.JupyterHub.load_roles = [
    {"name": "server", "scopes": server_role_scopes()},
]

# --- Courses: the shared exchange and course folders, owned by the grader account ------------
nb = settings["nbgrader"]
if os.geteuid() == 0 and os.environ.get("QI_HUB_CHECK_ONLY") != "1":
    for warning in qi_courses.prepare(settings, venv / "bin" / "qilab"):
        print(f"[qi-curriculum] WARNING {warning}", file=sys.stderr)

# --- Grading: a hub service running as the grader account, never as a trainer ----------------
c.JupyterHub.services = [{
    "name": "qi-grading",
    "url": f"http://127.0.0.1:{int(hub['grading_port'])}",
    "command": [python, str(HERE / "qi_grading_service.py")],
    "user": nb["grader_user"],
    "cwd": str(Path(nb["courses_root"])),
    "environment": {"QI_GRADING_COURSES": nb["courses_root"],
                    "QI_GRADING_QILAB": str(venv / "bin" / "qilab")},
    "oauth_no_confirm": True,
}]
c.JupyterHub.load_roles.append({
    # To check that whoever asks is in the course's formgrade-<course> group.
    "name": "qi-grading", "scopes": ["read:users:name", "read:users:groups"],
    "services": ["qi-grading"],
})
# Trainers may open the service (OAuth) and call it with their own token.
c.JupyterHub.load_roles.append({
    "name": "qi-grading-users", "scopes": ["access:services!service=qi-grading"],
    "groups": [f"formgrade-{name}" for name in settings["courses"]],
})

# The token of the hub's own `qi-admin` service, readable by root only: course-member.sh uses it
# to add people to course groups, and take them out, while everything runs.
admin_token_file = state / "qi-admin-api-token"
if not admin_token_file.exists():
    import secrets

    admin_token_file.touch(mode=0o600)
    admin_token_file.write_text(secrets.token_hex(32))
c.JupyterHub.services.append({"name": "qi-admin",
                              "api_token": admin_token_file.read_text().strip()})
c.JupyterHub.load_roles.append({
    "name": "qi-admin", "scopes": ["admin:users", "groups", "list:groups"],
    "services": ["qi-admin"],
})

# --- Idle culling: jupyterhub-idle-culler as a hub service ------------------------------------
if int(limits["cull_idle_seconds"]) > 0:
    cull = [python, "-m", "jupyterhub_idle_culler",
            f"--timeout={int(limits['cull_idle_seconds'])}", "--cull-every=300"]
    if int(limits["cull_max_age_seconds"]) > 0:
        cull.append(f"--max-age={int(limits['cull_max_age_seconds'])}")
    c.JupyterHub.services.append({"name": "idle-culler", "command": cull})
    c.JupyterHub.load_roles.append({
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    })

# --- Site additions, loaded last ---------------------------------------------------------------
if settings["extra_config"]:
    load_subconfig(settings["extra_config"])  # noqa: F821 - provided by traitlets
