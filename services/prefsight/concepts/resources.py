"""Read the concepts' package data: phrase lists and the starter concepts' examples.

Owns where those files live (``prefsight/concepts/data/``, shipped in the wheel as
package data) and turning them into plain tuples, with errors that name the file
and line. What the texts mean is left to ``text_checks`` and ``starter``.

- ``<name>_phrases.txt``: one phrase a line (blank lines ignored).
- ``starter_concepts.jsonl``: ``{"name", "description"}`` a line, in order.
- ``starter_examples.jsonl``: ``{"concept", "positive", "negative"}`` a line; the
  negative is the positive's counterpart without the trait.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

DATA_PACKAGE = "prefsight.concepts"
DATA_DIR = "data"


def data_path(name: str) -> Path:
    """Path of the data file ``name`` (e.g. ``refusal_phrases.txt``)."""
    return Path(str(resources.files(DATA_PACKAGE).joinpath(DATA_DIR, name)))


def read_jsonl(path: Path, keys: tuple[str, ...]) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, record)`` of each non-blank line; every record must hold ``keys``
    as non-empty strings.

    Raises:
        ValueError: ``file:line: ...`` for invalid JSON, a missing key or a non-string value.
    """
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
            if not isinstance(record, dict):
                raise ValueError(f"{path}:{number}: expected an object, got {type(record).__name__}")
            for key in keys:
                value = record.get(key)
                if not isinstance(value, str) or not value.strip():
                    raise ValueError(f"{path}:{number}: {key!r} must be a non-empty string")
            yield number, record


@cache
def load_phrases(name: str) -> tuple[str, ...]:
    """The phrase list ``<name>_phrases.txt``, in file order.

    Raises:
        FileNotFoundError: no such list.
        ValueError: ``file:line`` of a phrase with leading or trailing spaces.
    """
    path = data_path(f"{name}_phrases.txt")
    phrases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        if line != line.strip():
            raise ValueError(f"{path}:{number}: phrase {line!r} has leading or trailing spaces")
        phrases.append(line)
    return tuple(phrases)


@cache
def load_starter() -> tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]:
    """``(name, description, ((positive, negative), ...))`` of each starter concept, in order.

    Raises:
        ValueError: ``file:line`` of a malformed record, a duplicate concept, or an
            example of a concept ``starter_concepts.jsonl`` does not name.
    """
    concepts_file = data_path("starter_concepts.jsonl")
    described: dict[str, str] = {}
    for number, record in read_jsonl(concepts_file, ("name", "description")):
        if record["name"] in described:
            raise ValueError(f"{concepts_file}:{number}: concept {record['name']!r} listed twice")
        described[record["name"]] = record["description"]
    examples: dict[str, list[tuple[str, str]]] = {name: [] for name in described}
    examples_file = data_path("starter_examples.jsonl")
    for number, record in read_jsonl(examples_file, ("concept", "positive", "negative")):
        if record["concept"] not in examples:
            raise ValueError(f"{examples_file}:{number}: concept {record['concept']!r} is not in "
                             f"{concepts_file.name} ({', '.join(described)})")  # fmt: skip
        examples[record["concept"]].append((record["positive"], record["negative"]))
    return tuple((name, described[name], tuple(examples[name])) for name in described)
