"""``validate.train``: what one DPO step costs — the reference runs once per run, no re-computed forwards.

TRL 1.16's ``DPOConfig`` defaults to a reference forward every step and to gradient
checkpointing (every layer's forward run twice); on the 2-core CPU those made a
step ≈ 2× slower than it needs to be. Counting the model's forwards pins both.
"""

from __future__ import annotations

import math

import pytest

pytest.importorskip("trl")
import torch  # noqa: E402
from prefsight.validate.train import TrainConfig, dpo_rows, train_dpo, use_bf16  # noqa: E402
from transformers import AutoTokenizer  # noqa: E402

PAIRS = [
    {"id": f"p{i}", "prompt": f"question number {i} about rice", "chosen": "rinse it and simmer", "rejected": "no"}
    for i in range(8)
]


def _count_forwards() -> tuple[dict[str, int], object]:
    """Counts calls of the top causal-LM module and of its decoder layers while training."""
    counts = {"model": 0, "layers": 0}

    def hook(module, _args, _out):
        name = type(module).__name__
        if name.endswith("ForCausalLM"):
            counts["model"] += 1
        elif name.endswith("DecoderLayer"):
            counts["layers"] += 1

    return counts, torch.nn.modules.module.register_module_forward_hook(hook)


def test_reference_log_probs_are_computed_once_and_layers_run_once_per_step(tmp_path, tiny_model_dir):
    counts, handle = _count_forwards()
    config = TrainConfig(learning_rate=1e-4, epochs=1.0, batch_size=4, max_length=64, mixed_precision="no")
    try:
        model, record = train_dpo(
            tiny_model_dir, dpo_rows(PAIRS), config, tmp_path, tokenizer=AutoTokenizer.from_pretrained(tiny_model_dir)
        )
    finally:
        handle.remove()
    steps = record["steps"]
    assert steps == 2 and math.isfinite(record["final_loss"])
    reference_batches = math.ceil(len(PAIRS) / max(config.batch_size, 8))  # precompute_ref_batch_size
    # one policy forward a step (chosen and rejected concatenated) + the reference pass, once
    assert counts["model"] == steps + reference_batches, counts
    # gradient checkpointing would run each decoder layer's forward again in the backward
    assert counts["layers"] == counts["model"] * model.config.num_hidden_layers, counts
    assert record["autocast"] == "no" and record["reference"].startswith("log-probs precomputed once")
    assert not model.training and not any(p.requires_grad for p in model.parameters())


def test_mixed_precision_setting():
    assert use_bf16(TrainConfig(mixed_precision="no"), "cpu", "bfloat16")  # bf16 weights always autocast
    assert not use_bf16(TrainConfig(mixed_precision="no"), "cpu", "float32")
    assert use_bf16(TrainConfig(mixed_precision="bf16"), "cpu", "float32")
    assert use_bf16(TrainConfig(), "cuda", "float32")
    native = bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    assert use_bf16(TrainConfig(), "cpu", "float32") == native
    with pytest.raises(ValueError, match="mixed_precision"):
        TrainConfig(mixed_precision="fp16")
