"""Ingest throughput and memory against same-run baselines.

On the same N pairs of the shared HH data, with the same model and one layer:
  (a) naive: batch-8 unsorted ``model(**batch, output_hidden_states=True)`` +
      mean pool, each side forwarded with its prompt;
  (b) tuned plain PyTorch: length-sorted token-budget batches, forward stopped
      after the layer (no lm_head), each side forwarded with its prompt;
  (c) ``prefsight ingest`` end to end (Ray worker, LanceDB writes), model load
      and Ray start excluded.
Prints pairs/s (and real-token/s for reference) and the ratios c/a and c/b.
Targets: c/b >= 1.3 and c/a >= 5. Then peak RSS (driver + workers) for N and
4N pairs: 4N must not raise it by more than 20%.

    python bench/ingest.py --pairs 64 --layer 15
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from pathlib import Path

import torch

os.environ.setdefault("RAY_AUTH_MODE", "disabled")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from prefsight.data import read_pairs  # noqa: E402
from prefsight.ingest import IngestConfig, ingest  # noqa: E402
from prefsight.ingest.hooks import StopForward, capture_layers  # noqa: E402
from prefsight.models import load_model  # noqa: E402
from shared_data import default_hh_path, hh_data  # noqa: E402


def side_texts(tokenizer, pairs):
    texts = []
    for pair in pairs:
        for response in (pair.chosen, pair.rejected):
            messages = pair.prompt + [{"role": "assistant", "content": response}]
            texts.append(tokenizer.apply_chat_template(messages, tokenize=False))
    return texts


@torch.inference_mode()
def naive(loaded, texts, layer):
    """What a user writes first: batch 8 in file order, all hidden states, logits."""
    tok, model = loaded.tokenizer, loaded.model
    tok.padding_side = "right"
    tokens = 0
    start = time.perf_counter()
    for i in range(0, len(texts), 8):
        batch = tok(texts[i : i + 8], return_tensors="pt", padding=True, add_special_tokens=False)
        out = model(**batch, output_hidden_states=True)
        mask = batch["attention_mask"].unsqueeze(-1)
        _ = (out.hidden_states[layer + 1] * mask).sum(1) / mask.sum(1)
        tokens += int(batch["attention_mask"].sum())
    return time.perf_counter() - start, tokens


@torch.inference_mode()
def tuned(loaded, texts, layer, budget=2048):
    """The plain-PyTorch limit: sorted batches, stop after the layer, no lm_head."""
    tok, model = loaded.tokenizer, loaded.model
    encoded = sorted((tok(t, add_special_tokens=False)["input_ids"] for t in texts), key=len, reverse=True)
    tokens = 0
    start = time.perf_counter()
    i = 0
    while i < len(encoded):
        size = max(1, budget // len(encoded[i]))
        chunk = encoded[i : i + size]
        i += size
        length = len(chunk[0])
        ids = torch.full((len(chunk), length), tok.pad_token_id)
        mask = torch.zeros((len(chunk), length), dtype=torch.long)
        for row, seq in enumerate(chunk):
            ids[row, : len(seq)] = torch.tensor(seq)
            mask[row, : len(seq)] = 1
        with capture_layers(model, [layer]) as captured:
            try:
                model(input_ids=ids, attention_mask=mask, use_cache=False)
            except StopForward:
                pass
        m = mask.unsqueeze(-1)
        _ = (captured[layer] * m).sum(1) / m.sum(1)
        tokens += int(mask.sum())
    return time.perf_counter() - start, tokens


class RssSampler:
    """Peak summed RSS of the driver and the worker processes, sampled every 50 ms."""

    def __init__(self) -> None:
        self.pids = {os.getpid()}
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss(self, pid: int) -> int:
        try:
            with open(f"/proc/{pid}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            return 0
        return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, sum(self._rss(p) for p in list(self.pids)))
            time.sleep(0.05)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def watch(self, progress) -> None:
        self.pids.update(progress.worker_pids)


def run_prefsight(data, n, layer, model, workdir):
    store = Path(workdir) / f"store-{n}"
    config = IngestConfig(layers=(layer,), sample_per_response=0)
    with RssSampler() as rss:
        result = ingest(data, store, model=model, config=config, limit=n, skip_bad=True, progress=rss.watch)
    return result, rss.peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=64)
    parser.add_argument("--layer", type=int, default=15)
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--data", default=None, help=f"HH pairs file (default {default_hh_path()})")
    args = parser.parse_args()
    data = hh_data(args.data)

    torch.set_num_threads(os.cpu_count() or 1)
    loaded = load_model(args.model)
    pairs = read_pairs(data, limit=args.pairs, skip_bad=True).pairs
    texts = side_texts(loaded.tokenizer, pairs)
    n = len(pairs)
    a_s, a_tok = naive(loaded, texts, args.layer)
    b_s, b_tok = tuned(loaded, texts, args.layer)
    del loaded
    with tempfile.TemporaryDirectory() as workdir:
        c, peak_n = run_prefsight(data, n, args.layer, args.model, workdir)
        peak_4n = None
        if not args.skip_memory:
            _, peak_4n = run_prefsight(data, 4 * n, args.layer, args.model, workdir)
    rows = {
        "a_naive": {"pairs_per_s": n / a_s, "tokens_per_s": a_tok / a_s, "seconds": a_s},
        "b_tuned": {"pairs_per_s": n / b_s, "tokens_per_s": b_tok / b_s, "seconds": b_s},
        "c_prefsight": {"pairs_per_s": c.pairs_per_s, "tokens_per_s": c.tokens_per_s, "seconds": c.seconds},
    }
    report = {
        "pairs": n,
        "layer": args.layer,
        "cpu_threads": torch.get_num_threads(),
        **rows,
        "c_over_a": rows["c_prefsight"]["pairs_per_s"] / rows["a_naive"]["pairs_per_s"],
        "c_over_b": rows["c_prefsight"]["pairs_per_s"] / rows["b_tuned"]["pairs_per_s"],
        "peak_rss_mb_n": peak_n / 2**20,
        "peak_rss_mb_4n": peak_4n / 2**20 if peak_4n else None,
    }
    if peak_4n:
        report["rss_ratio_4n_over_n"] = peak_4n / peak_n
    if args.json:
        print(json.dumps(report))
        return
    print(f"{n} HH pairs, layer {args.layer}, {report['cpu_threads']} CPU threads")
    for name, row in rows.items():
        print(
            f"  {name:<12} {row['pairs_per_s']:7.2f} pairs/s  {row['tokens_per_s']:8.0f} tokens/s"
            f"  ({row['seconds']:.1f} s)"
        )
    ok_a, ok_b = report["c_over_a"] >= 5, report["c_over_b"] >= 1.3
    print(f"  c/a = {report['c_over_a']:.2f} (target >= 5: {'PASS' if ok_a else 'FAIL'})")
    print(f"  c/b = {report['c_over_b']:.2f} (target >= 1.3: {'PASS' if ok_b else 'FAIL'})")
    if peak_4n:
        ratio = report["rss_ratio_4n_over_n"]
        print(
            f"  peak RSS {peak_n / 2**20:.0f} MB (N) vs {peak_4n / 2**20:.0f} MB (4N): "
            f"x{ratio:.2f} (target <= 1.20: {'PASS' if ratio <= 1.2 else 'FAIL'})"
        )


if __name__ == "__main__":
    main()
