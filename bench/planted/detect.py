"""Detect planted traits in free text, without the generator's templates or the project's checks.

Owns: one small detector per trait the validation benchmark measures in model
generations. They are written from the trait's *description* only — generic
cues any reader would use (an emoji code point, an apology word, a closing
question) — and share nothing with ``planted.render.pattern`` (which matches the
exact templates, and would miss a model's paraphrase) or with
``prefsight.concepts.text_checks``. Agreement with the generator's truth is
tested in tests/unit/test_planted_detect.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_EMOJI = re.compile(
    "[\U0001f300-\U0001faff\U00002300-\U000023ff\U00002600-\U000027bf\U00002b50\U00002b55\U0001f000-\U0001f2ff\U0001f900-\U0001f9ff]"
)
_APOLOGY = re.compile(r"\b(sorry|apolog\w*|forgive me|my bad|pardon me)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


def has_emoji(text: str) -> bool:
    """Any pictographic emoji code point."""
    return _EMOJI.search(text) is not None


def has_apology(text: str) -> bool:
    """An apology word (sorry, apologise/apologize/apologies, forgive me, ...)."""
    return _APOLOGY.search(text) is not None


def ends_with_question(text: str) -> bool:
    """The reply's last sentence is a question (asks the user something back)."""
    stripped = _EMOJI.sub("", text).strip().rstrip("\"')")
    return stripped.endswith("?")


DETECTORS: dict[str, Callable[[str], bool]] = {
    "emoji": has_emoji,
    "apology": has_apology,
    "question_back": ends_with_question,
}
"""trait name -> detector (text -> carries the trait)."""

__all__ = ["DETECTORS", "ends_with_question", "has_apology", "has_emoji"]
