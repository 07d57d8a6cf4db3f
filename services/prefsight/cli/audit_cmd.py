"""``prefsight audit``, ``demo``, ``contrast``, ``scores``, ``nearest`` and ``report``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from prefsight.cli.app import app, emit_json, fail, setup_logging, store_option
from prefsight.cli.defaults import DEFAULT_MODEL, JSON_HELP, KINDS, QUIET_HELP
from prefsight.cli.tables import StageBar, print_concepts, print_overall


def _audit_config(
    layer: int | None,
    top: int,
    latents: int,
    k: int,
    workers: int,
    labeler: str | None = None,
    labeler_model: str = "default",
) -> Any:
    from prefsight.audit import AuditConfig
    from prefsight.audit.dictionary import DictionaryConfig

    return AuditConfig(
        layer=layer,
        top=top,
        workers=workers or None,
        dictionary=DictionaryConfig(n_latents=latents, k=k),
        labeler=labeler or None,
        labeler_model=labeler_model,
    )


@app.command()
def audit(
    data: Path = typer.Argument(..., help="Dataset to audit (any format `ingest` reads)."),
    store: str = typer.Option(
        ...,
        "--store",
        envvar="PREFSIGHT_STORE",
        help="Store folder or s3:// URI, created if missing (default: $PREFSIGHT_STORE).",
    ),
    model: str = typer.Option(DEFAULT_MODEL, help="Alias, model folder, .gguf file or cached hub id."),
    layer: int = typer.Option(None, help="Layer to analyse (default: the middle layer)."),
    top: int = typer.Option(20, help="How many concepts to describe with hints and examples (a count)."),
    latents: int = typer.Option(2048, help="SAE dictionary size."),
    k: int = typer.Option(16, help="SAE active latents per token."),
    workers: int = typer.Option(0, help="ForwardWorker actors."),
    device: str = typer.Option("auto", help="auto (the GPU when one is visible), cpu, cuda or cuda:N: model and SAE."),
    dtype: str = typer.Option("float32", help="float32 or bfloat16 (the model's forwards)."),
    limit: int = typer.Option(0, help="Only the first N pairs."),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="Skip bad rows."),
    report: Path = typer.Option(None, help="Also write the HTML report here."),
    labeler: str = typer.Option(
        None,
        help="OpenAI-compatible chat endpoint (e.g. a local llama.cpp or vLLM server) "
        "that names concepts from their top contexts; default: the built-in automatic label.",
    ),
    labeler_model: str = typer.Option("default", help="Model name sent to --labeler."),
    json_out: bool = typer.Option(False, "--json", help="Print the audit document as JSON."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help=QUIET_HELP),
) -> None:
    """Ingest what is missing, train or reuse the dictionary, contrast, and rank concepts."""
    from prefsight.audit import audit as run_audit

    setup_logging(quiet or json_out, models=True)
    bar = StageBar(not quiet and not json_out)
    document = run_audit(
        data,
        store,
        model=model,
        config=_audit_config(layer, top, latents, k, workers, labeler, labeler_model),
        skip_bad=skip_bad,
        limit=limit or None,
        progress=bar,
        device=device,
        dtype=dtype,
    )
    bar.close()
    if report:
        _write_report(document, report)
    if json_out:
        emit_json(document)
        return
    typer.echo(f"{document['pairs']} pairs, layer {document['layer']}, {document['n_concepts']} concepts")
    print_concepts(document["concepts"], top)
    print_overall(document.get("overall", []))
    if report:
        typer.echo(f"report: {report}")


def _write_report(document: dict[str, Any], path: Path) -> None:
    from prefsight.audit.to_report import report_data
    from prefsight.report import write_report

    write_report(report_data(document, command=" ".join(["prefsight", *sys.argv[1:]])), path)


@app.command()
def demo(
    out: Path = typer.Option(Path("prefsight-demo"), help="Folder for the data, store and report."),
    pairs: int = typer.Option(320, help="Pairs to generate."),
    seed: int = typer.Option(0, help="Generator seed."),
    model: str = typer.Option(DEFAULT_MODEL, help="Alias, model folder, .gguf file or cached hub id."),
    top: int = typer.Option(10, help="How many concepts to print (a count)."),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
    quiet: bool = typer.Option(False, "--quiet", "-q", help=QUIET_HELP),
) -> None:
    """Generate a planted-trait preference set, audit it, print the top concepts, write the report."""
    from prefsight.apps.demo import generate_demo
    from prefsight.audit import audit as run_audit

    setup_logging(quiet or json_out, models=True)
    out.mkdir(parents=True, exist_ok=True)
    dataset = generate_demo(n_pairs=pairs, seed=seed)
    data = out / "demo-pairs.jsonl"
    dataset.write(data)
    bar = StageBar(not quiet and not json_out)
    document = run_audit(
        data, out / "store", model=model, config=_audit_config(None, max(top, 20), 2048, 16, 0), progress=bar
    )
    bar.close()
    report = out / "report.html"
    _write_report(document, report)
    if json_out:
        emit_json({**document, "report": str(report), "data": str(data)})
        return
    rates = ", ".join(f"{t} {r:.0%}" for t, r in dataset.realized_rates().items())
    typer.echo(f"generated {pairs} pairs in {data} with planted traits in chosen: {rates}")
    print_concepts(document["concepts"], top)
    print_overall(document.get("overall", []))
    typer.echo(f"report: {report}   store: {out / 'store'}")


TOP_HELP = "How many concepts to show (a count)."


@app.command()
def contrast(
    store: str = store_option(),
    layer: int = typer.Option(None, help="Layer (default: the audited one)."),
    kind: list[str] = typer.Option([], "--kind", help="Only these kinds (repeatable): sae, contrast, named, text."),
    top: int = typer.Option(20, "--top", help=TOP_HELP),
    topic: str = typer.Option("", help="Rank concepts inside this topic (metadata value or 'cluster N')."),
    rank_by: str = typer.Option("dmin", "--by", help="dmin (default, scale-free), deltamin, delta, d, z or q."),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Which concepts separate chosen from rejected (effect, q, split-half).

    Reads the findings the audit saved beside the store; recomputes (and saves) them
    only when the store changed since.
    """
    from prefsight import findings

    setup_logging(True)
    if top < 1:
        fail(f"--top must be a count >= 1, got {top}")
    for k in kind:
        if k not in KINDS:
            fail(f"unknown kind {k!r}; kinds: {', '.join(KINDS)}")
    kinds = tuple(sorted(set(kind)))
    overall: list[dict[str, Any]] = []
    if topic:
        from prefsight.session import StoreSession

        records = _topic_records(StoreSession(store), layer, topic, top)
    else:
        saved = findings.read_findings(store, layer, rank_by, kinds)
        if saved is None:
            from prefsight.session import StoreSession

            saved = StoreSession(store).saved_findings(layer, kinds, rank_by)
        records, overall = saved["records"][:top], saved["overall"]
    if json_out:
        emit_json({"store": store, "concepts": records, "overall": overall})
        return
    print_concepts(records, top)
    print_overall(overall)


