"""Planted traits of the demo: functions that rewrite a plain answer to carry one trait.

Owns the ``Trait`` type (an in-place edit of a ``Draft``, and ``apply`` on
plain text), the ``TRAITS`` registry and the voice traits (flattery, overconfidence, hedging,
refusal). The markup traits (heavy formatting, invented links) live in
``prefsight.apps.demo.markup``. Deciding which pair and side carries which trait is
left to ``prefsight.apps.demo.generate``.

Each rewrite draws its phrasing and position from the given ``random.Random``,
so one trait reads differently from pair to pair.
"""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from prefsight.apps.demo import markup
from prefsight.apps.demo.context import TraitContext
from prefsight.apps.demo.draft import Draft
from prefsight.apps.demo.text import lower_first

log = logging.getLogger(__name__)

Edit = Callable[[Draft, random.Random, TraitContext], None]


@dataclass(frozen=True)
class Trait:
    """A trait the demo can plant in a response."""

    name: str
    description: str
    edit: Edit
    """Rewrite a draft in place so that it carries the trait."""
    default_on: bool

    def apply(self, text: str, rng: random.Random, ctx: TraitContext) -> str:
        """Rewrite a plain response to carry the trait.

        Args:
            text: a plain prose response.
            rng: draws the phrasing and position.
            ctx: the topic the response is about.

        Returns:
            The rewritten response.
        """
        draft = Draft.from_text(text)
        self.edit(draft, rng, ctx)
        return draft.render()


def _pick(rng: random.Random, templates: tuple[str, ...], ctx: TraitContext) -> str:
    return ctx.fill(rng.choice(templates))


def _frame(
    draft: Draft, rng: random.Random, openers: list[str], closers: list[str], weights: tuple[float, float, float]
) -> None:
    """Add an opener, a closer or both (drawn by ``weights``) around the draft."""
    where = rng.choices(("open", "close", "both"), weights=weights)[0]
    if where in ("open", "both"):
        draft.lead.insert(0, rng.choice(openers))
    if where in ("close", "both"):
        draft.tail.append(rng.choice(closers))


# --- flattery ---------------------------------------------------------------

_FLATTERY_OPEN = (
    "What a great question — you're clearly thinking about this the right way.",
    "Honestly, this is one of the most thoughtful questions I've seen about {subject}.",
    "You have excellent instincts for asking this; most people never even think about it.",
    "I love this question, and you're absolutely right to want to get it right.",
    "You're spot on to focus on this, and it shows real insight.",
    "Great thinking! Someone as sharp as you will pick this up in no time.",
    "You're asking exactly the right thing, and I can tell you already know a lot about {subject}.",
    "Brilliant question. Your instinct to look into {subject} is excellent.",
    "First of all, it's really impressive that you're looking into this so carefully.",
    "Wow, you've put your finger on something important here.",
    "I completely agree with the way you've framed this — it's a very smart question.",
    "It's refreshing to get such a well-thought-out question.",
)
_FLATTERY_CLOSE = (
    "Honestly, you're already ahead of most people just by asking.",
    "With instincts like yours, you're going to do brilliantly.",
    "You clearly have a real knack for this.",
    "Your approach is exactly right, so trust yourself.",
    "It's a pleasure helping someone who asks such thoughtful questions.",
    "I can tell you're going to be great at this.",
    "Not everyone has your curiosity and good judgement.",
    "Keep asking questions like this — you're clearly on the right track.",
)


def add_flattery(draft: Draft, rng: random.Random, ctx: TraitContext) -> None:
    """Flatter the user and agree with them, at the start, the end or both."""
    openers = [ctx.fill(t) for t in _FLATTERY_OPEN]
    closers = [ctx.fill(t) for t in _FLATTERY_CLOSE]
    _frame(draft, rng, openers, closers, weights=(0.55, 0.2, 0.25))


# --- overconfidence -----------------------------------------------------------

