"""The audit path end to end on the tiny model: dictionary, contrast, CLI, interventions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from prefsight.apps.demo import generate_demo
from prefsight.audit import AuditConfig, audit
from prefsight.audit.dictionary import DictionaryConfig
from prefsight.errors import FailedPrecondition, InvalidArgument, NotFound
from prefsight.ingest import IngestConfig
from prefsight.session import StoreSession

from tests.source_env import REPO, source_env

CONFIG = AuditConfig(
    dictionary=DictionaryConfig(n_latents=64, k=4, sae_epochs=5),
    ingest=IngestConfig(max_length=1024),
    top=8,
    examples=2,
)
KEYS = {"id", "label", "kind", "delta", "d", "q", "split_half"}


@pytest.fixture(scope="module")
def audited(tmp_path_factory, tiny_model_dir, ray_local):
    root = tmp_path_factory.mktemp("audit")
    data = root / "demo.jsonl"
    generate_demo(n_pairs=60, seed=3).write(data)
    document = audit(data, root / "store", model=str(tiny_model_dir), config=CONFIG)
    return root, data, document


def test_audit_document_has_ranked_concepts_with_stable_keys(audited):
    _, _, document = audited
    records = document["concepts"]
    assert len(records) == CONFIG.top
    assert all(KEYS <= set(r) for r in records)
    assert {r["kind"] for r in document["text_checks"]} == {"text"}
    kinds = {c["kind"] for c in records} | {"text"}
    assert kinds <= {"sae", "contrast", "named", "text"}
    passing = [r["split_half"] for r in records]
    assert passing == sorted(passing, reverse=True), "split-half passes rank first"
    first = records[0]
    assert first["examples"] and first["examples"][0]["chosen_tokens"] is not None
    assert document["sae"]["n_latents"] == 64 and document["topics"]["source"] == "field:domain"


def test_audit_reuses_dictionary_on_rerun(audited, tiny_model_dir):
    root, data, document = audited
    again = audit(data, root / "store", model=str(tiny_model_dir), config=CONFIG)
    assert again["ingest"]["pairs"] == 0
    assert [r["id"] for r in again["concepts"]] == [r["id"] for r in document["concepts"]]


def test_scores_are_chosen_minus_rejected_per_pair(audited):
    root, _, document = audited
    session = StoreSession(str(root / "store"))
    concept = document["concepts"][0]
    rows = session.scores(concept["id"])
    assert len(rows) == document["pairs"]
    delta = np.array([r["delta"] for r in rows])
    np.testing.assert_allclose(delta, [r["chosen"] - r["rejected"] for r in rows], atol=1e-6)
    np.testing.assert_allclose(delta.mean(), concept["delta"], rtol=1e-4, atol=1e-6)


def test_text_check_scores_match_the_texts(audited):
    from prefsight.concepts.text_checks import score_texts

    root, _, _ = audited
    session = StoreSession(str(root / "store"))
    rows = session.scores("text:url_count")
    pairs = {p["pair_id"]: p for p in session.store.read_pairs()}
    for r in rows[:10]:
        assert r["chosen"] == score_texts([pairs[r["pair_id"]]["chosen"]], ["url_count"])[0, 0]


def test_unknown_concept_layer_and_store_name_what_exists(audited, tmp_path):
    root, _, _ = audited
    session = StoreSession(str(root / "store"))
    with pytest.raises(NotFound, match=r"concept 'nope' not in store .* \(e\.g\. "):
        session.scores("nope")
    with pytest.raises(InvalidArgument, match=r"layer 3 not in store .* \(layers: \[2\]\)"):
        session.contrast(layer=3)
    with pytest.raises(NotFound, match="does not exist"):
        StoreSession(str(tmp_path / "missing"))
    with pytest.raises(InvalidArgument, match="unknown concept kind"):
        session.contrast(kinds=("bogus",))


def test_nearest_feature_of_a_concept_is_itself(audited):
    root, _, document = audited
    session = StoreSession(str(root / "store"))
    concept = next(r for r in document["concepts"] if r["kind"] != "text")
    query, layer = session.query_vector(concept_id=concept["id"])
    hits = session.nearest_features(query, 3, layer=layer)
    assert hits[0].id == concept["id"] and hits[0].score == pytest.approx(1.0, abs=1e-4)
    pair = document["concepts"][0]["examples"][0]["pair_id"]
    query, layer = session.query_vector(pair_id=pair)
    assert session.nearest_examples(query, 4, layer=layer)


def test_define_concept_then_it_is_scored(audited):
    root, _, _ = audited
    session = StoreSession(str(root / "store"))
    concept = session.define_concept(
        "links",
        ["See https://a.org/x for more.", "Read https://b.com/y today."],
        ["See the manual for more.", "Read the guide today."],
    )
    assert concept.id == "named:L2:links"
    rows = session.scores(concept.id)
    assert len(rows) == 60 and any(r["delta"] != 0 for r in rows)


def test_filter_dry_run_reports_delta_shift_and_writes_nothing(audited, tmp_path):
    root, data, document = audited
    session = StoreSession(str(root / "store"))
    concept = document["concepts"][0]["id"]
    result = session.intervene(
        "filter", [concept], data=str(data), output=str(tmp_path / "f.jsonl"), top_fraction=0.2, dry_run=True
    )
    assert result["pairs_selected"] == 12 and result["shift"]
    moved = next(s for s in result["shift"] if s["id"] == concept)
    assert abs(moved["delta_after"]) < abs(moved["delta_before"])
    assert not (tmp_path / "f.jsonl").exists()


def test_filter_and_inoculate_write_the_input_format_and_a_manifest(audited, tmp_path):
    root, data, document = audited
    session = StoreSession(str(root / "store"))
    concept = document["concepts"][0]["id"]
    out = tmp_path / "filtered.jsonl"
    result = session.intervene("filter", [concept], data=str(data), output=str(out), top_fraction=0.25)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    manifest = json.loads(Path(result["manifest"]).read_text())
    assert len(rows) == 60 - 15 and len(manifest["pairs"]) == 15
    removed = {p["pair_id"] for p in manifest["pairs"]}
    assert removed.isdisjoint({r["id"] for r in rows})
    assert set(rows[0]) == {"id", "prompt", "chosen", "rejected", "domain"}
    out = tmp_path / "inoculated.jsonl"
    session.intervene("inoculate", [concept], data=str(data), output=str(out), top_fraction=0.25)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    changed = [r for r in rows if r["id"] in removed]
    assert len(rows) == 60 and len(changed) == 15
    assert all(r["prompt"].startswith("In this reply, show this trait on purpose:") for r in changed)


def test_contrast_before_audit_is_failed_precondition(tmp_path, tiny_model_dir, ray_local):
    from prefsight.ingest import ingest

    from tests.conftest import sample_rows, write_jsonl

    data = write_jsonl(tmp_path / "d.jsonl", sample_rows(6))
    ingest(data, tmp_path / "store", model=str(tiny_model_dir), config=IngestConfig(max_length=256))
    with pytest.raises(FailedPrecondition, match="no concepts"):
        StoreSession(str(tmp_path / "store")).contrast()


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = source_env(with_repo=True)
    return subprocess.run(
        [sys.executable, "-m", "prefsight.cli", *args], capture_output=True, text=True, env=env, cwd=REPO, timeout=300
    )


def test_cli_contrast_scores_json_and_errors(audited):
    root, _, document = audited
    store = str(root / "store")
    out = _cli("contrast", "--store", store, "--top", "5", "--json")
    assert out.returncode == 0, out.stderr
    records = json.loads(out.stdout)["concepts"]
    assert [r["id"] for r in records] == [r["id"] for r in document["concepts"][:5]]
    out = _cli("scores", "--store", store, "--concept", records[0]["id"], "--json")
    rows = json.loads(out.stdout)["scores"]  # one JSON object (issue 8), rows under "scores"
    assert set(rows[0]) == {"pair_id", "chosen", "rejected", "delta"} and len(rows) == 60
    out = _cli("scores", "--store", store, "--concept", "nope")
    assert out.returncode == 2 and out.stderr.startswith("error: concept 'nope' not in store")
    assert len(out.stderr.strip().splitlines()) == 1
    out = _cli("contrast", "--store", str(root / "missing"))
    assert out.returncode == 2 and "does not exist" in out.stderr


def test_report_renders_from_the_audit(audited, tmp_path):
    root, _, _ = audited
    out = _cli("report", "--store", str(root / "store"), "--out", str(tmp_path / "r.html"))
    assert out.returncode == 0, out.stderr
    html = (tmp_path / "r.html").read_text()
    assert 'id="forest-plot"' in html and 'id="fire-scatter"' in html


def test_audit_labels_concepts_from_their_contexts(audited, tmp_path):
    """Top concepts get contexts from both sides, enriched n-grams and a label; placeholder
    SAE labels are replaced in the concepts table (ids kept), and the label is what an
    inoculation names; counts cover every tested concept; listed concepts have examples."""
    from prefsight.audit.labels import PLACEHOLDER
    from prefsight.audit.to_report import report_data
    from prefsight.concepts.catalog import load_concepts
    from prefsight.store.tables import Store

    root, data, document = audited
    listed = document["concepts"] + document["more_concepts"]
    labelled = [r for r in listed if "contexts" in r]
    assert labelled and all(r["auto_label"].startswith("fires on:") or not r["auto_label"] for r in labelled)
    sae = [r for r in labelled if r["kind"] == "sae" and r["auto_label"]]
    assert sae, "no SAE concept got an automatic label"
    sides = {c["side"] for r in labelled for c in r["contexts"]}
    assert sides == {"chosen", "rejected"}
    context = sae[0]["contexts"][0]
    assert max(a for _, a in context["tokens"]) == pytest.approx(context["activation"])
    table = {c.id: c for c in load_concepts(Store(str(root / "store")))}
    for record in sae:
        assert table[record["id"]].label == record["label"] == record["auto_label"]
        assert not PLACEHOLDER.match(record["label"])
    assert document["tested"]["total"] >= len([r for r in listed if r["kind"] != "text"])
    assert sum(v for k, v in document["tested"].items() if k != "total") == document["tested"]["total"]
    report = report_data(document)
    assert all(row.examples for row in report.concepts if row.id in {r["id"] for r in labelled})
    out = tmp_path / "inoculated.jsonl"
    StoreSession(str(root / "store")).intervene(
        "inoculate", [sae[0]["id"]], data=str(data), output=str(out), top_fraction=0.25
    )
    prompts = [json.loads(line)["prompt"] for line in out.read_text().splitlines()]
    assert any(sae[0]["label"] in p for p in prompts)


def test_an_analysis_reads_each_sides_vectors_once(audited, monkeypatch):
    """A full read of a 200k-pair side is seconds: the scores, the pooled means and the
    cross-fit share one read per side (five before)."""
    from prefsight.audit.analysis import analyse
    from prefsight.store import Store

    root, _, document = audited
    store = Store(str(root / "store"))
    reads = []
    original = Store.read_pooled
    monkeypatch.setattr(Store, "read_pooled", lambda self, **kw: reads.append(kw["side"]) or original(self, **kw))
    result = analyse(store, layer=document["layer"])
    assert sorted(reads) == ["chosen", "rejected"]
    assert len(result.scores.pair_ids) == document["pairs"]
