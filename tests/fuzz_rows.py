"""Hypothesis strategies for dataset files, and the property every reader must keep.

Shared by ``tests/unit/test_readers_fuzz.py`` (a bounded run) and
``bench/fuzz_readers.py`` (a long one). A generated dataset is a list of lines
(random JSON values, near-valid rows, message lists, raw bytes, other
encodings, huge strings), written as JSONL, gzip (sometimes truncated or
corrupted), Parquet or handed over as a ``datasets.Dataset``. The property:
reading it either returns well-formed pairs or raises ``InvalidArgument`` whose
message names the source (and, for a ``BadRow``, the line) — nothing else.
"""

from __future__ import annotations

import gzip
import json
import string
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from prefsight.data import read_pairs
from prefsight.data.pairs import PreferencePair
from prefsight.errors import BadRow, InvalidArgument

KEYS = ["id", "prompt", "chosen", "rejected", "role", "content", "messages", "score_chosen"]
ROLES = ["user", "assistant", "system", "", "Human"]

# Any Unicode, lone surrogates included (they must be refused cleanly, not crash).
any_text = st.text(st.characters(codec=None, categories=None), max_size=40)
texts = st.one_of(
    st.text(string.printable, max_size=30),
    any_text,
    st.sampled_from(["", "  ", "\n\nHuman: hi\n\nAssistant: yo", "\n\nAssistant:", "\x00"]),
    st.integers(1_000, 200_000).map(lambda n: "x" * n),  # sizes
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), texts)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.one_of(st.sampled_from(KEYS), any_text), inner, max_size=5)
    ),
    max_leaves=12,
)
messages = st.lists(
    st.fixed_dictionaries(
        {"role": st.one_of(st.sampled_from(ROLES), json_values), "content": st.one_of(texts, json_values)}
    ),
    max_size=4,
)
fields = st.one_of(texts, messages, json_values)


@st.composite
def layout_rows(draw: st.DrawFn) -> dict[str, Any]:
    """A row of one supported layout with arbitrary text (often valid, so pairs come back)."""
    prompt, good, bad = draw(texts), draw(texts), draw(texts)
    layout = draw(st.sampled_from(["standard", "ultrafeedback", "conversational", "hh"]))
    user = {"role": "user", "content": prompt}
    if layout == "standard":
        row: dict[str, Any] = {"prompt": prompt, "chosen": good, "rejected": bad}
    elif layout == "ultrafeedback":
        row = {
            "prompt": prompt,
            "chosen": [user, {"role": "assistant", "content": good}],
            "rejected": [user, {"role": "assistant", "content": bad}],
            "score_chosen": draw(scalars),
        }
    elif layout == "conversational":
        row = {
            "prompt": [user],
            "chosen": [{"role": "assistant", "content": good}],
            "rejected": [{"role": "assistant", "content": bad}],
        }
    else:
        row = {
            "chosen": f"\n\nHuman: {prompt}\n\nAssistant: {good}",
            "rejected": f"\n\nHuman: {prompt}\n\nAssistant: {bad}",
        }
    if draw(st.booleans()):
        row["id"] = draw(st.one_of(st.sampled_from(["a", "b"]), texts, st.integers()))
    return row


rows = st.one_of(
    layout_rows(),
    layout_rows(),
    st.fixed_dictionaries(
        {},
        optional={
            "id": st.one_of(texts, st.integers(), st.none()),
            "prompt": fields,
            "chosen": fields,
            "rejected": fields,
            "score_chosen": scalars,
        },
    ),
    json_values,
)


def _dump(row: Any, ascii_only: bool) -> bytes:
    text = json.dumps(row, ensure_ascii=ascii_only, allow_nan=True)
    return text.encode("utf-8", errors="surrogatepass")


