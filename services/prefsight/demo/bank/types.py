"""The shapes of the content bank: a Topic and the DomainBank that holds topics.

A topic is one question with a slot (``{x}``) filled from ``slot``: several
phrasings of the prompt, two or more alternative direct answers (``cores``) and
a pool of supporting sentences (``details``). A base answer is one core plus
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

    def __post_init__(self) -> None:
        if len(self.prompts) < 2 or len(self.cores) < 2 or len(self.details) < 5:
            raise ValueError(
                f"topic {self.title!r} needs >=2 prompts, >=2 cores and >=5 details, got "
                f"{len(self.prompts)}, {len(self.cores)}, {len(self.details)}"
            )
        if not self.slot:
            raise ValueError(f"topic {self.title!r} has no slot values")


@dataclass(frozen=True)
class DomainBank:
    """The topics of one domain and the research field its citations name."""

    name: str
    field: str
    topics: tuple[Topic, ...]

    def __post_init__(self) -> None:
        if not self.topics:
            raise ValueError(f"domain {self.name!r} has no topics")
