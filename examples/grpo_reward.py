"""GRPO with a prefsight concept reward: penalise a concept in what the policy writes.

``ConceptReward`` scores each completion through the server (``ScoreConcepts``
RPC on texts: the server runs them through its model at the concept's layer)
and returns ``weight * score``; TRL's ``GRPOTrainer`` takes it as a reward
function. A negative weight discourages the concept.

    python examples/grpo_reward.py                         # builds a demo store, a few min on CPU
    python examples/grpo_reward.py --address localhost:50051 --store demo --data pairs.jsonl
    python examples/grpo_reward.py --tiny --model /path/to/tiny-llama    # smoke test
"""

from __future__ import annotations

import json
import math
import sys

from _common import parser, pick_concept, service, setup
from prefsight_client import Client
from prefsight_client.training import ClientScorer, ConceptReward


def main() -> int:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--weight", type=float, default=-1.0, help="reward weight of the concept")
    p.add_argument("--steps", type=int, default=None, help="training steps (default 3; tiny 2)")
    args = p.parse_args()
    workdir = setup(args)
    from datasets import Dataset
    from prefsight.models import load_model
    from transformers import AutoModelForCausalLM
    from trl import GRPOConfig, GRPOTrainer

    steps = args.steps or (2 if args.tiny else 3)
    with service(args, workdir) as served:
        if served.data is None:
            raise SystemExit("--data (a dataset with a 'prompt' column) is needed with --address")
        with Client(served.address, args.token, timeout=120) as client:
            concept = pick_concept(client, served.store, args.concept)
        scorer = ClientScorer(served.address, served.store, [concept], token=args.token)
        reward = ConceptReward(scorer, weights=[args.weight], name=f"prefsight:{concept}")
        prompts = [json.loads(line)["prompt"] for line in open(served.data)][: 2 * steps]
        loaded = load_model(args.model)  # its .path is a plain safetensors folder
        config = GRPOConfig(
            output_dir=str(workdir / "grpo"),
            max_steps=steps,
            per_device_train_batch_size=2,
            num_generations=2,
            max_completion_length=8 if args.tiny else 32,
            learning_rate=1e-6,
            report_to=[],
            save_strategy="no",
            logging_steps=1,
            use_cpu=True,
            bf16=False,
            dataloader_num_workers=0,
            disable_tqdm=True,
        )
        trainer = GRPOTrainer(
            model=AutoModelForCausalLM.from_pretrained(str(loaded.path)),
            reward_funcs=[reward],
            args=config,
            train_dataset=Dataset.from_dict({"prompt": prompts}),
            processing_class=loaded.tokenizer,
        )
        trainer.train()
    key = f"rewards/{reward.__name__}/mean"
    logged = [h for h in trainer.state.log_history if key in h]
    for entry in logged:
        print(f"step {entry['step']}: concept reward {entry[key]:+.4f}, total reward {entry['reward']:+.4f}")
    if len(logged) != steps or not all(math.isfinite(e[key]) for e in logged):
        print(f"error: expected {steps} finite rewards, got {logged}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
