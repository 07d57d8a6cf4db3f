"""The steering vector type: a direction plus where it came from.

``SteeringVector`` is what ``Client.steering_vector`` returns and what
``steering()`` applies; its ``check_fits`` refuses a model it was not made for.
NumPy only; torch is needed only to apply it (``steering.py``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np

from prefsight_client._layers import find_decoder_layers, hidden_size, model_id, same_model_id
from prefsight_client.errors import SteeringMismatchError

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class SteeringVector:
    """A residual-stream direction for one layer of one model, with provenance.

    Example:
        >>> import numpy as np
        >>> v = SteeringVector(np.ones(4, np.float32), layer=1, model_id="m", d_model=4)
        >>> float(v.norm)
        2.0
    """

    vector: np.ndarray
    """(d_model,) float32"""
    layer: int
    """0-based decoder block whose output it is added to."""
    model_id: str = ""
    concept_id: str = ""
    recipe: str = ""
    d_model: int = 0
    """Width of the source model; 0 takes it from ``vector``."""
    n_layers: int = 0
    """Decoder layers of the source model; 0 = unknown."""

    def __post_init__(self) -> None:
        vector = np.asarray(self.vector, dtype=np.float32)
        if vector.ndim != 1 or vector.size == 0:
            raise ValueError(f"steering vector must be 1-D (d_model,), got shape {vector.shape}")
        if not np.isfinite(vector).all():
            raise ValueError("steering vector has NaN or infinite values")
        if self.d_model and self.d_model != vector.shape[0]:
            raise ValueError(f"vector has {vector.shape[0]} values but d_model is {self.d_model}")
        if self.layer < 0:
            raise ValueError(f"layer must be >= 0, got {self.layer}")
        object.__setattr__(self, "vector", vector)
        object.__setattr__(self, "d_model", int(vector.shape[0]))

    @property
    def norm(self) -> float:
        """Euclidean norm of the vector."""
        return float(np.linalg.norm(self.vector))

    def describe(self) -> str:
        """One line naming the vector's provenance, for messages and logs."""
        return (
            f"concept {self.concept_id or '?'} at layer {self.layer} of "
            f"{self.model_id or 'an unknown model'} (d_model {self.d_model}, recipe "
            f"{self.recipe or '?'})"
        )

    def check_fits(self, model: Any, *, layer: int | None = None, allow_mismatch: bool = False) -> int:
        """Check that this vector can be applied to ``model``; return the layer to use.

        Width and layer range are always checked; the source model id, layer count and
        a layer other than the vector's own are checked unless ``allow_mismatch``.

        Args:
            model: a Hugging Face causal LM (or a PEFT/DDP wrapper of one).
            layer: apply at this layer instead of the vector's own.
            allow_mismatch: accept another model id, layer count or layer.

        Returns:
            The layer index to hook.

        Raises:
            SteeringMismatchError: saying what differs and how to override it.
        """
        target = self.layer if layer is None else layer
        n_layers = len(find_decoder_layers(model))
        width = hidden_size(model)
        if width is not None and width != self.d_model:
            raise SteeringMismatchError(f"{self.describe()} cannot be added to a model with hidden size {width}")
        if not 0 <= target < n_layers:
            raise SteeringMismatchError(f"layer {target} not in model (layers 0..{n_layers - 1})")
        if not allow_mismatch:
            self._check_provenance(model, target, n_layers)
        return target

    def _check_provenance(self, model: Any, target: int, n_layers: int) -> None:
        hint = "; pass allow_mismatch=True to apply it anyway"
        if target != self.layer:
            raise SteeringMismatchError(f"{self.describe()} applied at layer {target}{hint}")
        if self.n_layers and self.n_layers != n_layers:
            raise SteeringMismatchError(
                f"{self.describe()} comes from a {self.n_layers}-layer model, this one has {n_layers}{hint}"
            )
        target_id = model_id(model)
        if not (self.model_id and target_id):
            log.warning("cannot compare model ids (%r vs %r); not checked", self.model_id, target_id)
        elif not same_model_id(self.model_id, target_id):
            raise SteeringMismatchError(f"{self.describe()} applied to model {target_id}{hint}")
