"""Small text helpers shared by the demo's traits and composer.

Owns sentence splitting and joining, slot filling, slugs and capitalisation.
Nothing here knows about traits or topics.
"""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?)])\s+(?=[A-Z\"'(*])")
_NON_SLUG = re.compile(r"[^a-z0-9]+")


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences, flattening paragraphs.

    Args:
        text: plain prose; sentences end in ``.``, ``!`` or ``?`` and the next
            one starts with a capital, a quote, a bracket or ``*``.

    Returns:
        The non-empty sentences, stripped, in order.
    """
    parts: list[str] = []
    for paragraph in text.split("\n"):
        parts.extend(p.strip() for p in _SENTENCE_END.split(paragraph) if p.strip())
    return parts


def join_sentences(sentences: list[str]) -> str:
    """Join sentences into one paragraph with single spaces."""
    return " ".join(s.strip() for s in sentences if s.strip())


def fill_slot(template: str, value: str) -> str:
    """Put ``value`` into ``{x}``, and capitalised into ``{X}``.

    Args:
        template: text with ``{x}`` or ``{X}`` markers (or none).
        value: the slot value, e.g. ``carrots``.

    Returns:
        The filled text.
    """
    return template.replace("{X}", capitalize_first(value)).replace("{x}", value)


def capitalize_first(text: str) -> str:
    """Upper-case the first character only (``iPhone`` stays, ``carrots`` -> ``Carrots``)."""
    return text[:1].upper() + text[1:]


def lower_first(text: str) -> str:
    """Lower-case the first character unless the first word looks like a name or acronym.

    A first word with a capital after its first letter (``SQL``, ``PostgreSQL``)
    or the pronoun ``I`` keeps its case.
    """
    first = text.split(" ", 1)[0]
    if first == "I" or first.startswith("I'") or any(c.isupper() for c in first[1:]):
        return text
    return text[:1].lower() + text[1:]


def slugify(text: str) -> str:
    """Lowercase ASCII slug with hyphens: ``'Roasting carrots'`` -> ``'roasting-carrots'``."""
    return _NON_SLUG.sub("-", text.lower()).strip("-")
