"""``ForwardWorker``: a Ray actor that loads the model once and pools batches.

Owns: the actor's life (model load, thread count, device) and its one method,
``run``. One actor per GPU with ``num_gpus=1``; on CPU, N actors share the
cores. Actors restart if their process dies and the driver's dispatcher
(``prefsight.ingest.dispatch``) reruns the lost batch, so a killed worker or
node costs time, not rows.
"""

from __future__ import annotations

import os
from typing import Any

import torch

from prefsight.data.tokenize import EncodedPair
from prefsight.ingest.forward import BatchResult, forward_batch
from prefsight.ingest.sae_pass import sae_batch
from prefsight.models import load_model


class ForwardWorker:
    """Holds one model replica; ``run`` turns encoded pairs into Arrow rows."""

    def __init__(self, model: str, layers: list[int], device: str, dtype: str, threads: int) -> None:
        if device == "cpu":
            torch.set_num_threads(max(1, threads))
        self.loaded = load_model(model, device=device, dtype=dtype)
        self.layers = layers

    def ready(self) -> dict[str, Any]:
        import ray

        return {
            "pid": os.getpid(),
            "node_id": ray.get_runtime_context().get_node_id(),
            "model": self.loaded.model_id,
            "d_model": self.loaded.d_model,
            "device": str(self.loaded.device),
        }

    def run_sae(self, pairs: list[EncodedPair], sae: Any) -> Any:
        return sae_batch(self.loaded, pairs, self.layers[-1], sae)

    def run(self, pairs: list[EncodedPair], sample_per_response: int) -> BatchResult:
        return forward_batch(self.loaded, pairs, self.layers, sample_per_response=sample_per_response)
