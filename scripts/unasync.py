"""Generate the blocking client from the asyncio one: aio.py -> client.py.

The client is written once, by hand, for asyncio (``client/prefsight_client/aio.py``);
this script writes ``client.py`` from it by dropping ``async``/``await`` and
renaming the asyncio names (the approach of httpcore's ``scripts/unasync.py``):
a line-by-line text rewrite, so the generated file reads like the original.

    python scripts/unasync.py            # regenerate
    python scripts/unasync.py --check    # exit 1 if client.py drifted from aio.py

This script owns ``client.py``; nothing else should edit it.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "client" / "prefsight_client"
SOURCES = {PACKAGE / "aio.py": PACKAGE / "client.py"}
"""Hand-written asyncio module -> the blocking module generated from it."""

SUBSTITUTIONS = (
    # Prose first, so the words below do not rewrite it half-way.
    (r"\(the asyncio one: create it inside a running loop\)", "(blocking)"),
    (r"\bAsyncClient\b", "Client"),
    (r"\bAsyncResponseStream\b", "ResponseStream"),
    (r"\basync def\b", "def"),
    (r"\basync with\b", "with"),
    (r"\basync for\b", "for"),
    (r"\bawait ", ""),
    (r"\b__aenter__\b", "__enter__"),
    (r"\b__aexit__\b", "__exit__"),
    (r"^import asyncio$", "import time"),
    (r"\basyncio\.sleep\b", "time.sleep"),
    (r"\bgrpc\.aio\.", "grpc."),
)
_COMPILED = tuple((re.compile(p, re.MULTILINE), r) for p, r in SUBSTITUTIONS)


def unasync(text: str) -> str:
    """The blocking twin of an asyncio module's text."""
    for pattern, replacement in _COMPILED:
        text = pattern.sub(replacement, text)
    return _sort_plain_imports(text)


def _sort_plain_imports(text: str) -> str:
    """Keep each run of ``import x`` lines sorted (``asyncio`` became ``time``)."""
    lines = text.split("\n")
    start = 0
    while start < len(lines):
        if not lines[start].startswith("import "):
            start += 1
            continue
        stop = start
        while stop < len(lines) and lines[stop].startswith("import "):
            stop += 1
        lines[start:stop] = sorted(lines[start:stop])
        start = stop
    return "\n".join(lines)


def find_drift() -> list[str]:
    """One line per generated file that differs from what its source makes (empty = in sync)."""
    problems = []
    for source, target in SOURCES.items():
        expected = unasync(source.read_text(encoding="utf-8"))
        if not target.exists() or target.read_text(encoding="utf-8") != expected:
            problems.append(f"{target.relative_to(REPO)} differs from unasync({source.name})")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a generated file drifted")
    args = parser.parse_args(argv)
    if args.check:
        problems = find_drift()
        for line in problems:
            print(f"{line}; run `python scripts/unasync.py`", file=sys.stderr)
        return 1 if problems else 0
    for source, target in SOURCES.items():
        target.write_text(unasync(source.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
