"""Pool captured hidden states over response (and prompt) tokens into Arrow rows.

Owns: mean, max and last-token pooling per (pair, side, layer), the per-token
sample kept for dictionary training, and building the Arrow tables the store
appends. Only response-span tokens are pooled for ``chosen``/``rejected``; the
``prompt`` side pools the prompt's non-special tokens.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields

import numpy as np
import pyarrow as pa
import torch

from prefsight.data.tokenize import EncodedPair
from prefsight.ingest.packing import PackedBatch
from prefsight.store import schema as S


@dataclass
class VectorRows:
    """Column lists of a table keyed by (pair, side, layer) with one vector a row, filled
    row by row: each field but ``vectors`` is the table's column of the same name."""

    pair_id: list[str] = field(default_factory=list)
    side: list[str] = field(default_factory=list)
    layer: list[int] = field(default_factory=list)
    vectors: list[np.ndarray] = field(default_factory=list)
    """(d_model,) rows or (rows, d_model) blocks, in row order."""

    def table(self, schema: pa.Schema, model: str, d_model: int) -> pa.Table:
        """The columns in ``schema``'s order and types, ``model`` on every row."""
        columns = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "vectors"}
        columns["model"] = [model] * len(self.pair_id)
        flat = np.concatenate([v.reshape(-1) for v in self.vectors]) if self.vectors else np.zeros(0, np.float32)
        vectors = pa.FixedSizeListArray.from_arrays(pa.array(flat, pa.float32()), d_model)
        arrays = [vectors if f.name == "vector" else pa.array(columns[f.name], f.type) for f in schema]
        return pa.Table.from_arrays(arrays, schema=schema)


@dataclass
class PooledRows(VectorRows):
    """Column lists for the ``activations`` table."""

    pooling: list[str] = field(default_factory=list)
    n_tokens: list[int] = field(default_factory=list)

    def add(self, pair_id: str, side: str, layer: int, n: int, h: torch.Tensor) -> None:
        """Pool ``h`` (tokens, d_model) three ways."""
        pooled = {"mean": h.mean(0), "max": h.max(0).values, "last": h[-1]}
        for name in S.POOLINGS:
            self.pair_id.append(pair_id)
            self.side.append(side)
            self.layer.append(layer)
            self.pooling.append(name)
            self.n_tokens.append(n)
            self.vectors.append(pooled[name].float().cpu().numpy())

    def to_arrow(self, model: str, d_model: int) -> pa.Table:
        return self.table(S.activations_schema(d_model), model, d_model)


@dataclass
class TokenSample(VectorRows):
    """Column lists for the ``token_samples`` table."""

    position: list[int] = field(default_factory=list)
    token_id: list[int] = field(default_factory=list)

    def to_arrow(self, model: str, d_model: int) -> pa.Table:
        return self.table(S.token_samples_schema(d_model), model, d_model)


def sample_positions(pair_id: str, side: str, n: int, k: int) -> np.ndarray:
    """Up to ``k`` response positions (all when ``k < 0``), the same on every rerun."""
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    if k < 0 or n <= k:  # k < 0: keep every response token
        return np.arange(n)
    seed = int.from_bytes(hashlib.sha256(f"{pair_id}/{side}".encode()).digest()[:8], "little")
    return np.sort(np.random.default_rng(seed).choice(n, size=k, replace=False))


def pool_batch(
    pairs: list[EncodedPair], packed: PackedBatch, captured: dict[int, torch.Tensor], *, sample_per_response: int = 0
) -> tuple[PooledRows, TokenSample]:
    """Pool every pair, side and captured layer of one packed forward."""
    rows, sample = PooledRows(), TokenSample()
    for row, pair in enumerate(pairs):
        starts = {"chosen": packed.chosen_start[row], "rejected": packed.rejected_start[row]}
        prompt_keep = torch.tensor(pair.prompt_mask, dtype=torch.bool)
        for layer, hidden in captured.items():
            h = hidden[row]  # (seq, d_model)
            prompt_h = h[: packed.prompt_len[row]][prompt_keep]
            if len(prompt_h):
                rows.add(pair.pair_id, "prompt", layer, len(prompt_h), prompt_h)
            for side in S.RESPONSE_SIDES:
                encoded = pair.side(side)
                a, b = starts[side] + encoded.span[0], starts[side] + encoded.span[1]
                span_h = h[a:b]
                rows.add(pair.pair_id, side, layer, b - a, span_h)
                keep = sample_positions(pair.pair_id, side, b - a, sample_per_response)
                if len(keep):
                    ids = encoded.ids[encoded.span[0] : encoded.span[1]]
                    sample.pair_id += [pair.pair_id] * len(keep)
                    sample.side += [side] * len(keep)
                    sample.layer += [layer] * len(keep)
                    sample.position += keep.tolist()
                    sample.token_id += [ids[i] for i in keep]
                    sample.vectors.append(span_h[torch.from_numpy(keep)].float().cpu().numpy())
    return rows, sample
