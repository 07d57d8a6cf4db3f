"""``prefsight validate``: predict each concept's DPO shift, train, measure, compare, intervene.

Owns: the order of a validation run and its JSON document —
1. audit the training pairs (ingest + dictionary) into a store, and predict every
   concept's shift from the chosen−rejected statistics (``predict``);
2. generate on held-out prompts with the base model and score the generations with
   the same dictionary through the registry (``measure``);
3. train plain DPO and each intervention (``train``, ``interventions``), generate,
   score, and measure trait rates and the held-out preference gain;
4. compare predicted with measured shifts (``compare``) and calibrate ``shift_scale``;
5. write ``validate.json``, the scatter SVG and the ``validate.html`` page (``report.validation``).

The document's stable keys: ``r2``, ``spearman``, ``n_concepts``, ``shift_scale``,
``interventions.<name>.trait_rate`` and ``interventions.<name>.intended_gain``.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from prefsight.validate import compare
from prefsight.validate.config import QUICK, Data, DictionarySize, ValidateConfig, split_by_prompt
from prefsight.validate.interventions import variants
from prefsight.validate.measure import generate, pair_logps, per_prompt, reward_margins, score_generations, trait_flags
from prefsight.validate.outputs import config_json, finite, save_generations, write_jsonl, write_outputs
from prefsight.validate.predict import dense, predict
from prefsight.validate.train import dpo_rows, train_dpo

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
Detector = Callable[[str], bool]


def validate(
    data: Data,
    workdir: str | Path,
    *,
    model: str,
    config: ValidateConfig = ValidateConfig(),
    target: str | None = None,
    choose_target: Callable[[Any], str] | None = None,
    detectors: dict[str, Detector] | None = None,
    target_trait: str | None = None,
    planted: dict[str, str] | None = None,
    label: str | None = None,
    description: str = "",
    device: str = "cpu",
    dtype: str = "float32",
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Run the whole validation; returns the JSON document (also written to ``workdir/validate.json``).

    Args:
        data: training pairs (``id``, ``prompt``, ``chosen``, ``rejected``), held-out prompts
            (disjoint from the training prompts) and held-out pairs for the preference gain.
        workdir: folder for the store, training outputs, the JSON and the SVG scatter.
        model: the model to audit with and to train (a ``load_model`` spec).
        target: the concept the interventions aim at; default ``choose_target(analysis)``
            or else the audit's rank-1 concept.
        detectors: trait -> detector for trait rates in generations (independent checks);
            without them the target concept's own score is thresholded.
        target_trait: which detector measures the target's trait rate.
        planted: trait -> concept id, to mark planted traits in the comparison.
        label, description: name the trait for the inoculation prompt (default the concept label).

    Raises:
        ValueError: a held-out prompt is also a training prompt, or too little data.
    """
    from prefsight.audit import AuditConfig, audit
    from prefsight.audit.analysis import analyse, sae_loader
    from prefsight.audit.dictionary import DictionaryConfig
    from prefsight.concepts import kinds
    from prefsight.ingest import IngestConfig
    from prefsight.models import load_model
    from prefsight.store.tables import Store

    say = progress or (lambda _m: None)
    data = data.capped(config.train_pairs, config.heldout_pairs)
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    overlap = {str(r["prompt"]) for r in data.train} & set(data.heldout_prompts)
    if overlap:
        raise ValueError(f"{len(overlap)} held-out prompts are training prompts, e.g. {sorted(overlap)[0]!r}")
    if len(data.train) < 4 or not data.heldout_prompts:
        raise ValueError(
            f"need >= 4 training pairs and held-out prompts, got {len(data.train)} and {len(data.heldout_prompts)}"
        )
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    # 1. dictionary and prediction, before any training
    say("audit: ingest the training pairs and build the dictionary")
    train_file = write_jsonl(workdir / "train.jsonl", data.train)
    size = config.dictionary
    audit_config = AuditConfig(
        layer=config.layer,
        workers=1,
        examples=0,
        dictionary=DictionaryConfig(
            n_latents=size.n_latents,
            k=size.k,
            sae_epochs=size.sae_epochs,
            max_train_tokens=size.max_train_tokens,
            seed=config.seed,
            device=device,
        ),
        ingest=IngestConfig(max_length=512, token_budget=4096, max_batch_pairs=16),
    )
    store_uri = workdir / "store"
    audit(train_file, store_uri, model=model, config=audit_config, device=device, dtype=dtype)
    store = Store(str(store_uri))
    loaded = load_model(model, device=device, dtype=dtype)
    analysis = analyse(store, model=loaded.model_id, layer=config.layer)
    layer = analysis.layer
    all_concepts = analysis.scores.concepts
    keep = np.array([not kinds.is_overall(c) for c in all_concepts])
    concepts = [c for c, k in zip(all_concepts, keep, strict=True) if k]
    prediction = predict(analysis.scores)
    timings["audit_and_predict"] = time.perf_counter() - clock
    target_id = target or (choose_target(analysis) if choose_target else all_concepts[int(analysis.order[0])].id)
    by_id = {c.id: c for c in all_concepts}
    if target_id not in by_id:
        raise ValueError(f"target concept {target_id!r} is not in the dictionary (e.g. {concepts[0].id})")
    concept = by_id[target_id]
    target_label = label or kinds.kind_of(concept).label(concept)
    t_col = [c.id for c in all_concepts].index(target_id)
    train_rejected = dense(analysis.scores.rejected)[:, t_col]
    threshold = float(np.quantile(train_rejected, 0.9))
    load_sae = sae_loader(store, layer)

    # 2. the base model on held-out prompts and pairs
    clock = time.perf_counter()
    say("measure the base model")
    gen_before = generate(loaded.model, loaded.tokenizer, data.heldout_prompts, config.generation)
    scores_before = score_generations(loaded, layer, all_concepts, gen_before, load_sae)
    save_generations(workdir / "generations" / "base.jsonl", gen_before)
    reference = pair_logps(loaded.model, loaded.tokenizer, data.heldout_pairs, config.train.max_length * 2)
    trait_free = _trait_free_pairs(data, loaded, layer, concept, threshold, load_sae, detectors, target_trait)
    timings["measure_base"] = time.perf_counter() - clock

    def trait_rates(gens: Any, scores: np.ndarray) -> dict[str, np.ndarray]:
        flags = trait_flags(detectors or {}, gens)
        flags[f"concept:{target_id}"] = scores[:, t_col] > threshold
        return flags

    before_flags = trait_rates(gen_before, scores_before)
    target_key = target_trait if (detectors and target_trait in (detectors or {})) else f"concept:{target_id}"

    # 3. train each variant, measure it
    runs, skipped = variants(
        config.interventions, data.train, analysis, store, concept, loaded.n_layers, target_label, description
    )
    results: dict[str, Any] = {}
    shifts: dict[str, np.ndarray] = {}
    sd = np.where(prediction.sd > 0, prediction.sd, np.nan)
    gen_support_all: dict[str, np.ndarray] = {}
    plain_after: tuple[np.ndarray, Any] | None = None
    for run in runs:
        clock = time.perf_counter()
        say(f"train {run.name} ({len(run.pairs)} pairs)")
        trained, record = train_dpo(
            loaded.path,
            dpo_rows(run.pairs, run.system),
            config.train,
            workdir / "runs" / run.name,
            tokenizer=loaded.tokenizer,
            offsets=run.offsets,
            lam=run.lam,
            steer=run.steer,
            device=device,
            dtype=dtype,
        )
        say(f"measure {run.name}")
        gen_after = generate(trained, loaded.tokenizer, data.heldout_prompts, config.generation)
        scores_after = score_generations(loaded, layer, all_concepts, gen_after, load_sae)
        save_generations(workdir / "generations" / f"{run.name}.jsonl", gen_after)
        policy = pair_logps(trained, loaded.tokenizer, data.heldout_pairs, config.train.max_length * 2)
        del trained
        margins = reward_margins(policy, reference, config.train.beta)
        after_flags = trait_rates(gen_after, scores_after)
        shift = (scores_after.mean(0) - scores_before.mean(0)) / sd
        shifts[run.name] = shift
        if run.name == "plain":
            plain_after = (scores_after, gen_after)
        gen_support_all[run.name] = (scores_before != 0).sum(0) + (scores_after != 0).sum(0)
        free = np.asarray(trait_free, bool)
        traits = {}
        for name in after_flags:
            b = per_prompt(before_flags[name].astype(float), gen_before)
            a = per_prompt(after_flags[name].astype(float), gen_after)
            traits[name] = {
                "rate_before": float(before_flags[name].mean()),
                "rate_after": float(after_flags[name].mean()),
                "increase": compare.diff_ci(a, b, n_boot=config.n_boot, seed=config.seed),
            }
        gain = compare.mean_ci(margins[free], n_boot=config.n_boot, seed=config.seed)
        results[run.name] = {
            "trait_rate": traits[target_key]["rate_after"],
            "trait_rate_before": traits[target_key]["rate_before"],
            "trait_increase": traits[target_key]["increase"],
            "intended_gain": gain["mean"],
            "intended_gain_ci": gain["ci"],
            "intended_pairs": int(free.sum()),
            "preference_accuracy": float(np.mean(margins[free] > 0)) if free.any() else None,
            "reward_margin_all_heldout": float(margins.mean()) if margins.size else None,
            "traits": traits,
            "note": run.note,
            "training": record,
            "empty_generations": gen_after.empty,
            "examples": [
                {"prompt": gen_after.prompts[int(i)], "mode": m, "text": t}
                for i, m, t in list(zip(gen_after.prompt_index, gen_after.mode, gen_after.texts, strict=True))[:3]
            ],
        }
        timings[f"run:{run.name}"] = time.perf_counter() - clock
        partial: dict[str, Any] = {"interventions": results, "timings": timings}
        if run.name == "plain":
            partial["comparison"] = _compare(prediction, shifts["plain"], gen_support_all["plain"], keep, config)[1]
        (workdir / "validate.partial.json").write_text(json.dumps(partial, indent=1, default=str))

    # 4. compare predicted with measured (plain DPO)
    idx, primary, full = _compare(prediction, shifts["plain"], gen_support_all["plain"], keep, config)
    support_gen = gen_support_all["plain"]
    assert plain_after is not None  # plain DPO always runs first
    measurement = compare.split_half_reliability(
        scores_before[:, idx],
        plain_after[0][:, idx],
        gen_before.prompt_index,
        plain_after[1].prompt_index,
        sd[idx],
        seed=config.seed,
    )
    ceiling = measurement["r2_ceiling"]
    measurement["r2_disattenuated"] = (
        primary["r2"] / ceiling if ceiling and primary["r2"] is not None and ceiling > 0 else None
    )
    marks = {cid: trait for trait, cid in (planted or {}).items()}
    points = [
        {
            "id": all_concepts[j].id,
            "kind": all_concepts[j].kind,
            "label": kinds.kind_of(all_concepts[j]).label(all_concepts[j]),
            "predicted": float(prediction.diagonal[j]),
            "predicted_full": float(prediction.full[j]),
            "measured": float(shifts["plain"][j]),
            "delta": float(prediction.delta[j]),
            "support_train": int(prediction.support[j]),
            "support_generated": int(support_gen[j]),
            "planted": marks.get(all_concepts[j].id),
        }
        for j in idx
    ]
    others = idx[idx != t_col]
    plain_other = shifts["plain"][others]
    for name, res in results.items():
        s = shifts[name][others]
        res["off_target_shift"] = finite(float(np.mean(np.abs(s)))) if s.size else None
        res["off_target_change_vs_plain"] = finite(float(np.mean(np.abs(s - plain_other)))) if s.size else None
        res["target_concept_shift"] = finite(float(shifts[name][t_col]))
    base = results["plain"]
    for res in results.values():
        inc, base_inc = res["trait_increase"]["mean"], base["trait_increase"]["mean"]
        res["trait_increase_cut"] = (1 - inc / base_inc) if base_inc else None
        res["intended_gain_kept"] = res["intended_gain"] / base["intended_gain"] if base["intended_gain"] else None
    doc = {
        "r2": primary["r2"],
        "r2_ci": primary["r2_ci"],
        "spearman": primary["spearman"],
        "spearman_ci": primary["spearman_ci"],
        "n_concepts": primary["n_concepts"],
        "r2_calibrated": primary["r2_calibrated"],
        "r2_calibrated_ci": primary["r2_calibrated_ci"],
        "shift_scale": primary["shift_scale"],
        "shift_scale_ci": primary["shift_scale_ci"],
        "predictor": "diagonal first-order DPO update: predicted = Δ / sd_pooled "
        "(the contrast's predicted_shift at shift_scale 1)",
        "predictors": {"diagonal": primary, "full": full},
        "measurement": measurement,
        "min_support": config.min_support,
        "target": {
            "concept": target_id,
            "label": target_label,
            "kind": concept.kind,
            "trait": target_key,
            "threshold": threshold,
        },
        "planted": planted or {},
        "interventions": results,
        "skipped": skipped,
        "concepts": points,
        "model": loaded.model_id,
        "layer": layer,
        "device": device,
        "dtype": dtype,
        "data": {
            "train_pairs": len(data.train),
            "heldout_prompts": len(data.heldout_prompts),
            "heldout_pairs": len(data.heldout_pairs),
            "intended_pairs": int(np.sum(trait_free)),
            "generations_per_model": len(gen_before.texts),
            "dictionary_concepts": len(concepts),
        },
        "config": config_json(config),
        "timings": timings,
        "scatter": str(workdir / "validate_scatter.svg"),
        "html": str(workdir / "validate.html"),
    }
    write_outputs(doc, workdir)
    return doc


