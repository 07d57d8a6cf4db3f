"""Ingest end to end on a real local Ray and a real LanceDB in a temp folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from prefsight.errors import BadRow, NotFound
from prefsight.ingest import IngestConfig, ingest
from prefsight.store import Store

from tests.conftest import sample_rows, write_jsonl

SMALL = IngestConfig(
    layers=(1, -1), token_budget=1024, max_batch_pairs=2, max_length=256, sample_per_response=3
)


def _rows(store_dir):
    table = Store(str(store_dir)).table("activations").to_arrow()
    keys = list(
        zip(*(table.column(c).to_pylist() for c in ("pair_id", "side", "layer", "pooling")))
    )
    vectors = np.array(table.column("vector").to_pylist())
    return keys, vectors


def _as_dict(store_dir):
    keys, vectors = _rows(store_dir)
    assert len(keys) == len(set(keys)), "duplicate rows"
    return dict(zip(keys, vectors))


def _assert_same_rows(a, b):
    assert set(a) == set(b)
    for key in a:
        np.testing.assert_allclose(a[key], b[key], atol=1e-5)


@pytest.fixture(scope="module")
def reference_store(tmp_path_factory, tiny_model_dir, ray_local):
    """An uninterrupted run everyone else is compared with."""
    root = tmp_path_factory.mktemp("ref")
    data = write_jsonl(root / "pairs.jsonl", sample_rows())
    ingest(data, root / "store", model=str(tiny_model_dir), config=SMALL)
    return root / "store", data


def test_ingest_writes_every_pair_side_layer_pooling(reference_store, tiny_model_dir):
    store_dir, _ = reference_store
    store = Store(str(store_dir))
    keys, vectors = _rows(store_dir)
    assert len(keys) == 12 * 3 * 2 * 3  # pairs x sides x layers x poolings
    assert vectors.shape[1] == 64 and np.isfinite(vectors).all()
    assert store.layers(store.models()[0]) == [1, 3]
    assert store.count("pairs") == 12
    assert 0 < store.count("token_samples") <= 12 * 2 * 2 * 3
    run = store.runs()[0]
    assert run["pairs"] == 12 and run["layers"] == [1, 3] and run["prefsight_version"]
    metadata = store.read_pairs(["p001"])[0]["metadata"]
    assert metadata == {"domain": "cooking"}


def test_rerun_skips_ingested_pairs_and_adds_no_rows(reference_store, tiny_model_dir, tmp_path):
    store_dir, data = reference_store
    before = _as_dict(store_dir)
    result = ingest(data, store_dir, model=str(tiny_model_dir), config=SMALL)
    assert result.pairs == 0 and result.already_ingested == 12
    _assert_same_rows(before, _as_dict(store_dir))


def test_new_layer_on_rerun_adds_only_that_layer(reference_store, tiny_model_dir, tmp_path):
    _, data = reference_store
    store_dir = tmp_path / "store"
    ingest(
        data, store_dir, model=str(tiny_model_dir), config=IngestConfig(layers=(1,), max_length=256)
    )
    ingest(data, store_dir, model=str(tiny_model_dir), config=SMALL)
    _assert_same_rows(_as_dict(reference_store[0]), _as_dict(store_dir))


def test_killed_worker_rerun_gives_exactly_the_uninterrupted_rows(
    reference_store, tiny_model_dir, tmp_path
):
    _, data = reference_store
    store_dir = tmp_path / "store"
    killed = []

    def kill_first_worker(progress):
        if progress.stage == "batch" and not killed:
            os.kill(progress.worker_pids[0], signal.SIGKILL)  # really kill its process
            killed.append(progress.worker_pids[0])

    result = ingest(
        data, store_dir, model=str(tiny_model_dir), config=SMALL, progress=kill_first_worker
    )
    assert killed and result.pairs == 12
    _assert_same_rows(_as_dict(reference_store[0]), _as_dict(store_dir))


def test_killed_driver_then_rerun_gives_exactly_the_uninterrupted_rows(
    reference_store, tiny_model_dir, tmp_path
):
    _, data = reference_store
    store_dir = tmp_path / "store"
    script = textwrap.dedent(
        f"""
        import os, signal
        from prefsight.ingest import IngestConfig, ingest
        from tests.integration.test_ingest import SMALL
        def die(progress):
            if progress.stage == "batch" and progress.pairs_done >= 4:
                os.kill(os.getpid(), signal.SIGKILL)
        ingest({str(data)!r}, {str(store_dir)!r}, model={str(tiny_model_dir)!r}, config=SMALL,
               progress=die)
        """
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    proc = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, timeout=300)
    assert proc.returncode == -signal.SIGKILL
    partial = _as_dict(store_dir)
    assert 0 < len(partial) < 12 * 36
    result = ingest(data, store_dir, model=str(tiny_model_dir), config=SMALL)
    assert result.already_ingested >= 4 and result.pairs == 12 - result.already_ingested
    _assert_same_rows(_as_dict(reference_store[0]), _as_dict(store_dir))


def test_bad_row_leaves_no_store_behind(tmp_path, tiny_model_dir):
    data = write_jsonl(tmp_path / "d.jsonl", sample_rows(3) + ['{"prompt": "q", "chosen": ""}'])
    with pytest.raises(BadRow, match=r"d.jsonl:4: "):
        ingest(data, tmp_path / "store", model=str(tiny_model_dir), config=SMALL)
    assert not (tmp_path / "store").exists()


def test_bad_row_leaves_existing_store_unchanged(reference_store, tiny_model_dir, tmp_path):
    store_dir, _ = reference_store
    before = _as_dict(store_dir)
    long_row = {"id": "long", "prompt": "q", "chosen": "rice " * 400, "rejected": "no"}
    data = write_jsonl(tmp_path / "d.jsonl", sample_rows(13)[12:] + [long_row])
    with pytest.raises(BadRow, match=r"d.jsonl:2: response is \d+ tokens, over max_length 256"):
        ingest(data, store_dir, model=str(tiny_model_dir), config=SMALL)
    _assert_same_rows(before, _as_dict(store_dir))
    assert Store(str(store_dir)).count("pairs") == 12


def test_skip_bad_ingests_the_rest_and_reports_skips(tmp_path, tiny_model_dir, ray_local):
    data = write_jsonl(tmp_path / "d.jsonl", sample_rows(3) + ['{"prompt": "q"}'])
    result = ingest(
        data, tmp_path / "store", model=str(tiny_model_dir), config=SMALL, skip_bad=True
    )
    assert result.pairs == 3 and [s.line for s in result.skipped] == [4]


def test_unknown_layer_lists_valid_layers(tmp_path, tiny_model_dir, dataset_file):
    from prefsight.errors import InvalidArgument

    with pytest.raises(InvalidArgument, match=r"layer 9 not in model \(layers 0..3"):
        ingest(
            dataset_file,
            tmp_path / "s",
            model=str(tiny_model_dir),
            config=IngestConfig(layers=(9,)),
        )


def test_unknown_model_is_not_found(tmp_path, dataset_file):
    with pytest.raises(NotFound):
        ingest(dataset_file, tmp_path / "s", model=str(tmp_path / "no-model"))
