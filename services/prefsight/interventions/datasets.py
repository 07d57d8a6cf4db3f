"""Write filtered and inoculated datasets, in the input's own format, with a manifest.

Owns: copying the raw rows of the original dataset (so every field and the
format survive: JSONL stays JSONL, gzip stays gzip, Parquet and saved Hugging
Face datasets become Parquet with the source's schema) minus the removed pairs,
or with a system prompt naming the trait prepended to the flagged pairs; the
check that the source holds the very pairs the store analysed (same ids, same
content hashes), so a wrong file is an error rather than a wrong export; the
inoculation template language; and the JSON manifest saying which pairs and
why. Outputs are written to a temp file and renamed: nothing half-written.
Where a file may be written is the caller's (the server confines it).
"""

from __future__ import annotations

import copy
import gzip
import json
import string
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from prefsight.data.pairs import RowError, parse_row
from prefsight.data.readers import iter_rows
from prefsight.errors import InvalidArgument, clip
from prefsight.interventions.selection import Selection

DEFAULT_INOCULATION = "In this reply, show this trait on purpose: {label}."
TEMPLATE_FIELDS = ("label", "description")
"""The only fields an inoculation template may name: ``{label}``, ``{description}``."""
MAX_TEMPLATE_CHARS = 2000
MAX_SYSTEM_PROMPT_CHARS = 20_000

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")
PARQUET_SUFFIX = ".parquet"


# -- templates --------------------------------------------------------------------


def parse_template(template: str) -> list[tuple[str, str | None]]:
    """Split an inoculation template into (literal text, field or None) parts.

    The language: text with ``{label}`` and ``{description}`` (the concepts'
    labels and descriptions), ``{{`` and ``}}`` for literal braces; nothing else:
    no format specs, conversions, attributes or indexing.

    Raises:
        InvalidArgument: a template over ``MAX_TEMPLATE_CHARS``, unbalanced braces, an
            unknown field, a format spec or conversion, or no field at all.
    """
    if len(template) > MAX_TEMPLATE_CHARS:
        raise InvalidArgument(f"the inoculation template is {len(template)} characters; at most {MAX_TEMPLATE_CHARS}")
    fields = ", ".join("{" + f + "}" for f in TEMPLATE_FIELDS)
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as error:
        raise InvalidArgument(f"bad inoculation template: {error} (use {{{{ for a brace)") from None
    parts: list[tuple[str, str | None]] = []
    for literal, field, spec, conversion in parsed:
        if field is not None and field not in TEMPLATE_FIELDS:
            raise InvalidArgument(f"unknown template field {{{clip(field, 40)}}}; the fields are {fields}")
        if spec or conversion:
            raise InvalidArgument(f"template fields take no format spec or conversion; use {fields}")
        parts.append((literal, field))
    if not any(field for _, field in parts):
        raise InvalidArgument(f"the inoculation template must contain {fields}")
    return parts


def render_template(template: str, *, label: str, description: str) -> str:
    """The system prompt: ``template`` with its fields replaced (see ``parse_template``).

    Raises:
        InvalidArgument: a bad template, or a prompt over ``MAX_SYSTEM_PROMPT_CHARS``.
    """
    values = {"label": label, "description": description}
    text = "".join(literal + (values[field] if field else "") for literal, field in parse_template(template))
    if len(text) > MAX_SYSTEM_PROMPT_CHARS:
        raise InvalidArgument(f"the system prompt would be {len(text)} characters; at most {MAX_SYSTEM_PROMPT_CHARS}")
    return text


# -- formats ------------------------------------------------------------------------


def export_suffix(data: Path) -> str:
    """The extension an export of ``data`` takes: its own format (Parquet for HF folders)."""
    name = data.name.lower()
    if data.is_dir() or name.endswith(PARQUET_SUFFIX):
        return PARQUET_SUFFIX
    return ".jsonl.gz" if name.endswith(".gz") else ".jsonl"


def _check_output(data: Path, output: Path) -> None:
    wanted = export_suffix(data)
    allowed = (PARQUET_SUFFIX,) if wanted == PARQUET_SUFFIX else JSONL_SUFFIXES
    if not output.name.lower().endswith(allowed):
        raise InvalidArgument(
            f"output {output.name} must end in {' or '.join(allowed)}: the source "
            f"{data.name} is {'Parquet' if wanted == PARQUET_SUFFIX else 'JSON lines'}"
        )


def _open_out(path: Path) -> Any:
    return gzip.open(path, "wt", encoding="utf-8") if path.suffix == ".gz" else open(path, "w", encoding="utf-8")


