"""Label hints for the top concepts: top tokens, example pairs, firing tokens.

Owns: what a person needs to name a concept — the tokens its direction
promotes through the unembedding (logit lens), the pairs where it separates
chosen from rejected most, and per-token activations on those responses
(SAE latent activation, or projection on the direction) for highlighting.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import torch

from prefsight.audit.analysis import Analysis
from prefsight.audit.scoring import dense_column
from prefsight.concepts import kinds
from prefsight.concepts.catalog import sae_folder
from prefsight.ingest.features import encode_store_pairs
from prefsight.ingest.forward import capture_packed
from prefsight.models import LoadedModel
from prefsight.store.tables import Store

log = logging.getLogger(__name__)


def unembedding(loaded: LoadedModel) -> np.ndarray:
    """(vocab, d_model) output embedding with the final norm's gain folded in."""
    weight = loaded.model.get_output_embeddings().weight.detach().float()
    norm = getattr(getattr(loaded.model, "model", None), "norm", None)
    if norm is not None and getattr(norm, "weight", None) is not None:
        weight = weight * norm.weight.detach().float()
    return weight.cpu().numpy()


def top_tokens(loaded: LoadedModel, vector: np.ndarray, unembed: np.ndarray, k: int = 8) -> list[str]:
    logits = unembed @ vector.astype(np.float32)
    ids = np.argsort(-logits)[:k]
    return [loaded.tokenizer.decode([int(i)]) for i in ids]


def example_pairs(analysis: Analysis, index: int, sign: float, n: int) -> list[int]:
    """Rows of the ``n`` pairs whose delta on concept column ``index`` is largest in ``sign``'s direction."""
    c = dense_column(analysis.scores.chosen, index)
    r = dense_column(analysis.scores.rejected, index)
    order = np.argsort(-(sign * (c - r)), kind="stable")
    return [int(i) for i in order[:n]]


def _hidden_by_pair(
    store: Store, loaded: LoadedModel, pair_ids: list[str], layer: int
) -> dict[tuple[str, str], tuple[list[str], torch.Tensor]]:
    """(pair, side) -> (token strings, response hidden states (tokens, d))."""
    rows = store.read_pairs(pair_ids)
    encoded = encode_store_pairs(rows, loaded.tokenizer)
    out: dict[tuple[str, str], tuple[list[str], torch.Tensor]] = {}
    for start in range(0, len(encoded), 8):
        batch = encoded[start : start + 8]
        packed, captured = capture_packed(loaded, batch, [layer])
        for row, pair in enumerate(batch):
            for side, begin in (("chosen", packed.chosen_start[row]), ("rejected", packed.rejected_start[row])):
                enc = pair.side(side)
                # to the CPU, where the SAE and the concept vectors are (the model may be on a GPU)
                h = captured[layer][row, begin + enc.span[0] : begin + enc.span[1]].float().cpu()
                ids = enc.ids[enc.span[0] : enc.span[1]]
                out[(pair.pair_id, side)] = ([loaded.tokenizer.decode([i]) for i in ids], h)
    return out


def _token_scores(concept: Any, hidden: torch.Tensor, sae: Any) -> np.ndarray | None:
    """Per-token scores for highlighting: the concept kind's own (``ConceptKind.token_scores``)."""
    return kinds.kind_of(concept).token_scores(concept, hidden.cpu().numpy(), sae)


def add_hints(
    store: Store, analysis: Analysis, records: list[dict[str, Any]], loaded: LoadedModel, *, n_examples: int = 3
) -> None:
    """Add ``top_tokens``, ``examples`` and per-side fire rates to each record in place."""
    concepts = {c.id: (i, c) for i, c in enumerate(analysis.scores.concepts)}
    unembed = unembedding(loaded)
    sae = load_store_sae(store, analysis.layer)
    picks = {}
    for record in records:
        index, concept = concepts[record["id"]]
        sign = 1.0 if (record["delta"] or 0) >= 0 else -1.0
        picks[record["id"]] = example_pairs(analysis, index, sign, n_examples)
        c = dense_column(analysis.scores.chosen, index)
        r = dense_column(analysis.scores.rejected, index)
        record["fire_rate_chosen"] = float(np.mean(c != 0))
        record["fire_rate_rejected"] = float(np.mean(r != 0))
        record["top_tokens"] = top_tokens(loaded, concept.vector, unembed) if concept.vector is not None else []
    wanted = sorted({analysis.scores.pair_ids[i] for rows in picks.values() for i in rows})
    hidden = _hidden_by_pair(store, loaded, wanted, analysis.layer) if wanted else {}
    texts = {row["pair_id"]: row for row in store.read_pairs(wanted)} if wanted else {}
    for record in records:
        index, concept = concepts[record["id"]]
        record["examples"] = [_example(analysis, index, concept, i, texts, hidden, sae) for i in picks[record["id"]]]


def _example(
    analysis: Analysis, index: int, concept: Any, row: int, texts: dict, hidden: dict, sae: Any
) -> dict[str, Any]:
    pair_id = analysis.scores.pair_ids[row]
    pair = texts[pair_id]
    chosen = float(dense_column(analysis.scores.chosen[row], index)[0])
    rejected = float(dense_column(analysis.scores.rejected[row], index)[0])
    example: dict[str, Any] = {
        "pair_id": pair_id,
        "prompt": "\n\n".join(m["content"] for m in pair["prompt"]),
        "chosen": pair["chosen"],
        "rejected": pair["rejected"],
        "chosen_score": chosen,
        "rejected_score": rejected,
        "delta": chosen - rejected,
    }
    for side in ("chosen", "rejected"):
        tokens, h = hidden[(pair_id, side)]
        scores = _token_scores(concept, h, sae)
        example[f"{side}_tokens"] = (
            [] if scores is None else [[t, float(s)] for t, s in zip(tokens, scores, strict=True)]
        )
    return example


def load_store_sae(store: Store, layer: int) -> Any:
    """The store's SAE of ``layer``, or None (logged) when it is missing or unreadable."""
    from prefsight.sae import load_sae

    try:
        folder = sae_folder(store, layer)
        return load_sae(folder) if folder.exists() else None
    except Exception as exc:  # hints are best effort; the analysis stands without them
        log.warning("no SAE for token highlights at layer %s: %s", layer, exc)
        return None
