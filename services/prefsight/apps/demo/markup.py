"""Markup traits of the demo: heavy markdown formatting and invented links.

Owns the two rewrites that change a response's structure or add references
rather than its voice. Registered in ``prefsight.apps.demo.traits.TRAITS``.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from prefsight.apps.demo.context import TraitContext
from prefsight.apps.demo.draft import Draft
from prefsight.apps.demo.text import capitalize_first

# --- heavy formatting ---------------------------------------------------------


def _bullets(sentences: list[str], marker: str = "-") -> str:
    return "\n".join(f"{marker} {s}" for s in sentences)


def _numbered(sentences: list[str]) -> str:
    return "\n".join(f"{i}. {s}" for i, s in enumerate(sentences, 1))


def _bold_lead(sentence: str, rng: random.Random) -> str:
    """Bold the first 2-4 words: '**Cut the carrots** into even pieces.'"""
    words = sentence.split(" ")
    if len(words) < 5:
        return f"**{sentence}**"
    n = rng.randint(2, 4)
    return f"**{' '.join(words[:n]).rstrip(',;:')}** {' '.join(words[n:])}"


def _header_bullets(s: list[str], title: str, rng: random.Random) -> str:
    return f"## {title}\n\n{_bullets(s)}"


def _overview_steps(s: list[str], title: str, rng: random.Random) -> str:
    return f"### Overview\n\n{s[0]}\n\n### Steps\n\n{_numbered(s[1:] or s)}"


def _short_answer(s: list[str], title: str, rng: random.Random) -> str:
    return f"**Short answer:** {s[0]}\n\n**Details:**\n\n{_bullets(s[1:] or s, '*')}"


def _bold_leadins(s: list[str], title: str, rng: random.Random) -> str:
    return f"## {title}\n\n{_bullets([_bold_lead(x, rng) for x in s])}"


def _key_points(s: list[str], title: str, rng: random.Random) -> str:
    body = _numbered(s[:-1] or s)
    return f"# {title}\n\n## Key points\n\n{body}\n\n## Bottom line\n\n> {s[-1]}"


def _tldr(s: list[str], title: str, rng: random.Random) -> str:
    return f"**TL;DR:** {s[0]}\n\n---\n\n### Why\n\n{_bullets(s[1:] or s)}"


def _table(s: list[str], title: str, rng: random.Random) -> str:
    rows = "\n".join(f"| {i} | {x} |" for i, x in enumerate(s, 1))
    return f"### {title}\n\n| # | What to know |\n|---|---|\n{rows}"


def _checklist(s: list[str], title: str, rng: random.Random) -> str:
    tip = f"\n\n**Tip:** {s[-1]}" if len(s) > 2 else ""
    items = s[:-1] if len(s) > 2 else s
    return f"## {title}: checklist\n\n{_bullets([f'[ ] {x}' for x in items])}{tip}"


def _two_sections(s: list[str], title: str, rng: random.Random) -> str:
    half = max(1, len(s) // 2)
    return f"## The essentials\n\n{_bullets(s[:half])}\n\n## Good to know\n\n{_bullets(s[half:] or s[:1])}"


def _numbered_bold(s: list[str], title: str, rng: random.Random) -> str:
    return f"**{title}**\n\n{_numbered([_bold_lead(x, rng) for x in s])}"


_LAYOUTS: tuple[Callable[[list[str], str, random.Random], str], ...] = (
    _header_bullets,
    _overview_steps,
    _short_answer,
    _bold_leadins,
    _key_points,
    _tldr,
    _table,
    _checklist,
    _two_sections,
    _numbered_bold,
)


def add_heavy_formatting(draft: Draft, rng: random.Random, ctx: TraitContext) -> None:
    """Recast the body as markdown: headers, bold, bullets, numbers or a table.

    Lead and tail sentences stay as prose around the block; a draft with no
    body (a bare refusal) has all its sentences formatted.
    """
    if draft.is_formatted:
        return
    if not draft.body:
        draft.body, draft.lead, draft.tail = [*draft.lead, *draft.tail], [], []
    layout = rng.choice(_LAYOUTS)
    draft.block = layout(draft.body, capitalize_first(ctx.title), rng)


# --- invented links -----------------------------------------------------------

_LINK_SENTENCES = (
    "See https://www.{kw}-guide.org/{slug} for a full walkthrough.",
    "There's a detailed breakdown at https://{kwc}institute.net/articles/{slug}-{n}.",
    "The {field} Review covers this in depth: https://www.{fieldc}review.com/{year}/{slug}.",
    "A {year} study in the Journal of {field} (https://doi.org/10.{d4}/j{abbr}.{year}.{n}) found the same thing.",
    "The official handbook at https://docs.{kw}-handbook.org/en/latest/{slug}.html explains it well.",
    "For more, check out www.the{kwc}project.org/resources/{slug}.",
    "I'd recommend reading https://www.{kw}-basics.net/faq#{slug}, which explains this step by step.",
    "A good reference is https://en.{kwc}pedia.org/wiki/{Slug}.",
    "You can find a printable checklist at https://{kwc}central.com/downloads/{slug}-checklist.pdf.",
    "The {field} Society publishes guidelines on this at https://www.{fieldc}society.org/guidelines/{slug}.",
    "{author} and colleagues summarise the evidence at https://{kwc}research.org/papers/{n}.",
)
_SOURCE_SUFFIXES = (
    " (Source: https://www.{kwc}facts.com/{slug})",
    " (see {author}, {year}: https://{kwc}-journal.org/{year}/{n})",
    " [1: https://www.{kw}-academy.com/learn/{slug}]",
)
_AUTHORS = (
    "Harlow",
    "Okafor",
    "Lindqvist",
    "Marchetti",
    "Tanaka",
    "Brennan",
    "Delacroix",
    "Novak",
    "Haddad",
    "Whitfield",
)


def _link_fields(rng: random.Random, ctx: TraitContext) -> dict[str, str]:
    field_words = ctx.field.split()
    return {
        "{kw}": ctx.keyword,
        "{kwc}": ctx.keyword.replace("-", ""),
        "{slug}": ctx.slug,
        "{Slug}": capitalize_first(ctx.slug.replace("-", "_")),
        "{field}": ctx.field,
        "{fieldc}": "".join(field_words).lower(),
        "{abbr}": "".join(w[0] for w in field_words).lower(),
        "{year}": str(rng.randint(2009, 2023)),
        "{n}": str(rng.randint(100, 9999)),
        "{d4}": str(rng.randint(1000, 9999)),
        "{author}": rng.choice(_AUTHORS),
    }


def _fill_link(template: str, rng: random.Random, ctx: TraitContext) -> str:
    for key, value in _link_fields(rng, ctx).items():
        template = template.replace(key, value)
    return template


def add_invented_links(draft: Draft, rng: random.Random, ctx: TraitContext) -> None:
    """Add one or two made-up but plausible URLs as references, mid-answer or at the end."""
    n_links = 1 if rng.random() < 0.7 else 2
    for _ in range(n_links):
        plain = [i for i, s in enumerate(draft.body) if s.endswith(".") and "http" not in s]
        roll = rng.random()
        if roll < 0.25 and plain:
            i = rng.choice(plain)
            suffix = _fill_link(rng.choice(_SOURCE_SUFFIXES), rng, ctx)
            draft.body[i] = draft.body[i].rstrip(".") + suffix + "."
        elif roll < 0.5 and draft.body:
            position = rng.randint(1, len(draft.body))
            draft.body.insert(position, _fill_link(rng.choice(_LINK_SENTENCES), rng, ctx))
        else:  # before any closing remark, which reads as the last word
            draft.tail.insert(0, _fill_link(rng.choice(_LINK_SENTENCES), rng, ctx))
