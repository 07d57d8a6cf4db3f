"""bench/recovery.py end to end on the tiny model: a trait set and the control."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from prefsight.audit import AuditConfig
from prefsight.audit.dictionary import DictionaryConfig
from prefsight.ingest import IngestConfig

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import recovery  # noqa: E402

CONFIG = AuditConfig(
    dictionary=DictionaryConfig(n_latents=64, k=4, sae_epochs=2), ingest=IngestConfig(max_length=512), top=5, examples=0
)


def test_trait_run_ranks_only_named_things_and_scores_both_sides(tmp_path, tiny_model_dir, ray_local):
    row = recovery.trait_run("emoji", seed=3, pairs=40, model=str(tiny_model_dir), workdir=tmp_path, config=CONFIG)
    assert row["rank1"]["rank"] == 1 and row["rank1"]["kind"] != "contrast"
    assert all(r["kind"] != "contrast" for r in row["top5"])
    assert 1 <= row["best"]["rank"] <= recovery.TOP_SEARCHED
    assert all(0.0 <= r["auroc"] <= 1.0 or np.isnan(r["auroc"]) for r in row["top5"])
    assert row["best"]["auroc"] >= row["rank1"]["auroc"]
    assert row["passed"] == (row["rank1"]["auroc"] >= 0.9 and row["best"]["rank"] <= 3)
    # the audit's scores came from this planted set: 40 pairs, truth on both sides
    assert (tmp_path / "emoji.jsonl.truth.json").exists()


def test_control_run_counts_significant_replicated_concepts(tmp_path, tiny_model_dir, ray_local):
    control = recovery.control_run(
        ["emoji", "apology"], seed=4, pairs=40, model=str(tiny_model_dir), workdir=tmp_path, config=CONFIG
    )
    assert 0 < control["flipped"] < 40 and control["concepts_tested"] > 10
    assert control["passed"] == (not control["false_discoveries"])
    assert all(f["q"] < 0.05 for f in control["false_discoveries"])
