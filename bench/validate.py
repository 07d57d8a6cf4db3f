"""Validation benchmark: plant traits, predict their DPO shift, train, measure, compare, intervene.

Owns the planted-trait side of ``prefsight.validate``: the training set from the
independent generator (``bench/planted``, not the demo's templates), held-out
prompts disjoint from the training prompts, the per-response truth that picks each
trait's best concept (highest AUROC against the truth over the training
responses) and the trait-free held-out pairs, and trait rates measured by
``planted.detect`` (independent of the project's text checks). Writes
``<out>/validate.json``, ``<out>/validate_scatter.svg`` and ``<out>/validate.html``.

    python bench/validate.py --quick --out /tmp/validate-quick      # CI size, < 5 min
    python bench/validate.py --pairs 120 --out /tmp/validate         # reduced real run
    python bench/validate.py --device cuda --dtype bfloat16 --pairs 300   # GPU, full size
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from planted import generate, load_trait  # noqa: E402
from planted.detect import DETECTORS  # noqa: E402

DEFAULT_TRAITS = ("apology", "emoji", "question_back")
DEFAULT_TARGET = "apology"


def auroc(scores: np.ndarray, truth: np.ndarray) -> float:
    """Area under the ROC curve of ``scores`` for the positives of ``truth`` (ties count ½)."""
    from scipy.stats import rankdata

    pos, neg = int(truth.sum()), int((~truth).sum())
    if pos == 0 or neg == 0:
        return float("nan")
    ranks = rankdata(scores)
    return float((ranks[truth].sum() - pos * (pos + 1) / 2) / (pos * neg))


def best_concepts(analysis: Any, truth: dict[str, dict[str, dict[str, bool]]]) -> dict[str, tuple[str, float]]:
    """trait -> (concept id, AUROC) of the non-overall concept that best finds it in the training responses."""
    from prefsight.concepts import kinds
    from prefsight.validate.predict import dense

    scores = analysis.scores
    both = np.vstack([dense(scores.chosen), dense(scores.rejected)])
    out = {}
    for trait, per_pair in truth.items():
        carries = np.array(
            [per_pair[p]["chosen"] for p in scores.pair_ids] + [per_pair[p]["rejected"] for p in scores.pair_ids]
        )
        best, best_auc = "", -1.0
        for j, concept in enumerate(scores.concepts):
            if kinds.is_overall(concept):
                continue
            value = auroc(both[:, j], carries)
            if np.isfinite(value) and value > best_auc:
                best, best_auc = concept.id, value
        out[trait] = (best, best_auc)
    return out


def build_data(
    n_pairs: int, traits: tuple[str, ...], target: str, seed: int, heldout_fraction: float
) -> tuple[Any, Any]:
    """(``validate.Data``, the planted set): split by prompt, trait-free held-out pairs from the truth."""
    from prefsight.validate.config import Data, split_by_prompt

    planted = generate(list(traits), n_pairs=n_pairs, seed=seed)
    train, heldout = split_by_prompt(planted.rows, heldout_fraction, seed)
    prompts = sorted({str(r["prompt"]) for r in heldout})
    free = [
        not planted.carries(target, r["id"], "chosen") and not planted.carries(target, r["id"], "rejected")
        for r in heldout
    ]
    return Data(train, prompts, heldout, free), planted


def run(args: argparse.Namespace) -> dict[str, Any]:
    from prefsight.validate.config import QUICK, ValidateConfig
    from prefsight.validate.run import validate

    traits = tuple(t for t in args.traits.split(",") if t)
    if args.target not in traits:
        raise SystemExit(f"--target {args.target!r} must be one of the planted traits {traits}")
    unknown = [t for t in traits if t not in DETECTORS]
    if unknown:
        raise SystemExit(f"no independent detector for {unknown}; detectors: {sorted(DETECTORS)}")
    config = QUICK if args.quick else ValidateConfig()
    train = config.train
    overrides = {
        k: v
        for k, v in {
            "epochs": args.epochs,
            "learning_rate": args.lr,
            "batch_size": args.batch_size,
            "max_length": args.max_length,
        }.items()
        if v is not None
    }
    if overrides:
        train = replace(train, **overrides)
    interventions = config.interventions
    if args.interventions is not None:
        interventions = replace(interventions, run=tuple(x for x in args.interventions.split(",") if x))
    if args.lambdas is not None:
        interventions = replace(interventions, lambdas=tuple(float(x) for x in args.lambdas.split(",")))
    generation = config.generation
    if args.max_new_tokens is not None:
        generation = replace(generation, max_new_tokens=args.max_new_tokens)
    if args.samples is not None:
        generation = replace(generation, samples=args.samples)
    config = replace(
        config,
        train=train,
        interventions=interventions,
        generation=generation,
        min_support=args.min_support if args.min_support is not None else config.min_support,
        train_pairs=args.train_pairs if args.train_pairs is not None else config.train_pairs,
        heldout_pairs=args.heldout_pairs if args.heldout_pairs is not None else config.heldout_pairs,
    )
    n_pairs = args.pairs or (48 if args.quick else 300)
    from prefsight.concepts.sae import resolve_device

    args.device = resolve_device(args.device)
    args.dtype = args.dtype or ("bfloat16" if args.device.startswith("cuda") else "float32")
    data, planted = build_data(n_pairs, traits, args.target, args.seed, args.heldout_fraction)
    marks: dict[str, Any] = {}

    def choose(analysis: Any) -> str:
        train_ids = set(analysis.scores.pair_ids)
        truth = {t: {p: v for p, v in planted.truth[t].items() if p in train_ids} for t in traits}
        found = best_concepts(analysis, truth)
        marks.update(found)
        return found[args.target][0]

    clock = time.perf_counter()
    doc = validate(
        data,
        args.out,
        model=args.model,
        config=config,
        choose_target=choose,
        detectors={t: DETECTORS[t] for t in traits},
        target_trait=args.target,
        planted=None,
        label=load_trait(args.target).description.rstrip("."),
        description=load_trait(args.target).description,
        device=args.device,
        dtype=args.dtype,
        progress=lambda m: print(f"[{time.perf_counter() - clock:7.1f}s] {m}", file=sys.stderr, flush=True),
    )
    planted_ids = {cid: t for t, (cid, _) in marks.items()}
    for point in doc["concepts"]:
        point["planted"] = planted_ids.get(point["id"])
    doc["planted"] = {
        t: {"concept": cid, "auroc": a, "in_comparison": any(p["id"] == cid for p in doc["concepts"])}
        for t, (cid, a) in marks.items()
    }
    doc["benchmark"] = {
        "generator": "bench/planted",
        "traits": list(traits),
        "target": args.target,
        "pairs": n_pairs,
        "train_pairs": doc["data"]["train_pairs"],
        "heldout_pairs": doc["data"]["heldout_pairs"],
        "seed": args.seed,
        "heldout_fraction": args.heldout_fraction,
        "seconds": time.perf_counter() - clock,
    }
    from prefsight.validate.outputs import write_outputs

    write_outputs(doc, args.out)  # again, with the planted marks
    return doc


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True, help="output folder (store, runs, validate.json, SVG)")
    p.add_argument("--model", default="smollm2-135m")
    p.add_argument("--quick", action="store_true", help="CI size: 48 pairs, a few steps, one intervention")
    p.add_argument("--pairs", type=int, default=None, help="planted pairs before the split (default 300; quick 48)")
    p.add_argument("--traits", default=",".join(DEFAULT_TRAITS))
    p.add_argument("--target", default=DEFAULT_TARGET, help="the unwanted trait the interventions aim at")
    p.add_argument("--heldout-fraction", type=float, default=0.25, help="share of distinct prompts held out")
    p.add_argument(
        "--train-pairs", type=int, default=None, help="train on the first N training pairs (default 64; 0 all)"
    )
    p.add_argument(
        "--heldout-pairs", type=int, default=None, help="preference gain on the first N held-out pairs (default 32)"
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--epochs", type=float, default=None)
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--max-length", type=int, default=None)
    p.add_argument("--max-new-tokens", type=int, default=None)
    p.add_argument("--samples", type=int, default=None)
    p.add_argument("--min-support", type=int, default=None)
    p.add_argument("--interventions", default=None, help="comma list of filter,inoculate,steer,shape")
    p.add_argument(
        "--lambdas", default=None, help="comma list of shaping weights, e.g. 0.5,1,2 (> 0 explains the concept away)"
    )
    p.add_argument("--device", default="auto", help="auto (cuda when a GPU is visible), cpu, cuda")
    p.add_argument(
        "--dtype", default=None, choices=["float32", "bfloat16"], help="default bfloat16 on cuda, float32 on cpu"
    )
    return p


def main() -> int:
    doc = run(parser().parse_args())
    summary = {k: doc[k] for k in ("r2", "r2_ci", "spearman", "spearman_ci", "n_concepts", "shift_scale")}
    summary["interventions"] = {
        n: {k: r[k] for k in ("trait_rate", "trait_rate_before", "intended_gain")}
        for n, r in doc["interventions"].items()
    }
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
