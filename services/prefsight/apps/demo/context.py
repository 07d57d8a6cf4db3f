"""The TraitContext: what a trait rewrite may know about the pair it is writing.

Owns the small record of the topic (title, subject, URL keyword, research
field) and template filling from it. Built by ``prefsight.apps.demo.generate``.
"""

from __future__ import annotations

from dataclasses import dataclass

from prefsight.apps.demo.text import capitalize_first, slugify


@dataclass(frozen=True)
class TraitContext:
    """The topic of one pair, as trait templates see it."""

    title: str
    """Filled topic title, e.g. 'Roasting carrots'."""
    subject: str
    """The slot value, e.g. 'carrots'."""
    keyword: str
    """Slug naming the subject area, e.g. 'roasting'."""
    field: str
    """Research field of the domain, e.g. 'Culinary Science'."""

    def __post_init__(self) -> None:
        if not (self.title and self.subject and self.keyword and self.field):
            raise ValueError(f"TraitContext fields must be non-empty: {self}")

    @property
    def slug(self) -> str:
        """URL slug of the title: 'roasting-carrots'."""
        return slugify(self.title)

    def fill(self, template: str) -> str:
        """Fill ``{subject}``, ``{title}``, ``{Title}``, ``{keyword}`` and ``{field}``.

        Args:
            template: text with any of those markers.

        Returns:
            The filled text.
        """
        return (
            template.replace("{subject}", self.subject)
            .replace("{Title}", capitalize_first(self.title))
            .replace("{title}", self.title[:1].lower() + self.title[1:])
            .replace("{keyword}", self.keyword)
            .replace("{field}", self.field)
        )