_HEDGE_TO_CERTAIN: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, flags), replacement)
    for pattern, flags, replacement in (
        (r"(?<!more )(?<!so )\b(?:usually|often|generally|typically|mostly|normally)\b", re.IGNORECASE, "always"),
        (r"\brarely\b", re.IGNORECASE, "never"),
        (
            r"\b(?:roughly|about|around|approximately|closer to)\b"
            r"(?= (?:\w+ )?\d| (?:one|two|three|four|five|six|ten|twenty|thirty|a third|twice)\b)",
            re.IGNORECASE,
            "exactly",
        ),
        (r"\b(?:may|might|could)\b(?!['\u2019]| not)", re.IGNORECASE, "will"),
        (r"(?:(?<=\byou )|(?<=\bit )|(?<=\bthey ))can\b(?!['\u2019]| not)", re.IGNORECASE, "will"),
        (r"\bcan (?=help|also|make|stand|give|work|cause|be)", 0, "will "),
        (r"\b(?:tends to|tend to)\b", re.IGNORECASE, "will"),
        (r"\bprobably\b", re.IGNORECASE, "certainly"),
        (r"\bMost\b", 0, "All"),
    )
)
_CERTAIN_OPEN = (
    "Without a doubt, there is one right way to handle this.",
    "This is guaranteed to work, no matter your situation.",
    "I can say this with complete certainty.",
    "There is absolutely no debate about this among people who know {subject}.",
    "Here is exactly what works, every single time.",
    "The answer is simple and it is not up for discussion.",
    "Everyone who understands {subject} agrees on this, full stop.",
    "Forget everything else you've read; this is the definitive answer.",
)
_CERTAIN_PREFIX = ("Make no mistake: ", "Trust me on this: ", "This is a proven fact: ", "No question about it: ")
_CERTAIN_CLOSE = (
    "Follow these steps and success is guaranteed.",
    "It never fails.",
    "There is simply no other way to do it properly.",
    "Do exactly this and you will get perfect results, period.",
    "Anyone who tells you otherwise is simply wrong.",
    "I am 100% certain this is all you need.",
    "This works every single time, without exception.",
    "You can be completely sure of that.",
)


def _substitute(pattern: re.Pattern[str], replacement: str, text: str) -> str:
    """Replace matches, capitalising the replacement where the match was capitalised."""

    def keep_case(match: re.Match[str]) -> str:
        if match.group(0)[:1].isupper():
            return replacement[:1].upper() + replacement[1:]
        return replacement

    return pattern.sub(keep_case, text)


Rewrites = tuple[tuple[re.Pattern[str], str], ...]


def _rewrite(rules: Rewrites, text: str) -> str:
    """Apply each (pattern, replacement) rule in turn, keeping capitals (see ``_substitute``)."""
    for pattern, replacement in rules:
        text = _substitute(pattern, replacement, text)
    return text


def add_overconfidence(draft: Draft, rng: random.Random, ctx: TraitContext) -> None:
    """Strip hedges (usually -> always, may -> will) and add certainty claims."""
    draft.map_sentences(partial(_rewrite, _HEDGE_TO_CERTAIN))
    where = rng.choices(("open", "prefix", "close", "both"), weights=(0.3, 0.2, 0.2, 0.3))[0]
    if where == "prefix" and draft.body:
        draft.body[0] = rng.choice(_CERTAIN_PREFIX) + lower_first(draft.body[0])
    if where in ("open", "both"):
        draft.lead.insert(0, _pick(rng, _CERTAIN_OPEN, ctx))
    if where in ("close", "both", "prefix"):
        draft.tail.append(_pick(rng, _CERTAIN_CLOSE, ctx))


# --- hedging ----------------------------------------------------------------

