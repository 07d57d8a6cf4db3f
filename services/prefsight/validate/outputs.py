"""What a validation run writes: its training file, generations, JSON document, scatter and page.

Owns: the training pairs as JSONL (the audit's input), the generations of each
model (``generations/<run>.jsonl``: what the measured shifts are recomputed from),
the run's settings as JSON, and ``validate.json`` + ``validate_scatter.svg`` +
``validate.html`` (drawn by ``report.validation``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any


def write_jsonl(path: Path, rows: Sequence[dict[str, Any]]) -> Path:
    """The pairs as JSONL (``id``, ``prompt``, ``chosen``, ``rejected``, ``domain``) — what the audit reads."""
    with open(path, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(
                json.dumps(
                    {k: row[k] for k in ("id", "prompt", "chosen", "rejected") if k in row}
                    | ({"domain": row["domain"]} if "domain" in row else {}),
                    ensure_ascii=False,
                )
                + "\n"
            )
    return path


def finite(value: Any) -> Any:
    """``value``, or None for a non-finite float (JSON has no NaN)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def save_generations(path: Path, gens: Any) -> None:
    """One JSON line per completion: ``prompt``, ``mode`` (greedy / sampled), ``text``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        for i, mode, text in zip(gens.prompt_index, gens.mode, gens.texts, strict=True):
            handle.write(
                json.dumps({"prompt": gens.prompts[int(i)], "mode": mode, "text": text}, ensure_ascii=False) + "\n"
            )


def config_json(config: Any) -> dict[str, Any]:
    """A settings dataclass as plain JSON (tuples as lists)."""
    return json.loads(json.dumps(asdict(config), default=list))


def write_outputs(doc: dict[str, Any], workdir: str | Path) -> None:
    """``validate.json``, the scatter (``validate_scatter.svg``) and the page (``validate.html``) of a run."""
    from prefsight.report.validation import scatter_svg, scatter_title, write_validation

    workdir = Path(workdir)
    (workdir / "validate_scatter.svg").write_text(scatter_svg(doc["concepts"], scatter_title(doc)), encoding="utf-8")
    write_validation(doc, workdir / "validate.html")
    (workdir / "validate.json").write_text(json.dumps(doc, indent=1, default=str), encoding="utf-8")


__all__ = ["config_json", "finite", "save_generations", "write_jsonl", "write_outputs"]
