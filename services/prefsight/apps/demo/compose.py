"""Compose one demo pair: two plain answers to a prompt, with traits planted by side.

Owns turning a bank topic into base answers (one core sentence, some details,
an optional neutral opener or closer), applying the traits each side carries,
and balancing length so that the chosen answer is longer about half the time
and both stay within the word bounds. Choosing topics and placements for a
whole dataset is left to ``prefsight.apps.demo.generate``.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field, replace

from prefsight.apps.demo.bank import DomainBank, Topic
from prefsight.apps.demo.context import TraitContext
from prefsight.apps.demo.draft import Draft
from prefsight.apps.demo.text import fill_slot
from prefsight.apps.demo.traits import APPLY_ORDER, TRAITS
from prefsight.concepts.text_checks import count_words

log = logging.getLogger(__name__)

MIN_WORDS = 40
MAX_WORDS = 150
_MAX_ATTEMPTS = 12

_NEUTRAL_OPENERS = (
    "Here is how I would approach it.",
    "Short version first, then a few details.",
    "A few things make the biggest difference here.",
    "This comes up a lot.",
    "Here's a practical way to think about it.",
    "Let me break it down.",
    "There are a couple of parts to this.",
)
_NEUTRAL_CLOSERS = (
    "Hope that helps.",
    "If you share more about your situation, I can be more specific.",
    "Those basics cover most situations.",
    "Feel free to ask if you want more detail on any step.",
    "Give it a try and adjust from there.",
    "Good luck with it.",
)


@dataclass(frozen=True)
class TopicItem:
    """What one pair is about: a topic of a domain, its slot value and prompt phrasing."""

    bank: DomainBank
    topic: Topic
    value: str
    prompt_index: int

    @property
    def prompt(self) -> str:
        return fill_slot(self.topic.prompts[self.prompt_index], self.value)

    @property
    def details(self) -> tuple[str, ...]:
        """Supporting sentences (unfilled) that fit this slot value."""
        return self.topic.details_for(self.value)

    def context(self) -> TraitContext:
        """The TraitContext trait rewrites see for this pair."""
        return TraitContext(
            title=fill_slot(self.topic.title, self.value),
            subject=self.value,
            keyword=self.topic.keyword,
            field=self.bank.field,
        )


@dataclass(frozen=True)
class AnswerPlan:
    """Which bank sentences one base answer uses, and its neutral framing."""

    core: int
    details: tuple[int, ...]
    opener: str | None
    closer: str | None
    paragraphs: bool
    trait_seed: int
    traits: tuple[str, ...] = field(default=())


def plan_answer(item: TopicItem, core: int, traits: tuple[str, ...], rng: random.Random) -> AnswerPlan:
    """Draw a base answer: a core, 1-5 details in bank order, optional framing."""
    n_details = len(item.details)
    return AnswerPlan(
        core=core,
        details=tuple(sorted(rng.sample(range(n_details), rng.randint(1, min(5, n_details))))),
        opener=rng.choice(_NEUTRAL_OPENERS) if rng.random() < 0.2 else None,
        closer=rng.choice(_NEUTRAL_CLOSERS) if rng.random() < 0.25 else None,
        paragraphs=rng.random() < 0.3,
        trait_seed=rng.getrandbits(32),
        traits=tuple(t for t in APPLY_ORDER if t in traits),
    )


def render_answer(item: TopicItem, plan: AnswerPlan) -> str:
    """Write the answer of ``plan`` and apply its traits in APPLY_ORDER."""
    body = [item.topic.cores[plan.core], *(item.details[i] for i in plan.details)]
    draft = Draft(
        lead=[plan.opener] if plan.opener else [],
        body=[fill_slot(s, item.value) for s in body],
        tail=[plan.closer] if plan.closer else [],
    )
    rng = random.Random(plan.trait_seed)
    ctx = item.context()
    for name in plan.traits:
        TRAITS[name].edit(draft, rng, ctx)
    return draft.render(paragraphs=plan.paragraphs)


def _resize(plan: AnswerPlan, n_details: int, grow: bool, rng: random.Random) -> AnswerPlan:
    """Add a detail (grow) or drop one, when the pool and the 1-detail minimum allow."""
    if grow:
        unused = [i for i in range(n_details) if i not in plan.details]
        if not unused:
            return plan
        return replace(plan, details=tuple(sorted((*plan.details, rng.choice(unused)))))
    if len(plan.details) <= 1:
        return plan
    drop = rng.choice(plan.details)
    return replace(plan, details=tuple(i for i in plan.details if i != drop))


def compose_pair(item: TopicItem, placement: dict[str, str], rng: random.Random) -> tuple[str, str]:
    """Write the chosen and rejected answers of one pair.

    Args:
        item: the topic, slot value and prompt of the pair.
        placement: trait -> side carrying it: 'chosen', 'rejected', 'both' or 'none'.
        rng: the dataset's generator; advanced by this call.

    Returns:
        (chosen, rejected) texts. Each is within MIN_WORDS..MAX_WORDS and the chosen
        is longer when a coin flip says so, unless no plan within the attempts fits.
    """
    on_chosen = tuple(t for t, side in placement.items() if side in ("chosen", "both"))
    on_rejected = tuple(t for t, side in placement.items() if side in ("rejected", "both"))
    core_c, core_r = rng.sample(range(len(item.topic.cores)), 2)
    plan_c = plan_answer(item, core_c, on_chosen, rng)
    plan_r = plan_answer(item, core_r, on_rejected, rng)
    chosen_longer = rng.random() < 0.5
    for _ in range(_MAX_ATTEMPTS):
        chosen, rejected = render_answer(item, plan_c), render_answer(item, plan_r)
        n_c, n_r = count_words(chosen), count_words(rejected)
        fix_c = _bound_fix(n_c)
        fix_r = _bound_fix(n_r)
        if fix_c is None and fix_r is None:
            if (n_c > n_r) == chosen_longer:
                return chosen, rejected
            fix_c, fix_r = (True, False) if chosen_longer else (False, True)
        if fix_c is not None:
            plan_c = _resize(plan_c, len(item.details), fix_c, rng)
        if fix_r is not None:
            plan_r = _resize(plan_r, len(item.details), fix_r, rng)
    log.debug("pair on %r kept after %d attempts", item.prompt, _MAX_ATTEMPTS)
    return chosen, rejected


def _bound_fix(n_words: float) -> bool | None:
    """True to grow, False to shrink, None when within bounds."""
    if n_words < MIN_WORDS:
        return True
    if n_words > MAX_WORDS:
        return False
    return None
