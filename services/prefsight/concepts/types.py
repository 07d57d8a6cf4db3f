"""The one ``Concept`` type every source produces.

Owns: what a concept is (id, kind, layer, vector, label, provenance) and the
id scheme. Sources live beside it: ``directions`` (contrast directions),
``named`` (from example texts), ``sae`` (sparse autoencoder features),
``text_checks`` (no model). Scoring lives in ``scoring``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

KINDS = ("sae", "contrast", "named", "text")


@dataclass(frozen=True)
class Concept:
    """A direction, SAE latent or text check that pairs can be scored on.

    ``vector`` is a unit direction in the residual stream of ``layer`` for
    contrast and named concepts, the decoder row for SAE latents, and None for
    text checks. ``provenance`` says how it was made (recipe, data, model).
    """

    id: str
    kind: str
    layer: int | None
    label: str
    description: str = ""
    vector: np.ndarray | None = None
    provenance: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"concept kind must be one of {KINDS}, got {self.kind!r}")

    def renamed(self, label: str | None = None, description: str | None = None) -> Concept:
        return replace(
            self,
            label=self.label if label is None else label,
            description=self.description if description is None else description,
        )

    def provenance_json(self) -> str:
        return json.dumps(self.provenance, sort_keys=True, default=str)


def sae_concept_id(layer: int, latent: int) -> str:
    return f"sae:L{layer}:{latent}"


def unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return (vector / norm).astype(np.float32) if norm > 0 else vector.astype(np.float32)
