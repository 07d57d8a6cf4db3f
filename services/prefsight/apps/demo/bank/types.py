"""The shapes of the content bank: a Topic and the DomainBank that holds topics.

A topic is one question with a slot (``{x}``) filled from ``slot``: several
phrasings of the prompt, two or more alternative direct answers (``cores``) and
a pool of supporting sentences (``details``, plus ``specific`` ones for single
slot values). A base answer is one core plus
some details, so two answers to one prompt differ in wording, detail and length.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    """One question of a domain, with a slot and the sentences that answer it."""

    title: str
    """Short title with the slot, e.g. 'Roasting {x}'; used by headers and links."""
    keyword: str
    """One lowercase word or hyphenated slug naming the subject, for invented URLs."""
    prompts: tuple[str, ...]
    slot: tuple[str, ...]
    cores: tuple[str, ...]
    details: tuple[str, ...]
    """Supporting sentences that fit every slot value."""
    specific: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(slot value, sentences that fit only that value) pairs."""

    def __post_init__(self) -> None:
        if not self.slot:
            raise ValueError(f"topic {self.title!r} has no slot values")
        stray = [v for v, _ in self.specific if v not in self.slot]
        if stray:
            raise ValueError(f"topic {self.title!r}: specific details for {stray} not in slot")
        smallest = min(len(self.details_for(v)) for v in self.slot)
        if len(self.prompts) < 2 or len(self.cores) < 2 or smallest < 5:
            raise ValueError(
                f"topic {self.title!r} needs >=2 prompts, >=2 cores and >=5 details per slot "
                f"value, got {len(self.prompts)}, {len(self.cores)}, {smallest}"
            )

    def details_for(self, value: str) -> tuple[str, ...]:
        """The supporting sentences that fit slot value ``value``: specific, then shared."""
        extra = [d for v, ds in self.specific if v == value for d in ds]
        return (*extra, *self.details)


@dataclass(frozen=True)
class DomainBank:
    """The topics of one domain and the research field its citations name."""

    name: str
    field: str
    topics: tuple[Topic, ...]

    def __post_init__(self) -> None:
        if not self.topics:
            raise ValueError(f"domain {self.name!r} has no topics")
