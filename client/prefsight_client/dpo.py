"""Shaped DPO: loss = -log sigmoid(beta * margin + lam * offset), per pair.

``margin`` is DPO's ``(pi_c - ref_c) - (pi_r - ref_r)``; ``offset`` is the
pair's concept-score difference ``Delta A_u`` measured once on the frozen
pre-training model, z-scored over the dataset, fetched from the server
(``fetch_offsets``) and cached. ``lam > 0`` explains the concept away (a pair
whose chosen side carries more of it is already partly satisfied, so DPO need not
learn it), ``lam < 0`` amplifies it (measured: ``prefsight validate``, README).

``ShapedDPOTrainer`` adds the term to TRL's DPOTrainer with its least invasive
hook: since ``beta * ((pi_c - (ref_c - lam * o / beta)) - (pi_r - ref_r))``
equals ``beta * margin + lam * o``, it lowers the batch's reference chosen
log-probs by ``lam * o / beta`` and lets TRL compute its own sigmoid loss.
Offsets ride along in a dataset column (``prefsight_offset``) looked up by
``pair_id``. TRL's logged ``rewards/*`` include the shift; the offset term
itself is logged as ``prefsight/offset_term``.

Imports torch and TRL; the rest of the client does not.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from trl import DPOTrainer

from prefsight_client.client import Client

log = logging.getLogger(__name__)

OFFSET_COLUMN = "prefsight_offset"


def shaped_dpo_loss(
    policy_chosen_logps: torch.Tensor,
    policy_rejected_logps: torch.Tensor,
    ref_chosen_logps: torch.Tensor,
    ref_rejected_logps: torch.Tensor,
    offsets: torch.Tensor,
    beta: float,
    lam: float,
) -> torch.Tensor:
    """Mean over pairs of ``-log sigmoid(beta * margin + lam * offset)``.

    Args:
        policy_chosen_logps: (batch,) summed log-probs of the chosen responses.
        policy_rejected_logps: (batch,) of the rejected responses.
        ref_chosen_logps: (batch,) the same under the reference model.
        ref_rejected_logps: (batch,)
        offsets: (batch,) z-scored concept-score differences, chosen minus rejected.
        beta: DPO temperature.
        lam: offset weight; 0 gives plain sigmoid DPO.

    Returns:
        The scalar loss.

    Example:
        >>> z = torch.zeros(2)
        >>> round(float(shaped_dpo_loss(z, z, z, z, torch.ones(2), 0.1, 1.0)), 4)
        0.3133
    """
    margin = (policy_chosen_logps - ref_chosen_logps) - (policy_rejected_logps - ref_rejected_logps)
    return -F.logsigmoid(beta * margin + lam * offsets.to(margin)).mean()


def zscore(offsets: Mapping[str, float]) -> dict[str, float]:
    """Standardise values to mean 0, std 1 (population std); constant values give 0.

    Raises:
        ValueError: for an empty mapping or non-finite values.
    """
    if not offsets:
        raise ValueError("no offsets to z-score")
    values = np.array(list(offsets.values()), dtype=np.float64)
    if not np.isfinite(values).all():
        raise ValueError("offsets contain NaN or infinite values")
    std = values.std()
    scaled = (values - values.mean()) / std if std > 0 else np.zeros_like(values)
    return dict(zip(offsets, (float(v) for v in scaled), strict=True))


def _cache_file(cache_dir: Path, key: dict[str, Any]) -> Path:
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    return cache_dir / f"offsets-{key['store']}-{digest}.json"


def fetch_offsets(
    client: Client,
    store: str,
    concept_ids: str | Sequence[str],
    *,
    weights: Sequence[float] | None = None,
    layer: int | None = None,
    pooling: str = "",
    cache_dir: str | Path | None = None,
) -> dict[str, float]:
    """Fetch z-scored shaping offsets once; with ``cache_dir``, reuse them from disk.

    The cache key is the request (address, store, concepts, weights, layer,
    pooling); delete the file to refetch after re-ingesting the store.

    Returns:
        pair_id -> z-scored offset.

    Example:
        >>> offsets = fetch_offsets(client, "demo", ["c12"], cache_dir="~/.cache/prefsight")  # doctest: +SKIP
    """
    ids = [concept_ids] if isinstance(concept_ids, str) else list(concept_ids)
    key = {
        "address": client.address,
        "store": store,
        "concept_ids": ids,
        "weights": list(weights or []),
        "layer": layer,
        "pooling": pooling,
    }
    path = _cache_file(Path(cache_dir).expanduser(), key) if cache_dir is not None else None
    if path is not None and path.exists():
        log.info("shaping offsets from cache %s", path)
        return {str(k): float(v) for k, v in json.loads(path.read_text())["offsets"].items()}
    offsets = client.shaping_offsets(store, ids, weights=weights, layer=layer, pooling=pooling).as_dict()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"request": key, "offsets": offsets}))
    return offsets


def _with_offsets(dataset: Any, offsets: Mapping[str, float], id_column: str, name: str) -> Any:
    """Add the offset column, looked up by pair id; every pair must have one."""
    if dataset is None:
        return None
    if isinstance(dataset, Mapping):  # several eval datasets
        return {k: _with_offsets(v, offsets, id_column, f"{name}[{k}]") for k, v in dataset.items()}
    if id_column not in dataset.column_names:
        raise ValueError(f"{name} has no {id_column!r} column (columns: {dataset.column_names})")
    pair_ids = [str(p) for p in dataset[id_column]]
    missing = [p for p in pair_ids if p not in offsets]
    if missing:
        raise KeyError(
            f"{len(missing)} of {len(pair_ids)} pairs in {name} have no offset, e.g. "
            f"{missing[:3]}; fetch offsets for the store this dataset was ingested into"
        )
    return dataset.add_column(OFFSET_COLUMN, [float(offsets[p]) for p in pair_ids])


def _check_loss(loss_type: str | Sequence[str], f_divergence_type: Any) -> None:
    types = [loss_type] if isinstance(loss_type, str) else list(loss_type)
    divergence = getattr(f_divergence_type, "value", f_divergence_type)
    if types != ["sigmoid"] or divergence != "reverse_kl":
        raise ValueError(
            "ShapedDPOTrainer shapes the sigmoid DPO loss only; got loss_type="
            f"{types}, f_divergence_type={divergence!r}"
        )


class _OffsetCollator:
    """Wrap TRL's preference collator to carry the per-pair offsets as a tensor."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __call__(self, examples: list[dict[str, Any]]) -> dict[str, Any]:
        batch = self.inner(examples)
        if examples and OFFSET_COLUMN in examples[0]:
            values = [float(e[OFFSET_COLUMN]) for e in examples]
            batch[OFFSET_COLUMN] = torch.tensor(values, dtype=torch.float32)
        return batch