def _topic_records(session: Any, layer: int | None, topic: str, top: int) -> list[dict[str, Any]]:
    import numpy as np

    from prefsight.audit.analysis import topic_labels
    from prefsight.contrast import topic_contrast

    analysis = session.analysis(layer)
    topics, _ = topic_labels(session.store, analysis)
    if topic not in set(topics):
        fail(f"topic {topic!r} not found; topics: {', '.join(sorted(set(topics)))}")
    result = topic_contrast(
        analysis.scores.chosen, analysis.scores.rejected, topics, split=analysis.scores.split, min_topic_pairs=5
    )
    if topic not in list(result.topics):
        fail(f"topic {topic!r} is too small to test: {result.skipped.get(topic, 'skipped')}")
    row = list(result.topics).index(topic)
    order = result.rank(topic)[:top]
    concepts = analysis.scores.concepts
    finite = lambda x: None if not np.isfinite(x) else float(x)  # noqa: E731
    return [
        {
            "id": concepts[j].id,
            "label": concepts[j].label,
            "kind": concepts[j].kind,
            "delta": finite(result.delta_diff[row, j]),
            "d": finite(result.d[row, j]),
            "q": finite(result.q[row, j]),
            "z": finite(result.z[row, j]),
            "split_half": bool(result.split_half[row, j]),
            "topic": topic,
        }
        for j in order
    ]


