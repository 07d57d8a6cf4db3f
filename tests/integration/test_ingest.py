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

SMALL = IngestConfig(layers=(1, -1), token_budget=1024, max_batch_pairs=2, max_length=256, sample_per_response=3)


def _rows(store_dir):
    table = Store(str(store_dir)).table("activations").to_arrow()
    keys = list(zip(*(table.column(c).to_pylist() for c in ("pair_id", "side", "layer", "pooling"))))
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
    # 6 batches of 2 pairs were 6 appends each; the run ends with one file per table
    for name in ("activations", "pairs"):
        assert store.table(name).stats()["fragment_stats"]["num_fragments"] == 1, name


def test_rerun_skips_ingested_pairs_and_adds_no_rows(reference_store, tiny_model_dir, tmp_path):
    store_dir, data = reference_store
    before = _as_dict(store_dir)
    version = Store(str(store_dir)).table("activations").version
    result = ingest(data, store_dir, model=str(tiny_model_dir), config=SMALL)
    assert result.pairs == 0 and result.already_ingested == 12
    assert result.compact_seconds == 0 and Store(str(store_dir)).table("activations").version == version
    _assert_same_rows(before, _as_dict(store_dir))


def test_new_layer_on_rerun_adds_only_that_layer(reference_store, tiny_model_dir, tmp_path):
    _, data = reference_store
    store_dir = tmp_path / "store"
    ingest(data, store_dir, model=str(tiny_model_dir), config=IngestConfig(layers=(1,), max_length=256))
    ingest(data, store_dir, model=str(tiny_model_dir), config=SMALL)
    _assert_same_rows(_as_dict(reference_store[0]), _as_dict(store_dir))


def test_killed_worker_rerun_gives_exactly_the_uninterrupted_rows(reference_store, tiny_model_dir, tmp_path):
    _, data = reference_store
    store_dir = tmp_path / "store"
    killed = []

    def kill_first_worker(progress):
        if progress.stage == "batch" and not killed:
            os.kill(progress.worker_pids[0], signal.SIGKILL)  # really kill its process
            killed.append(progress.worker_pids[0])

    result = ingest(data, store_dir, model=str(tiny_model_dir), config=SMALL, progress=kill_first_worker)
    assert killed and result.pairs == 12
    _assert_same_rows(_as_dict(reference_store[0]), _as_dict(store_dir))


def test_killed_driver_then_rerun_gives_exactly_the_uninterrupted_rows(reference_store, tiny_model_dir, tmp_path):
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
    proc = subprocess.run([sys.executable, "-c", script], cwd=root, env=_subprocess_env(), timeout=300)
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
    result = ingest(data, tmp_path / "store", model=str(tiny_model_dir), config=SMALL, skip_bad=True)
    assert result.pairs == 3 and [s.line for s in result.skipped] == [4]


def test_unknown_layer_lists_valid_layers(tmp_path, tiny_model_dir, dataset_file):
    from prefsight.errors import InvalidArgument

    with pytest.raises(InvalidArgument, match=r"layer 9 not in model \(layers 0..3"):
        ingest(dataset_file, tmp_path / "s", model=str(tiny_model_dir), config=IngestConfig(layers=(9,)))


def test_unknown_model_is_not_found(tmp_path, dataset_file):
    with pytest.raises(NotFound):
        ingest(dataset_file, tmp_path / "s", model=str(tmp_path / "no-model"))


# -- ids already stored, atomic visibility (issue 10) -------------------------------------


def _subprocess_env() -> dict[str, str]:
    """This checkout first on the path (the caller's PYTHONPATH kept)."""
    root = Path(__file__).resolve().parents[2]
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}


def _visible_counts(store_dir) -> tuple[int, list[int]]:
    """(pairs counted by `prefsight info`, pairs the analysis reads at each stored layer)."""
    from prefsight.store.info import store_info

    store = Store(str(store_dir))
    model = store.models()[0]
    used = [
        len(store.read_pooled(model=model, layer=layer, side="chosen", pooling="mean")[0])
        for layer in store.layers(model)
    ]
    return store_info(str(store_dir))["tables"].get("pairs", 0), used


