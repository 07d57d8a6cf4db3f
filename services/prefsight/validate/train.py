"""Train the model with TRL's DPO (full fine-tuning), plain or with an intervention.

Owns: turning pairs into TRL's conversational rows (prompt as a user turn, an
optional system turn for inoculation), the DPO hyper-parameters (``TrainConfig``,
recorded in the output), the seeded trainer, reference log-probs precomputed
once per run (``precompute_ref_log_probs``), the shaped trainer for reward
shaping and preventative steering around ``train()`` (the reference log-probs
are computed unsteered, before it). Imports torch and TRL.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainConfig:
    """DPO hyper-parameters (TRL ``DPOConfig`` fields of the same meaning)."""

    learning_rate: float = 1e-4
    beta: float = 0.1
    epochs: float = 1.0
    batch_size: int = 4
    grad_accum: int = 1
    max_length: int = 160
    """Prompt + response tokens; TRL truncates longer pairs."""
    seed: int = 0
    mixed_precision: str = "auto"
    """"bf16": bf16 autocast over fp32 weights (fp32 master weights and optimiser state);
    "no": fp32 throughout; "auto": bf16 on a GPU and on a CPU with native bf16 (AVX512-BF16
    or AMX: measured 8.7 s against 13 s a step on the 2-core machine), else fp32."""

    def __post_init__(self) -> None:
        if not self.learning_rate > 0 or not self.beta > 0 or not self.epochs > 0:
            raise ValueError("learning_rate, beta and epochs must be > 0")
        if self.batch_size < 1 or self.grad_accum < 1 or self.max_length < 16:
            raise ValueError("batch_size, grad_accum >= 1 and max_length >= 16 required")
        if self.mixed_precision not in ("auto", "bf16", "no"):
            raise ValueError(f"mixed_precision must be auto, bf16 or no, got {self.mixed_precision!r}")


def use_bf16(config: TrainConfig, device: str, dtype: str) -> bool:
    """Whether training runs under bf16 autocast (always when the weights are bf16)."""
    if dtype == "bfloat16" or config.mixed_precision == "bf16":
        return True
    if config.mixed_precision == "no":
        return False
    if device.startswith("cuda"):
        return True
    import torch

    return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())


@dataclass(frozen=True)
class Steer:
    """Preventative steering during training: add ``alpha · vector`` at ``layer``."""

    vector: np.ndarray
    layer: int
    alpha: float = 1.0


def dpo_rows(pairs: Sequence[Mapping[str, Any]], system: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """TRL conversational rows with ``pair_id``; ``system``: pair id -> system prompt to prepend."""
    rows = []
    for pair in pairs:
        prompt = [{"role": "user", "content": str(pair["prompt"])}]
        if system and pair["id"] in system:
            prompt = [{"role": "system", "content": system[pair["id"]]}, *prompt]
        rows.append(
            {
                "pair_id": str(pair["id"]),
                "prompt": prompt,
                "chosen": [{"role": "assistant", "content": str(pair["chosen"])}],
                "rejected": [{"role": "assistant", "content": str(pair["rejected"])}],
            }
        )
    return rows


def train_dpo(
    model_path: str | Path,
    rows: list[dict[str, Any]],
    config: TrainConfig,
    workdir: Path,
    *,
    tokenizer: Any,
    offsets: Mapping[str, float] | None = None,
    lam: float = 0.0,
    steer: Steer | None = None,
    device: str = "cpu",
    dtype: str = "float32",
) -> tuple[Any, dict[str, Any]]:
    """A fresh copy of the model trained with DPO on ``rows``; returns (model, run record).

    ``offsets`` with ``lam`` trains with ``ShapedDPOTrainer`` (reward shaping);
    ``steer`` adds the vector during training only.

    The record holds the hyper-parameters, steps, seconds per optimiser step and the
    last logged loss / reward margin.
    """
    import torch
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, set_seed
    from trl import DPOConfig, DPOTrainer

    set_seed(config.seed)
    bf16 = use_bf16(config, device, dtype)
    torch_dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16}[dtype]
    model = AutoModelForCausalLM.from_pretrained(str(model_path), dtype=torch_dtype).to(device)  # type: ignore[arg-type]
    model.config.use_cache = False
    args = DPOConfig(
        output_dir=str(workdir),
        num_train_epochs=config.epochs,
        per_device_train_batch_size=config.batch_size,
        gradient_accumulation_steps=config.grad_accum,
        learning_rate=config.learning_rate,
        beta=config.beta,
        max_length=config.max_length,
        seed=config.seed,
        data_seed=config.seed,
        precompute_ref_log_probs=True,  # one reference pass per run, not one per step
        precompute_ref_batch_size=max(config.batch_size, 8),
        gradient_checkpointing=False,  # TRL's default True re-runs every layer's forward
        report_to=[],
        save_strategy="no",
        logging_steps=1,
        use_cpu=device == "cpu",
        bf16=bf16,
        dataloader_num_workers=0,
        disable_tqdm=True,
        lr_scheduler_type="constant",
    )
    dataset = Dataset.from_list(rows)
    clock = time.perf_counter()
    if offsets is not None:
        from prefsight_client.dpo import ShapedDPOTrainer

        trainer: Any = ShapedDPOTrainer(
            model, args=args, train_dataset=dataset, processing_class=tokenizer, offsets=offsets, lam=lam
        )
    else:
        trainer = DPOTrainer(
            model, args=args, train_dataset=dataset.remove_columns("pair_id"), processing_class=tokenizer
        )
    ref_seconds = time.perf_counter() - clock
    from transformers.trainer_callback import PrinterCallback

    trainer.remove_callback(PrinterCallback)  # keep stdout clean for --json
    clock = time.perf_counter()
    if steer is not None:
        from prefsight_client.steering import steering

        with steering(model, steer.vector.astype(np.float32), layer=steer.layer, alpha=steer.alpha, sides="both"):
            trainer.train()
    else:
        trainer.train()
    train_seconds = time.perf_counter() - clock
    steps = int(trainer.state.global_step)
    logged = [h for h in trainer.state.log_history if "loss" in h]
    last = logged[-1] if logged else {}
    model.eval().requires_grad_(False)
    model.config.use_cache = True
    record = {
        "trainer": type(trainer).__name__,
        "fine_tuning": "full",
        "device": device,
        "dtype": dtype,
        "autocast": "bf16" if bf16 else "no",
        "reference": "log-probs precomputed once before training",
        "hyperparameters": asdict(config),
        "n_pairs": len(rows),
        "steps": steps,
        "seconds_reference_logps": ref_seconds,
        "seconds_train": train_seconds,
        "seconds_per_step": train_seconds / steps if steps else None,
        "final_loss": last.get("loss"),
        "final_reward_margin": last.get("rewards/margins"),
        "losses": [h["loss"] for h in logged],
    }
    if offsets is not None:
        record["lam"] = lam
    if steer is not None:
        record["steering"] = {"layer": steer.layer, "alpha": steer.alpha, "norm": float(np.linalg.norm(steer.vector))}
    return model, record


__all__ = ["Steer", "TrainConfig", "dpo_rows", "train_dpo", "use_bf16"]
