"""A response being written: lead sentences, a body, tail sentences.

Owns the ``Draft`` that trait rewrites edit in turn. Voice traits add to the
lead or tail and reword the body; heavy formatting turns only the body into a
markdown block, so framing sentences (a compliment, a neutral opener) stay as
prose around it, as they do in real assistant answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from prefsight.apps.demo.text import join_sentences, split_sentences


@dataclass
class Draft:
    """Sentences of one response, grouped by where they sit."""

    lead: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    tail: list[str] = field(default_factory=list)
    block: str | None = None
    """The body recast as markdown, once heavy formatting has run."""

    @classmethod
    def from_text(cls, text: str) -> Draft:
        """A draft whose body is every sentence of ``text``."""
        return cls(body=split_sentences(text))

    @property
    def is_formatted(self) -> bool:
        return self.block is not None

    def map_sentences(self, fn: Callable[[str], str]) -> None:
        """Apply ``fn`` to every prose sentence, in place."""
        self.lead = [fn(s) for s in self.lead]
        self.body = [fn(s) for s in self.body]
        self.tail = [fn(s) for s in self.tail]

    def render(self, paragraphs: bool = False) -> str:
        """Write the response.

        Args:
            paragraphs: for a prose answer of 4+ sentences, break it in two paragraphs.

        Returns:
            Lead, body (or its markdown block) and tail; prose joined by spaces.
        """
        if self.block is not None:
            parts = [join_sentences(self.lead), self.block, join_sentences(self.tail)]
            return "\n\n".join(p for p in parts if p)
        sentences = [*self.lead, *self.body, *self.tail]
        if paragraphs and len(sentences) >= 4:
            middle = len(sentences) // 2
            return join_sentences(sentences[:middle]) + "\n\n" + join_sentences(sentences[middle:])
        return join_sentences(sentences)