def test_id_stored_with_other_content_is_a_bad_row(reference_store, tiny_model_dir, tmp_path):
    store_dir, _ = reference_store
    before = _as_dict(store_dir)
    changed = {**sample_rows()[1], "chosen": "Something else entirely."}
    new = {**sample_rows(13)[12], "id": "p-new"}
    data = write_jsonl(tmp_path / "d.jsonl", [new, changed])
    with pytest.raises(BadRow, match=rf"{data}:2: id 'p001' is already in the store with other content"):
        ingest(data, store_dir, model=str(tiny_model_dir), config=SMALL)
    _assert_same_rows(before, _as_dict(store_dir))
    assert Store(str(store_dir)).count("pairs") == 12


def test_skip_bad_skips_an_id_stored_with_other_content(reference_store, tiny_model_dir, tmp_path):
    _, reference_data = reference_store
    store_dir = tmp_path / "store"
    rows = sample_rows(4)
    ingest(write_jsonl(tmp_path / "a.jsonl", rows), store_dir, model=str(tiny_model_dir), config=SMALL)
    changed = {**rows[1], "chosen": "Something else entirely."}
    data = write_jsonl(tmp_path / "b.jsonl", [rows[0], changed, sample_rows(6)[5]])
    result = ingest(data, store_dir, model=str(tiny_model_dir), config=SMALL, skip_bad=True)
    assert [(s.line, s.problem) for s in result.skipped] == [
        (2, "id 'p001' is already in the store with other content")
    ]
    assert (result.pairs, result.already_ingested) == (1, 1)
    store = Store(str(store_dir))
    assert store.read_pairs(["p001"])[0]["chosen"] == rows[1]["chosen"]
    assert sorted(store.pair_ids()) == ["p000", "p001", "p002", "p003", "p005"]


def test_a_cancelled_ingest_shows_only_pairs_with_their_vectors(reference_store, tiny_model_dir, tmp_path):
    """The server cancels by raising from the progress callback; before any batch is
    written nothing may be visible, after some batches exactly those pairs."""
    _, data = reference_store
    store_dir = tmp_path / "store"

    class Stop(Exception):
        pass

    def cancel_at_ready(progress):
        if progress.stage == "ready":
            raise Stop

    with pytest.raises(Stop):
        ingest(data, store_dir, model=str(tiny_model_dir), config=SMALL, progress=cancel_at_ready)
    assert Store(str(store_dir)).count("pairs") == 0

    def cancel_after_two_batches(progress):
        if progress.stage == "batch" and progress.pairs_done >= 4:
            raise Stop

    with pytest.raises(Stop):
        ingest(data, store_dir, model=str(tiny_model_dir), config=SMALL, progress=cancel_after_two_batches)
    pairs, used = _visible_counts(store_dir)
    assert 4 <= pairs < 12 and used == [pairs, pairs]
    result = ingest(data, store_dir, model=str(tiny_model_dir), config=SMALL)
    assert result.already_ingested == pairs and result.pairs == 12 - pairs
    assert _visible_counts(store_dir) == (12, [12, 12])
    _assert_same_rows(_as_dict(reference_store[0]), _as_dict(store_dir))


def test_driver_killed_between_vectors_and_pairs_keeps_counts_consistent_and_rerun_completes(
    reference_store, tiny_model_dir, tmp_path
):
    _, data = reference_store
    store_dir = tmp_path / "store"
    script = textwrap.dedent(
        f"""
        import os, signal
        from prefsight.ingest import ingest
        from prefsight.store.tables import Store
        from tests.integration.test_ingest import SMALL
        commit = Store.commit_pairs
        calls = []
        def commit_then_die(self, pairs, *args):
            calls.append(pairs)
            if sum(map(len, calls)) > 4:  # this batch's vectors are written, its pairs not
                os.kill(os.getpid(), signal.SIGKILL)
            commit(self, pairs, *args)
        Store.commit_pairs = commit_then_die
        ingest({str(data)!r}, {str(store_dir)!r}, model={str(tiny_model_dir)!r}, config=SMALL)
        """
    )
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, "-c", script], cwd=root, env=_subprocess_env(), timeout=300)
    assert proc.returncode == -signal.SIGKILL
    store = Store(str(store_dir))
    vectors_of = set(store.scan("activations", ["pair_id"]).column("pair_id").to_pylist())
    pairs, used = _visible_counts(store_dir)
    assert 0 < pairs < len(vectors_of) < 12  # the last batch's vectors, without pair rows
    assert used == [pairs, pairs]  # what `info` counts is what the analysis reads
    result = ingest(data, store_dir, model=str(tiny_model_dir), config=SMALL)
    assert result.already_ingested == pairs and result.pairs == 12 - pairs
    assert _visible_counts(store_dir) == (12, [12, 12])
    _assert_same_rows(_as_dict(reference_store[0]), _as_dict(store_dir))
    samples = Store(str(store_dir)).scan("token_samples", ["pair_id", "side", "layer", "position"]).to_pylist()
    assert len(samples) == len({tuple(s.values()) for s in samples})


