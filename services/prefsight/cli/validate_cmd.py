"""``prefsight validate``: check the dataset's predicted DPO shifts against a real DPO run."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import typer

from prefsight.cli.app import app, emit_json, fail, setup_logging
from prefsight.cli.defaults import DEFAULT_MODEL, JSON_HELP, QUIET_HELP


def read_pairs(data: Path, limit: int | None) -> list[dict[str, Any]]:
    """Rows of any format ``ingest`` reads, as id/prompt/chosen/rejected (prompt: the last user turn)."""
    from prefsight.data.pairs import RowError, parse_row
    from prefsight.data.readers import iter_rows

    rows = []
    for line, row in iter_rows(data):
        if isinstance(row, RowError):
            raise row
        pair = parse_row(row, "auto", line)
        users = [m["content"] for m in pair.prompt if m.get("role") == "user"]
        if not users:
            raise RowError(f"{data}:{line}: validate needs a user prompt in every pair")
        rows.append({"id": pair.pair_id, "prompt": users[-1], "chosen": pair.chosen, "rejected": pair.rejected})
        if limit and len(rows) == limit:
            break
    return rows


@app.command()
def validate(
    data: Path = typer.Argument(..., help="Preference dataset (any format `ingest` reads)."),
    workdir: Path = typer.Option(
        ..., "--workdir", help="Folder for the store, runs, validate.json and the scatter SVG."
    ),
    model: str = typer.Option(DEFAULT_MODEL, help="Model to audit with and to train (alias or folder)."),
    quick: bool = typer.Option(False, "--quick", help="CI size: a few steps, short generations, one intervention."),
    limit: int = typer.Option(0, help="Only the first N pairs (before the held-out split)."),
    heldout_fraction: float = typer.Option(0.25, help="Share of distinct prompts held out for measuring."),
    train_pairs: int = typer.Option(
        None, help="Train (and predict) on the first N training pairs (default 64; 0 all)."
    ),
    heldout_pairs: int = typer.Option(None, help="Measure the intended gain on N held-out pairs (default 32; 0 all)."),
    target: str = typer.Option(None, help="Concept the interventions aim at (default: the audit's rank 1)."),
    trait_check: str = typer.Option(
        None,
        help="A regex (case-insensitive) that detects the target's trait in a response: "
        "the trait rate's independent check (default: the target concept's own score).",
    ),
    trait_name: str = typer.Option("trait", help="Name of the --trait-check trait (and the inoculation label)."),
    interventions: str = typer.Option(None, help="Comma list of filter,inoculate,steer,shape."),
    lambdas: str = typer.Option(
        None, help="Comma list of reward-shaping weights, e.g. 0.5,1,2 (> 0 explains the concept away)."
    ),
    epochs: float = typer.Option(None, help="DPO epochs."),
    lr: float = typer.Option(None, help="DPO learning rate."),
    beta: float = typer.Option(None, help="DPO beta."),
    seed: int = typer.Option(0, help="Seed of the split, the training and the generations."),
    device: str = typer.Option("auto", help="auto (the GPU when one is visible), cpu, cuda or cuda:N."),
    dtype: str = typer.Option(None, help="float32 or bfloat16 (default bfloat16 on cuda, else float32)."),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
    quiet: bool = typer.Option(False, "--quiet", "-q", help=QUIET_HELP),
) -> None:
    """Predict each concept's DPO shift, train DPO, measure on held-out prompts, compare, intervene."""
    from prefsight.concepts.sae import resolve_device
    from prefsight.validate.config import QUICK, Data, ValidateConfig, split_by_prompt
    from prefsight.validate.run import validate as run_validate

    setup_logging(quiet or json_out, models=True)
    device = resolve_device(device)
    dtype = dtype or ("bfloat16" if device.startswith("cuda") else "float32")
    if not 0 < heldout_fraction < 1:
        fail(f"--heldout-fraction must be in (0, 1), got {heldout_fraction}")
    config = QUICK if quick else ValidateConfig()
    train = config.train
    overrides: dict[str, Any] = {
        k: v for k, v in {"epochs": epochs, "learning_rate": lr, "beta": beta, "seed": seed}.items() if v is not None
    }
    config = replace(config, train=replace(train, **overrides), seed=seed)
    for name, value in (("--train-pairs", train_pairs), ("--heldout-pairs", heldout_pairs)):
        if value is not None and value < 0:
            fail(f"{name} must be >= 0, got {value}")
    config = replace(
        config,
        train_pairs=config.train_pairs if train_pairs is None else train_pairs,
        heldout_pairs=config.heldout_pairs if heldout_pairs is None else heldout_pairs,
    )
    if interventions is not None:
        config = replace(
            config, interventions=replace(config.interventions, run=tuple(x for x in interventions.split(",") if x))
        )
    if lambdas is not None:
        try:
            values = tuple(float(x) for x in lambdas.split(",") if x)
        except ValueError:
            fail(f"--lambdas must be comma-separated numbers, got {lambdas!r}")
            raise
        config = replace(config, interventions=replace(config.interventions, lambdas=values))
    detectors = None
    if trait_check:
        try:
            pattern = re.compile(trait_check, re.IGNORECASE)
        except re.error as error:
            fail(f"--trait-check is not a valid regex: {error}")
            raise
        detectors = {trait_name: lambda text: pattern.search(text) is not None}
    rows = read_pairs(data, limit or None)
    train_rows, heldout = split_by_prompt(rows, heldout_fraction, seed)
    prompts = sorted({str(r["prompt"]) for r in heldout})
    say = (lambda _m: None) if quiet or json_out else (lambda m: typer.echo(m, err=True))
    doc = run_validate(
        Data(train_rows, prompts, heldout),
        workdir,
        model=model,
        config=config,
        target=target,
        detectors=detectors,
        target_trait=trait_name if detectors else None,
        label=trait_name if detectors else None,
        device=device,
        dtype=dtype,
        progress=say,
    )
    if json_out:
        emit_json(doc)
        return
    print_summary(doc)


