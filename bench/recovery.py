"""Does the audit recover planted traits it was not written against, and stay quiet on noise?

The data come from ``bench/planted`` (its own topics, phrasings and traits, sharing
no word 4-gram with the starter concepts, the text checks or ``prefsight.apps.demo``;
see tests/unit/test_planted_independent.py). Each trait set has ``--pairs`` pairs:
the chosen response is more complete than the rejected one (a generic quality gap,
as in real data), and one trait is planted in exactly 50% of chosen and 10% of
rejected responses; the truth says which responses carry it.

PASS RULE (fixed before the first run of this version; do not tune it to results)
  For each trait set, on the ranking of the real audit (``prefsight.audit.audit``,
  default model), skipping overall chosen-vs-rejected directions (records whose kind
  is 'contrast' or that carry ``overall: true``):
    (a) rank-1 concept: the first concept of that ranking;
    (b) its AUROC against the truth, per response (chosen and rejected sides of every
        pair; positive = the response carries the trait), on the scores of
        ``StoreSession(store).scores(concept_id)``, oriented by the sign of the
        concept's d in the audit (a rejected-leaning concept is read negated);
    (c) the trait's best concept: the concept with the highest such AUROC among the
        top 50 of that ranking, and its rank.
  A trait passes when (b) >= 0.90 and (c)'s rank <= 3.
  Control: one set with every selected trait planted, chosen/rejected swapped per
  pair at random (probability 1/2): it passes when zero concepts (of every kind,
  overall directions included) have q < 0.05 and pass split-half.
  The run passes when every trait and the control pass; otherwise it exits 1.
  Reported beside it, outside the rule: each AUROC over chosen responses only (most
  responses carrying the trait are chosen, so a concept of generic chosen-ness, such
  as length, also scores well over both sides).

    python bench/recovery.py                       # 7 traits + control, 300 pairs each
    python bench/recovery.py --quick               # emoji, flattery + control, 60 pairs each
    python bench/recovery.py --traits emoji apology --pairs 200 --skip-control
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("RAY_AUTH_MODE", "disabled")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from planted import UNTARGETED, PlantedSet, flip_pairs, generate, trait_names  # noqa: E402
from prefsight.audit import AuditConfig, audit  # noqa: E402
from prefsight.models import DEFAULT_MODEL  # noqa: E402
from prefsight.session import StoreSession  # noqa: E402

MIN_AUROC = 0.90
MAX_BEST_RANK = 3
TOP_SEARCHED = 50
CHOSEN_RATE, REJECTED_RATE = 0.5, 0.1
QUICK_TRAITS = ("emoji", "flattery")
QUICK_PAIRS = 60


def auroc(scores: np.ndarray, truth: np.ndarray) -> float:
    """Mann-Whitney AUROC with ties counted half; NaN when one class is empty."""
    from scipy.stats import rankdata

    pos, neg = int(truth.sum()), int((~truth).sum())
    if pos == 0 or neg == 0:
        return float("nan")
    ranks = rankdata(scores)
    return float((ranks[truth].sum() - pos * (pos + 1) / 2) / (pos * neg))


def is_overall(record: dict[str, Any]) -> bool:
    """An overall chosen-vs-rejected direction, not a concept that names something."""
    return record.get("kind") == "contrast" or record.get("overall") is True


def ranking(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every ranked record of an audit document, best first, overall directions removed."""
    seen: dict[str, dict[str, Any]] = {}
    for key in ("concepts", "more_concepts", "text_checks"):
        for position, record in enumerate(document.get(key) or []):
            seen.setdefault(record["id"], {**record, "_order": (record.get("rank") or 10**9, position)})
    ordered = sorted(seen.values(), key=lambda r: r["_order"])
    return [r for r in ordered if not is_overall(r)]


