"""``prefsight concepts train-sae|define|list|label`` and ``filter`` / ``inoculate``."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from prefsight.cli.app import app, emit_json, fail, setup_logging

concepts_app = typer.Typer(help="Build and inspect the concept dictionary.", no_args_is_help=True)
app.add_typer(concepts_app, name="concepts")


@concepts_app.command("train-sae")
def train_sae(
    store: str = typer.Option(..., "--store"),
    layer: int = typer.Option(None, help="Layer (default: the store's middle ingested layer)."),
    latents: int = typer.Option(2048),
    k: int = typer.Option(16),
    epochs: float = typer.Option(25.0),
    retrain: bool = typer.Option(False, help="Train again even if an SAE is saved."),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Train (or reuse) the layer's SAE on the stored tokens and register its features."""
    from prefsight.audit.analysis import resolve_model_layer
    from prefsight.audit.dictionary import DictionaryConfig, build_dictionary
    from prefsight.store import Store

    setup_logging(json_out)
    s = Store(store)
    model, layer = resolve_model_layer(s, None, layer)
    config = DictionaryConfig(n_latents=latents, k=k, sae_epochs=epochs, retrain=retrain, starter=False)
    summary = build_dictionary(s, model, layer, config)
    if json_out:
        emit_json(summary)
        return
    sae = summary["sae"]
    typer.echo(
        f"SAE L{layer}: {latents} latents, k={k}: variance explained {sae.get('variance_explained_train', 0):.3f} "
        f"(held-out {sae.get('variance_explained_heldout', 0):.3f}), dead {sae.get('dead_fraction_train', 0):.1%}; "
        f"{summary['active_latents']} active latents registered"
    )


def _examples(path: Path | None, inline: list[str]) -> list[str]:
    texts = list(inline)
    if path is not None:
        if not path.exists():
            fail(f"{path} does not exist")
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line) if line.lstrip().startswith(("{", '"')) else line
            except json.JSONDecodeError as exc:
                fail(f"{path}:{number}: malformed JSON: {exc.msg}")
            texts.append(value["text"] if isinstance(value, dict) else str(value))
    return texts


@concepts_app.command("define")
def define(
    name: str = typer.Argument(..., help="Concept name, e.g. 'apologising'."),
    store: str = typer.Option(..., "--store"),
    positive: list[str] = typer.Option([], "--positive", "-p", help="A text showing the trait (repeatable)."),
    negative: list[str] = typer.Option([], "--negative", "-n", help="A text without it (repeatable)."),
    positive_file: Path = typer.Option(None, help="One example per line (plain or JSON {\"text\"})."),
    negative_file: Path = typer.Option(None),
    layer: int = typer.Option(None),
    description: str = typer.Option(""),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Define a named concept from example texts (difference of means)."""
    from prefsight.session import StoreSession

    setup_logging(True)
    concept = StoreSession(store).define_concept(
        name, _examples(positive_file, positive), _examples(negative_file, negative),
        layer=layer, description=description,
    )
    result = {"id": concept.id, "label": concept.label, "layer": concept.layer, "kind": concept.kind}
    emit_json(result) if json_out else typer.echo(f"defined {concept.id} at layer {concept.layer}")


@concepts_app.command("list")
def list_concepts(
    store: str = typer.Option(..., "--store"),
    kind: str = typer.Option("", help="sae, contrast, named or text."),
    layer: int = typer.Option(None),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """List the store's concepts."""
    from prefsight.concepts.catalog import load_concepts
    from prefsight.concepts.types import KINDS
    from prefsight.store import Store

    setup_logging(True)
    if kind and kind not in KINDS:
        fail(f"unknown kind {kind!r}; kinds: {', '.join(KINDS)}")
    concepts = load_concepts(Store(store), kind=kind or None, layer=layer)
    rows = [{"id": c.id, "kind": c.kind, "layer": c.layer, "label": c.label, "description": c.description}
            for c in concepts]
    if json_out:
        emit_json(rows)
        return
    for r in rows:
        typer.echo(f"{r['id']:<32} {r['kind']:<9} {r['label']}")
    typer.echo(f"{len(rows)} concepts")


@concepts_app.command("label")
def label(
    concept: str = typer.Argument(..., help="Concept id."),
    store: str = typer.Option(..., "--store"),
    name: str = typer.Option(None, "--name", help="New label."),
    description: str = typer.Option(None, help="New description."),
) -> None:
    """Rename or describe a concept."""
    from prefsight.session import StoreSession

    setup_logging(True)
    if name is None and description is None:
        fail("give --name and/or --description")
    c = StoreSession(store).rename_concept(concept, name, description)
    typer.echo(f"{c.id}: {c.label}" + (f" — {c.description}" if c.description else ""))


def _intervene(action: str, store: str, concept: list[str], data: Path | None, out: Path | None,
               threshold: float | None, top_fraction: float | None, dry_run: bool, template: str | None,
               json_out: bool) -> None:
    from prefsight.session import StoreSession

    setup_logging(True)
    result = StoreSession(store).intervene(
        action, concept, data=str(data) if data else None, output=str(out) if out else None,
        threshold=threshold, top_fraction=top_fraction, dry_run=dry_run, template=template,
    )
    if json_out:
        emit_json(result)
        return
    typer.echo(f"{action}: {result['pairs_selected']} of {result['pairs_total']} pairs selected ({result['rule']})")
    for s in result["shift"][:10]:
        typer.echo(f"  {s['id']:<32} Δ {s['delta_before']:+.4g} -> {s['delta_after']:+.4g}")
    if not dry_run:
        typer.echo(f"wrote {result['written']} (manifest {result['manifest']})")


@app.command("filter")
def filter_cmd(
    store: str = typer.Option(..., "--store"),
    concept: list[str] = typer.Option(..., "--concept", help="Concept id (repeatable)."),
    data: Path = typer.Option(None, help="The original dataset (copied in its own format)."),
    out: Path = typer.Option(None, help="Output .jsonl[.gz]."),
    threshold: float = typer.Option(None, help="Drop pairs whose delta exceeds this."),
    top_fraction: float = typer.Option(None, "--top", help="Drop the top fraction of pairs by delta (e.g. 0.1)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Only report how each concept's Δ would change."),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Drop the pairs that teach a concept most; the manifest says which and why."""
    _intervene("filter", store, concept, data, out, threshold, top_fraction, dry_run, None, json_out)


@app.command()
def inoculate(
    store: str = typer.Option(..., "--store"),
    concept: list[str] = typer.Option(..., "--concept"),
    data: Path = typer.Option(None),
    out: Path = typer.Option(None),
    threshold: float = typer.Option(None),
    top_fraction: float = typer.Option(None, "--top"),
    template: str = typer.Option(None, help="System prompt with {label}."),
    dry_run: bool = typer.Option(False, "--dry-run"),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Prepend a system prompt naming the trait to the flagged pairs."""
    _intervene("inoculate", store, concept, data, out, threshold, top_fraction, dry_run, template, json_out)
