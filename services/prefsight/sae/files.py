"""SAE files: SAELens folders (``cfg.json`` + ``sae_weights.safetensors``).

Weights are ``W_enc`` (d_in, d_sae), ``b_enc``, ``W_dec`` (d_sae, d_in), ``b_dec``. We
save with the input scale ``s`` folded into the weights (SAELens'
``fold_activation_norm_scaling_factor``), so SAELens itself computes the same function
with ``normalize_activations: "none"``; ``cfg["prefsight"]["input_scale"]`` lets
``load_sae`` unfold it again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from prefsight.errors import InvalidArgument, NotFound
from prefsight.sae.model import TopKSAE

CFG_FILENAME = "cfg.json"
WEIGHTS_FILENAME = "sae_weights.safetensors"


def save_sae(sae: TopKSAE, folder: str | Path, *, hook_layer: int | None = None, model_name: str | None = None) -> Path:
    """Write ``sae`` as a SAELens folder (``cfg.json`` + ``sae_weights.safetensors``).

    Args:
        sae: the SAE; the input scale is folded into the saved weights.
        folder: created if missing; existing files of the same names are replaced.
        hook_layer: decoder layer the SAE reads (defaults to ``sae.hook_layer``).
        model_name: model id (defaults to ``sae.model_name``).

    Returns:
        The folder path.
    """
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    layer = sae.hook_layer if hook_layer is None else hook_layer
    model = sae.model_name if model_name is None else model_name
    s = float(sae.input_scale)
    with torch.no_grad():
        weights = {
            "W_enc": (sae.W_enc * s).detach().cpu().contiguous(),
            "b_enc": sae.b_enc.detach().cpu().contiguous(),
            "W_dec": (sae.W_dec / s).detach().cpu().contiguous(),
            "b_dec": (sae.b_dec / s).detach().cpu().contiguous(),
        }
    save_file(weights, str(path / WEIGHTS_FILENAME))
    (path / CFG_FILENAME).write_text(json.dumps(_sae_cfg(sae, layer, model), indent=2))
    return path


def _sae_cfg(sae: TopKSAE, layer: int | None, model: str | None) -> dict[str, Any]:
    hook = None if layer is None else f"model.layers.{layer}"
    meta = {"model_name": model, "hook_name": hook, "hook_layer": layer}
    cfg: dict[str, Any] = {
        "architecture": "topk" if sae.activation == "topk" else "standard",
        "d_in": sae.d_in,
        "d_sae": sae.d_sae,
        "dtype": "float32",
        "device": "cpu",
        "apply_b_dec_to_input": sae.apply_b_dec_to_input,
        "normalize_activations": "none",
        "activation_fn_str": sae.activation,
        **meta,
        "meta": meta,
        "prefsight": {"input_scale": float(sae.input_scale), "format_version": 1},
    }
    if sae.k is not None:
        cfg["k"] = sae.k
        cfg["activation_fn_kwargs"] = {"k": sae.k}
    return cfg


def load_sae(folder: str | Path) -> TopKSAE:
    """Load a SAELens folder: a TopK SAE, or a "standard" SAE as a ReLU encoder.

    Args:
        folder: holds ``cfg.json`` and ``sae_weights.safetensors``.

    Returns:
        The SAE on CPU in eval mode, float32.

    Raises:
        NotFound: the folder or one of its two files is missing.
        InvalidArgument: unsupported architecture or normalisation, missing or
            misshapen weights.
    """
    path = Path(folder)
    for name in (CFG_FILENAME, WEIGHTS_FILENAME):
        if not (path / name).is_file():
            raise NotFound(f"{path / name} not found (an SAE folder holds cfg.json and "
                           f"{WEIGHTS_FILENAME})")  # fmt: skip
    try:
        cfg = json.loads((path / CFG_FILENAME).read_text())
    except json.JSONDecodeError as exc:
        raise InvalidArgument(f"{path / CFG_FILENAME}: not valid JSON ({exc})") from exc
    activation, k = _read_architecture(cfg, path)
    weights = {n: t.float() for n, t in load_file(str(path / WEIGHTS_FILENAME)).items()}
    d_in, d_sae = _check_weights(weights, cfg, path)
    scale = float(cfg.get("prefsight", {}).get("input_scale", 1.0))
    sae = TopKSAE(
        d_in, d_sae, k, activation=activation, input_scale=scale,
        apply_b_dec_to_input=bool(cfg.get("apply_b_dec_to_input", True)),
    )  # fmt: skip
    with torch.no_grad():  # unfold the scale saved into the weights
        sae.W_enc.copy_(weights["W_enc"] / scale)
        sae.b_enc.copy_(weights["b_enc"])
        sae.W_dec.copy_(weights["W_dec"] * scale)
        sae.b_dec.copy_(weights["b_dec"] * scale)
    meta = cfg.get("meta") or {}
    layer = meta.get("hook_layer", cfg.get("hook_layer", cfg.get("hook_point_layer")))
    sae.hook_layer = None if layer is None else int(layer)
    sae.model_name = meta.get("model_name", cfg.get("model_name"))
    return sae.eval()


def _read_architecture(cfg: dict[str, Any], path: Path) -> tuple[str, int | None]:
    arch = cfg.get("architecture", "standard")
    act = cfg.get("activation_fn_str", "topk" if arch == "topk" else "relu")
    norm = cfg.get("normalize_activations", "none") or "none"
    if norm != "none":
        raise InvalidArgument(f"{path}: normalize_activations={norm!r} is not supported; "
                              "fold the scaling factor into the weights first")  # fmt: skip
    if arch == "topk" or (arch == "standard" and act == "topk"):
        k = cfg.get("k", (cfg.get("activation_fn_kwargs") or {}).get("k"))
        if not isinstance(k, int):
            raise InvalidArgument(f"{path}: topk SAE without an integer k in cfg.json")
        return "topk", k
    if arch == "standard" and act == "relu":
        return "relu", None
    raise InvalidArgument(f"{path}: SAE architecture {arch!r} with activation {act!r} is not "
                          "supported; supported: 'topk', and 'standard' with ReLU")  # fmt: skip


def _check_weights(weights: dict[str, torch.Tensor], cfg: dict[str, Any], path: Path) -> tuple[int, int]:
    missing = [n for n in ("W_enc", "b_enc", "W_dec", "b_dec") if n not in weights]
    if missing:
        raise InvalidArgument(f"{path / WEIGHTS_FILENAME}: missing {missing}; has {sorted(weights)}")
    d_in, d_sae = weights["W_enc"].shape if weights["W_enc"].ndim == 2 else (-1, -1)
    expected = {"W_enc": (d_in, d_sae), "b_enc": (d_sae,), "W_dec": (d_sae, d_in), "b_dec": (d_in,)}
    for name, shape in expected.items():
        if tuple(weights[name].shape) != shape or d_in < 1:
            raise InvalidArgument(f"{path}: {name} has shape {tuple(weights[name].shape)}, "
                                  f"expected {shape}")  # fmt: skip
    if (cfg.get("d_in", d_in), cfg.get("d_sae", d_sae)) != (d_in, d_sae):
        raise InvalidArgument(f"{path}: cfg.json says d_in={cfg.get('d_in')}, d_sae="
                              f"{cfg.get('d_sae')} but weights are {d_in} x {d_sae}")  # fmt: skip
    scaling = weights.get("scaling_factor")
    if scaling is not None and not torch.allclose(scaling, torch.ones_like(scaling)):
        raise InvalidArgument(f"{path}: a non-unit 'scaling_factor' is not supported")
    return int(d_in), int(d_sae)
