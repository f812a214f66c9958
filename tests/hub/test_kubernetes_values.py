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
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "kubernetes"
SCHEMA = yaml.safe_load((Path(__file__).parent / "z2jh_values.schema.yaml").read_text())
sys.path.insert(0, str(ROOT / "deploy" / "local"))
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
    # Measured (deploy/README.md): ~290 MiB for M1 plus ~150 MiB for a dashboard kernel.
    assert bytes_of(single["memory"]["guarantee"]) >= 440 * 2**20
    assert single["cpu"]["guarantee"] <= single["cpu"]["limit"]
    scheduling = load("values.yaml")["scheduling"]
    assert scheduling["userScheduler"]["enabled"] and scheduling["podPriority"]["enabled"]
    placeholders = scheduling["userPlaceholder"]
    assert placeholders["enabled"] and placeholders["replicas"] > 0
    cull = load("values.yaml")["cull"]
    assert cull["enabled"] and cull["timeout"] <= 3600


def test_shared_exchange_volume_and_nbgrader_settings():
    values = load("values.yaml")
    single = values["singleuser"]
    mount = single["storage"]["extraVolumeMounts"][0]
    volume = next(v for v in single["storage"]["extraVolumes"] if v["name"] == mount["name"])
    pvc = load("exchange-pvc.yaml")
    assert volume["persistentVolumeClaim"]["claimName"] == pvc["metadata"]["name"]
    assert pvc["spec"]["accessModes"] == ["ReadWriteMany"]
    assert single["extraEnv"]["QI_NBGRADER_EXCHANGE"] == mount["mountPath"]
    init = single["initContainers"][0]
    assert "chmod 1777 " + mount["mountPath"] in " ".join(init["command"])
    # The same nbgrader settings file as the one-machine hub, baked into the image.
    nbgrader_config = (ROOT / "deploy" / "local" / "nbgrader_config.py").read_text()
    assert "c.Exchange.path_includes_course = True" in nbgrader_config
    assert "JupyterHubAuthPlugin" in nbgrader_config
    assert mount["mountPath"] in nbgrader_config
    # The learner's server may read its own groups, as on the one-machine hub.
    assert values["hub"]["loadRoles"]["server"]["scopes"] == server_role_scopes()
    for name, code in values["hub"]["extraConfig"].items():
        compile(code, f"hub.extraConfig.{name}", "exec")


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
    assert "-r /opt/qi-curriculum/requirements.txt" in dockerfile
    uid, gid = single["uid"], single["fsGid"]
    assert re.search(rf"useradd .*--uid {uid} --gid {gid} .*jovyan", dockerfile)
    assert f"USER {single['uid']}" in dockerfile
    assert "COPY deploy/local/nbgrader_config.py /etc/jupyter/nbgrader_config.py" in dockerfile
    requirements = (ROOT / "requirements.txt").read_text()
    assert "nbgitpuller==" in requirements and "nbgrader==" in requirements
