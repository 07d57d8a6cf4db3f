"""Does the audit recover planted traits, and stay quiet when there is nothing to find?

1. For each planted trait of the demo generator, a fresh-seed data set with only
   that trait planted (in chosen responses, at the generator's default rate):
   the AUROC of the per-pair delta against the planted truth of the trait's
   concept — whichever of the two best-ranked concepts tracks the trait best —
   and its rank. Target: AUROC >= 0.95 with the concept ranked 1st or 2nd.
2. A control: the default demo set with chosen/rejected flipped at random in
   half the pairs: no concept may pass q < 0.05 and split-half.
3. Real HH pairs from ../shared/data: the top concepts with an example pair.

    python bench/recovery.py                 # everything (~25 min on 2 CPU cores)
    python bench/recovery.py --traits flattery --skip-control --skip-hh
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("RAY_AUTH_MODE", "disabled")

from prefsight.audit import AuditConfig, audit  # noqa: E402
from prefsight.audit.analysis import analyse  # noqa: E402
from prefsight.demo import DEFAULT_TRAITS, flip_labels, generate_demo  # noqa: E402
from prefsight.store import Store  # noqa: E402

HH = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "hh-harmless-test.jsonl.gz"


def auroc(scores: np.ndarray, truth: np.ndarray) -> float:
    """Mann-Whitney AUROC with ties counted half."""
    from scipy.stats import rankdata

    pos, neg = truth.sum(), (~truth).sum()
    if pos == 0 or neg == 0:
        return float("nan")
    ranks = rankdata(scores)
    return float((ranks[truth].sum() - pos * (pos + 1) / 2) / (pos * neg))


def trait_run(trait: str, seed: int, pairs: int, model: str, workdir: Path) -> dict:
    data = workdir / f"{trait}.jsonl"
    dataset = generate_demo(n_pairs=pairs, seed=seed, traits=(trait,))
    dataset.write(data)
    started = time.perf_counter()
    audit(data, workdir / f"store-{trait}", model=model, config=AuditConfig(top=5, examples=0))
    seconds = time.perf_counter() - started
    analysis = analyse(Store(str(workdir / f"store-{trait}")))
    truth = np.array([dataset.truth[p][trait] for p in analysis.scores.pair_ids])
    ranked = []
    for rank, index in enumerate(analysis.order[:20], start=1):
        concept = analysis.scores.concepts[int(index)]
        c, r = analysis.scores.column(concept.id)
        ranked.append((rank, concept.id, auroc(c - r, truth)))
    # the trait's concept: the one of the two best-ranked concepts whose delta tracks the trait best
    rank, concept, best = max(ranked[:2], key=lambda row: row[2])
    return {
        "trait": trait, "seed": seed, "pairs": pairs, "planted_rate": float(truth.mean()),
        "trait_concept": concept, "trait_rank": rank, "auroc": best,
        "rank1_concept": ranked[0][1], "rank1_auroc": ranked[0][2],
        "top5": [{"rank": r, "id": i, "auroc": a} for r, i, a in ranked[:5]],
        "passed": best >= 0.95,
        "seconds": seconds,
    }


def control_run(seed: int, pairs: int, model: str, workdir: Path) -> dict:
    data = workdir / "control.jsonl"
    dataset = generate_demo(n_pairs=pairs, seed=seed)
    rows = flip_labels(dataset.rows, fraction=0.5, seed=seed)
    with open(data, "w") as handle:
        handle.writelines(json.dumps(r) + "\n" for r in rows)
    audit(data, workdir / "store-control", model=model, config=AuditConfig(top=5, examples=0))
    analysis = analyse(Store(str(workdir / "store-control")))
    result = analysis.result
    false = np.flatnonzero((result.q < 0.05) & result.split_half)
    return {
        "pairs": pairs, "concepts_tested": int(result.n_concepts),
        "false_discoveries": [analysis.scores.concepts[int(i)].id for i in false],
        "passed": len(false) == 0,
    }


def hh_run(pairs: int, model: str, workdir: Path) -> dict:
    document = audit(HH, workdir / "store-hh", model=model, skip_bad=True, limit=pairs,
                     config=AuditConfig(top=5, examples=1))
    return {
        "pairs": document["pairs"],
        "top": [
            {"id": r["id"], "label": r["label"], "d": r["d"], "q": r["q"], "split_half": r["split_half"],
             "example": {k: (r["examples"][0][k][:160] if r["examples"] else None)
                         for k in ("chosen", "rejected")}}
            for r in document["concepts"][:5]
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--traits", nargs="*", default=list(DEFAULT_TRAITS))
    parser.add_argument("--pairs", type=int, default=320)
    parser.add_argument("--hh-pairs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1000, help="fresh seeds start here")
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--skip-control", action="store_true")
    parser.add_argument("--skip-hh", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report: dict = {"traits": []}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for i, trait in enumerate(args.traits):
            row = trait_run(trait, args.seed + i, args.pairs, args.model, workdir)
            report["traits"].append(row)
            if not args.json:
                print(f"{trait:<17} rank {row['trait_rank']}: {row['trait_concept']:<27} AUROC "
                      f"{row['auroc']:.3f}  (rank 1: {row['rank1_concept']} {row['rank1_auroc']:.3f})  "
                      f"{'PASS' if row['passed'] else 'FAIL'}  ({row['seconds']:.0f} s)", flush=True)
        if not args.skip_control:
            report["control"] = control_run(args.seed + 99, args.pairs, args.model, workdir)
            if not args.json:
                c = report["control"]
                print(f"control (labels flipped at random): {len(c['false_discoveries'])} false "
                      f"discoveries among {c['concepts_tested']} concepts  "
                      f"{'PASS' if c['passed'] else 'FAIL'}", flush=True)
        if not args.skip_hh:
            report["hh"] = hh_run(args.hh_pairs, args.model, workdir)
            if not args.json:
                print(f"HH harmless-base, {report['hh']['pairs']} pairs, top concepts:")
                for r in report["hh"]["top"]:
                    print(f"  {r['id']:<26} d={r['d']:.2f} q={r['q']:.1e} split={r['split_half']}  "
                          f"chosen: {r['example']['chosen']!r}")
    if args.json:
        print(json.dumps(report))


if __name__ == "__main__":
    main()