class ShapedDPOTrainer(DPOTrainer):
    """TRL DPOTrainer with the shaped loss ``-log sigmoid(beta * margin + lam * offset)``.

    Args:
        *args: DPOTrainer's positional arguments (model, ref_model, args).
        offsets: pair_id -> z-scored offset (``fetch_offsets``).
        lam: offset weight; > 0 explains the concept away, < 0 amplifies it.
        pair_id_column: the datasets' column holding pair ids.
        **kwargs: DPOTrainer's keyword arguments (train_dataset, processing_class...).

    Raises:
        ValueError: for a loss other than plain sigmoid DPO, or a dataset without pair ids.
        KeyError: for pairs without an offset.

    Example:
        >>> trainer = ShapedDPOTrainer(  # doctest: +SKIP
        ...     model, args=DPOConfig(output_dir="out", precompute_ref_log_probs=True),
        ...     train_dataset=ds, processing_class=tok, offsets=offsets, lam=1.0)
        >>> trainer.train()  # doctest: +SKIP
    """

    def __init__(
        self, *args: Any, offsets: Mapping[str, float], lam: float, pair_id_column: str = "pair_id", **kwargs: Any
    ) -> None:
        config = kwargs.get("args", args[2] if len(args) > 2 else None)
        if config is not None:
            _check_loss(config.loss_type, config.f_divergence_type)
        for name in ("train_dataset", "eval_dataset"):
            kwargs[name] = _with_offsets(kwargs.get(name), offsets, pair_id_column, name)
        self.lam = float(lam)
        super().__init__(*args, **kwargs)
        _check_loss(self.loss_types, self.f_divergence_type)
        self.data_collator = _OffsetCollator(self.data_collator)

    def _set_signature_columns_if_needed(self) -> None:
        super()._set_signature_columns_if_needed()
        if self._signature_columns is not None and OFFSET_COLUMN not in self._signature_columns:
            self._signature_columns = [*self._signature_columns, OFFSET_COLUMN]

    def compute_loss(
        self, model: Any, inputs: dict[str, Any], return_outputs: bool = False, num_items_in_batch: Any = None
    ) -> Any:
        if OFFSET_COLUMN not in inputs:
            raise KeyError(
                f"batch has no {OFFSET_COLUMN!r}; datasets passed later (e.g. to evaluate) "
                "need the offsets too: build the trainer with them as eval_dataset"
            )
        inputs = dict(inputs)
        shift = self.lam * inputs.pop(OFFSET_COLUMN) / self.beta  # (batch,)
        mode = "train" if model.training else "eval"
        self._metrics[mode]["prefsight/offset_term"].append(float((self.beta * shift).mean()))
        if self.precompute_ref_logps:
            return self._loss_with_shift(model, inputs, shift, return_outputs)
        ref_model = self.ref_model if self.ref_model is not None else self.model
        ref_chosen, ref_rejected = self.compute_ref_log_probs(ref_model, inputs)
        inputs["ref_chosen_logps"], inputs["ref_rejected_logps"] = ref_chosen, ref_rejected
        self.precompute_ref_logps = True  # use the reference log-probs just put in the batch
        try:
            return self._loss_with_shift(model, inputs, shift, return_outputs)
        finally:
            self.precompute_ref_logps = False

    def _loss_with_shift(self, model: Any, inputs: dict[str, Any], shift: torch.Tensor, return_outputs: bool) -> Any:
        ref_chosen = inputs["ref_chosen_logps"]
        inputs["ref_chosen_logps"] = ref_chosen - shift.to(ref_chosen)
        return super().compute_loss(model, inputs, return_outputs=return_outputs)