@app.command()
def scores(
    store: str = store_option(),
    concept: str = typer.Option(..., "--concept", help="Concept id or label."),
    layer: int = typer.Option(None, help="Layer (default: the concept's own)."),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Per pair: chosen score, rejected score and delta of one concept."""
    from prefsight import findings
    from prefsight.cli.lookup import resolve_concept

    setup_logging(True)
    row = resolve_concept(store, concept)
    at: int | None = layer if layer is not None else row["layer"]
    if at is None or at < 0:
        default = findings.default_layer(store)
        at = default[1] if default else None
    saved = findings.read_scores(store, at, row["id"]) if at is not None else None
    if saved is not None:
        pair_ids, chosen, rejected = (saved["pair_ids"], saved["chosen"].tolist(), saved["rejected"].tolist())
    else:
        from prefsight.session import StoreSession

        typed = StoreSession(store).pair_scores(row["id"], layer=layer)
        pair_ids, chosen, rejected = (list(typed.pair_ids), typed.chosen.tolist(), typed.rejected.tolist())
    rows = [
        {"pair_id": p, "chosen": c, "rejected": r, "delta": c - r}
        for p, c, r in zip(pair_ids, chosen, rejected, strict=True)
    ]
    if json_out:
        emit_json(
            {
                "store": store,
                "concept": row["id"],
                "label": row["label"],
                "layer": at,
                "n_pairs": len(rows),
                "scores": rows,
            }
        )
        return
    typer.echo(f"{row['id']} ({row['label']}), {len(rows)} pairs")
    typer.echo(f"{'pair_id':<20} {'chosen':>10} {'rejected':>10} {'delta':>10}")
    for r in rows:
        typer.echo(f"{r['pair_id'][:20]:<20} {r['chosen']:>10.4g} {r['rejected']:>10.4g} {r['delta']:>10.4g}")


SNIPPET = 80


def _snippet(text: str, width: int = SNIPPET) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


@app.command()
def nearest(
    store: str = store_option(),
    text: str = typer.Option("", help="Encode this text with the model (loads it)."),
    concept: str = typer.Option("", help="A concept id or label (left out of the answer)."),
    pair: str = typer.Option("", help="A pair id (query: its chosen − rejected difference)."),
    k: int = typer.Option(10, "-k", "--k", help="How many concepts and responses to show (a count)."),
    layer: int = typer.Option(None, help="Layer (default: the concept's, else the audited one)."),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Nearest concepts (with labels) and nearest responses (with snippets) to a text, concept or pair."""
    from prefsight.cli.lookup import catalog, resolve_concept
    from prefsight.session import StoreSession

    setup_logging(True, models=bool(text))
    if k < 1:
        fail(f"-k must be a count >= 1, got {k}")
    concept_id = resolve_concept(store, concept)["id"] if concept else None
    session = StoreSession(store)
    query, qlayer = session.query_vector(text=text or None, concept_id=concept_id, pair_id=pair or None, layer=layer)
    hits = [h for h in session.nearest_features(query, k + 1, layer=qlayer) if h.id != concept_id][:k]
    examples = session.nearest_examples(query, k, layer=qlayer)
    labels = {r["id"]: r["label"] for r in catalog(store)}
    texts = (
        {p["pair_id"]: p for p in session.store.read_pairs(sorted({h.pair_id for h in examples}))} if examples else {}
    )
    result: dict[str, Any] = {
        "store": store,
        "query": {"text": text or None, "concept": concept_id, "pair": pair or None, "layer": qlayer},
        "features": [
            {
                "id": h.id,
                "label": labels.get(h.id, ""),
                "score": h.score,
                "rank": i + 1,
                "kind": h.metadata.kind,
                "layer": h.metadata.layer,
            }
            for i, h in enumerate(hits)
        ],
        "examples": [
            {
                "pair_id": h.pair_id,
                "side": h.side,
                "score": h.score,
                "rank": h.rank,
                "snippet": _snippet(texts[h.pair_id][h.side]) if h.pair_id in texts else "",
            }
            for h in examples
        ],
    }
    if json_out:
        emit_json(result)
        return
    typer.echo("nearest concepts:")
    for h in result["features"]:
        typer.echo(f"  {h['score']:.3f}  {h['id']:<28} {h['label']}")
    typer.echo("nearest responses:")
    for h in result["examples"]:
        typer.echo(f"  {h['score']:.3f}  {h['pair_id']} ({h['side']}): {h['snippet']}")


@app.command()
def report(
    store: str = store_option(),
    out: Path = typer.Option(Path("report.html"), "--out", help="Where to write the HTML file."),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Write the self-contained HTML audit report of the store's latest audit."""
    from prefsight.audit.run import load_document
    from prefsight.store import Store

    setup_logging(True)
    _write_report(load_document(Store(store)), out)
    if json_out:
        emit_json({"store": store, "report": str(out), "bytes": out.stat().st_size})
        return
    typer.echo(f"report: {out}")
