"""The Zero to JupyterHub values (deploy/kubernetes/) are checked without Kubernetes.

`helm template` cannot run here: helm is not in the Debian, PyPI or npm registries this project
can reach, and the chart's tarball comes from a chart repository that is not reachable. So
every key in values.yaml is checked against the chart's values structure as JSON Schema
(tests/hub/z2jh_values.schema.yaml, closed objects: a misspelt or misplaced key fails), and the
files are checked against each other and against the one-machine configuration.
"""
from __future__ import annotations

import copy
import re
import stat
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from traitlets.config import Config

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "kubernetes"
SCHEMA = yaml.safe_load((Path(__file__).parent / "z2jh_values.schema.yaml").read_text())
sys.path.insert(0, str(ROOT / "deploy" / "local"))
sys.path.insert(0, str(K8S))
import qi_kube_hooks as hooks  # noqa: E402
from qi_hub_settings import server_role_scopes  # noqa: E402

UNITS = {"": 1, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}


def load(name: str) -> dict:
    return yaml.safe_load((K8S / name).read_text())


def merge(base: dict, over: dict) -> dict:
    """Helm's merge of a second values file over the first."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def bytes_of(quantity: str) -> float:
    number, unit = re.fullmatch(r"([0-9.]+)([KMGT]i?)?", str(quantity)).groups()
    return float(number) * UNITS[unit or ""]


def errors(values: dict) -> list[str]:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    return [f"{'.'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in validator.iter_errors(values)]


def test_schema_is_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("extra", [None, "values-azuread.example.yaml"])
def test_every_key_is_in_the_chart_structure(extra):
    values = load("values.yaml")
    # What `--set-file hub.extraFiles.qi-kube-hooks.stringData=...` adds at install.
    values["hub"]["extraFiles"]["qi-kube-hooks"]["stringData"] = (
        K8S / "qi_kube_hooks.py").read_text()
    if extra:
        values = merge(values, load(extra))
    assert errors(values) == []


@pytest.mark.parametrize("path, bad", [
    (("singleuser", "memmory"), {"limit": "2G"}),                # misspelt key
    (("cull", "timeout"), "1h"),                                 # wrong type
    (("scheduling", "userPlaceholder", "replica"), 3),           # misspelt key
    (("scheduling", "userPods", "nodeAffinity", "matchNodePurpose"), "always"),
    (("singleuser", "storage", "extraVolumeMounts"), [{"name": "x"}]),  # mountPath missing
])
def test_the_check_catches_mistakes(path, bad):
    values = load("values.yaml")
    node = values
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = bad
    assert errors(values), f"{'.'.join(path)} = {bad!r} was not caught"


def test_learner_guarantees_limits_and_surge_room():
    single = load("values.yaml")["singleuser"]
    assert bytes_of(single["memory"]["guarantee"]) <= bytes_of(single["memory"]["limit"])
    # Measured (deploy/README.md): 514 MiB for JupyterLab in a browser through every M1 page
    # (each page's kernel left running) plus 145 MiB for a dashboard kernel.
    assert bytes_of(single["memory"]["guarantee"]) >= (514 + 145) * 2**20
    assert single["cpu"]["guarantee"] <= single["cpu"]["limit"]
    scheduling = load("values.yaml")["scheduling"]
    assert scheduling["userScheduler"]["enabled"] and scheduling["podPriority"]["enabled"]
    placeholders = scheduling["userPlaceholder"]
    assert placeholders["enabled"] and placeholders["replicas"] > 0
    cull = load("values.yaml")["cull"]
    assert cull["enabled"] and cull["timeout"] <= 3600


def test_no_pod_mounts_the_exchange_whole_and_nothing_runs_as_root():
    values = load("values.yaml")
    single = values["singleuser"]
    pvc = load("grading-pvc.yaml")
    claim = pvc["metadata"]["name"]
    assert pvc["spec"]["accessModes"] == ["ReadWriteMany"]
    # Learners' pods: the volume is available, but the hub mounts only their own parts of it.
    volume = next(v for v in single["storage"]["extraVolumes"] if v["name"] == hooks.CLAIM_VOLUME)
    assert volume["persistentVolumeClaim"]["claimName"] == claim
    assert "extraVolumeMounts" not in single["storage"]
    # No root init container (chmod fails on NFS with root_squash); no root anywhere.
    assert "initContainers" not in single
    assert "runAsUser: 0" not in (K8S / "values.yaml").read_text()
    # The hub mounts it whole, to make each learner's inbound folder as uid 1000.
    hub_mount = next(m for m in values["hub"]["extraVolumeMounts"] if m["name"] == "qi-grading")
    assert hub_mount["mountPath"] == hooks.HUB_MOUNT
    hub_volume = next(v for v in values["hub"]["extraVolumes"] if v["name"] == "qi-grading")
    assert hub_volume["persistentVolumeClaim"]["claimName"] == claim
    assert values["hub"]["extraFiles"]["qi-kube-hooks"]["mountPath"].endswith("/qi_kube_hooks.py")
    assert "configure(c)" in values["hub"]["extraConfig"]["qi-exchange"]
    for name, code in values["hub"]["extraConfig"].items():
        compile(code, f"hub.extraConfig.{name}", "exec")
    # The same nbgrader settings file as the one-machine hub, baked into the image.
    nbgrader_config = (ROOT / "deploy" / "local" / "nbgrader_config.py").read_text()
    assert "c.Exchange.path_includes_course = True" in nbgrader_config
    assert single["extraEnv"]["QI_NBGRADER_EXCHANGE"] == hooks.EXCHANGE_ROOT
    assert "chmod 1777 /srv/nbgrader/exchange" in (K8S / "Dockerfile").read_text()
    # The learner's server may read its own groups, as on the one-machine hub.
    assert values["hub"]["loadRoles"]["server"]["scopes"] == server_role_scopes()


def test_each_person_gets_only_their_own_parts_of_the_exchange(tmp_path):
    lee = hooks.mounts_for("lee", ["nbgrader-qi-foundation", "cohort-2027"])
    lin = hooks.mounts_for("lin", ["nbgrader-qi-foundation"])
    by_path = {m["mountPath"]: m for m in lee}
    base = "/srv/nbgrader/exchange/qi-foundation"
    assert by_path[f"{base}/outbound"]["readOnly"] and by_path[f"{base}/feedback"]["readOnly"]
    assert by_path[f"{base}/inbound"]["subPath"] == "inbound/qi-foundation/lee"
    assert not by_path[f"{base}/inbound"].get("readOnly")
    assert {m["subPath"] for m in lee if "inbound" in m["subPath"]}.isdisjoint(
        m["subPath"] for m in lin)
    assert not any(m["subPath"].startswith("courses/") for m in lee)  # learners: no course folder
    assert hooks.mounts_for("mallory", []) == []
    tara = hooks.mounts_for("tara", ["nbgrader-qi-foundation", "formgrade-qi-foundation"])
    assert {"mountPath": "/home/jovyan/qi-foundation", "name": hooks.CLAIM_VOLUME,
            "subPath": "courses/qi-foundation"} in tara
    # Distinct hub names never share a folder, whatever characters they hold.
    names = ["a-b", "a.b", "a_b", "ab", "a-2db", "A-b", "jane.smith@nhs.net"]
    assert len({hooks.folder_name(n.lower()) for n in names}) == len({n.lower() for n in names})

    # The hub's hook, as KubeSpawner calls it before each server starts.
    class Group:
        def __init__(self, name):
            self.name = name

    class Spawner:
        volume_mounts: list = []
        environment: dict = {}

        def __init__(self, name, groups):
            self.user = type("U", (), {"name": name, "groups": [Group(g) for g in groups]})

    c = Config()
    hooks.configure(c, hub_mount=str(tmp_path))
    learner = Spawner("lee", ["nbgrader-qi-foundation"])
    c.KubeSpawner.pre_spawn_hook(learner)
    assert learner.volume_mounts == lee and "JUPYTER_CONFIG_PATH" not in learner.environment
    inbound = tmp_path / "inbound" / "qi-foundation" / "lee"
    assert inbound.is_dir() and stat.S_IMODE(inbound.stat().st_mode) == 0o700
    trainer = Spawner("tara", ["nbgrader-qi-foundation", "formgrade-qi-foundation"])
    c.KubeSpawner.pre_spawn_hook(trainer)
    assert trainer.environment["JUPYTER_CONFIG_PATH"] == hooks.TRAINER_CONFIG


def test_collect_takes_only_what_each_learner_submitted_in_their_own_folder(tmp_path):
    learners = tmp_path / "inbound" / "qi-foundation"
    own = learners / "lee" / "lee+foundation+2027-01-01 10:00:00.000000 UTC+aaa"
    mine = learners / "lin" / "lin+foundation+2027-01-01 10:05:00.000000 UTC+bbb"
    forged = learners / "lin" / "lee+foundation+2099-01-01 00:00:00.000000 UTC+zzz"
    for entry in (own, mine, forged):
        entry.mkdir(parents=True)
        (entry / "foundation.ipynb").write_text("{}")
    (learners / "lin" / "lin+foundation+2027-01-02 10:00:00.000000 UTC+ccc").symlink_to(own)
    (learners / "lin" / "lin+foundation+2027-01-03 10:00:00.000000 UTC+ddd").write_text("x")
    notes = hooks.gather_inbound(tmp_path, "qi-foundation")
    taken = sorted(p.name for p in (tmp_path / "exchange" / "qi-foundation" / "inbound").iterdir())
    assert taken == sorted([own.name, mine.name])
    assert len(notes) == 3 and any("named for lee but in the folder of lin" in n for n in notes)
    assert len(list((tmp_path / "rejected" / "qi-foundation").iterdir())) == 3


def test_grading_jobs_run_in_their_own_locked_down_pods():
    job = yaml.safe_load((K8S / "grading-job.yaml").read_text())
    policy = load("grading-networkpolicy.yaml")
    assert job["kind"] == "Job" and job["spec"]["backoffLimit"] == 0
    assert job["spec"]["activeDeadlineSeconds"] > 0 and job["spec"]["ttlSecondsAfterFinished"] > 0
    pod = job["spec"]["template"]
    spec = pod["spec"]
    assert spec["automountServiceAccountToken"] is False and spec["restartPolicy"] == "Never"
    assert spec["securityContext"]["runAsNonRoot"] and spec["securityContext"]["runAsUser"] != 0
    (container,) = spec["containers"]
    guard = container["securityContext"]
    assert guard["allowPrivilegeEscalation"] is False and guard["capabilities"]["drop"] == ["ALL"]
    assert guard["readOnlyRootFilesystem"] is True
    assert {"cpu", "memory"} <= set(container["resources"]["limits"])
    assert container["command"][1].endswith("deploy/kubernetes/qi_kube_grading.py")
    assert (K8S / "qi_kube_grading.py").exists()
    # Only the grading volume and a scratch folder: no faculty secret, no hub token.
    assert {v["name"] for v in spec["volumes"]} == {"qi-grading", "tmp"}
    assert not any("secret" in str(v).lower() for v in spec["volumes"])
    # The NetworkPolicy selects these pods and lets nothing in or out.
    selector = policy["spec"]["podSelector"]["matchLabels"]
    assert selector.items() <= pod["metadata"]["labels"].items()
    assert policy["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert policy["spec"]["ingress"] == [] and policy["spec"]["egress"] == []


def test_chart_version_and_image_jupyterhub_match():
    """Chart 4.4.0's Chart.yaml says appVersion 5.5.0 and its hub image pins jupyterhub==5.5.0
    (read from the chart's repository at tag 4.4.0); the learners' image must run the same."""
    chart_hub = {"4.4.0": "5.5.0"}
    readme = (ROOT / "deploy" / "README.md").read_text()
    versions = set(re.findall(r"jupyterhub/jupyterhub --version (\S+)", readme))
    versions |= set(re.findall(r"--version (\S+)", (K8S / "values.yaml").read_text()))
    assert versions == {"4.4.0"}, versions
    dockerfile = (K8S / "Dockerfile").read_text()
    pinned = re.search(r"ARG JUPYTERHUB_VERSION=(\S+)", dockerfile).group(1)
    assert pinned == chart_hub["4.4.0"]
    assert 's/^jupyterhub==.*/jupyterhub==$JUPYTERHUB_VERSION/' in dockerfile


def test_no_secrets_or_default_admins_in_values():
    values = load("values.yaml")
    assert values["hub"]["config"]["Authenticator"]["admin_users"] == []
    def keys(node):
        if isinstance(node, dict):
            for key, value in node.items():
                yield str(key).lower()
                yield from keys(value)
        elif isinstance(node, list):
            for item in node:
                yield from keys(item)

    for key in keys(values):
        assert not any(word in key for word in ("password", "secret", "token")), (
            f"{key}: secrets belong in a private values file, not values.yaml")
    auth = load("values-azuread.example.yaml")["hub"]["config"]["AzureAdOAuthenticator"]
    assert auth["client_secret"].startswith("CHANGE-ME")


def test_image_is_built_from_the_pinned_requirements_as_jovyan():
    dockerfile = (K8S / "Dockerfile").read_text()
    single = load("values.yaml")["singleuser"]
    assert "COPY requirements.txt" in dockerfile
    assert "/opt/qi-curriculum/requirements.txt \\\n      > /tmp/requirements.txt" in dockerfile
    assert "pip install --no-cache-dir --disable-pip-version-check -r /tmp/requirements.txt" in (
        dockerfile)
    uid, gid = single["uid"], single["fsGid"]
    assert re.search(rf"useradd .*--uid {uid} --gid {gid} .*jovyan", dockerfile)
    assert f"USER {single['uid']}" in dockerfile
    assert "COPY deploy/local/nbgrader_config.py /etc/jupyter/nbgrader_config.py" in dockerfile
    requirements = (ROOT / "requirements.txt").read_text()
    assert "nbgitpuller==" in requirements and "nbgrader==" in requirements
