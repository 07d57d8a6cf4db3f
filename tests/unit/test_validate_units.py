"""prefsight.validate's pure parts: predictors, agreement statistics, the split, the scatter."""

from __future__ import annotations

import numpy as np
import pytest
from prefsight.audit.scoring import PairScores
from prefsight.concepts.types import Concept
from prefsight.report.validation import scatter_svg
from prefsight.validate.compare import agreement, diff_ci, mean_ci, shift_scale
from prefsight.validate.config import split_by_prompt
from prefsight.validate.predict import predict


def _scores(chosen: np.ndarray, rejected: np.ndarray) -> PairScores:
    n, k = chosen.shape
    concepts = [Concept(id=f"text:c{j}", kind="text", label=f"c{j}", layer=None) for j in range(k)]
    return PairScores([f"p{i}" for i in range(n)], concepts, chosen, rejected, np.zeros(n, np.int8), np.zeros(n))


def test_diagonal_predictor_is_delta_over_pooled_sd_and_support_counts_nonzero():
    rng = np.random.default_rng(0)
    chosen = rng.normal(1.0, 2.0, (50, 3))
    rejected = rng.normal(0.0, 1.0, (50, 3))
    chosen[:, 2] = 0.0
    rejected[:10, 2] = 1.0
    rejected[10:, 2] = 0.0
    p = predict(_scores(chosen, rejected))
    delta = (chosen - rejected).mean(0)
    sd = np.sqrt((chosen.var(0, ddof=1) + rejected.var(0, ddof=1)) / 2)
    np.testing.assert_allclose(p.diagonal, delta / sd, rtol=1e-9)
    assert p.support.tolist() == [100, 100, 10]
    assert p.diagonal[2] < 0 and p.full.shape == (3,)


def test_agreement_recovers_a_known_slope_and_rejects_noise():
    rng = np.random.default_rng(1)
    x = rng.normal(size=60)
    exact = agreement(x, 0.3 * x, n_boot=200)
    assert exact["r2"] == pytest.approx(1.0) and exact["spearman"] == pytest.approx(1.0)
    assert exact["shift_scale"] == pytest.approx(0.3) and exact["r2_calibrated"] == pytest.approx(1.0)
    assert exact["n_concepts"] == 60
    noise = agreement(x, rng.normal(size=60), n_boot=200)
    assert noise["r2"] < 0.2
    low, high = noise["r2_ci"]
    assert 0 <= low <= noise["r2"] <= high <= 1
    # a constant measured side has no correlation to report
    assert agreement(x, np.zeros(60), n_boot=50)["r2"] is None
    with pytest.raises(ValueError):
        agreement(x, x[:-1])


def test_shift_scale_is_the_least_squares_slope_through_the_origin():
    x = np.array([1.0, 2.0, 3.0])
    y = np.array([2.0, 4.5, 5.5])
    assert shift_scale(x, y) == pytest.approx(np.dot(x, y) / np.dot(x, x))


def test_mean_and_paired_difference_cis():
    m = mean_ci([1.0] * 20)
    assert m["mean"] == 1.0 and m["ci"] == [1.0, 1.0] and m["n"] == 20
    d = diff_ci(np.ones(30), np.zeros(30))
    assert d["mean"] == 1.0 and d["ci"][0] == 1.0
    assert mean_ci([])["mean"] is None
    with pytest.raises(ValueError):
        diff_ci([1.0, 2.0], [1.0])


def test_split_by_prompt_keeps_prompts_disjoint():
    rows = [{"id": f"p{i}", "prompt": f"q{i % 7}", "chosen": "a", "rejected": "b"} for i in range(40)]
    train, held = split_by_prompt(rows, 0.3, seed=0)
    assert len(train) + len(held) == 40 and held and train
    assert not {r["prompt"] for r in train} & {r["prompt"] for r in held}
    assert split_by_prompt(rows, 0.3, seed=0) == (train, held)


def test_scatter_marks_planted_concepts():
    points = [
        {"id": "sae:L1:1", "kind": "sae", "predicted": 0.5, "measured": 0.2, "planted": None},
        {"id": "sae:L1:2", "kind": "sae", "predicted": -0.1, "measured": 0.4, "planted": "emoji"},
    ]
    svg = scatter_svg(points, "t")
    assert svg.startswith("<svg") and svg.count("data-concept=") == 2
    assert "planted trait emoji" in svg and "#D55E00" in svg


def test_split_half_reliability_is_high_for_real_shifts_and_near_zero_for_noise():
    from prefsight.validate.compare import split_half_reliability

    rng = np.random.default_rng(0)
    n_prompts, per_prompt, n_concepts = 40, 4, 60
    prompt = np.repeat(np.arange(n_prompts), per_prompt)
    true_shift = rng.normal(0, 1, n_concepts)
    before = rng.normal(0, 1, (prompt.size, n_concepts))
    after = rng.normal(0, 1, (prompt.size, n_concepts)) + true_shift
    sd = np.ones(n_concepts)
    strong = split_half_reliability(before, after, prompt, prompt, sd)
    assert strong["reliability"] > 0.9 and strong["r2_ceiling"] == strong["reliability"] and strong["n_splits"] == 50
    noise = split_half_reliability(before, rng.normal(0, 1, after.shape), prompt, prompt, sd)
    assert abs(noise["split_half_r"]) < 0.15 and noise["r2_ceiling"] < 0.25
    # halves by prompt: a shift carried by a single prompt's completions is not reproducible
    one_prompt = after - true_shift
    one_prompt[prompt == 0] += 50 * true_shift
    assert split_half_reliability(before, one_prompt, prompt, prompt, sd)["split_half_r"] < 0.3
    assert split_half_reliability(before[:, :2], after[:, :2], prompt, prompt, sd[:2])["reliability"] is None


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--train-pairs", "-1", "--train-pairs must be >= 0, got -1"),
        ("--heldout-pairs", "-3", "--heldout-pairs must be >= 0, got -3"),
        ("--heldout-fraction", "1.5", "--heldout-fraction must be in (0, 1), got 1.5"),
    ],
)
def test_validate_cli_refuses_bad_sizes_before_writing_anything(tmp_path, flag, value, message):
    from prefsight.cli import app
    from typer.testing import CliRunner

    data = tmp_path / "pairs.jsonl"
    data.write_text('{"prompt": "p", "chosen": "a", "rejected": "b"}\n')
    result = CliRunner().invoke(app, ["validate", str(data), "--workdir", str(tmp_path / "run"), flag, value])
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "run").exists()
