"""Find a Hugging Face causal LM's decoder layers and sizes, without importing torch.

Used by the steering vector check (``vectors.py``) and the steering hook
(``steering.py``). Layer ``L`` is the 0-based decoder block whose output is the
residual stream after block ``L``: ``hidden_states[L + 1]`` of a forward with
``output_hidden_states=True``.
"""

from __future__ import annotations

from typing import Any

_LAYER_PATHS = (
    "model.layers",  # llama, mistral, qwen2/3, gemma, phi3, olmo
    "model.language_model.layers",  # multimodal wrappers (gemma3, llava-style)
    "transformer.h",  # gpt2, gptj, falcon
    "gpt_neox.layers",  # pythia, gpt-neox
    "model.decoder.layers",  # opt
    "layers",  # a bare decoder (LlamaModel)
    "h",  # a bare GPT2Model
)


def unwrap_model(model: Any) -> Any:
    """Peel DDP/accelerate (``.module``) and PEFT (``get_base_model``) wrappers."""
    for _ in range(8):
        if hasattr(model, "get_base_model"):
            model = model.get_base_model()
        elif hasattr(model, "module") and not hasattr(model, "config"):
            model = model.module
        else:
            break
    return model


def _resolve(model: Any, path: str) -> Any | None:
    obj = model
    for name in path.split("."):
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return obj


def find_decoder_layers(model: Any) -> Any:
    """Return the model's sequence of decoder blocks (an ``nn.ModuleList``).

    Raises:
        ValueError: when no known layout matches; the message lists those tried.
    """
    base = unwrap_model(model)
    for path in _LAYER_PATHS:
        layers = _resolve(base, path)
        if layers is not None and hasattr(layers, "__len__") and len(layers) > 0:
            return layers
    raise ValueError(
        f"cannot find decoder layers in {type(base).__name__}: looked for "
        f"{', '.join(_LAYER_PATHS)}; supported are llama/mistral/qwen/gemma/gpt2/gpt-neox layouts"
    )


def hidden_size(model: Any) -> int | None:
    """The residual width (d_model) from the model config, or None if it has none."""
    config = getattr(unwrap_model(model), "config", None)
    if config is None:
        return None
    if hasattr(config, "get_text_config"):
        config = config.get_text_config()
    for name in ("hidden_size", "n_embd", "d_model"):
        value = getattr(config, name, None)
        if isinstance(value, int):
            return value
    return None


def model_id(model: Any) -> str:
    """The path or hub id the model was loaded from ("" for one built from a config)."""
    config = getattr(unwrap_model(model), "config", None)
    return str(getattr(config, "_name_or_path", "") or getattr(config, "name_or_path", "") or "")


def same_model_id(a: str, b: str) -> bool:
    """Whether two model ids name the same model: equal, or equal last path part.

    A hub id (``org/SmolLM2-135M``) and a local copy (``/cache/SmolLM2-135M``)
    count as the same model.
    """
    if a == b:
        return True
    tail = [s.rstrip("/").rsplit("/", 1)[-1].lower() for s in (a, b)]
    return bool(tail[0]) and tail[0] == tail[1]