def concept_auroc(session: StoreSession, record: dict[str, Any], data: PlantedSet, trait: str) -> tuple[float, float]:
    """AUROCs of the concept's oriented scores against the trait's truth.

    Returns:
        (over every response of both sides: the pass rule's number, over chosen
        responses only: a diagnostic outside the rule, free of the generic
        chosen-vs-rejected gap, since most responses carrying the trait are chosen).
    """
    rows = session.scores(record["id"])
    chosen = np.array([r["chosen"] for r in rows], dtype=np.float64)
    scores = np.concatenate([chosen, [r["rejected"] for r in rows]])
    truth_chosen = np.array([data.carries(trait, r["pair_id"], "chosen") for r in rows])
    truth = np.concatenate([truth_chosen, [data.carries(trait, r["pair_id"], "rejected") for r in rows]])
    effect = record.get("d") if record.get("d") is not None else record.get("delta")
    sign = -1.0 if effect is not None and effect < 0 else 1.0
    return auroc(sign * scores, truth), auroc(sign * chosen, truth_chosen)


AUDIT_CONFIG = AuditConfig(top=5, examples=0)
"""The audit's defaults, minus label hints and examples (not used here)."""


def run_audit(rows_path: Path, store: Path, model: str, config: AuditConfig) -> tuple[dict[str, Any], float]:
    started = time.perf_counter()
    document = audit(rows_path, store, model=model, config=config)
    return document, time.perf_counter() - started


def apply_rule(top: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any], bool]:
    """(rank-1 concept, best concept, passed) for the top non-overall concepts with their AUROCs."""
    rank1 = top[0]
    best = max(top, key=lambda r: -1.0 if np.isnan(r["auroc"]) else r["auroc"])
    return rank1, best, bool(rank1["auroc"] >= MIN_AUROC and best["rank"] <= MAX_BEST_RANK)


def _brief(record: dict[str, Any], rank: int, values: tuple[float, float]) -> dict[str, Any]:
    return {
        "rank": rank,
        "id": record["id"],
        "label": record.get("label"),
        "kind": record.get("kind"),
        "d": record.get("d"),
        "q": record.get("q"),
        "auroc": values[0],
        "auroc_chosen_only": values[1],
    }


def trait_run(
    trait: str, seed: int, pairs: int, model: str, workdir: Path, config: AuditConfig = AUDIT_CONFIG
) -> dict[str, Any]:
    """Audit one planted trait set and apply the pass rule to it."""
    data = generate([trait], n_pairs=pairs, seed=seed, chosen_rate=CHOSEN_RATE, rejected_rate=REJECTED_RATE)
    path = data.write(workdir / f"{trait}.jsonl")
    document, seconds = run_audit(path, workdir / f"store-{trait}", model, config)
    session = StoreSession(str(workdir / f"store-{trait}"))
    top = [
        _brief(r, rank, concept_auroc(session, r, data, trait))
        for rank, r in enumerate(ranking(document)[:TOP_SEARCHED], start=1)
    ]
    rank1, best, passed = apply_rule(top)
    return {
        "trait": trait,
        "untargeted": trait in UNTARGETED,
        "seed": seed,
        "pairs": pairs,
        "rates": {"chosen": CHOSEN_RATE, "rejected": REJECTED_RATE},
        "rank1": rank1,
        "best": best,
        "top5": top[:5],
        "passed": passed,
        "seconds": round(seconds, 1),
        "timings": document.get("timings"),
    }


def control_run(
    traits: list[str], seed: int, pairs: int, model: str, workdir: Path, config: AuditConfig = AUDIT_CONFIG
) -> dict[str, Any]:
    """Audit the randomly flipped set: no concept may pass q < 0.05 and split-half."""
    data = generate(traits, n_pairs=pairs, seed=seed, chosen_rate=CHOSEN_RATE, rejected_rate=REJECTED_RATE)
    rows, flipped = flip_pairs(data.rows, seed)
    path = workdir / "control.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    _, seconds = run_audit(path, workdir / "store-control", model, config)
    records = StoreSession(str(workdir / "store-control")).analysis().records()
    false = [r for r in records if r["q"] is not None and r["q"] < 0.05 and r["split_half"]]
    return {
        "pairs": pairs,
        "flipped": len(flipped),
        "concepts_tested": len(records),
        "false_discoveries": [
            {"id": r["id"], "kind": r["kind"], "overall": is_overall(r), "q": r["q"], "d": r["d"]} for r in false
        ],
        "passed": not false,
        "seconds": round(seconds, 1),
    }


