"""Shaped DPO: train a few steps with per-pair concept offsets from prefsight.

Asks the server for the z-scored shaping offsets of one concept
(``ShapingOffsets`` RPC, through ``fetch_offsets``), then trains TRL's DPO with
``ShapedDPOTrainer``: loss = -log sigmoid(beta * margin + lam * offset), where
``lam > 0`` lets the offset explain the concept away instead of DPO learning it
(``lam < 0`` would amplify it).

    python examples/dpo_shaped.py                          # builds a demo store, a few min on CPU
    python examples/dpo_shaped.py --address localhost:50051 --store demo --data pairs.jsonl
    python examples/dpo_shaped.py --tiny --model /path/to/tiny-llama     # smoke test
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from _common import parser, pick_concept, service, setup
from prefsight_client import Client
from prefsight_client.training import ShapedDPOTrainer, fetch_offsets


def read_pairs(path: Path, limit: int) -> list[dict[str, str]]:
    """The first ``limit`` rows of a TRL standard JSONL file, with ``pair_id`` from ``id``."""
    rows = []
    with open(path) as handle:
        for line in handle:
            row = json.loads(line)
            rows.append(
                {
                    "pair_id": str(row["id"]),
                    "prompt": row["prompt"],
                    "chosen": row["chosen"],
                    "rejected": row["rejected"],
                }
            )
            if len(rows) == limit:
                break
    return rows


def main() -> int:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--lam", type=float, default=1.0, help="offset weight (> 0 explains it away)")
    p.add_argument("--steps", type=int, default=None, help="training steps (default 3; tiny 2)")
    args = p.parse_args()
    workdir = setup(args)
    from datasets import Dataset
    from prefsight.models import load_model
    from transformers import AutoModelForCausalLM
    from trl import DPOConfig

    with service(args, workdir) as served, Client(served.address, args.token, timeout=120) as client:
        if served.data is None:
            raise SystemExit("--data (the dataset the store was ingested from) is needed with --address")
        concept = pick_concept(client, served.store, args.concept)
        offsets = fetch_offsets(client, served.store, [concept], cache_dir=workdir / "offsets")
    print(f"{len(offsets)} offsets for {concept}: e.g. {dict(list(offsets.items())[:3])}")
    steps = args.steps or (2 if args.tiny else 3)
    rows = read_pairs(served.data, limit=2 * steps)
    loaded = load_model(args.model)  # its .path is a plain safetensors folder
    model = AutoModelForCausalLM.from_pretrained(str(loaded.path))
    config = DPOConfig(
        output_dir=str(workdir / "dpo"),
        max_steps=steps,
        per_device_train_batch_size=2,
        learning_rate=5e-6,
        beta=0.1,
        max_length=128 if args.tiny else 256,
        precompute_ref_log_probs=True,
        report_to=[],
        save_strategy="no",
        logging_steps=1,
        use_cpu=True,
        bf16=False,
        dataloader_num_workers=0,
        disable_tqdm=True,
    )
    trainer = ShapedDPOTrainer(
        model,
        args=config,
        train_dataset=Dataset.from_list(rows),
        processing_class=loaded.tokenizer,
        offsets=offsets,
        lam=args.lam,
    )
    trainer.train()
    logged = [h for h in trainer.state.log_history if "loss" in h]
    for entry in logged:
        print(
            f"step {entry['step']}: loss {entry['loss']:.4f}, "
            f"offset term {entry.get('prefsight/offset_term', float('nan')):+.4f}"
        )
    if len(logged) != steps or not all(math.isfinite(e["loss"]) for e in logged):
        print(f"error: expected {steps} finite losses, got {logged}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
