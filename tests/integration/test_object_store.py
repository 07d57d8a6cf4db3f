"""An s3:// store through LanceDB's object-store support, against a local S3 (moto) on loopback."""

from __future__ import annotations

import socket

import numpy as np
import pytest
from prefsight.ingest import IngestConfig, ingest
from prefsight.store import Store

from tests.conftest import sample_rows, write_jsonl


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_bucket():
    """A moto S3 server on loopback with bucket ``prefsight``, and the AWS_* variables
    that point LanceDB and prefsight at it, for the module."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    with pytest.MonkeyPatch.context() as patch:
        for key, value in {
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT": endpoint,
            "AWS_ALLOW_HTTP": "true",
        }.items():
            patch.setenv(key, value)
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
        s3.create_bucket(Bucket="prefsight")
        yield "s3://prefsight"
    server.stop()


def test_ingest_into_an_s3_store_and_read_back(s3_bucket, tmp_path, tiny_model_dir, ray_local):
    data = write_jsonl(tmp_path / "d.jsonl", sample_rows(6))
    uri = f"{s3_bucket}/run1"
    config = IngestConfig(layers=(1,), max_length=256)
    first = ingest(data, uri, model=str(tiny_model_dir), config=config)
    again = ingest(data, uri, model=str(tiny_model_dir), config=config)
    assert first.pairs == 6 and again.pairs == 0 and again.already_ingested == 6
    store = Store(uri)
    ids, vectors = store.read_pooled(model=store.models()[0], layer=1, side="chosen", pooling="mean")
    assert len(ids) == 6 and vectors.shape == (6, 64) and np.isfinite(vectors).all()
    assert store.count("activations") == 6 * 3 * 3


# -- audit, report and serve on an object-store store ------------------------------


def _objects(prefix: str) -> list[str]:
    import os

    import boto3

    s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT"], region_name="us-east-1")
    listed = s3.list_objects_v2(Bucket="prefsight", Prefix=prefix)
    return sorted(o["Key"] for o in listed.get("Contents", []))


@pytest.fixture(scope="module")
def audited_s3(s3_bucket, tmp_path_factory, tiny_model_dir, ray_local):
    """30 demo pairs audited with the tiny model straight into ``s3://prefsight/audited``."""
    from prefsight.apps.demo import generate_demo
    from prefsight.audit import AuditConfig, audit
    from prefsight.audit.dictionary import DictionaryConfig

    root = tmp_path_factory.mktemp("audit-s3")
    data = root / "demo.jsonl"
    generate_demo(n_pairs=30, seed=0).write(data)
    config = AuditConfig(
        dictionary=DictionaryConfig(n_latents=32, k=4, sae_epochs=3, max_train_tokens=4096),
        ingest=IngestConfig(max_length=1024, token_budget=4096, max_batch_pairs=16),
        top=5,
        examples=1,
    )
    uri = f"{s3_bucket}/audited"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PREFSIGHT_CACHE", str(root / "cache-auditor"))
        document = audit(data, uri, model=str(tiny_model_dir), config=config)
    return uri, document


def test_audit_keeps_its_sae_and_document_in_the_object_store(audited_s3, tmp_path, monkeypatch):
    from prefsight.audit.run import load_document
    from prefsight.concepts.catalog import sae_folder
    from prefsight.sae import load_sae
    from prefsight.store import Store

    uri, document = audited_s3
    layer = document["layer"]
    keys = _objects("audited/")
    assert "audited/audit/latest.json" in keys
    assert f"audited/saes/L{layer}/cfg.json" in keys
    assert any(k.startswith(f"audited/saes/L{layer}/") and k.endswith(".safetensors") for k in keys)
    # another machine (an empty cache) reads both back from the bucket
    monkeypatch.setenv("PREFSIGHT_CACHE", str(tmp_path / "cache-reader"))
    store = Store(uri)
    assert load_document(store)["concepts"] == json_round_trip(document["concepts"])
    folder = sae_folder(store, layer)
    assert str(folder).startswith(str(tmp_path / "cache-reader"))
    assert load_sae(folder).d_sae == 32
    assert not sae_folder(store, layer + 1).exists()


