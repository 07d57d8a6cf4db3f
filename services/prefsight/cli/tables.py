"""What the audit commands print: a progress bar per audit stage and the concept tables."""

from __future__ import annotations

from typing import Any

import typer


class StageBar:
    """One tqdm bar per audit stage, fed by (stage, fraction) callbacks."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.stage = ""
        self.bar: Any = None

    def __call__(self, stage: str, fraction: float) -> None:
        if not self.enabled:
            return
        if stage != self.stage:
            if self.bar is not None:
                self.bar.n = self.bar.total
                self.bar.close()
            from tqdm import tqdm

            self.stage = stage
            self.bar = tqdm(total=100, desc=f"{stage:<9}", bar_format="{desc} {bar} {percentage:3.0f}% {elapsed}")
        self.bar.n = int(100 * min(max(fraction, 0.0), 1.0))
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.n = self.bar.total
            self.bar.close()


def _fmt(value: Any, spec: str = ".3g") -> str:
    return "—" if value is None else format(value, spec)


def print_concepts(records: list[dict[str, Any]], top: int) -> None:
    """The ranked findings: raw effect, its replication, and the effect net of the overall direction."""
    typer.echo(
        f"{'rank':>4}  {'concept':<28} {'kind':<8} {'Δ':>9} {'d':>7} {'q':>9}  repl  {'d net':>6} {'q net':>8}  label"
    )
    for i, r in enumerate(records[:top], start=1):
        typer.echo(
            f"{i:>4}  {r['id'][:28]:<28} {r['kind']:<8} {_fmt(r['delta']):>9} {_fmt(r['d'], '.2f'):>7} "
            f"{_fmt(r['q'], '.1e'):>9}  {'✓' if r['split_half'] else '✗':^4}  "
            f"{_fmt(r.get('d_net'), '.2f'):>6} {_fmt(r.get('q_net'), '.1e'):>8}  {r['label']}"
        )


def print_overall(records: list[dict[str, Any]]) -> None:
    """The overall chosen−rejected directions: separate by construction, so shown apart."""
    if not records:
        return
    typer.echo("overall preference direction (fitted to separate chosen from rejected; not a finding):")
    for r in records:
        typer.echo(
            f"      {r['id'][:28]:<28} cross-fitted d {_fmt(r.get('crossfit_d'), '.2f'):>6}, "
            f"chosen above rejected in {_fmt(r.get('pair_accuracy'), '.0%')} of pairs"
        )
