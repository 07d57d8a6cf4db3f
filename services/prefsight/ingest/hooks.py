"""Capture decoder-layer outputs in a with-block; always unhook. Thread-safe.

Owns: forward hooks that record the residual stream after chosen layers and
stop the forward after the deepest one, so no later layer, final norm or
lm_head runs. In transformers 5 a decoder layer returns a tensor; older
versions return a tuple whose first item is the hidden states.

Several threads may forward one model at once (the server scores texts from
its worker threads). Each capture's state (layers, captured tensors) is held
per thread, and one shared set of hooks per model dispatches to the state of
the thread whose forward is running; the hooks are added when the first
capture on a model starts and removed when the last one ends, so no thread
ever changes a module's hook dict while another forwards through it.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import torch

from prefsight.models import decoder_layers


class StopForward(Exception):
    """Raised by the deepest hook to end the forward pass early."""


def _hidden(output: Any) -> torch.Tensor:
    return output[0] if isinstance(output, tuple) else output


@dataclass
class _Capture:
    """One thread's capture: what to record and where."""

    layers: dict[int, int]
    """Decoder layer index -> the key the caller asked for it by."""
    deepest: int
    stop_after_deepest: bool
    captured: dict[int, torch.Tensor] = field(default_factory=dict)


class _Dispatcher:
    """The shared hooks of one model and the per-thread captures they feed."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.active = 0
        self.handles: list[Any] = []
        self.local = threading.local()

    def hook(self, index: int) -> Any:
        def run(_module: Any, _inputs: Any, output: Any) -> None:
            capture: _Capture | None = getattr(self.local, "capture", None)
            if capture is None or index not in capture.layers:
                return
            capture.captured[capture.layers[index]] = _hidden(output)
            if capture.stop_after_deepest and index == capture.deepest:
                raise StopForward

        return run

    def enter(self, model: Any) -> None:
        with self.lock:
            if self.active == 0:
                modules = decoder_layers(model)
                self.handles = [module.register_forward_hook(self.hook(i)) for i, module in enumerate(modules)]
            self.active += 1

    def leave(self) -> None:
        with self.lock:
            self.active -= 1
            if self.active == 0:
                for handle in self.handles:
                    handle.remove()
                self.handles = []


_dispatchers_lock = threading.Lock()
_dispatchers: weakref.WeakKeyDictionary[Any, _Dispatcher] = weakref.WeakKeyDictionary()


def _dispatcher(model: Any) -> _Dispatcher:
    with _dispatchers_lock:
        found = _dispatchers.get(model)
        if found is None:
            found = _dispatchers[model] = _Dispatcher()
        return found


@contextmanager
def capture_layers(
    model: Any, layers: list[int], *, stop_after_deepest: bool = True
) -> Iterator[dict[int, torch.Tensor]]:
    """Record ``{layer: hidden (batch, seq, d_model)}`` during this thread's forwards in the block.

    Run the forward inside ``try: ... except StopForward: pass`` when
    ``stop_after_deepest`` is on. Forwards of other threads are not recorded.

    Raises:
        IndexError: a layer the model does not have.
    """
    n_layers = len(decoder_layers(model))
    for index in layers:
        if not -n_layers <= index < n_layers:
            raise IndexError(f"layer {index} not in model (layers 0..{n_layers - 1})")
    wanted = {i % n_layers: i for i in layers}
    capture = _Capture(wanted, max(wanted), stop_after_deepest)
    dispatcher = _dispatcher(model)
    dispatcher.enter(model)
    previous = getattr(dispatcher.local, "capture", None)
    dispatcher.local.capture = capture
    try:
        yield capture.captured
    finally:
        dispatcher.local.capture = previous
        dispatcher.leave()
