"""``prefsight concepts train-sae|define|list|label`` and ``filter`` / ``inoculate``."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Annotated

import typer

from prefsight.cli.app import app, emit_json, fail, setup_logging, store_option
from prefsight.cli.defaults import JSON_HELP, KINDS

concepts_app = typer.Typer(help="Build and inspect the concept dictionary.", no_args_is_help=True)
app.add_typer(concepts_app, name="concepts")


@concepts_app.command("train-sae")
def train_sae(
    store: str = store_option(),
    layer: int = typer.Option(None, help="Layer (default: the store's middle ingested layer)."),
    latents: int = typer.Option(2048, help="SAE dictionary size."),
    k: int = typer.Option(16, help="SAE active latents per token."),
    epochs: float = typer.Option(25.0, help="Training epochs over the stored tokens."),
    retrain: bool = typer.Option(False, help="Train again even if an SAE is saved."),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Train (or reuse) the layer's SAE on the stored tokens and register its features."""
    from prefsight.audit.analysis import resolve_model_layer
    from prefsight.audit.dictionary import DictionaryConfig, build_dictionary
    from prefsight.store import Store

    setup_logging(json_out, models=True)
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
    store: str = store_option(),
    positive: list[str] = typer.Option([], "--positive", "-p", help="A text showing the trait (repeatable)."),
    negative: list[str] = typer.Option([], "--negative", "-n", help="A text without it (repeatable)."),
    positive_file: Path = typer.Option(None, help='One example per line (plain or JSON {"text"}).'),
    negative_file: Path = typer.Option(None, help="Like --positive-file, for texts without the trait."),
    layer: int = typer.Option(None, help="Layer (default: the store's analysed one)."),
    description: str = typer.Option("", help="A sentence saying what the concept means."),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Define a named concept from example texts (difference of means)."""
    from prefsight.session import StoreSession

    setup_logging(True, models=True)
    concept = StoreSession(store).define_concept(
        name,
        _examples(positive_file, positive),
        _examples(negative_file, negative),
        layer=layer,
        description=description,
    )
    result = {"id": concept.id, "label": concept.label, "layer": concept.layer, "kind": concept.kind}
    emit_json(result) if json_out else typer.echo(f"defined {concept.id} at layer {concept.layer}")


@concepts_app.command("list")
def list_concepts(
    store: str = store_option(),
    kind: str = typer.Option("", help="Only this kind: sae, contrast, named or text."),
    layer: int = typer.Option(None, help="Only concepts of this layer (text checks apply to every layer)."),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """List the store's concepts (read from the saved catalog while the concepts are unchanged)."""
    from prefsight.cli.lookup import catalog

    setup_logging(True)
    if kind and kind not in KINDS:
        fail(f"unknown kind {kind!r}; kinds: {', '.join(KINDS)}")
    rows = [
        r for r in catalog(store) if (not kind or r["kind"] == kind) and (layer is None or r["layer"] in (layer, None))
    ]
    if json_out:
        emit_json({"store": store, "n_concepts": len(rows), "concepts": rows})
        return
    for r in rows:
        typer.echo(f"{r['id']:<32} {r['kind']:<9} {r['label']}")
    typer.echo(f"{len(rows)} concepts")