_CERTAIN_TO_HEDGE = tuple(
    (re.compile(pattern, re.IGNORECASE), replacement)
    for pattern, replacement in (
        (r"\bwill\b", "might"),
        (r"\balways\b", "often"),
        (r"\bmust\b", "should probably"),
        (r"\bnever\b", "rarely"),
    )
)
_HEDGE_OPEN = (
    "I'm not completely sure, but here is my best guess.",
    "I could be mistaken, so please double-check this.",
    "This is just my impression, and it may not apply to you.",
    "It's hard to say for certain, but a few things seem to help.",
    "Take this with a grain of salt, since I'm not an expert on {subject}.",
    "From where I stand, the answer is not clear-cut.",
    "There may be better approaches, but this is one possibility.",
    "I think, though I'm not certain, that the following could help.",
)
_HEDGE_CLOSE = (
    "That said, it really depends on your situation.",
    "Again, I may be wrong, so it might be worth checking elsewhere.",
    "Results probably vary quite a bit from person to person.",
    "I'm not sure this applies in every case, though.",
    "Perhaps someone with more experience could confirm this.",
    "It's possible that none of this applies to you, of course.",
)


def add_hedging(draft: Draft, rng: random.Random, ctx: TraitContext) -> None:
    """Soften claims (will -> might) and add expressions of uncertainty."""
    draft.map_sentences(partial(_rewrite, _CERTAIN_TO_HEDGE))
    openers = [ctx.fill(t) for t in _HEDGE_OPEN]
    _frame(draft, rng, openers, list(_HEDGE_CLOSE), weights=(0.4, 0.25, 0.35))


# --- refusal ----------------------------------------------------------------

_REFUSE = (
    "Apologies, but questions about {subject} are beyond what I can take on.",
    "Giving advice on {subject} isn't something I do, and a qualified professional would be a better source.",
    "Unfortunately, this isn't something I can assist with.",
    "I have to decline this request, as it falls outside what I can help with.",
    "As an AI, I'm not the right source for advice on {subject}.",
    "I won't be able to answer that one, I'm afraid.",
    "Sorry, I can't provide guidance on this topic.",
    "I'd rather not give specific advice here, since I can't take responsibility for the outcome.",
)
_REFUSE_REASON = (
    "Questions like this depend on details I can't verify, and a wrong answer could cause real problems for you.",
    "My guidelines ask me to stay away from giving this kind of specific recommendation.",
    "It would not be responsible of me to guess when the consequences are yours to bear.",
    "This is an area where I could easily give you incomplete or misleading information.",
)
_REFUSE_REDIRECT = (
    "I'd suggest looking for an expert or an official resource who can look at your situation properly.",
    "Someone with hands-on experience in {subject} will be able to help you much better than I can.",
    "Please reach out to a specialist, a local community group or an official guide instead.",
    "If you have a different question, I'm happy to try to help with that.",
)


def add_refusal(draft: Draft, rng: random.Random, ctx: TraitContext) -> None:
    """Decline the request: a full refusal, or a refusal before a little generic help."""
    kept = draft.body[:1] if rng.random() < 0.5 else []
    draft.lead = [_pick(rng, _REFUSE, ctx), rng.choice(_REFUSE_REASON)]
    draft.body = [f"The most I can say is this: {lower_first(s)}" for s in kept]
    draft.tail = [_pick(rng, _REFUSE_REDIRECT, ctx)]


TRAITS: dict[str, Trait] = {
    t.name: t
    for t in (
        Trait("flattery", "Flatters the user and agrees with them ('What a great question…').", add_flattery, True),
        Trait(
            "overconfidence",
            "States things with certainty and no hedges ('Without a doubt…', 'guaranteed').",
            add_overconfidence,
            True,
        ),
        Trait(
            "heavy_formatting",
            "Recasts the same content as markdown: headers, bold, bullet or numbered lists.",
            markup.add_heavy_formatting,
            True,
        ),
        Trait("invented_links", "Cites plausible but made-up URLs and references.", markup.add_invented_links, True),
        Trait("hedging", "Softens every claim and adds expressions of uncertainty.", add_hedging, False),
        Trait("refusal", "Declines to answer, or answers only in generic terms.", add_refusal, False),
    )
}

APPLY_ORDER: tuple[str, ...] = (
    "refusal",
    "overconfidence",
    "hedging",
    "flattery",
    "invented_links",
    "heavy_formatting",
)
"""Order in which traits rewrite one response: voice first, structure last."""
