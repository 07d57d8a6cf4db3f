"""``prefsight validate`` and ``bench/validate.py --quick`` end to end on the tiny random llama.

Audit, predict, train a few DPO steps, generate, score, compare and one intervention;
the measured shifts are recomputed here from the saved generations, so a harness
that took "measured" from the training pairs (or from the prediction) fails.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

KEYS = ("r2", "spearman", "n_concepts", "shift_scale", "interventions", "concepts", "target")


def _bench_args(out: Path, model: Path, **extra: object) -> argparse.Namespace:
    import validate as bench  # bench/validate.py

    args = bench.parser().parse_args(["--quick", "--out", str(out), "--model", str(model)])
    for key, value in extra.items():
        setattr(args, key, value)
    return args


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory, tiny_model_dir, ray_local):
    import validate as bench

    out = tmp_path_factory.mktemp("validate")
    doc = bench.run(_bench_args(out, tiny_model_dir, pairs=40, interventions="shape"))
    return out, doc


def _finite_or_none(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isfinite(value))


def test_quick_benchmark_document_has_the_stable_keys_and_sane_values(quick_run):
    out, doc = quick_run
    for key in KEYS:
        assert key in doc, key
    assert json.loads((out / "validate.json").read_text())["n_concepts"] == doc["n_concepts"]
    assert doc["n_concepts"] == len(doc["concepts"]) >= 3
    assert all(c["support_train"] >= 20 and c["support_generated"] >= 20 for c in doc["concepts"])
    for key in ("r2", "spearman", "shift_scale", "r2_calibrated"):
        assert _finite_or_none(doc[key]), key
    assert doc["r2"] is None or 0.0 <= doc["r2"] <= 1.0
    assert doc["spearman"] is None or -1.0 <= doc["spearman"] <= 1.0
    assert set(doc["interventions"]) == {"plain", "shape(lam=1)"}
    for name, run in doc["interventions"].items():
        assert 0.0 <= run["trait_rate"] <= 1.0 and 0.0 <= run["trait_rate_before"] <= 1.0, name
        assert _finite_or_none(run["intended_gain"]), name
        assert run["training"]["steps"] >= 1 and run["training"]["seconds_per_step"] > 0
        assert run["training"]["hyperparameters"]["learning_rate"] > 0
        assert run["intended_pairs"] == doc["data"]["intended_pairs"]
    assert doc["interventions"]["shape(lam=1)"]["training"]["trainer"] == "ShapedDPOTrainer"
    assert doc["interventions"]["plain"]["training"]["trainer"] == "DPOTrainer"
    # the interventions aim at the target trait's best concept, measured by the independent detector
    assert doc["target"]["trait"] == "apology"
    assert doc["planted"]["apology"]["concept"] == doc["target"]["concept"]
    # held-out prompts are disjoint from training prompts
    train_prompts = {json.loads(line)["prompt"] for line in (out / "train.jsonl").open()}
    base = [json.loads(line) for line in (out / "generations" / "base.jsonl").open()]
    assert base and not {g["prompt"] for g in base} & train_prompts
    assert (out / "validate_scatter.svg").read_text().startswith("<svg")
    assert {"split_half_r", "reliability", "r2_ceiling", "r2_disattenuated"} <= set(doc["measurement"])
    page = (out / "validate.html").read_text()  # the page carries the scatter, one marker per compared concept
    assert page.count("<g data-concept=") == doc["n_concepts"] and 'id="runs-table"' in page


def test_measured_shifts_come_from_the_generations_and_predictions_from_the_training_pairs(quick_run):
    from prefsight.audit.analysis import analyse, sae_loader
    from prefsight.concepts import kinds
    from prefsight.models import load_model
    from prefsight.store.tables import Store
    from prefsight.validate.measure import EMPTY_STAND_IN
    from prefsight.validate.predict import predict

    out, doc = quick_run
    store = Store(str(out / "store"))
    analysis = analyse(store, layer=doc["layer"])
    prediction = predict(analysis.scores)
    ids = [c.id for c in analysis.scores.concepts]
    points = doc["concepts"]
    chosen = [points[0], points[-1]]
    concepts = [analysis.scores.concepts[ids.index(p["id"])] for p in chosen]
    loaded = load_model(doc["model"])

    def mean_scores(name: str) -> np.ndarray:
        rows = [json.loads(line) for line in (out / "generations" / f"{name}.jsonl").open()]
        texts = [r["text"] if r["text"].strip() else EMPTY_STAND_IN for r in rows]
        responses = kinds.from_texts(
            loaded, doc["layer"], texts, [r["prompt"] for r in rows], load_sae=sae_loader(store, doc["layer"])
        )
        return kinds.score_dense(concepts, responses).mean(0)

    after, before = mean_scores("plain"), mean_scores("base")
    for j, point in enumerate(chosen):
        k = ids.index(point["id"])
        assert point["predicted"] == pytest.approx(prediction.diagonal[k], rel=1e-6)
        assert point["measured"] == pytest.approx((after[j] - before[j]) / prediction.sd[k], rel=1e-3, abs=1e-6)
    predicted = np.array([p["predicted"] for p in points])
    measured = np.array([p["measured"] for p in points])
    assert not np.allclose(predicted, measured)


def test_cli_validate_quick_json(tmp_path, tiny_model_dir, ray_local):
    from planted import generate
    from prefsight.cli import app
    from typer.testing import CliRunner

    data = generate(["apology"], n_pairs=32, seed=3).write(tmp_path / "pairs.jsonl")
    result = CliRunner().invoke(
        app,
        [
            "validate",
            str(data),
            "--workdir",
            str(tmp_path / "run"),
            "--model",
            str(tiny_model_dir),
            "--quick",
            "--json",
            "--interventions",
            "filter",
            "--trait-check",
            r"\bsorry\b|apolog",
            "--trait-name",
            "apology",
        ],
    )
    if result.exit_code != 0:
        import traceback

        detail = "".join(traceback.format_exception(result.exception)) if result.exception else ""
        raise AssertionError(f"exit {result.exit_code}: {detail[-3000:]}{result.output[-1500:]}")
    doc = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(doc["interventions"]) == {"plain", "filter"}
    assert doc["target"]["trait"] == "apology"
    filtered = doc["interventions"]["filter"]["training"]["n_pairs"]
    assert filtered < doc["interventions"]["plain"]["training"]["n_pairs"]
    for run in doc["interventions"].values():
        assert 0.0 <= run["trait_rate"] <= 1.0 and _finite_or_none(run["intended_gain"])