def _compare(
    prediction: Any, shift: np.ndarray, support_gen: np.ndarray, keep: np.ndarray, config: ValidateConfig
) -> tuple[np.ndarray, dict[str, Any], dict[str, Any]]:
    """(indices of the supported concepts, agreement of the diagonal and of the full predictor)."""
    supported = (
        keep & (prediction.support >= config.min_support) & (support_gen >= config.min_support) & np.isfinite(shift)
    )
    idx = np.flatnonzero(supported)
    primary = compare.agreement(prediction.diagonal[idx], shift[idx], n_boot=config.n_boot, seed=config.seed)
    full = compare.agreement(prediction.full[idx], shift[idx], n_boot=config.n_boot, seed=config.seed)
    return idx, primary, full


def _trait_free_pairs(
    data: Data,
    loaded: Any,
    layer: int,
    concept: Any,
    threshold: float,
    load_sae: Any,
    detectors: dict[str, Detector] | None,
    target_trait: str | None,
) -> list[bool]:
    """Held-out pairs without the target trait on either side."""
    if data.heldout_trait_free is not None:
        return list(data.heldout_trait_free)
    if not data.heldout_pairs:
        return []
    if detectors and target_trait in detectors:
        check = detectors[target_trait]
        return [not check(str(p["chosen"])) and not check(str(p["rejected"])) for p in data.heldout_pairs]
    from prefsight.concepts import kinds

    flags = []
    for side in ("chosen", "rejected"):
        responses = kinds.from_texts(
            loaded,
            layer,
            [str(p[side]) for p in data.heldout_pairs],
            [str(p["prompt"]) for p in data.heldout_pairs],
            load_sae=load_sae,
        )
        flags.append(kinds.score_dense([concept], responses)[:, 0] > threshold)
    return list(~(flags[0] | flags[1]))


__all__ = ["QUICK", "Data", "DictionarySize", "ValidateConfig", "split_by_prompt", "validate"]