def test_ultrafeedback_dataset_object_ingests_with_exact_response_spans(tiny_model_dir, tmp_path, ray_local):
    """A ``datasets.Dataset`` in the UltraFeedback-binarized layout through the Python API:
    every response token (sample_per_response=-1) decodes to exactly the response."""
    import datasets
    from prefsight.models import load_tokenizer

    from tests.unit.test_data_inputs import ultrafeedback_rows

    rows = ultrafeedback_rows()
    config = IngestConfig(layers=(1,), max_length=256, sample_per_response=-1)
    result = ingest(datasets.Dataset.from_list(rows), tmp_path / "store", model=str(tiny_model_dir), config=config)
    assert result.pairs == 3
    store = Store(str(tmp_path / "store"))
    tokenizer = load_tokenizer(str(tiny_model_dir))[0]
    samples = store.scan("token_samples", ["pair_id", "side", "position", "token_id"]).to_pylist()
    for pair in store.read_pairs():
        assert pair["metadata"]["score_chosen"] == 8.5 and pair["dataset"] == "<Dataset in-memory>"
        for side in ("chosen", "rejected"):
            ids = [
                s["token_id"]
                for s in sorted(samples, key=lambda s: s["position"])
                if s["pair_id"] == pair["pair_id"] and s["side"] == side
            ]
            assert tokenizer.decode(ids) == pair[side]


def test_chunked_ingest_holds_at_most_a_chunk_and_writes_the_same_rows(reference_store, tiny_model_dir, tmp_path):
    """Memory is bounded by the chunk, not the dataset: with 3-pair chunks over 12
    pairs the driver never holds more than a chunk plus the batches in flight."""
    store_dir, data = reference_store
    chunked = IngestConfig(**{**SMALL.__dict__, "chunk_pairs": 3})
    result = ingest(data, tmp_path / "store", model=str(tiny_model_dir), config=chunked, workers=1)
    assert result.pairs == 12
    assert 0 < result.peak_pairs_held <= 3 + 1 * SMALL.max_batch_pairs < 12
    _assert_same_rows(_as_dict(store_dir), _as_dict(tmp_path / "store"))
    assert Store(str(tmp_path / "store")).count("pairs") == 12
    same = Store(str(store_dir)).runs()[0]["fingerprint"]
    assert Store(str(tmp_path / "store")).runs()[0]["fingerprint"] == same
    whole = ingest(data, tmp_path / "whole", model=str(tiny_model_dir), config=SMALL, workers=1)
    assert whole.peak_pairs_held == 12  # one chunk: the old, unbounded behaviour


def test_bad_row_in_a_later_chunk_still_leaves_no_store_behind(tmp_path, tiny_model_dir):
    rows = sample_rows(7) + ['{"prompt": "q", "chosen": ""}']
    data = write_jsonl(tmp_path / "d.jsonl", rows)
    chunked = IngestConfig(**{**SMALL.__dict__, "chunk_pairs": 2})
    with pytest.raises(BadRow, match=r"d.jsonl:8: "):
        ingest(data, tmp_path / "store", model=str(tiny_model_dir), config=chunked)
    assert not (tmp_path / "store").exists()
    long_row = {"id": "long", "prompt": "q", "chosen": "rice " * 400, "rejected": "no"}
    data = write_jsonl(tmp_path / "e.jsonl", sample_rows(7) + [long_row])
    with pytest.raises(BadRow, match=r"e.jsonl:8: response is \d+ tokens"):
        ingest(data, tmp_path / "store", model=str(tiny_model_dir), config=chunked)
    assert not (tmp_path / "store").exists()
