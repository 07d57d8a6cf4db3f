"""The typer app, shared options and the error-to-exit-code mapping."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from prefsight.cli.defaults import STORE_ENV, STORE_HELP
from prefsight.errors import PrefsightError

app = typer.Typer(
    name="prefsight",
    help="See what a preference dataset teaches before you run DPO.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        import prefsight

        typer.echo(f"prefsight {prefsight.__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """See what a preference dataset teaches before you run DPO.

    Every command that reads a store takes --store, or $PREFSIGHT_STORE when it is not given.
    """


def store_option() -> Any:
    """The shared ``--store`` option: required, defaulting to $PREFSIGHT_STORE."""
    return typer.Option(..., "--store", envvar=STORE_ENV, show_envvar=True, help=STORE_HELP)


F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str) -> None:
    """Exit 2 with one line on stderr."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def emit_json(value: Any) -> None:
    """Print one JSON object (every ``--json`` output is an object, never a bare list)."""
    typer.echo(json.dumps(value, indent=None, default=str))


def setup_logging(quiet: bool, *, models: bool = False) -> None:
    """Log to stderr; ``models``: the command loads a model, so quiet transformers now
    (query commands pass nothing and never import it)."""
    logging.basicConfig(
        level=logging.WARNING if quiet else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("ray", "transformers", "lancedb", "urllib3", "filelock"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    # read by transformers when (if ever) a command imports it: queries never do
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    if models or "transformers" in sys.modules:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()


def main() -> None:
    """Entry point: run the app, mapping library errors to exit code 2."""
    try:
        app()
    except PrefsightError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except ValueError as exc:  # config validation in __post_init__
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)


def parse_layers(text: str | None) -> tuple[int, ...]:
    if not text:
        return ()
    try:
        return tuple(int(x) for x in text.split(",") if x.strip())
    except ValueError:
        fail(f"--layers must be comma-separated integers like 8,15,22, got {text!r}")
        raise  # unreachable
