"""``prefsight audit``: the whole path with good defaults, in one call.

Owns: the order — ingest what is missing, build or reuse the layer's concept
dictionary, contrast every concept, add topics, label hints and example pairs
with per-token activations — and the JSON document that ``audit --json``
prints, the report renders and the store keeps (``<store>/audit/latest.json``).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

import prefsight
from prefsight import findings
from prefsight.audit.analysis import Analysis, analyse, topic_labels, topics_json, with_wilcoxon
from prefsight.audit.dictionary import DictionaryConfig, build_dictionary
from prefsight.audit.hints import add_hints
from prefsight.contrast import ContrastConfig
from prefsight.ingest import IngestConfig, ingest
from prefsight.models import DEFAULT_MODEL, load_model
from prefsight.sae import resolve_device
from prefsight.store import objects
from prefsight.store.tables import Store

log = logging.getLogger(__name__)

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class AuditConfig:
    """The defaults a data person gets from ``prefsight audit``."""

    layer: int | None = None
    """Residual layer to analyse; default the model's middle layer."""
    ingest: IngestConfig = field(default_factory=IngestConfig)
    dictionary: DictionaryConfig = field(default_factory=DictionaryConfig)
    contrast: ContrastConfig = field(default_factory=ContrastConfig)
    rank_by: str = "dmin"
    top: int = 20
    examples: int = 3
    topic_field: str = "domain"
    workers: int | None = None
    labeler: str | None = None
    """An OpenAI-compatible chat endpoint that names the labelled concepts from their
    top contexts (the prompt is kept in the concept's provenance); None: the built-in
    automatic label."""
    labeler_model: str = "default"

    def __post_init__(self) -> None:
        if not 1 <= self.top <= 1000:
            raise ValueError(f"top must be in 1..1000, got {self.top}")
        if not 0 <= self.examples <= 20:
            raise ValueError(f"examples must be in 0..20, got {self.examples}")


def audit(
    data: str | Path | None,
    store_uri: str | Path,
    *,
    model: str = DEFAULT_MODEL,
    config: AuditConfig = AuditConfig(),
    skip_bad: bool = False,
    limit: int | None = None,
    progress: Progress | None = None,
    device: str | None = None,
    dtype: str = "float32",
) -> dict[str, Any]:
    """Ingest (if ``data``), build the dictionary, contrast, and describe the top concepts.

    ``device`` (``cpu``, ``cuda``; default the GPU when one is visible) and ``dtype``
    (``float32``, ``bfloat16``) apply to every model forward — the ingest workers,
    the label hints and starter concepts — and the SAE trains on the same device.

    Returns:
        The audit document: ``concepts`` in rank order (each with ``id``,
        ``label``, ``kind``, ``delta``, ``d``, ``q``, ``split_half``, …, label
        hints and examples), ``topics``, ``sae``, ``provenance``, ``timings``.
    """
    report = progress or (lambda _s, _f: None)
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    loaded = load_model(model, device=resolve_device(device), dtype=dtype)
    if device:
        config = replace(config, dictionary=replace(config.dictionary, device=device))
    layer = config.layer if config.layer is not None else loaded.n_layers // 2
    layer = layer + loaded.n_layers if layer < 0 else layer
    timings["load_model"] = time.perf_counter() - clock
    ingest_json = None
    if data is not None:
        clock = time.perf_counter()
        report("ingest", 0.0)
        ingest_config = _ingest_config(data, config, layer, skip_bad, limit)
        result = ingest(
            data,
            store_uri,
            model=model,
            config=ingest_config,
            workers=config.workers,
            skip_bad=skip_bad,
            limit=limit,
            dtype=dtype,
            device=None if device in (None, "", "auto") else device,
            progress=lambda p: report("ingest", p.pairs_done / max(p.pairs_total, 1)),
        )
        ingest_json = result.to_json()
        timings["ingest"] = time.perf_counter() - clock
    store = Store(str(store_uri))
    clock = time.perf_counter()
    summary = build_dictionary(
        store,
        loaded.model_id,
        layer,
        config.dictionary,
        loaded=loaded,
        workers=config.workers,
        progress=report,
        ingest=config.ingest,
    )
    timings["dictionary"] = time.perf_counter() - clock
    clock = time.perf_counter()
    report("contrast", 0.0)
    analysis = analyse(store, model=loaded.model_id, layer=layer, rank_by=config.rank_by, config=config.contrast)
    document = describe(store, analysis, config, loaded=loaded)
    # describe() may rename concepts (labels): the saved findings carry the new labels and
    # are keyed by the tables as they are now, so the first query after an audit reads them
    from prefsight.concepts.catalog import load_concepts

    renamed = {c.id: c for c in load_concepts(store, layer=analysis.layer)}
    analysis.scores.concepts[:] = [renamed.get(c.id, c) for c in analysis.scores.concepts]
    versions = findings.table_versions(store.uri, findings.ANALYSIS_TABLES)
    timings["contrast"] = time.perf_counter() - clock
    document.update(
        sae=summary["sae"],
        n_concepts=summary["n_concepts"],
        ingest=ingest_json,
        timings={k: round(v, 2) for k, v in timings.items()},
    )
    save_document(store, document)
    # what the quick queries read (contrast, scores), keyed by the tables analysed
    findings.write_findings(
        store.uri, analysis, config.rank_by, default=_is_default_layer(store, analysis.layer), versions=versions
    )
    findings.write_scores(store.uri, analysis.scores, analysis.layer, versions)
    return document


