"""bench.planted: a planted-trait preference-set generator independent of the demo.

Owns its own topic bank, phrasings and trait templates (``data/``), written
without the starter concepts, the text checks or ``prefsight.apps.demo``; a unit
test (tests/unit/test_planted_independent.py) checks they share no word
4-gram. Used by ``bench/recovery.py``; import with ``bench/`` on ``sys.path``.
"""

from planted.bank import load_domains, load_trait, trait_names
from planted.generate import PlantedSet, flip_pairs, generate, plant
from planted.render import pattern

UNTARGETED = ("apology", "emoji", "question_back", "product_plug")
"""Traits that no starter concept or text check targets."""

__all__ = [
    "UNTARGETED",
    "PlantedSet",
    "flip_pairs",
    "generate",
    "load_domains",
    "load_trait",
    "pattern",
    "plant",
    "trait_names",
]
