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


@pytest.fixture
def s3_bucket(monkeypatch):
    import boto3
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    for key, value in {
        "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT": endpoint, "AWS_ALLOW_HTTP": "true",
    }.items():
        monkeypatch.setenv(key, value)
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket="prefsight")
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