def _write_parquet(rows: list[Any], data: Path, tmp: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pq.read_schema(data) if data.is_file() else None
    try:
        table = pa.Table.from_pylist(rows, schema=schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # inoculated rows outgrew the schema
        table = pa.Table.from_pylist(rows)
    pq.write_table(table, tmp)


def _write_rows(rows: list[Any], data: Path, output: Path) -> None:
    _check_output(data, output)
    tmp = output.with_name(output.name + ".tmp")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        if output.name.lower().endswith(PARQUET_SUFFIX):
            _write_parquet(rows, data, tmp)
        else:
            with _open_out(tmp) as handle:
                for row in rows:
                    handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        tmp.replace(output)
    except OSError as error:
        tmp.unlink(missing_ok=True)
        raise InvalidArgument(f"cannot write {output}: {error.strerror or error}") from None


# -- the source ---------------------------------------------------------------------


def raw_rows(data: Path) -> list[tuple[str | None, str | None, Any]]:
    """(pair id, content hash, raw row) per row; bad rows carry no id and pass through."""
    rows = []
    for line, row in iter_rows(data):
        try:
            pair = None if isinstance(row, RowError) else parse_row(row, "auto", line)
        except RowError:
            pair = None
        rows.append((pair.pair_id if pair else None, pair.content_hash() if pair else None, row))
    return rows


def check_source(rows: list[tuple[str | None, str | None, Any]], expected: Mapping[str, str], source: str) -> int:
    """Check that the source holds every analysed pair with the content the store holds.

    Args:
        rows: the source's rows from ``raw_rows``.
        expected: pair id -> content hash of the pairs the store analysed.
        source: the source's name, for messages.

    Returns:
        How many of the source's rows the store did not analyse (copied as they are).

    Raises:
        InvalidArgument: a stored pair missing from the source or with other content.
    """
    found = {pair_id: content for pair_id, content, _ in rows if pair_id is not None}
    missing = [p for p in expected if p not in found]
    changed = [p for p in expected if p in found and found[p] != expected[p]]
    if missing or changed:
        example = (missing or changed)[0]
        raise InvalidArgument(
            f"source {source} does not hold the store's pairs: {len(missing)} of "
            f"{len(expected)} analysed pairs missing, {len(changed)} with other content "
            f"(e.g. {clip(example, 40)!r}); name the dataset the store was ingested from"
        )
    return sum(1 for pair_id, _, _ in rows if pair_id not in expected)


def _manifest(output: Path, action: str, selection: Selection, extra: dict[str, Any]) -> Path:
    path = output.with_name(output.name + ".manifest.json")
    path.write_text(
        json.dumps(
            {
                "action": action,
                "rule": selection.rule,
                "concepts": selection.concept_ids,
                "pairs": [{"pair_id": p, "delta": selection.delta[p]} for p in selection.pair_ids],
                "created_at": datetime.now(timezone.utc).isoformat(),
                **extra,
            },
            indent=1,
        )
    )
    return path


def _read_source(data: Path, expected: Mapping[str, str] | None) -> tuple[list[Any], int]:
    rows = raw_rows(Path(data))
    extra = check_source(rows, expected, Path(data).name) if expected is not None else 0
    return rows, extra


def write_filtered(
    data: Path, selection: Selection, output: Path, *, expected: Mapping[str, str] | None = None
) -> tuple[int, Path]:
    """Copy ``data`` to ``output`` without the selected pairs; return (removed, manifest).

    Raises:
        InvalidArgument: ``data`` does not hold the ``expected`` pairs (see ``check_source``),
            or the output's extension is not the source's format.
    """
    _check_output(Path(data), output)
    rows, unanalysed = _read_source(Path(data), expected)
    drop = set(selection.pair_ids)
    kept = [row for pair_id, _, row in rows if pair_id not in drop and not isinstance(row, RowError)]
    _write_rows(kept, Path(data), output)
    removed = len(rows) - len(kept)
    return removed, _manifest(
        output, "filter", selection, {"source": str(data), "removed": removed, "unanalysed_rows": unanalysed}
    )


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
            row[key] = (head + f" {system}" + text[len(head) :]) if text.startswith(head) else f"{system}\n\n{text}"
    return row


def write_inoculated(
    data: Path,
    selection: Selection,
    output: Path,
    *,
    label: str,
    description: str = "",
    template: str = DEFAULT_INOCULATION,
    expected: Mapping[str, str] | None = None,
) -> tuple[int, Path]:
    """Copy ``data`` with a system prompt naming the trait on the flagged pairs.

    Raises:
        InvalidArgument: a bad template (see ``parse_template``), a source without the
            ``expected`` pairs, or an output extension that is not the source's format.
    """
    system = render_template(template, label=label, description=description or label)
    _check_output(Path(data), output)
    rows, unanalysed = _read_source(Path(data), expected)
    flag = set(selection.pair_ids)
    out = [
        _inoculate_row(row, system) if pair_id in flag else row
        for pair_id, _, row in rows
        if not isinstance(row, RowError)
    ]
    _write_rows(out, Path(data), output)
    flagged = sum(1 for pair_id, _, _ in rows if pair_id in flag)
    return flagged, _manifest(
        output,
        "inoculate",
        selection,
        {"source": str(data), "flagged": flagged, "system_prompt": system, "unanalysed_rows": unanalysed},
    )
