"""Bad input to an ingest, through the CLI (exit 2, one line) and the server (INVALID_ARGUMENT).

A corrupt .jsonl.gz, invalid UTF-8 and an id already stored with other content
are each named by file and line; ``--skip-bad`` keeps what can be kept and
lists the rest. A cancelled Ingest RPC leaves Info counting exactly the pairs
the analysis reads.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from prefsight.ingest import IngestConfig, ingest
from prefsight.store import Store
from prefsight_client import Client, InvalidArgumentError

from tests.conftest import sample_rows, write_jsonl

SMALL = IngestConfig(layers=(1,), token_budget=1024, max_batch_pairs=2, max_length=256)
ROOT = Path(__file__).resolve().parents[2]
FAST = ("--layers", "1", "--max-length", "256")


def _truncated_gz(path: Path, rows: list[dict], copies: int = 400) -> Path:
    """A .jsonl.gz cut in half: the first rows read, the rest cannot."""
    lines = [json.dumps({**row, "id": f"{row['id']}-{k}"}) for k in range(copies) for row in rows]
    data = gzip.compress(("\n".join(lines) + "\n").encode())
    path.write_bytes(data[: len(data) // 2])
    return path


def _bad_utf8(path: Path) -> Path:
    good = json.dumps(sample_rows(1)[0]).encode()
    path.write_bytes(good + b"\n" + b'{"prompt": "caf\xe9", "chosen": "c", "rejected": "r"}\n')
    return path


@pytest.fixture(scope="module")
def stored(tmp_path_factory, tiny_model_dir, ray_local) -> Path:
    """A store holding p000..p003."""
    root = tmp_path_factory.mktemp("stored")
    data = write_jsonl(root / "pairs.jsonl", sample_rows(4))
    ingest(data, root / "store", model=str(tiny_model_dir), config=SMALL)
    return root / "store"


def _conflict(path: Path) -> Path:
    return write_jsonl(path, [sample_rows(6)[5], {**sample_rows(2)[1], "rejected": "Other."}])


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "prefsight.cli", "ingest", *args], capture_output=True, text=True, timeout=300, cwd=ROOT
    )


@pytest.mark.parametrize(
    "make, message",
    [
        (
            lambda d: _truncated_gz(d / "d.jsonl.gz", sample_rows(4)),
            r"d.jsonl.gz:\d+: cannot read on after line \d+ \(Compressed file ended",
        ),
        (lambda d: _bad_utf8(d / "d.jsonl"), r"d.jsonl:2: invalid UTF-8 at byte 16 of the line"),
        (lambda d: _conflict(d / "d.jsonl"), r"d.jsonl:2: id 'p001' is already in the store with other content"),
    ],
    ids=["corrupt-gzip", "invalid-utf8", "stored-id"],
)
def test_cli_bad_input_exits_2_with_file_and_line(make, message, stored, tiny_model_dir, tmp_path):
    before = Store(str(stored)).count("activations")
    proc = _cli(str(make(tmp_path)), "--store", str(stored), "--model", str(tiny_model_dir), "-q")
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    [line] = [x for x in proc.stderr.splitlines() if x.startswith("error: ")]
    assert re.search(message, line), line
    assert Store(str(stored)).count("activations") == before
    assert Store(str(stored)).count("pairs") == 4


def test_cli_skip_bad_skips_a_stored_id_with_other_content(stored, tiny_model_dir, tmp_path):
    store = tmp_path / "store"
    shutil.copytree(stored, store)
    path = write_jsonl(tmp_path / "d.jsonl", [{**sample_rows(2)[1], "chosen": "Other."}, sample_rows(6)[5]])
    proc = _cli(str(path), "--store", str(store), "--model", str(tiny_model_dir), "-q", "--skip-bad", *FAST)
    assert proc.returncode == 0, proc.stderr
    skipped = [x for x in proc.stderr.splitlines() if x.startswith("skipped ")]
    assert skipped == [f"skipped {path}:1: id 'p001' is already in the store with other content"]
    assert sorted(Store(str(store)).pair_ids()) == ["p000", "p001", "p002", "p003", "p005"]
    assert Store(str(store)).read_pairs(["p001"])[0]["chosen"] == sample_rows(2)[1]["chosen"]


def test_cli_skip_bad_lists_an_unreadable_gzip_tail(stored, tiny_model_dir, tmp_path):
    path = _truncated_gz(tmp_path / "d.jsonl.gz", sample_rows(12)[8:], copies=100)
    store = tmp_path / "s"
    proc = _cli(str(path), "--store", str(store), "--model", str(tiny_model_dir), "--skip-bad", "--json", *FAST)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    [tail] = result["skipped"]
    assert "cannot read on after line" in tail["problem"]
    assert 0 < result["pairs"] == tail["line"] - 1 == Store(str(store)).count("pairs")


def test_cli_ingest_merges_the_files_of_earlier_runs_and_says_so(tiny_model_dir, tmp_path):
    store, rows, tiny = tmp_path / "s", sample_rows(12), ("--model", str(tiny_model_dir), *FAST)
    for i, part in enumerate((rows[:4], rows[4:8])):  # two runs: two appends per table
        proc = _cli(str(write_jsonl(tmp_path / f"{i}.jsonl", part)), "--store", str(store), "-q", *tiny)
        assert proc.returncode == 0, proc.stderr
    assert Store(str(store)).fragmented() == {}, "the second run merges what the two left"
    proc = _cli(str(write_jsonl(tmp_path / "2.jsonl", rows[8:])), "--store", str(store), *tiny)
    assert proc.returncode == 0, proc.stderr
    assert "merging the store's small files" in proc.stderr
    assert sorted(Store(str(store)).pair_ids()) == sorted(r["id"] for r in rows)
    assert Store(str(store)).fragmented() == {}


# -- over gRPC -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(stored, tiny_model_dir, tmp_path_factory):
    from prefsight.server.app import build_server
    from prefsight.server.servicer import PrefsightServicer, ServicerConfig

    root = tmp_path_factory.mktemp("grpc-ingest")
    # the tests' own folders (tmp_path) lie under pytest's base temp folder: the data root
    config = ServicerConfig(default_model=str(tiny_model_dir), data_roots=(str(tmp_path_factory.getbasetemp()),))
    servicer = PrefsightServicer([stored, root / "scratch"], config)
    running = build_server(servicer).start()
    yield running, servicer
    running.stop(grace=0)


@pytest.fixture
def client(server):
    with Client(server[0].address, timeout=120) as client:
        yield client


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda d: _truncated_gz(d / "d.jsonl.gz", sample_rows(4)), "cannot read on after line"),
        (lambda d: _bad_utf8(d / "d.jsonl"), "d.jsonl:2: invalid UTF-8"),
        (lambda d: _conflict(d / "d.jsonl"), "d.jsonl:2: id 'p001' is already in the store"),
    ],
    ids=["corrupt-gzip", "invalid-utf8", "stored-id"],
)
def test_ingest_rpc_bad_input_is_invalid_argument(make, message, client, stored, tmp_path):
    before = Store(str(stored)).count("activations")
    with pytest.raises(InvalidArgumentError, match=message):
        list(client.ingest(stored.name, str(make(tmp_path)), layers=[1], max_length=256))
    assert Store(str(stored)).count("activations") == before
    assert client.info(stored.name).pairs == 4


def test_cancelled_ingest_rpc_leaves_info_equal_to_what_the_analysis_reads(client, server, tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", sample_rows(12))
    stream = client.ingest("scratch", str(data), layers=[1], max_length=256, token_budget=256)
    for event in stream:
        if event.stage == "write":
            break
    stream.cancel()
    list(stream)
    assert server[1].ingests.wait_idle("scratch", timeout=60)
    store = Store(str(server[1].stores.uri("scratch")))
    model = store.models()[0]
    used, _ = store.read_pooled(model=model, layer=1, side="chosen", pooling="mean")
    assert 0 < client.info("scratch").pairs == len(used) < 12
    list(client.ingest("scratch", str(data), layers=[1], max_length=256))
    assert client.info("scratch").pairs == 12
