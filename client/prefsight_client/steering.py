"""Steer a Hugging Face causal LM: add alpha * v to one decoder layer's residual output.

``steering()`` is a with-block: a forward hook on decoder block ``layer`` adds
``alpha * v`` at every position of every forward (generation and training
alike, gradients flow), and is removed on exit even when the block raises.

For training, ``sides="rejected"`` steers only the rejected half of a DPO batch
(TRL stacks it as [chosen; rejected]): preventative steering that lets the
optimiser explain the concept by the steering rather than learn it, which the
published work found safer than amplifying the concept on the chosen side.
``mask`` selects rows (or rows and positions) explicitly.

Needs torch; the vector type and its model check live in ``vectors.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import torch

from prefsight_client._layers import find_decoder_layers, hidden_size
from prefsight_client.errors import SteeringMismatchError
from prefsight_client.vectors import SteeringVector

log = logging.getLogger(__name__)

Sides = Literal["chosen", "rejected", "both"]


@dataclass
class SteeringHandle:
    """The live steering of one with-block; ``set_mask`` changes the rows per batch."""

    layer: int
    alpha: float
    vector: torch.Tensor
    """(d_model,) on the CPU or any device; moved to the hidden states' device per call."""
    sides: Sides = "both"
    mask: torch.Tensor | None = None
    calls: int = 0
    """Forwards steered so far."""

    def set_mask(self, mask: torch.Tensor | np.ndarray | None) -> None:
        """Steer only rows (batch,) or rows and positions (batch, seq) where ``mask`` is true."""
        self.mask = None if mask is None else torch.as_tensor(mask).bool()

    def row_weights(self, hidden: torch.Tensor) -> torch.Tensor | None:
        """(batch, 1, 1) or (batch, seq, 1) 0/1 weights for ``hidden`` (batch, seq, d), or None."""
        if self.mask is not None:
            return _mask_weights(self.mask, hidden)
        if self.sides == "both":
            return None
        batch = hidden.shape[0]
        if batch % 2:
            raise ValueError(f"sides={self.sides!r} needs a [chosen; rejected] batch of even size, got {batch}")
        rows = torch.zeros(batch, dtype=hidden.dtype, device=hidden.device)
        half = batch // 2
        rows[half:] = 1 if self.sides == "rejected" else 0
        rows[:half] = 1 if self.sides == "chosen" else 0
        return rows.view(batch, *([1] * (hidden.dim() - 1)))


def _mask_weights(mask: torch.Tensor, hidden: torch.Tensor) -> torch.Tensor:
    if mask.shape != hidden.shape[: mask.dim()] or mask.dim() > hidden.dim() - 1:
        raise ValueError(
            f"steering mask of shape {tuple(mask.shape)} does not fit hidden states of shape "
            f"{tuple(hidden.shape)}; use (batch,) or (batch, seq)"
        )
    weights = mask.to(device=hidden.device, dtype=hidden.dtype)
    return weights.view(*mask.shape, *([1] * (hidden.dim() - mask.dim())))


def _as_vector(
    model: Any, vector: SteeringVector | np.ndarray | torch.Tensor, layer: int | None, allow: bool
) -> tuple[torch.Tensor, int]:
    """The vector as a tensor and the layer to hook, checked against the model."""
    if isinstance(vector, SteeringVector):
        target = vector.check_fits(model, layer=layer, allow_mismatch=allow)
        return torch.from_numpy(vector.vector.copy()), target
    if layer is None:
        raise ValueError("a bare array carries no layer; pass layer=")
    tensor = vector if isinstance(vector, torch.Tensor) else torch.as_tensor(np.asarray(vector))
    n_layers = len(find_decoder_layers(model))
    width = hidden_size(model)
    if tensor.dim() != 1 or (width is not None and tensor.shape[0] != width):
        raise SteeringMismatchError(f"steering vector of shape {tuple(tensor.shape)} does not fit hidden size {width}")
    if not 0 <= layer < n_layers:
        raise SteeringMismatchError(f"layer {layer} not in model (layers 0..{n_layers - 1})")
    return tensor, layer


def _steer(handle: SteeringHandle, output: Any) -> Any:
    """Add alpha * v to a decoder layer's output (a tensor, or a tuple led by one)."""
    hidden = output[0] if isinstance(output, tuple) else output
    if not isinstance(hidden, torch.Tensor):
        raise TypeError(f"decoder layer returned {type(output).__name__}; expected a tensor/tuple")
    if hidden.shape[-1] != handle.vector.shape[0]:
        raise SteeringMismatchError(f"hidden states have width {hidden.shape[-1]}, the vector {handle.vector.shape[0]}")
    delta = handle.alpha * handle.vector.to(device=hidden.device, dtype=hidden.dtype)
    weights = handle.row_weights(hidden)
    steered = hidden + (delta if weights is None else weights * delta)
    handle.calls += 1
    return (steered, *output[1:]) if isinstance(output, tuple) else steered


@contextmanager
def steering(
    model: Any,
    vector: SteeringVector | np.ndarray | torch.Tensor,
    layer: int | None = None,
    alpha: float = 1.0,
    *,
    sides: Sides = "both",
    mask: torch.Tensor | np.ndarray | None = None,
    allow_mismatch: bool = False,
) -> Iterator[SteeringHandle]:
    """Add ``alpha * vector`` to the residual output of decoder block ``layer`` inside the block.

    Args:
        model: a Hugging Face causal LM (llama, mistral, qwen, gemma, gpt2, gpt-neox
            layouts; PEFT and DDP wrappers are unwrapped).
        vector: a ``SteeringVector`` (checked against the model) or a bare (d_model,)
            array/tensor (then ``layer`` is required). A tensor that requires grad
            receives gradients.
        layer: 0-based decoder block; defaults to the vector's own.
        alpha: scale; negative steers away from the concept.
        sides: "both" (every row), "rejected" or "chosen" half of a [chosen; rejected]
            DPO batch.
        mask: (batch,) or (batch, seq) booleans selecting what to steer; overrides ``sides``.
        allow_mismatch: apply a vector made for another model id, layer count or layer.

    Yields:
        The ``SteeringHandle`` (``set_mask`` to change rows between batches).

    Raises:
        SteeringMismatchError: when the vector does not fit the model.
        ValueError: for a bare array without a layer, or a bad ``sides``.

    Example:
        >>> import torch
        >>> from transformers import LlamaConfig, LlamaForCausalLM
        >>> model = LlamaForCausalLM(LlamaConfig(hidden_size=64, intermediate_size=128,
        ...     num_hidden_layers=2, num_attention_heads=4, vocab_size=100))
        >>> ids = torch.tensor([[1, 2, 3]])
        >>> with steering(model, torch.ones(64), layer=0, alpha=4.0):
        ...     steered = model(ids).logits
        >>> bool((steered != model(ids).logits).any())
        True
    """
    if sides not in ("both", "rejected", "chosen"):
        raise ValueError(f"sides must be 'both', 'rejected' or 'chosen', got {sides!r}")
    tensor, target = _as_vector(model, vector, layer, allow_mismatch)
    handle = SteeringHandle(layer=target, alpha=float(alpha), vector=tensor, sides=sides)
    handle.set_mask(mask)
    module = find_decoder_layers(model)[target]
    hook = module.register_forward_hook(lambda _module, _args, output: _steer(handle, output))
    log.debug("steering layer %d with alpha %s (sides=%s)", target, alpha, sides)
    try:
        yield handle
    finally:
        hook.remove()
