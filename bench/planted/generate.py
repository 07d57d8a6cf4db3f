"""Assemble planted-trait preference sets and their per-response truth.

Owns: drawing topics, writing a more complete chosen and a thinner rejected
answer for each pair (the generic quality gap real data has), planting each
requested trait in an exact share of chosen responses (and, as noise, of
rejected ones), length-matching (a response without a sentence trait gets as
many trait-free neutral sentences in its place, so length does not reveal the
trait), recording which responses carry it, the random label flip of
the control set, and writing a set as JSONL plus a ``.truth.json`` sidecar.
Phrasings come from ``data/``; filling templates from ``planted.render``.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from planted.bank import Domain, Topic, Trait, load_domains, load_style, load_trait, trait_names
from planted.render import capitalise, fill, topic_slots

SIDES = ("chosen", "rejected")


@dataclass
class PlantedSet:
    """Rows (id, prompt, chosen, rejected, domain) and which responses carry each trait."""

    rows: list[dict[str, str]]
    truth: dict[str, dict[str, dict[str, bool]]]
    """trait -> pair id -> {"chosen": carries it, "rejected": carries it}."""
    seed: int
    rates: dict[str, float] = field(default_factory=dict)

    def carries(self, trait: str, pair_id: str, side: str) -> bool:
        return self.truth[trait][pair_id][side]

    def write(self, path: str | Path) -> Path:
        """Write rows to ``path`` (JSONL) and the truth to ``<path>.truth.json``."""
        path = Path(path)
        with open(path, "w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in self.rows)
        doc = {"generator": "bench/planted", "seed": self.seed, "rates": self.rates, "truth": self.truth}
        Path(str(path) + ".truth.json").write_text(json.dumps(doc), encoding="utf-8")
        return path


def generate(
    traits: Sequence[str], n_pairs: int = 300, seed: int = 0, chosen_rate: float = 0.5, rejected_rate: float = 0.1
) -> PlantedSet:
    """A set of ``n_pairs`` pairs with each trait planted independently.

    Args:
        traits: trait names (``trait_names()``); may be empty (quality gap only).
        n_pairs: number of pairs, >= 2.
        seed: everything is a function of this seed (and the other arguments).
        chosen_rate: exact share of chosen responses given each trait.
        rejected_rate: exact share of rejected responses given each trait (noise).

    Raises:
        ValueError: bad count or rate; KeyError: unknown trait.
    """
    if n_pairs < 2:
        raise ValueError(f"n_pairs must be >= 2, got {n_pairs}")
    for name, rate in (("chosen_rate", chosen_rate), ("rejected_rate", rejected_rate)):
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"{name} must be in [0, 1], got {rate}")
    loaded = sorted((load_trait(t) for t in dict.fromkeys(traits)), key=_apply_order)
    rng = random.Random(seed)
    plan = _plan_topics(n_pairs, rng)
    marks = {
        t.name: {
            side: set(rng.sample(range(n_pairs), round(rate * n_pairs)))
            for side, rate in (("chosen", chosen_rate), ("rejected", rejected_rate))
        }
        for t in loaded
    }
    rows: list[dict[str, str]] = []
    truth: dict[str, dict[str, dict[str, bool]]] = {t.name: {} for t in loaded}
    for i, (domain, topic) in enumerate(plan):
        pair_id = f"planted-{seed}-{i:05d}"
        sides = {"chosen": _chosen(topic, rng), "rejected": _rejected(topic, rng)}
        for trait in loaded:
            for side in SIDES:
                carries = i in marks[trait.name][side]
                truth[trait.name][pair_id] = {**truth[trait.name].get(pair_id, {}), side: carries}
                if carries:
                    sides[side] = plant(trait, sides[side], domain, topic, rng)
                elif trait.kind == "sentences":
                    sides[side] = _insert(trait, sides[side], load_style().neutral, domain, topic, rng)
        rows.append(
            {
                "id": pair_id,
                "prompt": rng.choice(topic.questions),
                "chosen": " ".join(sides["chosen"]),
                "rejected": " ".join(sides["rejected"]),
                "domain": domain.name,
            }
        )
    return PlantedSet(rows, truth, seed, {"chosen": chosen_rate, "rejected": rejected_rate})


def flip_pairs(rows: Sequence[dict[str, str]], seed: int) -> tuple[list[dict[str, str]], list[str]]:
    """Swap chosen and rejected in each pair with probability 1/2 (the control set).

    Returns:
        New rows (inputs untouched) and the ids of the flipped pairs.
    """
    rng = random.Random(seed)
    out, flipped = [], []
    for row in rows:
        new = dict(row)
        if rng.random() < 0.5:
            new["chosen"], new["rejected"] = row["rejected"], row["chosen"]
            flipped.append(row["id"])
        out.append(new)
    return out, flipped


def plant(trait: Trait, sentences: list[str], domain: Domain, topic: Topic, rng: random.Random) -> list[str]:
    """The response's sentences with the trait added (a new list)."""
    out = list(sentences)
    count = rng.randint(*trait.count)
    if trait.kind == "decorate":
        for index in rng.sample(range(len(out)), min(count, len(out))):
            pool = domain.emoji if rng.random() < trait.domain_share else trait.pool
            out[index] = f"{out[index]} {rng.choice(pool)}"
        return out
    slots = topic_slots(trait, domain, topic)
    sentences = [capitalise(fill(rng.choice(trait.templates), slots, rng)) for _ in range(count)]
    return _place(trait, out, sentences, rng)


