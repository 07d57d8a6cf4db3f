"""Turn an audit document into the report's ``ReportData``.

Owns: the mapping from the audit JSON (what ``audit --json`` prints and the
store keeps) to the report model, so the report never recomputes anything.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from prefsight.report.maps import ConceptMap, PairMap, TopicTable
from prefsight.report.model import Provenance, ReportData
from prefsight.report.rows import ConceptRow, Context, ExamplePair


def _f(value: Any) -> float:
    return math.nan if value is None else float(value)


def concept_row(record: dict[str, Any]) -> ConceptRow:
    """The report row of one analysis record (its examples included)."""
    examples = [
        ExamplePair(
            pair_id=e["pair_id"],
            prompt=e["prompt"],
            chosen=e["chosen"],
            rejected=e["rejected"],
            chosen_score=_f(e["chosen_score"]),
            rejected_score=_f(e["rejected_score"]),
            delta=_f(e["delta"]),
            chosen_tokens=[(t, float(a)) for t, a in e.get("chosen_tokens", [])],
            rejected_tokens=[(t, float(a)) for t, a in e.get("rejected_tokens", [])],
        )
        for e in record.get("examples", [])
    ]
    return ConceptRow(
        id=record["id"],
        label=record["label"],
        kind=record["kind"],
        layer=record.get("layer"),
        delta=_f(record["delta"]),
        d=_f(record["d"]),
        q=_f(record["q"]),
        p=_f(record.get("p")),
        ci_low=_f(record.get("ci_low")),
        ci_high=_f(record.get("ci_high")),
        split_half=bool(record["split_half"]),
        fire_rate=_f(record.get("fire_rate")),
        delta_min=_f(record.get("delta_min")),
        d_min=_f(record.get("d_min")),
        predicted_shift=_f(record.get("predicted_shift")),
        description=record.get("description", ""),
        examples=examples,
        fire_rate_chosen=record.get("fire_rate_chosen"),
        fire_rate_rejected=record.get("fire_rate_rejected"),
        delta_net=_f(record.get("delta_net")),
        d_net=_f(record.get("d_net")),
        q_net=_f(record.get("q_net")),
        reliable=record.get("reliable"),
        generic=record.get("generic"),
        heldout_auroc=record.get("heldout_auroc"),
        overall_cosine=record.get("overall_cosine"),
        pair_accuracy=record.get("pair_accuracy"),
        contexts=[
            Context(
                pair_id=c["pair_id"],
                side=c["side"],
                activation=_f(c.get("activation")),
                tokens=[(t, _f(a)) for t, a in c.get("tokens", [])],
            )
            for c in record.get("contexts", [])
        ],
        enriched=[(t, _f(z)) for t, z in record.get("enriched", [])],
    )


_row = concept_row


def _overall_row(record: dict[str, Any]) -> ConceptRow:
    """An overall direction shown with its cross-fitted (honest) separation."""
    row = concept_row(record)
    return dataclasses.replace(row, delta=_f(record.get("crossfit_delta")), d=_f(record.get("crossfit_d")))


REPORT_LIST = 200
"""Concepts the report lists (plots and table), in rank order, plus every named concept
below them; the summary counts cover everything tested (``document["tested"]``)."""


def _listed(records: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    return [r for i, r in enumerate(records) if i < limit or r.get("kind") == "named"]


def report_data(document: dict[str, Any], command: str = "", listed: int = REPORT_LIST) -> ReportData:
    """ReportData for an audit document, listing the top ``listed`` concepts (and named ones)."""
    provenance = document.get("provenance", {})
    topics = document.get("topics")
    maps = document.get("maps") or {}
    pairs_map = maps.get("pairs")
    concept_map = maps.get("concepts")
    nan_rows = lambda m: [[math.nan if x is None else x for x in row] for row in m]  # noqa: E731
    return ReportData(
        provenance=Provenance(
            dataset=provenance.get("dataset", ""),
            fingerprint=provenance.get("fingerprint", ""),
            n_pairs=int(document.get("pairs", 0)),
            model_id=document.get("model", ""),
            layers=[int(document["layer"])] if document.get("layer") is not None else [],
            run_times={k: float(v) for k, v in (document.get("timings") or {}).items()},
            created_at=provenance.get("created_at", ""),
            command=command,
        ),
        concepts=[
            concept_row(r) for r in _listed(document.get("concepts", []) + document.get("more_concepts", []), listed)
        ],
        topics=None
        if not topics or not topics.get("topics")
        else TopicTable(
            topics=topics["topics"],
            sizes=topics["sizes"],
            concept_ids=topics["concept_ids"],
            delta_diff=nan_rows(topics["delta_diff"]),
            z=nan_rows(topics["z"]),
            split_half=topics["split_half"],
            skipped=topics.get("skipped", {}),
        ),
        pair_map=None
        if not pairs_map
        else PairMap(
            x=pairs_map["x"],
            y=pairs_map["y"],
            pair_id=pairs_map["pair_id"],
            topic=pairs_map["topic"],
            label=pairs_map["pair_id"],
        ),
        concept_map=None
        if not concept_map
        else ConceptMap(x=concept_map["x"], y=concept_map["y"], id=concept_map["id"], kind=concept_map["kind"]),
        text_checks=[concept_row(r) for r in document.get("text_checks", [])],
        overall=[_overall_row(r) for r in document.get("overall", [])],
        tested=document.get("tested") or {},
    )