def _is_default_layer(store: Store, layer: int) -> bool:
    """Whether queries without a layer analyse this one (``resolve_model_layer``'s choice)."""
    from prefsight.audit.analysis import resolve_model_layer
    from prefsight.errors import PrefsightError

    try:
        return resolve_model_layer(store, None, None)[1] == layer
    except PrefsightError:  # several models: queries must name one
        return False


ALL_TOKENS_MAX_PAIRS = 4000
"""Up to this many pairs, ingest keeps every response token of the audited layer, so
the SAE statistics come from the store instead of a second forward pass (measured:
the second pass cost as much as the ingest itself)."""


def _ingest_config(
    data: str | Path, config: AuditConfig, layer: int, skip_bad: bool, limit: int | None
) -> IngestConfig:
    from prefsight.data import read_pairs

    n_pairs = len(read_pairs(data, skip_bad=skip_bad, limit=limit).pairs)
    settings = {**config.ingest.__dict__, "layers": (layer,)}
    if n_pairs <= ALL_TOKENS_MAX_PAIRS:
        settings.update(sample_per_response=-1, max_sample_tokens=2_000_000)
    return IngestConfig(**settings)


REPORT_CONCEPTS = 500
"""Concepts (in rank order) the document keeps for the report's plots and table; the
first ``top`` carry label hints and examples."""


def describe(store: Store, analysis: Analysis, config: AuditConfig, *, loaded: Any = None) -> dict[str, Any]:
    """The audit document for an analysis: records, hints, examples, topics, maps."""
    records = analysis.records(top=config.top)
    with_wilcoxon(analysis, records)
    if loaded is not None:
        add_hints(store, analysis, records, loaded, n_examples=config.examples)
    everything = analysis.records(top=REPORT_CONCEPTS)
    described = {r["id"] for r in records}
    others = [r for r in everything if r["id"] not in described and r["kind"] != "text"]
    every = analysis.records()
    text_records = [r for r in every if r["kind"] == "text"]
    if loaded is not None:
        add_labels(
            store, analysis, [*records, *others], loaded, labeler=config.labeler, labeler_model=config.labeler_model
        )
    topics, source = topic_labels(store, analysis, config.topic_field)
    runs = [r for r in store.runs() if r["kind"] == "ingest" and r["model"] == analysis.model]
    last = runs[-1] if runs else {}
    return {
        "store": store.uri,
        "model": analysis.model,
        "layer": analysis.layer,
        "pairs": len(analysis.scores.pair_ids),
        "rank_by": config.rank_by,
        "concepts": records,
        "more_concepts": others,
        "text_checks": text_records,
        "tested": tested_counts([r for r in every if r["kind"] != "text"]),
        "overall": analysis.overall_records(),
        "topics": topics_json(analysis, topics, source),
        "maps": _maps(analysis, topics),
        "provenance": {
            "dataset": last.get("dataset", ""),
            "fingerprint": last.get("fingerprint", ""),
            "prefsight_version": prefsight.__version__,
            "created_at": datetime.now(timezone.utc).isoformat(),
        },
    }


def add_labels(
    store: Store,
    analysis: Analysis,
    records: list[dict[str, Any]],
    loaded: Any,
    n_examples: int = 2,
    labeler: str | None = None,
    labeler_model: str = "default",
) -> None:
    """Contexts, enriched n-grams and automatic labels for the top ``LABEL_TOP`` records
    and every named one, in place; placeholder labels are renamed in the concepts table.
    Records without example pairs get ``n_examples`` clipped ones from the stored tokens."""
    from prefsight.audit import labels as lab
    from prefsight.audit.hints import load_store_sae
    from prefsight.concepts.catalog import save_concepts

    clock = time.perf_counter()
    corpus = lab.load_corpus(store, analysis.model, analysis.layer, loaded.tokenizer)
    if corpus is None:
        return
    by_id = {c.id: c for c in analysis.scores.concepts}
    wanted = [r for i, r in enumerate(records) if r["id"] in by_id and (i < lab.LABEL_TOP or r["kind"] == "named")]
    concepts = [by_id[r["id"]] for r in wanted]
    acts = lab.token_activations(corpus, concepts, load_store_sae(store, analysis.layer))
    found = lab.describe_labels(corpus, concepts, None, acts=acts)
    _add_examples(store, analysis, wanted, corpus, acts, n_examples)
    renamed = []
    for record in wanted:
        info = found.get(record["id"])
        if info is None:
            continue
        record.update(info)
        named = None
        if labeler and lab.replaceable(by_id[record["id"]]):
            try:
                named = lab.llm_label(labeler, info, model=labeler_model)
            except Exception as exc:  # the built-in label stands; say why once
                log.warning("labeler failed for %s, keeping the automatic label: %s", record["id"], exc)
                labeler = None
        concept = lab.relabel(by_id[record["id"]], info["auto_label"], named)
        if concept is not None:
            renamed.append(concept)
            record["label"], record["description"] = concept.label, concept.description
            record["label_source"] = concept.provenance["label_source"]
    if renamed:
        save_concepts(store, renamed, corpus.hidden.shape[1])
    log.info("labels for %d concepts (%d renamed) in %.1fs", len(found), len(renamed), time.perf_counter() - clock)