def _f(value: Any, spec: str = ".3f") -> str:
    return "—" if value is None else format(value, spec)


def _ci(pair: list[Any]) -> str:
    return f"[{_f(pair[0])}, {_f(pair[1])}]" if pair and pair[0] is not None else "[—]"


def print_summary(doc: dict[str, Any]) -> None:
    """The comparison and the interventions table."""
    typer.echo(
        f"predicted vs measured over {doc['n_concepts']} concepts (support >= {doc['min_support']}): "
        f"R² {_f(doc['r2'])} {_ci(doc['r2_ci'])}, Spearman {_f(doc['spearman'])} "
        f"{_ci(doc['spearman_ci'])}; calibrated shift_scale {_f(doc['shift_scale'], '.3g')}"
    )
    measurement = doc.get("measurement") or {}
    typer.echo(
        f"measured shifts' split-half reliability {_f(measurement.get('reliability'))} "
        f"(the R² a perfect predictor could reach with this much measurement noise)"
    )
    typer.echo(f"target {doc['target']['concept']} ({doc['target']['label']}), trait rate by {doc['target']['trait']}")
    typer.echo(
        f"{'run':<18} {'trait before':>12} {'after':>7} {'increase [95% CI]':>26} "
        f"{'intended gain [95% CI]':>30} {'off-target':>10}"
    )
    for name, r in doc["interventions"].items():
        inc = r["trait_increase"]
        typer.echo(
            f"{name:<18} {_f(r['trait_rate_before']):>12} {_f(r['trait_rate']):>7} "
            f"{_f(inc['mean']):>8} {_ci(inc['ci']):>17} {_f(r['intended_gain']):>9} "
            f"{_ci(r['intended_gain_ci']):>20} {_f(r['off_target_shift']):>10}"
        )
    for name, why in doc.get("skipped", {}).items():
        typer.echo(f"{name:<18} skipped: {why}")
    typer.echo(f"scatter: {doc['scatter']}; page: {doc.get('html', '—')}")