@st.composite
def jsonl_lines(draw: st.DrawFn) -> list[bytes]:
    """Lines of a JSONL file: dumped rows, some mangled at the byte level."""
    lines = []
    for row in draw(st.lists(rows, max_size=8)):
        raw = _dump(row, draw(st.booleans()))
        mangle = draw(st.sampled_from(["none"] * 6 + ["cut", "bytes", "utf16", "latin1", "bom"]))
        if mangle == "cut" and raw:
            raw = raw[: draw(st.integers(0, len(raw) - 1))]
        elif mangle == "bytes":
            raw = draw(st.binary(max_size=60))
        elif mangle == "utf16":
            raw = raw.decode("utf-8", errors="surrogatepass").encode("utf-16", errors="surrogatepass")
        elif mangle == "latin1":
            raw = raw.decode("utf-8", errors="replace").encode("latin-1", errors="replace")
        elif mangle == "bom":
            raw = b"\xef\xbb\xbf" + raw
        lines.append(raw.replace(b"\n", b" "))
    return lines


@st.composite
def dataset_files(draw: st.DrawFn, folder: Path) -> Path:
    """A .jsonl or .jsonl.gz file (maybe truncated or corrupted) under ``folder``."""
    body = b"".join(line + b"\n" for line in draw(jsonl_lines()))
    if not draw(st.booleans()):
        path = folder / "d.jsonl"
        path.write_bytes(body)
        return path
    data = bytearray(gzip.compress(body))
    damage = draw(st.sampled_from(["none", "none", "truncate", "flip"]))
    if damage == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif damage == "flip" and data:
        at = draw(st.integers(0, len(data) - 1))
        data[at] ^= draw(st.integers(1, 255))
    path = folder / "d.jsonl.gz"
    path.write_bytes(bytes(data))
    return path


def table_rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Rows of one consistent column layout, as Parquet and ``datasets`` need."""
    layout = draw(st.sampled_from(["strings", "messages", "mixed-prompt"]))
    n = draw(st.integers(1, 6))
    text = st.text(st.characters(codec="utf-8"), max_size=30)
    message = st.fixed_dictionaries({"role": st.sampled_from(ROLES), "content": text})
    out = []
    for _ in range(n):
        if layout == "strings":
            row: dict[str, Any] = {"prompt": draw(text), "chosen": draw(text), "rejected": draw(text)}
        elif layout == "messages":
            turns = draw(st.lists(message, max_size=3))
            row = {
                "prompt": draw(text),
                "chosen": turns + draw(st.lists(message, max_size=2)),
                "rejected": turns + draw(st.lists(message, max_size=2)),
            }
        else:
            row = {"prompt": draw(st.lists(message, max_size=3)), "chosen": draw(text), "rejected": draw(text)}
        row["score_chosen"] = draw(st.floats(allow_nan=True))
        out.append(row)
    return out


def check_pairs(pairs: list[PreferencePair]) -> None:
    """What every returned pair guarantees."""
    for pair in pairs:
        assert isinstance(pair.pair_id, str) and pair.pair_id
        assert isinstance(pair.chosen, str) and pair.chosen.strip()
        assert isinstance(pair.rejected, str) and pair.rejected.strip()
        assert all(isinstance(m["content"], str) for m in pair.prompt)
        pair.content_hash()  # storable: encodes as UTF-8
        json.dumps(pair.metadata, ensure_ascii=False, default=str).encode("utf-8")


def read_and_check(source: Any, label: str, *, skip_bad: bool) -> str:
    """Read ``source``; return "ok" or the error kind; fail on any other outcome."""
    try:
        dataset = read_pairs(source, skip_bad=skip_bad)
    except BadRow as error:
        assert str(error).startswith(f"{label}:{error.line}: "), str(error)
        assert error.line >= 1
        return "bad-row"
    except InvalidArgument as error:
        assert str(error).startswith(label), str(error)
        return "invalid"
    check_pairs(dataset.pairs)
    for skipped in dataset.skipped:
        assert skipped.source == label and skipped.line >= 1
    return "ok"