def _insert(
    trait: Trait, sentences: list[str], neutral: tuple[str, ...], domain: Domain, topic: Topic, rng: random.Random
) -> list[str]:
    """Neutral sentences in place of the trait's: as many, about as long, where it would add them."""
    slots = topic_slots(trait, domain, topic)
    stand_ins = []
    for _ in range(rng.randint(*trait.count)):
        words = len(fill(rng.choice(trait.templates), slots, rng).split())
        gap = min(abs(len(n.split()) - words) for n in neutral)
        stand_ins.append(rng.choice([n for n in neutral if abs(len(n.split()) - words) <= gap + 2]))
    return _place(trait, list(sentences), stand_ins, rng)


def _place(trait: Trait, out: list[str], sentences: list[str], rng: random.Random) -> list[str]:
    for sentence in sentences:
        position = rng.choice(trait.positions)
        if position == "start":
            out.insert(0, sentence)
        elif position == "end" or len(out) < 2:
            out.append(sentence)
        else:
            out.insert(rng.randint(1, len(out) - 1), sentence)
    return out


def _apply_order(trait: Trait) -> int:
    """Sentence traits first, then decoration, then traits that must end the response."""
    if trait.kind == "decorate":
        return 1
    return 2 if trait.positions == ("end",) else 0


def _plan_topics(n_pairs: int, rng: random.Random) -> list[tuple[Domain, Topic]]:
    """Topics in shuffled rounds, so every topic is used about equally often."""
    every = [(d, t) for d in load_domains() for t in d.topics]
    plan: list[tuple[Domain, Topic]] = []
    while len(plan) < n_pairs:
        round_ = list(every)
        rng.shuffle(round_)
        plan.extend(round_)
    return plan[:n_pairs]


def _chosen(topic: Topic, rng: random.Random) -> list[str]:
    style = load_style()
    k = min(rng.randint(*style.chosen_facts), len(topic.facts))
    facts = [topic.facts[i] for i in sorted(rng.sample(range(len(topic.facts)), k))]
    opener = [rng.choice(style.chosen_openers)] if rng.random() < 0.5 else []
    closer = [rng.choice(style.chosen_closers)] if rng.random() < 0.5 else []
    return opener + facts + closer


def _rejected(topic: Topic, rng: random.Random) -> list[str]:
    style = load_style()
    k = min(rng.randint(*style.rejected_facts), len(topic.facts))
    facts = [topic.facts[i] for i in sorted(rng.sample(range(len(topic.facts)), k))]
    vague = list(rng.sample(topic.vague, rng.randint(1, len(topic.vague))))
    return vague[:1] + facts + vague[1:] if rng.random() < 0.5 else facts + vague


__all__ = ["PlantedSet", "flip_pairs", "generate", "plant", "trait_names"]
