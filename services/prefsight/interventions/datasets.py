"""Write filtered and inoculated datasets, in the input's own format, with a manifest.

Owns: copying the raw rows of the original dataset file (so every field and
the format survive) minus the removed pairs, or with a system prompt naming the
trait prepended to the flagged pairs; and the JSON manifest saying which pairs
and why. Outputs are written to a temp file and renamed: nothing half-written.
"""

from __future__ import annotations

import copy
import gzip
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from prefsight.data.pairs import RowError, parse_row
from prefsight.data.readers import iter_rows
from prefsight.errors import InvalidArgument
from prefsight.interventions.selection import Selection

DEFAULT_INOCULATION = "In this reply, show this trait on purpose: {label}."


def _open_out(path: Path) -> Any:
    return gzip.open(path, "wt", encoding="utf-8") if path.suffix == ".gz" else open(path, "w", encoding="utf-8")


def _write_rows(rows: list[Any], output: Path) -> None:
    if not output.name.endswith((".jsonl", ".jsonl.gz")):
        raise InvalidArgument(f"output {output} must end in .jsonl or .jsonl.gz")
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp")
    with _open_out(tmp) as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    tmp.replace(output)


def _raw_rows(data: Path) -> list[tuple[str | None, Any]]:
    rows = []
    for line, row in iter_rows(data):
        try:
            pair_id = None if isinstance(row, RowError) else parse_row(row, "auto", line).pair_id
        except RowError:
            pair_id = None  # bad rows pass through untouched
        rows.append((pair_id, row))
    return rows


def _manifest(output: Path, action: str, selection: Selection, extra: dict[str, Any]) -> Path:
    path = output.with_name(output.name + ".manifest.json")
    path.write_text(json.dumps({
        "action": action,
        "rule": selection.rule,
        "concepts": selection.concept_ids,
        "pairs": [{"pair_id": p, "delta": selection.delta[p]} for p in selection.pair_ids],
        "created_at": datetime.now(timezone.utc).isoformat(),
        **extra,
    }, indent=1))
    return path


def write_filtered(data: Path, selection: Selection, output: Path) -> tuple[int, Path]:
    """Copy ``data`` to ``output`` without the selected pairs; return (removed, manifest)."""
    drop = set(selection.pair_ids)
    rows = _raw_rows(Path(data))
    kept = [row for pair_id, row in rows if pair_id not in drop and not isinstance(row, RowError)]
    _write_rows(kept, output)
    removed = len(rows) - len(kept)
    return removed, _manifest(output, "filter", selection, {"source": str(data), "removed": removed})


def _inoculate_row(row: dict[str, Any], system: str) -> dict[str, Any]:
    row = copy.deepcopy(row)
    message = {"role": "system", "content": system}
    prompt = row.get("prompt")
    if isinstance(prompt, list):
        row["prompt"] = [message] + prompt
    elif isinstance(prompt, str):
        row["prompt"] = f"{system}\n\n{prompt}"
    elif isinstance(row.get("chosen"), list):
        row["chosen"] = [message] + row["chosen"]
        row["rejected"] = [message] + row["rejected"]
    else:  # HH transcripts and implicit strings: the instruction opens the first human turn
        for key in ("chosen", "rejected"):
            text = row[key]
            head = "\n\nHuman:"
            row[key] = (head + f" {system}" + text[len(head):]) if text.startswith(head) else f"{system}\n\n{text}"
    return row


def write_inoculated(
    data: Path, selection: Selection, output: Path, *, label: str, template: str = DEFAULT_INOCULATION
) -> tuple[int, Path]:
    """Copy ``data`` with a system prompt naming the trait on the flagged pairs."""
    if "{label}" not in template:
        raise InvalidArgument("the inoculation template must contain {label}")
    system = template.format(label=label)
    flag = set(selection.pair_ids)
    rows = _raw_rows(Path(data))
    out = [
        _inoculate_row(row, system) if pair_id in flag else row
        for pair_id, row in rows if not isinstance(row, RowError)
    ]
    _write_rows(out, output)
    flagged = sum(1 for pair_id, _ in rows if pair_id in flag)
    return flagged, _manifest(output, "inoculate", selection,
                              {"source": str(data), "flagged": flagged, "system_prompt": system})
