"""Generate the planted-trait demo preference dataset.

Owns the dataset-level plan: which topic each pair is about, which traits each
pair carries and on which side, the ``DemoDataset`` with its ground truth, the
JSONL writer with its ``.truth.json`` sidecar, and ``flip_labels`` for the
control set. Writing single answers is left to ``prefsight.apps.demo.compose``; the
traits themselves live in ``prefsight.apps.demo.traits``.

A trait is *planted* in a pair when the chosen answer carries it and the
rejected does not. Each trait is planted in ``round(rate * n_pairs)`` pairs
drawn independently of the other traits. An unplanted trait sits, with
probability ``noise_rate``, on both sides or on the rejected side only, so no
trait is a perfect tell of the label.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from prefsight.apps.demo.bank import DOMAINS, DomainBank
from prefsight.apps.demo.compose import TopicItem, compose_pair
from prefsight.apps.demo.traits import TRAITS, Trait
from prefsight.errors import InvalidArgument

log = logging.getLogger(__name__)

DEFAULT_TRAITS: tuple[str, ...] = tuple(n for n, t in TRAITS.items() if t.default_on)
DEFAULT_RATE = 0.35
DEFAULT_NOISE_RATE = 0.05
MAX_PAIRS = 100_000
SIDES = ("none", "chosen", "rejected", "both")

__all__ = [
    "DEFAULT_TRAITS",
    "TRAITS",
    "DemoDataset",
    "Trait",
    "flip_labels",
    "generate_demo",
    "read_truth",
    "truth_path",
]


@dataclass(frozen=True)
class DemoDataset:
    """A generated preference set and what was planted in it."""

    rows: list[dict[str, str]]
    """TRL standard rows: id, prompt, chosen, rejected, domain."""
    truth: dict[str, dict[str, bool]]
    """pair id -> trait -> planted (chosen carries it, rejected does not)."""
    placement: dict[str, dict[str, str]]
    """pair id -> trait -> side carrying it: 'none', 'chosen', 'rejected' or 'both'."""
    traits: tuple[str, ...]
    rates: dict[str, float]
    seed: int
    noise_rate: float

    def realized_rates(self) -> dict[str, float]:
        """Fraction of pairs in which each trait is planted."""
        n = max(1, len(self.rows))
        return {t: sum(p[t] for p in self.truth.values()) / n for t in self.traits}

    def write(self, path: str | Path) -> Path:
        """Write rows as JSONL to ``path`` and the truth to ``<path>.truth.json``.

        Args:
            path: the JSONL file to write; its folder must exist.

        Returns:
            The path of the truth sidecar.

        Raises:
            InvalidArgument: the folder of ``path`` does not exist.
        """
        path = Path(path)
        if not path.parent.is_dir():
            raise InvalidArgument(f"folder {path.parent} does not exist")
        with path.open("w", encoding="utf-8") as f:
            for row in self.rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        sidecar = truth_path(path)
        sidecar.write_text(json.dumps(self._truth_document(), indent=1), encoding="utf-8")
        log.info("wrote %d demo pairs to %s and truth to %s", len(self.rows), path, sidecar)
        return sidecar

    def _truth_document(self) -> dict[str, object]:
        return {
            "seed": self.seed,
            "traits": list(self.traits),
            "rates": self.rates,
            "noise_rate": self.noise_rate,
            "truth": self.truth,
            "placement": self.placement,
        }


def truth_path(path: str | Path) -> Path:
    """The truth sidecar of a demo JSONL: ``<path>.truth.json``."""
    return Path(str(path) + ".truth.json")


def read_truth(path: str | Path) -> dict[str, dict[str, bool]]:
    """Read the per-pair truth written next to a demo JSONL.

    Args:
        path: the demo JSONL (or its ``.truth.json`` sidecar).

    Returns:
        pair id -> trait -> planted.

    Raises:
        InvalidArgument: no sidecar, or it holds no 'truth' mapping.
    """
    sidecar = Path(path) if str(path).endswith(".truth.json") else truth_path(path)
    if not sidecar.is_file():
        raise InvalidArgument(f"no truth sidecar at {sidecar}; write the demo with .write()")
    doc = json.loads(sidecar.read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or not isinstance(doc.get("truth"), dict):
        raise InvalidArgument(f"{sidecar} has no 'truth' mapping")
    return {pid: {t: bool(v) for t, v in d.items()} for pid, d in doc["truth"].items()}


def generate_demo(
    n_pairs: int = 320,
    seed: int = 0,
    traits: Sequence[str] = DEFAULT_TRAITS,
    rates: dict[str, float] | None = None,
    domains: Sequence[str] | None = None,
    noise_rate: float = DEFAULT_NOISE_RATE,
) -> DemoDataset:
    """Generate a preference set whose chosen answers carry known traits at known rates.

    Args:
        n_pairs: number of pairs, 1..100000.
        seed: the whole dataset is a function of the arguments and this seed.
        traits: names from ``TRAITS`` to plant.
        rates: trait -> fraction of pairs planted; DEFAULT_RATE (0.35) where missing.
        domains: names from the content bank; all when None.
        noise_rate: chance that an unplanted trait sits on both sides or on the
            rejected side only (half each).

    Returns:
        The DemoDataset.

    Raises:
        InvalidArgument: unknown trait or domain, rate outside [0, 1], bad n_pairs.
    """
    traits, full_rates, banks = _validate(n_pairs, traits, rates, domains, noise_rate)
    rng = random.Random(seed)
    items = _plan_topics(banks, n_pairs, rng)
    placements = _plan_placements(n_pairs, traits, full_rates, noise_rate, rng)
    rows, truth, placement_by_id = [], {}, {}
    for i, (item, placement) in enumerate(zip(items, placements, strict=True)):
        pair_id = f"demo-s{seed}-{i:05d}"
        chosen, rejected = compose_pair(item, placement, rng)
        rows.append(
            {"id": pair_id, "prompt": item.prompt, "chosen": chosen, "rejected": rejected, "domain": item.bank.name}
        )
        truth[pair_id] = {t: placement[t] == "chosen" for t in traits}
        placement_by_id[pair_id] = dict(placement)
    log.info("generated %d demo pairs (seed %d, traits %s)", n_pairs, seed, traits)
    return DemoDataset(rows, truth, placement_by_id, traits, full_rates, seed, noise_rate)


def _validate(
    n_pairs: int,
    traits: Sequence[str],
    rates: dict[str, float] | None,
    domains: Sequence[str] | None,
    noise_rate: float,
) -> tuple[tuple[str, ...], dict[str, float], list[DomainBank]]:
    if not 1 <= n_pairs <= MAX_PAIRS:
        raise InvalidArgument(f"n_pairs must be in 1..{MAX_PAIRS}, got {n_pairs}")
    traits = tuple(dict.fromkeys(traits))
    unknown = [t for t in traits if t not in TRAITS]
    if unknown:
        raise InvalidArgument(f"unknown traits {unknown}; known: {sorted(TRAITS)}")
    rates = dict(rates or {})
    extra = [t for t in rates if t not in traits]
    if extra:
        raise InvalidArgument(f"rates given for traits not planted: {extra}; traits: {traits}")
    full_rates = {t: float(rates.get(t, DEFAULT_RATE)) for t in traits}
    for name, value in [*full_rates.items(), ("noise_rate", noise_rate)]:
        if not 0.0 <= value <= 1.0:
            raise InvalidArgument(f"{name} rate must be in [0, 1], got {value}")
    names = list(DOMAINS) if domains is None else list(dict.fromkeys(domains))
    missing = [d for d in names if d not in DOMAINS]
    if missing or not names:
        raise InvalidArgument(f"unknown domains {missing or names}; known: {list(DOMAINS)}")
    return traits, full_rates, [DOMAINS[d] for d in names]


def _plan_topics(banks: list[DomainBank], n_pairs: int, rng: random.Random) -> list[TopicItem]:
    """Cycle through every (topic, slot value) in shuffled order; change phrasing per cycle."""
    combos = [(b, t, v) for b in banks for t in b.topics for v in t.slot]
    first_prompt = [rng.randrange(len(t.prompts)) for _, t, _ in combos]
    items: list[TopicItem] = []
    cycle = 0
    while len(items) < n_pairs:
        order = list(range(len(combos)))
        rng.shuffle(order)
        for k in order[: n_pairs - len(items)]:
            bank, topic, value = combos[k]
            prompt_index = (first_prompt[k] + cycle) % len(topic.prompts)
            items.append(TopicItem(bank, topic, value, prompt_index))
        cycle += 1
    return items


def _plan_placements(
    n_pairs: int, traits: tuple[str, ...], rates: dict[str, float], noise_rate: float, rng: random.Random
) -> list[dict[str, str]]:
    """For each pair, the side each trait sits on; exact planted counts per trait."""
    placements: list[dict[str, str]] = [{} for _ in range(n_pairs)]
    for trait in traits:
        planted = set(rng.sample(range(n_pairs), round(rates[trait] * n_pairs)))
        for i, placement in enumerate(placements):
            if i in planted:
                placement[trait] = "chosen"
            elif rng.random() < noise_rate:
                placement[trait] = "both" if rng.random() < 0.5 else "rejected"
            else:
                placement[trait] = "none"
    return placements


def flip_labels(rows: Sequence[dict[str, str]], fraction: float = 0.5, seed: int = 0) -> list[dict[str, str]]:
    """Swap chosen and rejected in a random ``round(fraction * len(rows))`` of the rows.

    Used to build the control set: with half the labels flipped at random, no
    concept should separate chosen from rejected.

    Args:
        rows: TRL standard rows with 'chosen' and 'rejected'.
        fraction: share of rows to flip, in [0, 1].
        seed: which rows flip is a function of this seed.

    Returns:
        New row dicts (the input is not modified), in the same order.

    Raises:
        InvalidArgument: fraction outside [0, 1], or a row without chosen/rejected.
    """
    if not 0.0 <= fraction <= 1.0:
        raise InvalidArgument(f"fraction must be in [0, 1], got {fraction}")
    for i, row in enumerate(rows):
        if "chosen" not in row or "rejected" not in row:
            raise InvalidArgument(f"rows[{i}] lacks 'chosen' or 'rejected'; keys: {list(row)}")
    flipped = set(random.Random(seed).sample(range(len(rows)), round(fraction * len(rows))))
    out = []
    for i, row in enumerate(rows):
        new = dict(row)
        if i in flipped:
            new["chosen"], new["rejected"] = row["rejected"], row["chosen"]
        out.append(new)
    return out
