"""``prefsight ingest``, ``prefsight info`` and ``prefsight models``."""

from __future__ import annotations

from typing import Any

import typer

from prefsight.cli.app import app, emit_json, parse_layers, setup_logging, store_option
from prefsight.cli.defaults import DEFAULT_MODEL, JSON_HELP

models_app = typer.Typer(help="Prepare and inspect models.", no_args_is_help=True)
app.add_typer(models_app, name="models")


class _Bar:
    """A tqdm bar fed by IngestProgress callbacks: pairs/s and tokens/s."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None

    def __call__(self, progress: Any) -> None:
        if not self.enabled:
            return
        if progress.stage == "compact":
            typer.echo("merging the store's small files (one per batch) ...", err=True)
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=progress.pairs_total, unit="pair", desc="ingest", leave=True)
        self.bar.n = progress.pairs_done
        rate = progress.tokens / progress.seconds if progress.seconds > 0 else 0.0
        self.bar.set_postfix_str(f"{rate:,.0f} tok/s", refresh=False)
        self.bar.refresh()
        if progress.stage == "done":
            self.bar.close()


@app.command()
def ingest(
    data: str = typer.Argument(
        ...,
        help="Dataset: .jsonl[.gz], .parquet, a saved HF dataset folder, or owner/name[:split] from the local Hugging Face cache (never downloaded).",
    ),
    store: str = typer.Option(
        ...,
        "--store",
        envvar="PREFSIGHT_STORE",
        help="Store folder or s3:// URI, created if missing (default: $PREFSIGHT_STORE).",
    ),
    model: str = typer.Option(DEFAULT_MODEL, help="Alias, model folder, .gguf file or cached hub id."),
    layers: str = typer.Option(
        "", help="Comma-separated layer indices, negatives from the end (default: 3 layers at 1/4, 1/2, 3/4 depth)."
    ),
    workers: int = typer.Option(0, help="ForwardWorker actors (default: one per GPU, else 1)."),
    address: str = typer.Option("", help="Ray cluster address to join (default: a local Ray)."),
    device: str = typer.Option("", help="cpu or cuda (default: cuda when Ray sees GPUs)."),
    dtype: str = typer.Option("float32", help="float32 or bfloat16."),
    limit: int = typer.Option(0, help="Only the first N pairs."),
    max_length: int = typer.Option(1024, help="Longest side in tokens; prompts are cut from the left."),
    truncation: str = typer.Option("prompt-left", help="prompt-left or error."),
    fmt: str = typer.Option("auto", "--format", help="auto, standard, conversational, implicit or hh."),
    skip_bad: bool = typer.Option(
        False,
        "--skip-bad",
        help="Skip bad rows (listed at the end) instead of failing: malformed rows, ids stored with other content, an unreadable .gz tail.",
    ),
    sample_per_response: int = typer.Option(32, help="Per-token activations kept per response for SAE training."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object at the end."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or logs."),
) -> None:
    """Forward every pair through the model and store pooled activations."""
    from prefsight.ingest import IngestConfig
    from prefsight.ingest import ingest as run_ingest

    setup_logging(quiet or json_out, models=True)
    config = IngestConfig(
        layers=parse_layers(layers),
        max_length=max_length,
        truncation=truncation,
        token_budget=max(2048, max_length),
        sample_per_response=sample_per_response,
    )
    result = run_ingest(
        data,
        store,
        model=model,
        config=config,
        workers=workers or None,
        address=address or None,
        device=device or None,
        dtype=dtype,
        limit=limit or None,
        skip_bad=skip_bad,
        fmt=fmt,
        progress=_Bar(not quiet and not json_out),
    )
    if json_out:
        emit_json(result.to_json())
        return
    for skipped in result.skipped:
        typer.echo(f"skipped {skipped.source}:{skipped.line}: {skipped.problem}", err=True)
    typer.echo(
        f"{result.pairs} pairs ingested ({result.already_ingested} already in the store), "
        f"{result.tokens:,} tokens in {result.seconds:.1f} s "
        f"({result.tokens_per_s:,.0f} tokens/s, {result.pairs_per_s:.2f} pairs/s) -> {store}"
    )


@app.command()
def info(store: str = store_option(), json_out: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """Tables, row counts, models, layers and ingest runs of a store.

    Read from the summary saved beside the store while its tables are unchanged.
    """
    from prefsight import findings

    setup_logging(True)
    summary = findings.read_json(store, "info", findings.ALL_TABLES)
    if summary is None:
        from prefsight.store.info import store_info

        versions = findings.table_versions(store, findings.ALL_TABLES) if findings.is_store(store) else None
        summary = store_info(store)
        findings.write_json(store, "info", summary, findings.ALL_TABLES, versions)
    if json_out:
        emit_json(summary)
        return
    typer.echo(f"store {summary['store']}")
    for name, count in summary["tables"].items():
        typer.echo(f"  {name:<14} {count:>10,} rows")
    for model, layers in summary["models"].items():
        typer.echo(f"  model {model}: layers {layers}")
    for run in summary["runs"]:
        typer.echo(
            f"  run {run['run_id']} {run['kind']} {run['started'][:19]} {run['dataset']} "
            f"pairs={run['pairs']} tokens={run['tokens']}"
        )


@models_app.command("prepare")
def models_prepare(
    model: str = typer.Argument(DEFAULT_MODEL, help="Alias or .gguf file to convert once."),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Convert a GGUF model once to a cached safetensors checkpoint."""
    from prefsight.models import load_tokenizer, resolve_model_path

    setup_logging(json_out, models=True)
    path, model_id = resolve_model_path(model)
    _, _, n_layers = load_tokenizer(model)
    if json_out:
        emit_json({"model": model, "model_id": model_id, "n_layers": n_layers, "checkpoint": str(path)})
        return
    typer.echo(f"{model_id}: {n_layers} layers, checkpoint at {path}")
