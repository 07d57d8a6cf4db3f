"""Fill slot templates, and match any filling of them.

Owns the tiny template language of the trait files: ``{slot}`` is replaced by
one of the slot's values (values may hold slots themselves, one level deep);
``{thing}`` and ``{gear}`` come from the topic. ``pattern`` builds the regex
that matches every possible rendering, used to check truth labels.
"""

from __future__ import annotations

import random
import re

from planted.bank import Domain, Topic, Trait, load_domains

_SLOT = re.compile(r"\{(\w+)\}")


def fill(template: str, slots: dict[str, tuple[str, ...]], rng: random.Random, depth: int = 0) -> str:
    """Replace each ``{slot}`` by a random value of ``slots[slot]`` (recursively)."""
    if depth > 2:
        raise ValueError(f"slots nest too deep in {template!r}")

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in slots:
            raise KeyError(f"template {template!r} uses slot {{{name}}}; slots: {sorted(slots)}")
        return fill(rng.choice(slots[name]), slots, rng, depth + 1)

    return _SLOT.sub(one, template)


def capitalise(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def topic_slots(trait: Trait, domain: Domain, topic: Topic) -> dict[str, tuple[str, ...]]:
    """The trait's slots plus the topic's ``thing`` and the domain's ``gear``."""
    return {**trait.slot_map, "thing": (topic.thing,), "gear": domain.gear}


def _regex(template: str, slots: dict[str, tuple[str, ...]], depth: int = 0) -> str:
    if depth > 2:
        raise ValueError(f"slots nest too deep in {template!r}")
    out, last = [], 0
    for match in _SLOT.finditer(template):
        out.append(re.escape(template[last : match.start()]))
        values = sorted(slots[match.group(1)], key=len, reverse=True)
        out.append("(?:" + "|".join(_regex(v, slots, depth + 1) for v in values) + ")")
        last = match.end()
    out.append(re.escape(template[last:]))
    return "".join(out)


def pattern(trait: Trait) -> re.Pattern[str]:
    """A regex matching any rendering of the trait in any topic (case-insensitive)."""
    if trait.kind == "decorate":
        marks = set(trait.pool) | {e for d in load_domains() for e in d.emoji}
        return re.compile("|".join(re.escape(m) for m in sorted(marks, key=len, reverse=True)))
    things = tuple(sorted({t.thing for d in load_domains() for t in d.topics}))
    gear = tuple(sorted({g for d in load_domains() for g in d.gear}))
    slots = {**trait.slot_map, "thing": things, "gear": gear}
    return re.compile("|".join(_regex(t, slots) for t in trait.templates), re.IGNORECASE)
