"""Quick reads for the query commands: the concept catalog and naming a concept.

Owns: the store's concept catalog as small rows (saved beside the store and read
back while the concepts table is unchanged, so ``concepts list`` and every
``--concept`` lookup skip LanceDB), and turning what a person typed — a concept
id or a label — into one concept id, with every candidate listed when a label
is ambiguous.
"""

from __future__ import annotations

from typing import Any

from prefsight import findings
from prefsight.cli.app import fail


def catalog(store: str) -> list[dict[str, Any]]:
    """``[{"id", "kind", "layer", "label", "description"}]`` of every concept in the store."""
    rows = findings.read_catalog(store)
    if rows is not None:
        return rows
    from prefsight.store import Store
    from prefsight.store import schema as S

    s = Store(store)  # the table's columns directly: prefsight.concepts would import torch
    columns = ["id", "kind", "layer", "label", "description"]
    rows = s.scan(S.CONCEPTS, columns).to_pylist() if s.has(S.CONCEPTS) else []
    for row in rows:
        row["layer"] = None if row["layer"] is None or row["layer"] < 0 else int(row["layer"])
    findings.write_catalog(store, rows)
    return rows


def resolve_concept(store: str, name: str) -> dict[str, Any]:
    """The catalog row a concept id or label names; exit 2 listing candidates otherwise.

    An exact id wins; else a label matched case-insensitively (also the labels of the
    saved findings, e.g. "SAE L15 #1772").
    """
    rows = catalog(store)
    if not rows:
        fail(f"store {store} has no concepts yet (run `prefsight audit` or `concepts define`)")
    by_id = {r["id"]: r for r in rows}
    if name in by_id:
        return by_id[name]
    wanted = name.strip().casefold()
    labels = _finding_labels(store)
    matches = [r for r in rows if wanted in {str(r["label"]).casefold(), str(labels.get(r["id"], "")).casefold()}]
    if len(matches) == 1:
        return matches[0]
    if matches:
        listed = "; ".join(f"{r['id']} ({r['kind']}, layer {r['layer']})" for r in matches[:20])
        fail(f"label {name!r} names {len(matches)} concepts in store {store}; pass an id: {listed}")
    some = ", ".join(r["id"] for r in rows[:8])
    fail(f"concept {name!r} not in store {store} (neither an id nor a label; e.g. {some})")
    raise AssertionError  # unreachable


def resolve_concepts(store: str, names: list[str]) -> list[str]:
    return [resolve_concept(store, n)["id"] for n in names]


def _finding_labels(store: str) -> dict[str, str]:
    saved = findings.read_findings(store, None)
    if saved is None:
        return {}
    return {r["id"]: r.get("label", "") for r in saved["records"] + saved["overall"]}
