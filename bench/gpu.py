"""GPU figures: ingest, SAE training and ScoreConcepts on one device against naive baselines.

Same run, same data (the shared HH pairs), same model:
  ingest   (a) naive: batch-8 file-order ``model(**batch, output_hidden_states=True)``
               on the device + mean pool, each side with its prompt;
           (b) ``prefsight ingest --device DEVICE --dtype DTYPE`` end to end (Ray
               worker with ``num_gpus=1``, LanceDB writes; load and start-up excluded).
  sae      TopK SAE training steps on the device against the same steps on the CPU
           (tokens/s of training data).
  score    ScoreConcepts from texts (``StoreSession(device=..., dtype=...)``, 16
           named concepts) against the naive forward + pooling + dot products.
Prints tokens/s for each and the ratios prefsight/naive (and device/CPU for the SAE).

    python bench/gpu.py [--device cuda] [--dtype bfloat16] [--pairs 512] [--layer 15]

``bench/gpu.sh`` runs it and refuses to start without CUDA; ``--device cpu`` with a
few pairs is a smoke run of the same code on a CPU machine.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

os.environ.setdefault("RAY_AUTH_MODE", "disabled")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from prefsight.concepts.catalog import save_concepts  # noqa: E402
from prefsight.concepts.types import Concept  # noqa: E402
from prefsight.data import read_pairs  # noqa: E402
from prefsight.ingest import IngestConfig, ingest  # noqa: E402
from prefsight.models import load_model  # noqa: E402
from prefsight.sae import SAEConfig, train_sae  # noqa: E402
from prefsight.session import StoreSession  # noqa: E402
from prefsight.store import Store  # noqa: E402
from shared_data import default_hh_path, hh_data  # noqa: E402


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def side_texts(tokenizer, pairs) -> list[str]:
    texts = []
    for pair in pairs:
        for response in (pair.chosen, pair.rejected):
            messages = pair.prompt + [{"role": "assistant", "content": response}]
            texts.append(tokenizer.apply_chat_template(messages, tokenize=False))
    return texts


@torch.inference_mode()
def naive_pool(loaded, texts: list[str], layer: int, batch: int = 8) -> tuple[float, int, np.ndarray]:
    """(seconds, real tokens, (n, d) mean-pooled) of the forward a user writes first."""
    tok, model, device = loaded.tokenizer, loaded.model, loaded.device
    tok.padding_side = "right"
    tokens, pooled = 0, []
    _sync(str(device))
    start = time.perf_counter()
    for i in range(0, len(texts), batch):
        enc = tok(
            texts[i : i + batch],
            return_tensors="pt",
            padding=True,
            add_special_tokens=False,
            truncation=True,
            max_length=1024,
        ).to(device)
        out = model(**enc, output_hidden_states=True)
        mask = enc["attention_mask"].unsqueeze(-1)
        pooled.append(((out.hidden_states[layer + 1] * mask).sum(1) / mask.sum(1)).float().cpu())
        tokens += int(enc["attention_mask"].sum())
    _sync(str(device))
    return time.perf_counter() - start, tokens, torch.cat(pooled).numpy()


def bench_ingest(args, pairs_texts: list[str], workdir: str) -> dict:
    loaded = load_model(args.model, device=args.device, dtype=args.dtype)
    naive_pool(loaded, pairs_texts[:16], args.layer)  # warm-up (CUDA kernels, allocator)
    a_s, a_tok, _ = naive_pool(loaded, pairs_texts, args.layer)
    del loaded
    torch.cuda.empty_cache() if torch.cuda.is_available() else None
    config = IngestConfig(
        layers=(args.layer,),
        sample_per_response=32,
        max_length=1024,
        token_budget=args.token_budget,
        max_batch_pairs=256,
    )
    result = ingest(
        args.data,
        Path(workdir) / "store",
        model=args.model,
        config=config,
        limit=args.pairs,
        skip_bad=True,
        device=args.device,
        dtype=args.dtype,
    )
    return {
        "naive_tokens_per_s": a_tok / a_s,
        "prefsight_tokens_per_s": result.tokens_per_s,
        "prefsight_pairs_per_s": result.pairs_per_s,
        "ratio": (result.pairs / result.seconds) / (len(pairs_texts) / 2 / a_s),
        "note": "ratio is pairs/s: prefsight forwards each prompt once, naive twice",
    }


def bench_sae(args, workdir: str) -> dict:
    store = Store(str(Path(workdir) / "store"))
    _, tokens = store.read_token_samples(model=store.models()[0], layer=args.layer)
    out = {}
    for device in (args.device, "cpu"):
        config = SAEConfig(
            d_in=tokens.shape[1], n_latents=args.latents, k=32, steps=args.sae_steps, batch_size=4096, device=device
        )
        start = time.perf_counter()
        _, report = train_sae(tokens, config)
        _sync(device)
        out[device] = report.steps * min(4096, report.n_train) / (time.perf_counter() - start)
    return {
        "device_tokens_per_s": out[args.device],
        "cpu_tokens_per_s": out["cpu"],
        "ratio": out[args.device] / out["cpu"],
        "n_latents": args.latents,
    }


def bench_score(args, texts: list[str], workdir: str) -> dict:
    uri = str(Path(workdir) / "store")
    store = Store(uri)
    d = store.d_model()
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((16, d)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    concepts = [
        Concept(
            id=f"named:L{args.layer}:bench{i}", kind="named", layer=args.layer, label=f"bench {i}", vector=vectors[i]
        )
        for i in range(16)
    ]
    save_concepts(store, concepts, d)
    ids = [c.id for c in concepts]
    session = StoreSession(uri, model=args.model, device=args.device, dtype=args.dtype)
    session.score_concepts(ids, texts=texts[:8])  # loads the model, warms up
    loaded = session.loaded()
    _sync(args.device)
    start = time.perf_counter()
    for i in range(0, len(texts), 64):
        session.score_concepts(ids, texts=texts[i : i + 64])
    _sync(args.device)
    b_s = time.perf_counter() - start
    a_s, a_tok, pooled = naive_pool(loaded, texts, args.layer, batch=64)
    _ = pooled @ vectors.T
    return {
        "naive_texts_per_s": len(texts) / a_s,
        "prefsight_texts_per_s": len(texts) / b_s,
        "naive_tokens_per_s": a_tok / a_s,
        "ratio": a_s / b_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--dtype", default="bfloat16")
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--pairs", type=int, default=512)
    parser.add_argument("--layer", type=int, default=15)
    parser.add_argument("--token-budget", type=int, default=65536)
    parser.add_argument("--latents", type=int, default=16384)
    parser.add_argument("--sae-steps", type=int, default=50)
    parser.add_argument("--data", default=None, help=f"HH pairs file (default {default_hh_path()})")
    args = parser.parse_args()
    args.data = hh_data(args.data)

    tokenizer = load_model(args.model).tokenizer
    pairs = read_pairs(args.data, limit=args.pairs, skip_bad=True).pairs
    texts = side_texts(tokenizer, pairs)
    responses = [t for p in pairs for t in (p.chosen, p.rejected) if t.strip()]
    with tempfile.TemporaryDirectory() as workdir:
        report = {
            "device": args.device,
            "dtype": args.dtype,
            "pairs": len(pairs),
            "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        }
        report["ingest"] = bench_ingest(args, texts, workdir)
        report["sae"] = bench_sae(args, workdir)
        report["score"] = bench_score(args, responses, workdir)
    print(json.dumps(report, indent=1))
    print(
        f"ingest  prefsight {report['ingest']['prefsight_tokens_per_s']:,.0f} tok/s  "
        f"naive {report['ingest']['naive_tokens_per_s']:,.0f} tok/s  "
        f"ratio {report['ingest']['ratio']:.2f}x (pairs/s)"
    )
    print(
        f"sae     {args.device} {report['sae']['device_tokens_per_s']:,.0f} tok/s  "
        f"cpu {report['sae']['cpu_tokens_per_s']:,.0f} tok/s  ratio {report['sae']['ratio']:.1f}x"
    )
    print(
        f"score   prefsight {report['score']['prefsight_texts_per_s']:,.0f} texts/s  "
        f"naive {report['score']['naive_texts_per_s']:,.0f} texts/s  "
        f"ratio {report['score']['ratio']:.2f}x"
    )


if __name__ == "__main__":
    main()
