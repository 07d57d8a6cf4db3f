"""Capture decoder-layer outputs in a with-block; always unhook.

Owns: forward hooks that record the residual stream after chosen layers and
stop the forward after the deepest one, so no later layer, final norm or
lm_head runs. In transformers 5 a decoder layer returns a tensor; older
versions return a tuple whose first item is the hidden states.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch

from prefsight.models import decoder_layers


class StopForward(Exception):
    """Raised by the deepest hook to end the forward pass early."""


def _hidden(output: Any) -> torch.Tensor:
    return output[0] if isinstance(output, tuple) else output


@contextmanager
def capture_layers(
    model: Any, layers: list[int], *, stop_after_deepest: bool = True
) -> Iterator[dict[int, torch.Tensor]]:
    """Record ``{layer: hidden (batch, seq, d_model)}`` during forwards in the block.

    Run the forward inside ``try: ... except StopForward: pass`` when
    ``stop_after_deepest`` is on.
    """
    modules = decoder_layers(model)
    captured: dict[int, torch.Tensor] = {}
    deepest = max(layers)
    handles = []

    def make_hook(index: int) -> Any:
        def hook(_module: Any, _inputs: Any, output: Any) -> None:
            captured[index] = _hidden(output)
            if stop_after_deepest and index == deepest:
                raise StopForward

        return hook

    try:
        for index in layers:
            handles.append(modules[index].register_forward_hook(make_hook(index)))
        yield captured
    finally:
        for handle in handles:
            handle.remove()
