"""prefsight.index: FAISS search over concept directions and pooled activations.

``ConceptIndex`` answers "which concepts point this way" (nearest feature),
``ExampleIndex`` "which responses look like this" (nearest example); both search by
cosine with exact or approximate FAISS structures chosen by size (``IndexConfig``).
``merge_topk`` combines hit lists from several shards.
"""

from prefsight.index.concepts import ConceptIndex
from prefsight.index.config import IndexConfig
from prefsight.index.examples import SIDES, ExampleIndex
from prefsight.index.hits import ConceptMeta, ExampleHit, Hit, merge_topk

__all__ = ["SIDES", "ConceptIndex", "ConceptMeta", "ExampleHit", "ExampleIndex", "Hit", "IndexConfig", "merge_topk"]
