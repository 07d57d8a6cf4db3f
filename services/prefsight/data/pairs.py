"""The normalised preference pair every reader produces.

Owns: ``PreferencePair`` and turning one raw row (any supported format) into
one. Leaves reading files to ``readers`` and tokenising to ``tokenize``.

Row layouts (``fmt="auto"`` tells them apart per row):

- ``standard``: ``prompt`` (a string, or a list of chat messages) and string
  ``chosen``/``rejected``.
- ``conversational``: message-list ``chosen``/``rejected`` whose final message
  is the assistant response. ``prompt`` is a message list (TRL) or a string
  (UltraFeedback-binarized); turns before the response inside ``chosen`` and
  ``rejected`` must be the same on both sides and, with a string prompt, end
  with a user turn equal to ``prompt``.
- ``implicit``: no ``prompt``; the shared turns of ``chosen``/``rejected`` are it.
- ``hh``: HH-RLHF ``\n\nHuman:``/``\n\nAssistant:`` transcripts.

Every other column (``score_chosen``, ``source``, ...) is kept as metadata.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

Message = dict[str, str]

FORMATS = ("auto", "standard", "conversational", "implicit", "hh")
RESERVED = {"id", "prompt", "chosen", "rejected"}


class RowError(ValueError):
    """A row-level problem; the reader adds the file and line."""


@dataclass(frozen=True)
class PreferencePair:
    """One prompt with a chosen and a rejected response.

    ``prompt`` is a list of chat messages (possibly empty); ``chosen`` and
    ``rejected`` are the final assistant responses as text. ``metadata`` holds
    every other column of the row (e.g. ``domain``).
    """

    pair_id: str
    prompt: list[Message]
    chosen: str
    rejected: str
    metadata: dict[str, Any] = field(default_factory=dict)
    source_line: int = 0

    def content_hash(self) -> str:
        raw = json.dumps([self.prompt, self.chosen, self.rejected], ensure_ascii=False)
        return hashlib.sha256(raw.encode()).hexdigest()

    def prompt_text(self) -> str:
        """The prompt as plain text (the last user turn first is not assumed)."""
        return "\n\n".join(f"{m['role']}: {m['content']}" for m in self.prompt)


def _require_text(row: dict[str, Any], key: str) -> str:
    if key not in row:
        raise RowError(f"missing field {key!r} (fields: {sorted(row)})")
    value = row[key]
    if not isinstance(value, str):
        raise RowError(f"{key!r} must be a string, got {type(value).__name__}")
    if not value.strip():
        raise RowError(f"{key!r} is empty")
    return value


def _check_messages(value: Any, key: str) -> list[Message]:
    if not isinstance(value, list):
        raise RowError(f"{key!r} must be a list of messages, got {type(value).__name__}")
    if not value:
        raise RowError(f"{key!r} is an empty list of messages")
    messages = []
    for i, message in enumerate(value):
        if not isinstance(message, dict) or "role" not in message or "content" not in message:
            raise RowError(f"{key}[{i}] must be an object with 'role' and 'content'")
        if not isinstance(message["content"], str):
            raise RowError(f"{key}[{i}].content must be a string, got {type(message['content']).__name__}")
        messages.append({"role": str(message["role"]), "content": message["content"]})
    return messages


def _final_assistant(messages: list[Message], key: str) -> str:
    if not messages or messages[-1]["role"] != "assistant":
        raise RowError(f"{key!r} must end with an assistant message")
    text = messages[-1]["content"]
    if not text.strip():
        raise RowError(f"{key!r} final assistant message is empty")
    return text


def parse_hh(transcript: str, key: str) -> tuple[list[Message], str]:
    """Split an HH-RLHF transcript into (prompt messages, final assistant turn)."""
    if "\n\nAssistant:" not in transcript:
        raise RowError(f"{key!r} is not an HH transcript (no '\\n\\nAssistant:' turn)")
    text = transcript if transcript.startswith("\n\nHuman:") else "\n\n" + transcript.lstrip()
    if not text.startswith("\n\nHuman:"):
        raise RowError(f"{key!r} transcript must start with a 'Human:' turn")
    messages: list[Message] = []
    for chunk in text.split("\n\nHuman:")[1:]:
        human, *assistants = chunk.split("\n\nAssistant:")
        messages.append({"role": "user", "content": human.strip()})
        for assistant in assistants:
            messages.append({"role": "assistant", "content": assistant.strip()})
    if messages[-1]["role"] != "assistant":
        raise RowError(f"{key!r} transcript does not end with an assistant turn")
    response = messages.pop()["content"]
    if not response:
        raise RowError(f"{key!r} final assistant turn is empty")
    return messages, response


def detect_format(row: dict[str, Any]) -> str:
    """Guess the format of one row from its fields and value types."""
    _require_fields(row, ("chosen", "rejected"))
    chosen = row["chosen"]
    if "prompt" in row:
        return "conversational" if isinstance(chosen, list) else "standard"
    if isinstance(chosen, list):
        return "implicit"
    if isinstance(chosen, str) and "\n\nAssistant:" in chosen:
        return "hh"
    return "implicit"


def _require_fields(row: dict[str, Any], keys: tuple[str, ...], kind: str = "") -> None:
    missing = [k for k in keys if k not in row]
    if missing:
        what = " and ".join(repr(k) for k in missing)
        plural = "s" if len(missing) > 1 else ""
        suffix = f" for format {kind!r}" if kind else ""
        raise RowError(f"missing field{plural} {what}{suffix} (fields: {sorted(row)})")


def _prompt_messages(row: dict[str, Any]) -> list[Message]:
    """``prompt`` as chat messages: a string is one user turn."""
    if isinstance(row["prompt"], str):
        return [{"role": "user", "content": _require_text(row, "prompt")}]
    return _check_messages(row["prompt"], "prompt")


def _common_prefix(a: list[Message], b: list[Message]) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def _parse_standard(row: dict[str, Any]) -> tuple[list[Message], str, str]:
    return (_prompt_messages(row), _require_text(row, "chosen"), _require_text(row, "rejected"))


def _parse_conversational(row: dict[str, Any]) -> tuple[list[Message], str, str]:
    chosen = _check_messages(row["chosen"], "chosen")
    rejected = _check_messages(row["rejected"], "rejected")
    texts = _final_assistant(chosen, "chosen"), _final_assistant(rejected, "rejected")
    if not isinstance(row["prompt"], str):
        return _check_messages(row["prompt"], "prompt"), *texts
    prompt = _require_text(row, "prompt")
    turns = chosen[:-1]
    if not turns:  # string prompt, responses of one assistant message each
        return [{"role": "user", "content": prompt}], *texts
    # UltraFeedback-binarized: the prompt's turns are repeated inside each response list
    if rejected[:-1] != turns:
        raise RowError("'chosen' and 'rejected' differ in the turns before the response")
    users = [m["content"] for m in turns if m["role"] == "user"]
    if not users or users[-1] != prompt:
        raise RowError("'prompt' differs from the last user turn inside 'chosen'")
    return turns, *texts


def _parse_implicit(row: dict[str, Any]) -> tuple[list[Message], str, str]:
    if isinstance(row["chosen"], list):
        chosen = _check_messages(row["chosen"], "chosen")
        rejected = _check_messages(row["rejected"], "rejected")
        shared = _common_prefix(chosen[:-1], rejected[:-1])
        return (chosen[:shared], _final_assistant(chosen, "chosen"), _final_assistant(rejected, "rejected"))
    return [], _require_text(row, "chosen"), _require_text(row, "rejected")


def _parse_hh(row: dict[str, Any]) -> tuple[list[Message], str, str]:
    prompt_c, chosen = parse_hh(_require_text(row, "chosen"), "chosen")
    prompt_r, rejected = parse_hh(_require_text(row, "rejected"), "rejected")
    # A few HH rows differ before the final turn; the shared prefix is the prompt.
    shared = _common_prefix(prompt_c, prompt_r)
    if shared < len(prompt_c) or shared < len(prompt_r):
        chosen = "\n\n".join(m["content"] for m in prompt_c[shared:] + [{"role": "assistant", "content": chosen}])
        rejected = "\n\n".join(m["content"] for m in prompt_r[shared:] + [{"role": "assistant", "content": rejected}])
    return prompt_c[:shared], chosen, rejected


def _check_encodable(row: dict[str, Any]) -> None:
    """Refuse text that cannot be stored as UTF-8 (a lone surrogate from ``\\ud800``)."""
    try:
        json.dumps(row, ensure_ascii=False, default=str).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise RowError(f"text is not valid Unicode ({exc.reason}: {exc.object[exc.start : exc.end]!r})") from None
    except (ValueError, TypeError, RecursionError) as exc:
        raise RowError(f"row cannot be stored as JSON ({type(exc).__name__}: {exc})") from None


_PARSERS = {
    "standard": _parse_standard,
    "conversational": _parse_conversational,
    "implicit": _parse_implicit,
    "hh": _parse_hh,
}


def parse_row(row: Any, fmt: str = "auto", line: int = 0) -> PreferencePair:
    """Normalise one raw row into a ``PreferencePair``.

    Args:
        row: the decoded row (a dict).
        fmt: one of ``FORMATS``; ``auto`` detects per row.
        line: 1-based line or row number, kept for error messages.

    Raises:
        RowError: the row is malformed; the message says which field and why.
    """
    if not isinstance(row, dict):
        raise RowError(f"row must be a JSON object, got {type(row).__name__}")
    if fmt not in FORMATS:
        raise RowError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    kind = detect_format(row) if fmt == "auto" else fmt
    _require_fields(row, ("chosen", "rejected"))
    if kind in ("standard", "conversational"):
        _require_fields(row, ("prompt",), kind)
    _check_encodable(row)
    prompt, chosen, rejected = _PARSERS[kind](row)
    metadata = {k: v for k, v in row.items() if k not in RESERVED}
    pair = PreferencePair("", prompt, chosen, rejected, metadata, line)
    raw_id = row.get("id")
    pair_id = str(raw_id) if raw_id not in (None, "") else pair.content_hash()[:16]
    return PreferencePair(pair_id, prompt, chosen, rejected, metadata, line)