def print_table(report: dict[str, Any]) -> None:
    print(
        f"{'trait':<15} {'untgt':<5} {'rank-1 concept':<30} {'AUROC':>6} {'(ch.)':>6}  "
        f"{'best concept (rank)':<36} {'AUROC':>6} {'(ch.)':>6}  result  time"
    )
    for row in report["traits"]:
        r1, best = row["rank1"], row["best"]
        print(
            f"{row['trait']:<15} {'yes' if row['untargeted'] else 'no':<5} {r1['id'][:30]:<30} "
            f"{r1['auroc']:>6.3f} {r1['auroc_chosen_only']:>6.3f}  "
            f"{best['id'][:30] + ' (' + str(best['rank']) + ')':<36} {best['auroc']:>6.3f} "
            f"{best['auroc_chosen_only']:>6.3f}  {'PASS' if row['passed'] else 'FAIL':<6}  "
            f"{row['seconds']:.0f} s"
        )
    print("AUROC: the rule's, over both sides; (ch.): over chosen responses only (diagnostic, not part of the rule)")
    if "control" in report:
        c = report["control"]
        print(
            f"control (labels swapped at random in {c['flipped']}/{c['pairs']} pairs): "
            f"{len(c['false_discoveries'])} concepts with q < 0.05 and split-half among "
            f"{c['concepts_tested']}  {'PASS' if c['passed'] else 'FAIL'}  {c['seconds']:.0f} s"
        )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--traits", nargs="+", choices=trait_names(), help="default: all (--quick: emoji, flattery)")
    parser.add_argument("--pairs", type=int, help="pairs per set (default 300; --quick: 60)")
    parser.add_argument("--quick", action="store_true", help=f"traits {', '.join(QUICK_TRAITS)}, {QUICK_PAIRS} pairs")
    parser.add_argument("--seed", type=int, default=1000, help="trait i uses seed + i; control seed + 99")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--skip-control", action="store_true")
    parser.add_argument(
        "--control-only", action="store_true", help="run only the control (generated from --traits and --seed)"
    )
    parser.add_argument("--workdir", type=Path, help="keep data and stores here (default: a temp dir)")
    parser.add_argument("--json-out", type=Path, help="also write the JSON summary here")
    args = parser.parse_args(argv)
    args.traits = args.traits or list(QUICK_TRAITS if args.quick else trait_names())
    args.pairs = args.pairs or (QUICK_PAIRS if args.quick else 300)
    if args.pairs < 20:
        parser.error(f"--pairs must be >= 20, got {args.pairs}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    rule = {
        "min_auroc": MIN_AUROC,
        "max_best_rank": MAX_BEST_RANK,
        "top_searched": TOP_SEARCHED,
        "control": "zero concepts with q < 0.05 and split_half",
    }
    report: dict[str, Any] = {"rule": rule, "model": args.model, "traits": []}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for i, trait in enumerate([] if args.control_only else args.traits):
            report["traits"].append(trait_run(trait, args.seed + i, args.pairs, args.model, workdir))
            print(f"{trait}: done in {report['traits'][-1]['seconds']:.0f} s", file=sys.stderr, flush=True)
        if not args.skip_control:
            report["control"] = control_run(args.traits, args.seed + 99, args.pairs, args.model, workdir)
    report["passed"] = all(r["passed"] for r in report["traits"]) and report.get("control", {}).get("passed", True)
    print_table(report)
    print(json.dumps(report, indent=1))
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=1))
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
