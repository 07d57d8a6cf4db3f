"""``InterventionRPCs``: SteeringVector, ScoreConcepts, ShapingOffsets, Filter, Inoculate
(``interventions.proto``).

Owns: each intervention RPC's checks and the order of its calls: a direction lives
at one layer, texts are checked before the model reads them, and Filter/Inoculate
check everything before they choose a source (``sources``) and an output
(``paths``, confined to the export root) and copy.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from prefsight.contrast.effects import zscore
from prefsight.errors import InvalidArgument, NotFound
from prefsight.interventions.datasets import export_suffix, parse_template
from prefsight.server.convert import NO_LAYER, read
from prefsight.server.convert import interventions as reply
from prefsight.server.rpcs.base import RPCBase, check_texts, model_texts, still_wanted
from prefsight.server.sources import recorded_source, stored_pairs_file
from prefsight.session import StoreSession

RECIPES = ("", "scaled", "unit")


class InterventionRPCs(RPCBase):
    """The intervention RPCs."""

    def _check_layer(self, session: StoreSession, concept_ids: Sequence[str], layer: int | None) -> int:
        """The concepts' layer; a requested layer must be theirs (a direction lives at one layer).

        Raises:
            InvalidArgument: no ids, concepts at several layers, or another layer requested.
        """
        if not concept_ids:
            raise InvalidArgument("no concept ids given")
        layers = sorted({c.layer for c in session.concepts(list(concept_ids)) if c.layer is not None})
        if len(layers) > 1:
            raise InvalidArgument(f"concepts span several layers {layers}; use one layer per call")
        if layer is not None and layers and layer != layers[0]:
            session.model_layer(layer)  # an unknown layer says which exist
            raise InvalidArgument(f"the concepts are at layer {layers[0]}, not {layer}")
        return layers[0] if layers else NO_LAYER

    def SteeringVector(self, request: Any, context: Any) -> Any:
        """Recipe "" or "scaled": the unit direction times |mean chosen-rejected gap|; "unit"."""
        session = self._session(request.store)
        if request.recipe not in RECIPES:
            raise InvalidArgument(f"unknown recipe {request.recipe!r}; recipes: scaled (default), unit")
        self._check_layer(session, [request.concept_id], read.optional_layer(request))
        vector = session.steering(request.concept_id)
        recipe = vector.recipe
        if request.recipe == "unit":
            vector = dataclasses.replace(vector, vector=vector.vector / np.linalg.norm(vector.vector))
            recipe = f"unit; {recipe.split(';')[0]}"
        return reply.steering_response(vector, recipe)

    def ScoreConcepts(self, request: Any, context: Any) -> Any:
        """Scores as the audit computes them: texts run through the store's model after their
        prompts (an empty text scores NaN); activations are per-token with a mask, or pooled
        (which SAE concepts refuse)."""
        session = self._session(request.store)
        ids = list(request.concept_ids)
        layer = self._check_layer(session, ids, read.optional_layer(request))
        which = request.WhichOneof("input")
        if which == "texts":
            texts = list(request.texts.texts)
            check_texts(texts, blank_ok=True)
            with model_texts():
                scores = score_texts(session, ids, texts, read.prompts(request.texts))
        elif which == "activations":
            mask = request.token_mask
            scores = session.score_concepts(  # read-only views: scoring never writes its input
                ids,
                activations=read.to_array(request.activations, "activations", writable=False),
                mask=read.to_array(mask, "token_mask", writable=False) if request.HasField("token_mask") else None,
            )
        else:
            raise InvalidArgument("give texts or activations to score")
        return reply.score_response(scores, ids, layer)

    def ShapingOffsets(self, request: Any, context: Any) -> Iterator[Any]:
        session = self._session(request.store)
        ids, weights = list(request.concept_ids), list(request.weights) or None
        self._check_layer(session, ids, read.optional_layer(request))
        if weights is not None and not np.isfinite(weights).all():
            raise InvalidArgument("weights must be finite")
        pair_ids, z, raw, mean, std = session.shaping_offsets(ids, weights)
        if request.pair_ids:
            pair_ids, raw = subset(pair_ids, raw, list(request.pair_ids), request.store)
            z, mean, std = zscore(raw)
        for chunk in reply.offset_chunks(pair_ids, z, raw, mean, std, self.config.chunk_size):
            if not still_wanted(context):
                return
            yield chunk

    def Filter(self, request: Any, context: Any) -> Any:
        return reply.filter_response(self._intervene("filter", request))

    def Inoculate(self, request: Any, context: Any) -> Any:
        template = request.system_prompt_template or None
        return reply.inoculate_response(self._intervene("inoculate", request, template))

    def _intervene(self, action: str, request: Any, template: str | None = None) -> dict[str, Any]:
        """Check everything, choose the source and the output, then copy (see ``sources``)."""
        name = self.stores.resolve(request.store)
        session = self.stores.session(name)
        selection = request.selection
        layer = self._check_layer(session, selection.concept_ids, read.optional_layer(selection))
        if template is not None:
            parse_template(template)
        concept_ids = list(selection.concept_ids)
        kwargs: dict[str, Any] = {**read.selection_rule(selection), "dry_run": request.dry_run, "template": template}
        if request.dry_run:
            return session.intervene(action, concept_ids, data=None, output=None, **kwargs)
        folder = self.paths.export_folder(name)
        with self._source(session, request, layer, folder) as (data, named):
            output = self.paths.export(
                name, request.output_path, action=action, suffix=export_suffix(data), overwrite=request.overwrite
            )
            result = session.intervene(action, concept_ids, data=str(data), output=str(output), **kwargs)
        return {**result, "source": str(data) if named else ""}

    @contextmanager
    def _source(self, session: StoreSession, request: Any, layer: int, folder: Path) -> Iterator[tuple[Path, bool]]:
        """(the dataset to copy, whether it is a dataset file rather than the store's pairs)."""
        if request.source_dataset:
            yield self.paths.dataset(request.source_dataset), True
            return
        analysed = session.analysis(None if layer == NO_LAYER else layer).scores.pair_ids
        recorded = recorded_source(session, self.paths, session.pair_hashes(analysed))
        if recorded is not None:
            yield recorded, True
            return
        with stored_pairs_file(session, folder) as data:
            yield data, False


def score_texts(
    session: StoreSession, concept_ids: list[str], texts: list[str], prompts: list[Any] | None = None
) -> np.ndarray:
    """(len(texts), n_concepts) scores; an empty text has no tokens to pool and scores NaN.

    A sampled completion can be empty; NaN (which ``ConceptReward`` hands TRL as None, "no
    reward") keeps one empty completion from failing the whole batch.

    Raises:
        InvalidArgument: an empty batch, or a prompt count that is neither 1 nor len(texts).
    """
    if not texts:
        raise InvalidArgument("empty batch: no texts")
    if prompts is not None and len(prompts) not in (1, len(texts)):
        raise InvalidArgument(f"{len(prompts)} prompts for {len(texts)} texts: give one, or one per text")
    scores = np.full((len(texts), len(concept_ids)), np.nan, np.float32)
    rows = [i for i, text in enumerate(texts) if text.strip()]
    if rows:
        chosen_prompts = None if prompts is None else (prompts if len(prompts) == 1 else [prompts[i] for i in rows])
        scores[rows] = session.score_concepts(concept_ids, texts=[texts[i] for i in rows], prompts=chosen_prompts)
    return scores


def subset(pair_ids: Sequence[str], raw: np.ndarray, wanted: list[str], store: str) -> tuple[list[str], np.ndarray]:
    """``raw`` of the ``wanted`` pairs, in that order.

    Raises:
        NotFound: a pair the store does not hold.
    """
    position = {p: i for i, p in enumerate(pair_ids)}
    missing = [p for p in wanted if p not in position]
    if missing:
        raise NotFound(
            f"pair {missing[0]!r} not in store {store!r} ({len(missing)} of {len(wanted)} requested ids unknown)"
        )
    return wanted, np.asarray(raw, np.float64)[[position[p] for p in wanted]]