def json_round_trip(value):
    import json

    return json.loads(json.dumps(value, default=str))


def test_report_and_serve_run_against_the_object_store_store(audited_s3, tmp_path, monkeypatch):
    import os
    import subprocess
    import sys
    from pathlib import Path

    from prefsight.server.app import build_server
    from prefsight.server.servicer import PrefsightServicer
    from prefsight.session import StoreSession
    from prefsight_client import Client

    uri, document = audited_s3
    monkeypatch.setenv("PREFSIGHT_CACHE", str(tmp_path / "cache-server"))
    root = Path(__file__).resolve().parents[2]
    path = os.pathsep.join([str(root / "services"), str(root / "client"), str(root), os.environ.get("PYTHONPATH", "")])
    out = tmp_path / "report.html"
    done = subprocess.run(
        [sys.executable, "-m", "prefsight.cli", "report", "--store", uri, "--out", str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": path},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert document["concepts"][0]["id"] in out.read_text()

    sae_ids = [r["id"] for r in document["concepts"] + document["more_concepts"] if r["kind"] == "sae"]
    assert sae_ids, "the audit found no SAE concept to score"
    server = build_server(PrefsightServicer([uri])).start()
    x = np.random.default_rng(0).normal(size=(5, 7, 64)).astype(np.float32)  # per token: SAE max
    try:
        with Client(server.address, timeout=60) as client:
            scores = client.score_concepts("audited", sae_ids[:2], activations=x)
    finally:
        server.stop(grace=0)
    expected = StoreSession(uri).score_concepts(sae_ids[:2], activations=x)
    assert scores.shape == (5, 2) and np.abs(scores).sum() > 0
    assert scores == pytest.approx(expected, abs=1e-5)


def test_a_mirror_follows_the_bucket_when_the_folder_changes_or_goes(s3_bucket, tmp_path):
    from prefsight.store import objects

    remote = f"{s3_bucket}/mirror-test/saes/L1"
    source = tmp_path / "source"
    source.mkdir()
    (source / "cfg.json").write_text('{"v": 1}')
    (source / "w.bin").write_bytes(b"\x00" * 10)
    objects.push_folder(source, remote)
    local = tmp_path / "mirror"
    assert objects.pull_folder(remote, local)
    assert (local / "cfg.json").read_text() == '{"v": 1}' and (local / "w.bin").stat().st_size == 10

    objects.write_bytes(objects.join(remote, "cfg.json"), b'{"v": 22}')  # retrained elsewhere
    assert objects.pull_folder(remote, local)
    assert (local / "cfg.json").read_text() == '{"v": 22}'

    import os

    import boto3

    s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT"], region_name="us-east-1")
    for key in _objects("mirror-test/"):
        s3.delete_object(Bucket="prefsight", Key=key)
    assert not objects.pull_folder(remote, local) and not local.exists()
    with pytest.raises(FileNotFoundError):
        objects.read_bytes(objects.join(remote, "cfg.json"))


def test_saved_findings_live_in_the_bucket_and_queries_read_them(audited_s3):
    """The quick queries' saved answers (issue 8) work for an object-store store too."""
    from prefsight import findings
    from prefsight.session import StoreSession

    uri, document = audited_s3
    layer = document["layer"]
    keys = _objects("audited/audit/saved/")
    assert f"audited/audit/saved/findings-L{layer}-dmin-all.json" in keys
    assert f"audited/audit/saved/scores-L{layer}.npz" in keys
    saved = findings.read_findings(uri, None)
    assert saved is not None and saved["layer"] == layer
    fresh = StoreSession(uri).analysis()
    assert [r["id"] for r in saved["records"]] == [r["id"] for r in fresh.records()]
    concept = saved["records"][0]["id"]
    column = findings.read_scores(uri, layer, concept)
    chosen, _ = fresh.scores.column(concept)
    assert column is not None and column["chosen"] == pytest.approx(chosen, abs=1e-5)