@concepts_app.command("label")
def label(
    concept: str = typer.Argument(..., help="Concept id or label."),
    store: str = store_option(),
    name: str = typer.Option(None, "--name", help="New label."),
    description: str = typer.Option(None, help="New description."),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Rename or describe a concept."""
    from prefsight.cli.lookup import resolve_concept
    from prefsight.session import StoreSession

    setup_logging(True)
    if name is None and description is None:
        fail("give --name and/or --description")
    c = StoreSession(store).rename_concept(resolve_concept(store, concept)["id"], name, description)
    if json_out:
        emit_json({"id": c.id, "label": c.label, "description": c.description, "kind": c.kind, "layer": c.layer})
        return
    typer.echo(f"{c.id}: {c.label}" + (f" — {c.description}" if c.description else ""))


def _intervene(
    action: str,
    store: str,
    concept: list[str],
    data: Path | None,
    out: Path | None,
    threshold: float | None,
    top: float | None,
    fraction: float | None,
    dry_run: bool,
    template: str | None,
    json_out: bool,
) -> None:
    from prefsight.cli.lookup import resolve_concepts
    from prefsight.session import StoreSession

    setup_logging(True)
    top_n = None
    if top is not None:
        if 0 < top < 1:  # the old meaning of --top: a share of pairs
            typer.echo(
                f"warning: --top {top} as a fraction is deprecated; --top is a count of pairs, use --fraction {top}",
                err=True,
            )
            fraction = top if fraction is None else fraction
        elif top >= 1 and float(top).is_integer():
            top_n = int(top)
        else:
            fail(f"--top must be a count of pairs (an integer >= 1), got {top}")
    rules = sum(x is not None for x in (threshold, top_n, fraction))
    if rules != 1:
        fail("give exactly one of --top N (pairs), --fraction F (share of pairs) or --threshold T")
    result = StoreSession(store).intervene(
        action,
        resolve_concepts(store, concept),
        data=str(data) if data else None,
        output=str(out) if out else None,
        threshold=threshold,
        top_fraction=fraction,
        top_n=top_n,
        dry_run=dry_run,
        template=template,
    )
    if json_out:
        emit_json(result)
        return
    typer.echo(f"{action}: {result['pairs_selected']} of {result['pairs_total']} pairs selected ({result['rule']})")
    for s in result["shift"][:10]:
        typer.echo(f"  {s['id']:<32} Δ {s['delta_before']:+.4g} -> {s['delta_after']:+.4g}")
    if dry_run:
        ids = result["concepts"]
        typer.echo(f"pairs it would {'drop' if action == 'filter' else 'inoculate'} (δ of {', '.join(ids)}):")
        for p in result["pairs"]:
            typer.echo(f"  {p['pair_id']:<24} " + "  ".join(f"{p['deltas'][c]:+.4g}" for c in ids))
    else:
        typer.echo(f"wrote {result['written']} (manifest {result['manifest']})")


CONCEPT_HELP = "Concept id or label (repeatable)."
TOP_PAIRS_HELP = (
    "Act on the N pairs with the largest δ (a count). A value below 1 is read as "
    "the old share of pairs, with a deprecation warning: use --fraction."
)
FRACTION_HELP = "Act on this share of pairs with the largest δ (0 < F <= 1, e.g. 0.1)."
THRESHOLD_HELP = "Act on the pairs whose δ exceeds this."


def _register_intervention(action: str, summary: str, *, changes: str, takes_template: bool) -> None:
    """Register ``prefsight filter`` or ``prefsight inoculate``: one set of options,
    ``--template`` only where ``takes_template``."""

    def command(
        store: str = store_option(),
        concept: list[str] = typer.Option(..., "--concept", help=CONCEPT_HELP),
        data: Path = typer.Option(None, help="The original dataset (copied in its own format)."),
        out: Path = typer.Option(None, help="Output .jsonl[.gz]."),
        threshold: float = typer.Option(None, help=THRESHOLD_HELP),
        top: float = typer.Option(None, "--top", help=TOP_PAIRS_HELP),
        fraction: float = typer.Option(None, "--fraction", help=FRACTION_HELP),
        template: Annotated[str | None, typer.Option(help="System prompt with {label}.")] = None,
        dry_run: bool = typer.Option(
            False,
            "--dry-run",
            help=f"Write nothing: list the pairs it would {changes} (ids and δ) and how each concept's Δ would change.",
        ),
        json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
    ) -> None:
        _intervene(action, store, concept, data, out, threshold, top, fraction, dry_run, template, json_out)

    command.__doc__ = summary
    if not takes_template:  # Typer reads the options from the signature: leave --template out (None)
        signature = inspect.signature(command)
        kept = [p for p in signature.parameters.values() if p.name != "template"]
        command.__signature__ = signature.replace(parameters=kept)  # type: ignore[attr-defined]
    app.command(action)(command)


_register_intervention(
    "filter",
    "Drop the pairs that teach a concept most; the manifest says which and why.",
    changes="drop",
    takes_template=False,
)
_register_intervention(
    "inoculate", "Prepend a system prompt naming the trait to the flagged pairs.", changes="change", takes_template=True
)
