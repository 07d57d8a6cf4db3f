"""Load the planted-trait generator's data files (topics, style, traits).

Owns reading and validating ``data/topics.json``, ``data/style.json`` and
``data/traits/*.json`` into small frozen records. All prose lives in those
files; rendering is left to ``planted.render`` and set assembly to
``planted.generate``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Topic:
    """One question with the facts a good answer draws on."""

    domain: str
    thing: str
    questions: tuple[str, ...]
    facts: tuple[str, ...]
    vague: tuple[str, ...]


@dataclass(frozen=True)
class Domain:
    """A hobby area: its topics, gear nouns (for product slots) and emoji."""

    name: str
    gear: tuple[str, ...]
    emoji: tuple[str, ...]
    topics: tuple[Topic, ...]


@dataclass(frozen=True)
class Trait:
    """A plantable trait: sentence templates with slots, or emoji decoration."""

    name: str
    description: str
    starter_overlap: str | None
    kind: str
    count: tuple[int, int]
    positions: tuple[str, ...] = ()
    templates: tuple[str, ...] = ()
    slots: tuple[tuple[str, tuple[str, ...]], ...] = ()
    pool: tuple[str, ...] = ()
    domain_share: float = 0.0

    @property
    def slot_map(self) -> dict[str, tuple[str, ...]]:
        return dict(self.slots)


@dataclass(frozen=True)
class Style:
    """Generic openers/closers and how many facts each side gets."""

    chosen_openers: tuple[str, ...]
    chosen_closers: tuple[str, ...]
    chosen_facts: tuple[int, int]
    rejected_facts: tuple[int, int]
    neutral: tuple[str, ...]
    """Trait-free sentences that stand in for a trait's sentences where it is absent."""


POSITIONS = ("start", "middle", "end")


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}:{error.lineno}: {error.msg}") from error


@lru_cache(maxsize=1)
def load_domains() -> tuple[Domain, ...]:
    """All domains of ``data/topics.json``."""
    path = DATA / "topics.json"
    domains = []
    for i, d in enumerate(_read(path)["domains"]):
        topics = tuple(
            Topic(d["name"], t["thing"], tuple(t["questions"]), tuple(t["facts"]), tuple(t["vague"]))
            for t in d["topics"]
        )
        for t in topics:
            if len(t.facts) < 4 or not t.vague or not t.questions:
                raise ValueError(f"{path}: domains[{i}] topic {t.thing!r} needs >= 4 facts, a vague line, a question")
        domains.append(Domain(d["name"], tuple(d["gear"]), tuple(d["emoji"]), topics))
    return tuple(domains)


@lru_cache(maxsize=1)
def load_style() -> Style:
    """Generic openers and closers of ``data/style.json``."""
    s = _read(DATA / "style.json")
    return Style(
        tuple(s["chosen_openers"]),
        tuple(s["chosen_closers"]),
        tuple(s["chosen_facts"]),
        tuple(s["rejected_facts"]),
        tuple(s["neutral"]),
    )  # type: ignore[arg-type]


@cache
def load_trait(name: str) -> Trait:
    """One trait from ``data/traits/<name>.json``.

    Raises:
        KeyError: no such trait (the message lists the known ones).
    """
    path = DATA / "traits" / f"{name}.json"
    if not path.exists():
        raise KeyError(f"unknown trait {name!r}; known: {', '.join(trait_names())}")
    t = _read(path)
    trait = Trait(
        name=t["name"],
        description=t["description"],
        starter_overlap=t.get("starter_overlap"),
        kind=t["kind"],
        count=tuple(t["count"]),
        positions=tuple(t.get("positions", ())),  # type: ignore[arg-type]
        templates=tuple(t.get("templates", ())),
        slots=tuple((k, tuple(v)) for k, v in t.get("slots", {}).items()),
        pool=tuple(t.get("pool", ())),
        domain_share=float(t.get("domain_share", 0.0)),
    )
    if trait.name != name or trait.kind not in ("sentences", "decorate"):
        raise ValueError(f"{path}: name must be {name!r} and kind 'sentences' or 'decorate'")
    if any(p not in POSITIONS for p in trait.positions):
        raise ValueError(f"{path}: positions must be among {POSITIONS}, got {trait.positions}")
    return trait


def trait_names() -> list[str]:
    """Every trait with a data file, sorted."""
    return sorted(p.stem for p in (DATA / "traits").glob("*.json"))
