"""Two Ray nodes on loopback, the store on a local S3: spread, equal, and fault tolerant.

A head and a second node are started with ``ray start`` on 127.0.0.1 (one CPU
and one custom resource each), an ingest driver joins them with ``--address``
semantics (``ingest(address=...)``) in its own process, and writes to an
``s3://`` store on a moto server started here. The second node is killed
(SIGKILL to its whole process group) once it has forwarded a few batches; the
run must finish on the head with exactly the rows of a single-node run.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from prefsight.ingest import IngestConfig, ingest
from prefsight.store import Store

from tests.conftest import sample_rows, write_jsonl
from tests.integration.test_object_store import _free_port, s3_bucket  # noqa: F401 (fixture)
from tests.source_env import source_env

pytestmark = pytest.mark.slow

N_PAIRS = 120
CONFIG = dict(layers=(1, 2), max_length=256, token_budget=512, max_batch_pairs=2, sample_per_response=0)
RAY = str(Path(sys.executable).with_name("ray"))

DRIVER = """
import json, logging, sys, time
import ray
from prefsight.ingest import IngestConfig, ingest
from prefsight.ingest.ray_session import ensure_ray

address, data, uri, model, config = sys.argv[1:6]
logging.basicConfig(stream=sys.stdout, level=logging.WARNING, format="LOG %(name)s %(message)s")
logging.getLogger("prefsight.ingest.dispatch").setLevel(logging.DEBUG)
ensure_ray(address)
deadline = time.time() + 120
while ray.cluster_resources().get("node_b", 0) < 1 or ray.cluster_resources().get("node_head", 0) < 1:
    assert time.time() < deadline, ray.cluster_resources()
    time.sleep(0.5)
names = {n["NodeID"]: ("b" if "node_b" in n["Resources"] else "head") for n in ray.nodes() if n["Alive"]}
print("NODES " + json.dumps(names), flush=True)
result = ingest(data, uri, model=model, config=IngestConfig(**json.loads(config)), workers=2,
                address=address)
print("RESULT " + json.dumps(result.to_json()), flush=True)
"""


class RayNode:
    """One ``ray start --block`` in its own session, so the whole node dies with one killpg."""

    def __init__(self, args: list[str], log: Path) -> None:
        self.log = log
        self.process = subprocess.Popen(
            [RAY, "start", "--block", "--disable-usage-stats", "--node-ip-address=127.0.0.1", "--num-gpus=0", *args],
            stdout=open(log, "w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=30)


@pytest.fixture
def two_nodes(tmp_path):
    """(GCS address, head node, second node); both killed afterwards."""
    temp_dir = tempfile.mkdtemp(prefix="psray", dir="/tmp")  # Ray's socket paths must be short
    port = _free_port()
    health = json.dumps({"health_check_period_ms": 500, "health_check_failure_threshold": 4})
    head = RayNode(
        [
            "--head",
            f"--port={port}",
            "--num-cpus=1",
            '--resources={"node_head": 1}',
            "--include-dashboard=false",
            f"--dashboard-port={_free_port()}",
            f"--ray-client-server-port={_free_port()}",
            f"--dashboard-agent-listen-port={_free_port()}",
            f"--temp-dir={temp_dir}",
            f"--system-config={health}",
        ],
        tmp_path / "head.log",
    )
    address = f"127.0.0.1:{port}"
    _wait_for_port(port, head)
    second = RayNode(
        [
            f"--address={address}",
            "--num-cpus=1",
            '--resources={"node_b": 1}',
            f"--dashboard-agent-listen-port={_free_port()}",
        ],
        tmp_path / "b.log",
    )
    yield address, head, second
    second.kill()
    head.kill()
    shutil.rmtree(temp_dir, ignore_errors=True)


def _wait_for_port(port: int, node: RayNode, timeout: float = 90.0) -> None:
    import socket

    deadline = time.time() + timeout
    while time.time() < deadline:
        assert node.process.poll() is None, node.log.read_text()
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    raise AssertionError(f"Ray head did not listen on {port}: {node.log.read_text()}")


def _rows(uri: str) -> dict[tuple, np.ndarray]:
    table = Store(uri).scan("activations", ["pair_id", "side", "layer", "pooling", "vector"])
    keys = list(zip(*(table.column(c).to_pylist() for c in ("pair_id", "side", "layer", "pooling"))))
    assert len(keys) == len(set(keys)), "duplicate rows"
    vectors = table.column("vector").combine_chunks().flatten().to_numpy().reshape(len(keys), -1)
    return dict(zip(keys, vectors))


def test_two_nodes_share_the_ingest_and_survive_losing_one(
    two_nodes,
    s3_bucket,  # noqa: F811 (the imported fixture)
    tmp_path,
    tiny_model_dir,
    ray_local,  # noqa: F811
):
    address, head, second = two_nodes
    data = write_jsonl(tmp_path / "pairs.jsonl", sample_rows(N_PAIRS))
    single = ingest(data, tmp_path / "single", model=str(tiny_model_dir), config=IngestConfig(**CONFIG), workers=1)
    assert single.pairs == N_PAIRS

    uri = f"{s3_bucket}/two-nodes"
    env = source_env()
    driver = subprocess.Popen(
        [sys.executable, "-c", DRIVER, address, str(data), uri, str(tiny_model_dir), json.dumps(CONFIG)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    lines, names, killed_after, result = [], {}, None, None
    for line in driver.stdout:
        lines.append(line)
        if line.startswith("NODES "):
            names = json.loads(line[6:])
        elif "done on node" in line and killed_after is None:
            by_b = sum(1 for x in lines if "done on node" in x and names.get(x.split()[-1]) == "b")
            if by_b >= 3:
                second.kill()  # the whole second node: raylet, agents, its worker
                killed_after = sum(1 for x in lines if "done on node" in x)
        elif line.startswith("RESULT "):
            result = json.loads(line[7:])
    assert driver.wait(timeout=120) == 0, "".join(lines[-40:])
    assert result is not None and killed_after is not None, "".join(lines[-40:])

    # both nodes forwarded pairs, the head finished alone, and a batch was lost and rerun
    by_role = {names[node]: pairs for node, pairs in result["pairs_by_node"].items()}
    assert by_role.get("b", 0) > 0 and by_role.get("head", 0) > 0, result["pairs_by_node"]
    assert by_role["b"] + by_role["head"] == N_PAIRS == result["pairs"]
    assert killed_after * CONFIG["max_batch_pairs"] < N_PAIRS // 2, "killed too late to matter"
    assert any("lost a batch" in x for x in lines), "".join(lines[-40:])

    # row for row the single-node run: no duplicates, no gaps, the same vectors
    expected, got = _rows(str(tmp_path / "single")), _rows(uri)
    assert sorted(got) == sorted(expected)
    for key, vector in expected.items():
        np.testing.assert_allclose(got[key], vector, rtol=1e-4, atol=1e-5, err_msg=str(key))
