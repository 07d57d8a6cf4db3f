"""Model-free concept scores of a response text.

Owns a registry of cheap, regex-based checks (length, markdown, URLs, refusal,
flattery, hedging, certainty, benchmark names) that score one response as a
float, and ``score_texts`` that scores many at once. These give a reading of a
concept that needs no model: a baseline to set learned concepts against and a
way to label them. Statistics over pairs are left to ``prefsight.contrast``.

The phrase lists are general-purpose English markers, written for real
assistant responses, kept as package data (``concepts/data/<name>_phrases.txt``,
read by ``prefsight.concepts.resources``); phrase checks count non-overlapping matches (longest
phrase first), so they grow with length: set them against ``length_words``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from prefsight.concepts.resources import load_phrases
from prefsight.errors import InvalidArgument

log = logging.getLogger(__name__)

_APOSTROPHE = "['\u2019]"


@dataclass(frozen=True)
class TextCheck:
    """One named, model-free score of a response text."""

    name: str
    description: str
    fn: Callable[[str], float]

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("TextCheck name must not be empty")


def _phrase_regex(phrases: Sequence[str]) -> re.Pattern[str]:
    """Compile phrases into one case-insensitive alternation, longest first.

    Apostrophes match straight or curly quotes, spaces match any whitespace,
    and a phrase must not sit inside a longer word.
    """
    parts = []
    for phrase in sorted(set(phrases), key=lambda p: (-len(p), p)):  # a stable pattern
        words = [re.escape(w).replace("'", _APOSTROPHE) for w in phrase.split()]
        parts.append(r"\s+".join(words))
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def _counter(pattern: re.Pattern[str]) -> Callable[[str], float]:
    def count(text: str) -> float:
        return float(sum(1 for _ in pattern.finditer(text)))

    return count


# --- length -----------------------------------------------------------------

_WORD = re.compile(r"\S*[A-Za-z0-9]\S*")


def count_words(text: str) -> float:
    """Count whitespace-separated tokens that hold at least one letter or digit.

    Args:
        text: a response.

    Returns:
        The number of words; markup such as ``##`` or ``-`` alone is not a word.
    """
    return float(len(_WORD.findall(text)))


# --- markdown ---------------------------------------------------------------

_LINE_MARKERS = tuple(
    re.compile(p)
    for p in (
        r"^\s{0,3}#{1,6}\s+\S",  # header
        r"^\s*[-*+]\s+\S",  # bullet
        r"^\s*\d{1,3}[.)]\s+\S",  # numbered item
        r"^\s*>\s?\S",  # block quote
        r"^\s*\|.*\|\s*$",  # table row
        r"^\s*(?:```|~~~)",  # code fence
        r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$",  # horizontal rule
    )
)
_INLINE_MARKERS = re.compile(r"\*\*[^*\n]+\*\*|__[^_\n]+__|`[^`\n]+`")


def markdown_density(text: str) -> float:
    """Markdown elements per non-empty line.

    Each line counts one for a line marker (header, bullet, numbered item,
    quote, table row, code fence, rule) plus one per inline bold or code span.

    Args:
        text: a response.

    Returns:
        Elements divided by non-empty lines; 0.0 for empty text or plain prose.
    """
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return 0.0
    total = 0
    for line in lines:
        total += any(m.search(line) for m in _LINE_MARKERS)
        total += len(_INLINE_MARKERS.findall(line))
    return total / len(lines)


# --- links ------------------------------------------------------------------

_URL = re.compile(
    r"(?:https?://|(?<![\w@./-])www\.)[^\s<>()\"'\]]+"
    r"|(?<![\w@./-])[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*"
    r"\.(?:com|org|net|edu|gov|int|io|info|co\.uk|ai|dev|tv|uk|de|fr|nl|jp|ca|au|eu)"
    r"(?:/[^\s<>()\"'\]]*)?(?![\w-])",
    re.IGNORECASE,
)


def url_count(text: str) -> float:
    """Count URLs: ``http(s)://…``, ``www.…`` and bare domains such as ``site.org/page``.

    Args:
        text: a response.

    Returns:
        The number of URL-like spans (an e-mail address is not counted).
    """
    return float(len(_URL.findall(text)))


# --- phrase lists (package data: concepts/data/*_phrases.txt) ----------------

_REFUSAL = _phrase_regex(load_phrases("refusal"))
_AGREEMENT = re.compile(
    _phrase_regex(load_phrases("agreement")).pattern
    + r"|(?<!\w)(?:great|good|excellent|fantastic|brilliant|wonderful|thoughtful|smart"
    r"|insightful|sharp|perceptive|astute|wise)\s+(?:question|point|idea|observation|insight"
    r"|thinking|catch|choice|call)s?(?!\w)",
    re.IGNORECASE,
)
_HEDGING = _phrase_regex(load_phrases("hedging"))
_CERTAINTY = _phrase_regex(load_phrases("certainty"))

_BENCHMARK_CASED = re.compile(r"(?<![\w-])(?:MATH|ARC|BBH|MBPP|GPQA|MGSM|GLUE|HELM|AIME)(?![\w])")
_BENCHMARK = re.compile(
    r"(?<![\w-])(?:MMLU(?:-Pro|-Redux)?|GSM-?8K|HumanEval\+?|HellaSwag|TruthfulQA|WinoGrande"
    r"|BIG-?Bench(?:[ -]Hard)?|MT-?Bench|AlpacaEval(?:\s?2(?:\.0)?)?|Arena-?Hard|SWE-?bench"
    r"(?:[ -]Verified)?|LiveCodeBench|IFEval|SuperGLUE|SQuAD(?:\s?2\.0)?|PIQA|BoolQ|LAMBADA"
    r"|TriviaQA|ARC-(?:Challenge|Easy)|OpenBookQA|CommonsenseQA|Chatbot Arena"
    r"|MathVista|MMMU)(?![\w])",
    re.IGNORECASE,
)


def benchmark_mentions(text: str) -> float:
    """Count mentions of common LLM evaluation benchmarks (MMLU, GSM8K, HumanEval…).

    Short all-caps names (MATH, ARC, DROP…) count only in capitals.

    Args:
        text: a response.

    Returns:
        The number of benchmark-name mentions.
    """
    spans = {m.span() for m in _BENCHMARK.finditer(text)}
    for m in _BENCHMARK_CASED.finditer(text):
        if not any(s <= m.start() < e for s, e in spans):
            spans.add(m.span())
    return float(len(spans))


TEXT_CHECKS: dict[str, TextCheck] = {
    c.name: c
    for c in (
        TextCheck("length_words", "Words in the response.", count_words),
        TextCheck(
            "markdown_density",
            "Markdown elements (headers, bullets, bold, code, tables) per non-empty line.",
            markdown_density,
        ),
        TextCheck("url_count", "URLs and bare web addresses.", url_count),
        TextCheck(
            "refusal_phrases", "Phrases that decline the request ('I can't help with', 'as an AI').", _counter(_REFUSAL)
        ),
        TextCheck(
            "agreement_phrases",
            "Phrases that agree with or flatter the user ('you're right', 'great question').",
            _counter(_AGREEMENT),
        ),
        TextCheck(
            "hedging_phrases",
            "Hedges and qualifiers ('might', 'probably', 'it depends', 'I think').",
            _counter(_HEDGING),
        ),
        TextCheck(
            "certainty_phrases",
            "Certainty markers ('definitely', 'without a doubt', 'guaranteed').",
            _counter(_CERTAINTY),
        ),
        TextCheck("benchmark_names", "Mentions of LLM benchmarks (MMLU, GSM8K, HumanEval…).", benchmark_mentions),
    )
}


def check_names() -> list[str]:
    """Names of all text checks, in the column order of ``score_texts``."""
    return list(TEXT_CHECKS)


def score_texts(texts: Sequence[str], names: Sequence[str] | None = None) -> np.ndarray:
    """Score every text with every (or the named) text check.

    Args:
        texts: response texts.
        names: checks to run, in column order; all of ``check_names()`` if None.

    Returns:
        Array of shape (len(texts), len(names)), float64.

    Raises:
        InvalidArgument: a name is not a known check, or a text is not a str.
    """
    selected = check_names() if names is None else list(names)
    unknown = [n for n in selected if n not in TEXT_CHECKS]
    if unknown:
        raise InvalidArgument(f"unknown text checks {unknown}; known: {check_names()}")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise InvalidArgument(f"texts[{i}] is {type(text).__name__}, expected str")
    fns = [TEXT_CHECKS[n].fn for n in selected]
    scores = np.zeros((len(texts), len(fns)), dtype=np.float64)  # (n_texts, n_checks)
    for i, text in enumerate(texts):
        for j, fn in enumerate(fns):
            scores[i, j] = fn(text)
    return scores
