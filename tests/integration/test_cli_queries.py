"""Queries read the saved analysis: contrast, scores, concepts list and info answer from the
files the audit left beside the store, without torch or LanceDB, and recompute when the
store changed. Concepts are named by id or label; typed records match the client's."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.source_env import source_env

ENV = source_env(with_repo=True)

PROBE = """
import sys, time
from prefsight.cli.app import main
sys.argv = ["prefsight", *sys.argv[1:]]
start = time.perf_counter()
try:
    main()
except SystemExit:
    pass
heavy = [m for m in ("torch", "lancedb", "prefsight.session", "prefsight.audit") if m in sys.modules]
print("\\nPROBE", round(time.perf_counter() - start, 3), ",".join(heavy), file=sys.stderr)
"""


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "prefsight.cli", *args], capture_output=True, text=True, env=env or ENV, timeout=600
    )


def _probe(*args: str) -> tuple[subprocess.CompletedProcess, float, str]:
    """Run a command in a fresh interpreter; (result, seconds in the command, heavy modules loaded)."""
    out = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=ENV, timeout=600)
    line = [x for x in out.stderr.splitlines() if x.startswith("PROBE")][-1].split(" ")
    return out, float(line[1]), line[2] if len(line) > 2 else ""


@pytest.fixture(scope="module")
def store(audited_store, tmp_path_factory) -> str:
    """A copy of the audited store (these tests rename concepts)."""
    copy = tmp_path_factory.mktemp("queries") / "demo"
    shutil.copytree(audited_store.uri, copy)
    return str(copy)


def test_the_audit_saves_what_queries_read(audited_store):
    saved = Path(audited_store.uri, "audit", "saved")
    names = {p.name for p in saved.iterdir()}
    assert {"default-layer.json", "findings-L2-dmin-all.json", "scores-L2.npz"} <= names


@pytest.mark.parametrize(
    "args",
    [
        ("contrast", "--top", "5", "--json"),
        ("concepts", "list", "--json"),
        ("info", "--json"),
        ("scores", "--concept", "FIRST", "--json"),
    ],
)
def test_queries_read_the_saved_answers_without_torch_or_lancedb(store, args):
    from prefsight.session import StoreSession

    session = StoreSession(store)
    first = session.contrast(top=1)[0]["id"]
    args = tuple(first if a == "FIRST" else a for a in args)
    _probe(*args, "--store", store)  # saves what is missing (info, catalog)
    out, seconds, heavy = _probe(*args, "--store", store)
    print(f"\n{' '.join(args[:2])}: {seconds:.2f} s in the command")
    assert out.returncode == 0 or "PROBE" in out.stderr, out.stderr
    assert heavy == "", f"{args[0]} loaded {heavy}"
    value = json.loads(out.stdout)
    assert isinstance(value, dict)
    if args[0] == "contrast":
        fresh = session.analysis().records(top=5)
        assert [r["id"] for r in value["concepts"]] == [r["id"] for r in fresh]
        assert [r["d"] for r in value["concepts"]] == pytest.approx([r["d"] for r in fresh])
        assert [r["id"] for r in value["overall"]] == [r["id"] for r in session.analysis().overall_records()]
    if args[0] == "scores":
        expected = session.analysis().scores.column(first)
        assert value["concept"] == first and value["n_pairs"] == 60
        assert [r["chosen"] for r in value["scores"]] == pytest.approx(expected[0].tolist(), abs=1e-5)
        assert [r["delta"] for r in value["scores"]] == pytest.approx((expected[0] - expected[1]).tolist(), abs=1e-5)


def test_a_changed_store_is_recomputed_not_read_stale(store):
    from prefsight import findings
    from prefsight.session import StoreSession

    session = StoreSession(store)
    top = session.contrast(top=1)[0]["id"]
    assert findings.read_findings(store, None) is not None
    session.rename_concept(top, "renamed on purpose", None)  # bumps the concepts table
    assert findings.read_findings(store, None) is None and findings.read_catalog(store) is None
    out = _cli("contrast", "--top", "3", "--json", "--store", store)
    assert out.returncode == 0, out.stderr
    labels = {r["id"]: r["label"] for r in json.loads(out.stdout)["concepts"]}
    assert labels[top] == "renamed on purpose"
    assert findings.read_findings(store, None) is not None  # saved again


def test_concepts_are_named_by_id_or_label_and_ambiguity_lists_them(store):
    from prefsight.session import StoreSession

    session = StoreSession(store)
    named = [r for r in session.contrast(top=1000) if r["kind"] == "named"][0]
    out = _cli("scores", "--concept", named["label"].upper(), "--json", "--store", store)
    assert out.returncode == 0, out.stderr and json.loads(out.stdout)["concept"] == named["id"]
    assert json.loads(out.stdout)["concept"] == named["id"]
    a, b = [r["id"] for r in session.contrast(top=1000) if r["kind"] == "sae"][:2]
    session.rename_concept(a, "twin", None)
    session.rename_concept(b, "twin", None)
    out = _cli("scores", "--concept", "twin", "--store", store)
    assert out.returncode == 2 and a in out.stderr and b in out.stderr and "names 2 concepts" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    out = _cli("concepts", "label", named["label"], "--description", "said plainly", "--json", "--store", store)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) | {} == {**json.loads(out.stdout), "id": named["id"], "description": "said plainly"}


def test_filter_dry_run_lists_the_pairs_and_top_is_a_count(store):
    from prefsight.session import StoreSession

    concept = StoreSession(store).contrast(top=1)[0]["id"]
    out = _cli("filter", "--concept", concept, "--top", "4", "--dry-run", "--json", "--store", store)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    chosen, rejected = StoreSession(store).analysis().scores.column(concept)
    delta = dict(zip(StoreSession(store).analysis().scores.pair_ids, (chosen - rejected).tolist(), strict=True))
    assert result["pairs_selected"] == 4 and len(result["pairs"]) == 4
    for p in result["pairs"]:
        assert p["deltas"][concept] == pytest.approx(delta[p["pair_id"]], abs=1e-5)
    text = _cli("filter", "--concept", concept, "--fraction", "0.1", "--dry-run", "--store", store)
    assert text.returncode == 0 and "pairs it would drop" in text.stdout
    assert sum(line.strip().startswith("demo") for line in text.stdout.splitlines()) == 6
    old = _cli("filter", "--concept", concept, "--top", "0.1", "--dry-run", "--json", "--store", store)
    assert old.returncode == 0 and "deprecated" in old.stderr
    assert json.loads(old.stdout)["pairs_selected"] == 6
    both = _cli("filter", "--concept", concept, "--top", "3", "--fraction", "0.1", "--dry-run", "--store", store)
    assert both.returncode == 2 and "exactly one" in both.stderr


def test_nearest_shows_labels_and_snippets_and_not_the_query(store):
    from prefsight.session import StoreSession

    named = [r for r in StoreSession(store).contrast(top=1000) if r["kind"] == "named"][0]
    out = _cli("nearest", "--concept", named["label"], "-k", "4", "--json", "--store", store)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert len(result["features"]) == 4 and named["id"] not in [f["id"] for f in result["features"]]
    assert all(f["label"] for f in result["features"])
    assert all(e["snippet"] for e in result["examples"])


def test_report_prints_json(store, tmp_path):
    out = _cli("report", "--out", str(tmp_path / "r.html"), "--json", "--store", store)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["report"] == str(tmp_path / "r.html")


def test_session_and_client_return_the_same_typed_records(served):
    from prefsight.records import ContrastResult, PairScores
    from prefsight.session import StoreSession
    from prefsight_client import Client

    session = StoreSession(str(served.store.uri))
    ours = session.contrast_result(top=5)
    assert isinstance(ours, ContrastResult) and len(ours) == 5
    with Client(served.address, timeout=120) as client:
        theirs = client.contrast("demo", top=5)
        their_scores = client.scores("demo", ours[0].id)
    assert [c.id for c in ours] == [c.id for c in theirs]
    assert [c.d for c in ours] == pytest.approx([c.d for c in theirs])
    assert list(ours.to_pandas().columns) == list(theirs.to_pandas().columns)
    assert [c.id for c in ours.overall] == [c.id for c in theirs.overall]
    scores = session.pair_scores(ours[0].id)
    assert isinstance(scores, PairScores)
    assert scores.pair_ids == their_scores.pair_ids
    assert scores.delta == pytest.approx(their_scores.delta, abs=1e-5)
    assert scores.to_pandas().shape == their_scores.to_pandas().shape == (60, 4)


def test_cli_timings_are_printed(store):
    """Wall time of each query in a fresh process (the README's figures come from the demo store)."""
    for args in (("info",), ("contrast", "--top", "20"), ("concepts", "list"), ("--help",)):
        start = time.perf_counter()
        out = _cli(*args, "--store", store) if args[0] != "--help" else _cli(*args)
        print(f"\nprefsight {' '.join(args)}: {time.perf_counter() - start:.2f} s")
        assert out.returncode == 0, out.stderr
