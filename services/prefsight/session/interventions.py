"""``InterventionQueries``: what a store's findings let one do to the dataset.

Owns: steering vectors and shaping offsets of concepts, and filtering or
inoculating the dataset (selection, Δ shift, the written copy) after checking the
source holds the analysed pairs and the output lies outside the store.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from prefsight.concepts.catalog import get_concept
from prefsight.errors import InvalidArgument
from prefsight.interventions import (
    delta_shift,
    select_pairs,
    shaping_offsets,
    steering_vector,
    write_filtered,
    write_inoculated,
)
from prefsight.interventions.datasets import parse_template
from prefsight.interventions.selection import selected_rows, shift_with_d
from prefsight.session.cache import StoreCache


class InterventionQueries(StoreCache):
    """Steering, shaping, filter and inoculate over the cached analysis."""

    def steering(self, concept_id: str) -> Any:
        concept = get_concept(self.store, concept_id)
        model, _ = self.model_layer()
        from prefsight.models import load_tokenizer

        n_layers = load_tokenizer(self._model_spec or model)[2]
        return steering_vector(self.store, concept, self.analysis(concept.layer), n_layers)

    def shaping_offsets(self, concept_ids: list[str], weights: list[float] | None = None) -> Any:
        concept = get_concept(self.store, concept_ids[0]) if concept_ids else None
        if concept is None:
            raise InvalidArgument("no concept ids given")
        return shaping_offsets(self.analysis(concept.layer), concept_ids, weights)

    def intervene(
        self,
        action: str,
        concept_ids: list[str],
        *,
        data: str | None,
        output: str | None,
        threshold: float | None = None,
        top_fraction: float | None = None,
        dry_run: bool = False,
        template: str | None = None,
        top_n: int | None = None,
    ) -> dict[str, Any]:
        """Filter or inoculate: select pairs, report each concept's Δ shift, write unless dry.

        ``data`` must hold every analysed pair with the content the store holds (checked by
        content hash before anything is written); ``output`` may not lie inside the store.

        Raises:
            InvalidArgument: an unknown action, no ids, a threshold that is not finite, a bad
                template, a source that is not the store's, or an output inside the store.
        """
        if action not in ("filter", "inoculate"):
            raise InvalidArgument(f"unknown intervention {action!r}")
        if not concept_ids:
            raise InvalidArgument("no concept ids given")
        if threshold is not None and not np.isfinite(threshold):
            raise InvalidArgument(f"threshold must be a finite number, got {threshold}")
        if template is not None:
            parse_template(template)
        concepts = [get_concept(self.store, c) for c in concept_ids]
        analysis = self.analysis(concepts[0].layer)
        selection = select_pairs(analysis, concept_ids, threshold=threshold, top_fraction=top_fraction, top_n=top_n)
        shift = delta_shift(analysis, selection.pair_ids) if selection.pair_ids else []
        result: dict[str, Any] = {
            "action": action,
            "rule": selection.rule,
            "pairs_selected": len(selection.pair_ids),
            "pairs_total": len(analysis.scores.pair_ids),
            "dry_run": dry_run,
            "shift": shift_with_d(analysis, shift, selection.pair_ids),
            "concepts": list(concept_ids),
            "pairs": selected_rows(analysis, selection),
        }
        if dry_run:
            return result
        if not data or not output:
            raise InvalidArgument("a real run needs the original dataset (data) and an output path")
        self._check_output(Path(output))
        expected = self.pair_hashes(analysis.scores.pair_ids)
        if action == "filter":
            n, manifest = write_filtered(Path(data), selection, Path(output), expected=expected)
        else:
            label = ", ".join(c.label for c in concepts)
            description = "; ".join(c.description for c in concepts if c.description)
            kwargs = {"template": template} if template else {}
            n, manifest = write_inoculated(
                Path(data), selection, Path(output), label=label, description=description, expected=expected, **kwargs
            )
        result.update(written=str(output), manifest=str(manifest), pairs_changed=n)
        return result

    def pair_hashes(self, pair_ids: Any) -> dict[str, str]:
        """pair id -> content hash (prompt, chosen, rejected) of these stored pairs."""
        from prefsight.data.pairs import PreferencePair

        wanted = set(pair_ids)
        return {
            p["pair_id"]: PreferencePair(p["pair_id"], p["prompt"], p["chosen"], p["rejected"]).content_hash()
            for p in self.store.read_pairs()
            if p["pair_id"] in wanted
        }

    def _check_output(self, output: Path) -> None:
        if "://" not in self.uri and output.resolve().is_relative_to(Path(self.uri).resolve()):
            raise InvalidArgument(f"output {output} is inside the store {self.uri}; write it elsewhere")