def _add_examples(
    store: Store, analysis: Analysis, records: list[dict[str, Any]], corpus: Any, acts: np.ndarray, n: int
) -> None:
    from prefsight.audit import labels as lab
    from prefsight.audit.hints import example_pairs
    from prefsight.audit.scoring import dense_column

    index = {c.id: i for i, c in enumerate(analysis.scores.concepts)}
    picks = {}
    for j, record in enumerate(records):
        if record.get("examples") or not n or not np.isfinite(acts[:, j]).any():
            continue
        sign = 1.0 if (record["delta"] or 0) >= 0 else -1.0
        picks[j] = example_pairs(analysis, index[record["id"]], sign, n)
    if not picks:
        return
    wanted = sorted({analysis.scores.pair_ids[i] for rows in picks.values() for i in rows})
    texts = {row["pair_id"]: row for row in store.read_pairs(wanted)}
    for j, rows in picks.items():
        k = index[records[j]["id"]]
        chosen = dense_column(analysis.scores.chosen, k)
        rejected = dense_column(analysis.scores.rejected, k)
        records[j]["examples"] = [
            lab.clipped_example(
                corpus, acts[:, j], texts[analysis.scores.pair_ids[i]], float(chosen[i]), float(rejected[i])
            )
            for i in rows
            if analysis.scores.pair_ids[i] in texts
        ]


def tested_counts(records: list[dict[str, Any]]) -> dict[str, int]:
    """``total`` and the count per badge over every tested concept (the report's summary
    cards; the document lists only the top ``REPORT_CONCEPTS``)."""
    from prefsight.audit.to_report import concept_row
    from prefsight.report.badges import BADGES, BadgeRules, assign_badge

    rules = BadgeRules()
    badges = [assign_badge(concept_row(r), rules) for r in records]
    return {"total": len(records), **{b: badges.count(b) for b in BADGES}}


def _maps(analysis: Analysis, topics: np.ndarray, max_concepts: int = 300) -> dict[str, Any]:
    """2-D maps: pairs by their chosen−rejected top-concept deltas, concepts by vectors."""
    cols = analysis.order[:max_concepts]
    delta = analysis.scores.chosen[:, cols] - analysis.scores.rejected[:, cols]
    delta = np.asarray(delta.todense() if hasattr(delta, "todense") else delta, np.float64)
    delta = (delta - delta.mean(0)) / (delta.std(0) + 1e-9)
    pair_xy = _pca2(delta)
    concepts = [analysis.scores.concepts[int(i)] for i in cols]
    with_vector = [c for c in concepts if c.vector is not None]
    vectors = [c.vector for c in with_vector if c.vector is not None]
    concept_xy = _pca2(np.stack(vectors)) if len(vectors) > 2 else None
    return {
        "pairs": {
            "x": pair_xy[:, 0].tolist(),
            "y": pair_xy[:, 1].tolist(),
            "pair_id": analysis.scores.pair_ids,
            "topic": [str(t) for t in topics],
        },
        "concepts": None
        if concept_xy is None
        else {
            "x": concept_xy[:, 0].tolist(),
            "y": concept_xy[:, 1].tolist(),
            "id": [c.id for c in with_vector],
            "kind": [c.kind for c in with_vector],
        },
    }


def _pca2(x: np.ndarray) -> np.ndarray:
    x = x - x.mean(0)
    if x.shape[0] < 2 or x.shape[1] < 2:
        return np.zeros((x.shape[0], 2))
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    return x @ vt[:2].T


def document_path(store: Store) -> str:
    """``<store>/audit/latest.json``: a local path, or an object URI for a remote store."""
    return objects.join(store.uri, "audit", "latest.json")


def save_document(store: Store, document: dict[str, Any]) -> None:
    """Replace the store's audit document whole (readers never see half of one)."""
    objects.write_bytes(document_path(store), json.dumps(document, default=str).encode())


def load_document(store: Store) -> dict[str, Any]:
    """The store's last audit document.

    Raises:
        FailedPrecondition: the store has not been audited.
    """
    from prefsight.errors import FailedPrecondition

    try:
        return json.loads(objects.read_bytes(document_path(store)))
    except FileNotFoundError:
        raise FailedPrecondition(f"store {store.uri} has no audit yet (run `prefsight audit`)") from None
