"""Measure a model: generations on held-out prompts, their concept scores, trait rates, preference margins.

Owns: seeded generation (one greedy and ``samples`` sampled completions per
prompt), scoring generations with the store's dictionary through the concept-kind
registry exactly as the audit scores a response (``kinds.from_texts``: the
completion after its prompt, on the store's own model), and the held-out DPO
implicit reward (β · policy-vs-reference log-ratio margin) of preference pairs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

EMPTY_STAND_IN = "(no reply)"
"""Scored in place of an empty generation (a response needs at least one token)."""


@dataclass(frozen=True)
class GenConfig:
    """How generations are drawn."""

    max_new_tokens: int = 128
    """Long enough for a whole answer: a trait can sit at the end of a response (the planted
    set's apologies and closing questions do, ~90 tokens in); a first full run with 48-token
    generations could not see them."""
    samples: int = 1
    """Sampled completions per prompt (besides the greedy one)."""
    temperature: float = 1.0
    top_p: float = 0.95
    seed: int = 1234
    batch_size: int = 16


@dataclass
class Generations:
    """Completions: ``texts[i]`` answers ``prompts[prompt_index[i]]`` (mode greedy or sampled)."""

    prompts: list[str]
    texts: list[str]
    prompt_index: np.ndarray
    mode: list[str]

    @property
    def empty(self) -> int:
        return sum(1 for t in self.texts if not t.strip())


def _prompt_text(tokenizer: Any, prompt: str) -> str:
    return tokenizer.apply_chat_template(
        [{"role": "user", "content": prompt}], tokenize=False, add_generation_prompt=True
    )


def generate(model: Any, tokenizer: Any, prompts: Sequence[str], config: GenConfig) -> Generations:
    """One greedy and ``config.samples`` sampled completions per prompt, with fixed seeds."""
    import torch

    device = next(model.parameters()).device
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    side, tokenizer.padding_side = tokenizer.padding_side, "left"
    texts: list[str] = []
    index: list[int] = []
    modes: list[str] = []
    try:
        for mode in ["greedy"] + ["sampled"] * config.samples:
            for start in range(0, len(prompts), config.batch_size):
                chunk = list(range(start, min(start + config.batch_size, len(prompts))))
                encoded = tokenizer(
                    [_prompt_text(tokenizer, prompts[i]) for i in chunk],
                    return_tensors="pt",
                    padding=True,
                    add_special_tokens=False,
                )
                encoded = {k: v.to(device) for k, v in encoded.items()}
                torch.manual_seed(config.seed + len(texts))
                with torch.no_grad():
                    out = model.generate(
                        **encoded,
                        max_new_tokens=config.max_new_tokens,
                        pad_token_id=pad,
                        do_sample=mode == "sampled",
                        **(
                            {"temperature": config.temperature, "top_p": config.top_p}
                            if mode == "sampled"
                            else {"temperature": None, "top_p": None, "top_k": None}
                        ),
                    )
                new = out[:, encoded["input_ids"].shape[1] :]
                texts.extend(tokenizer.batch_decode(new, skip_special_tokens=True))
                index.extend(chunk)
                modes.extend([mode] * len(chunk))
    finally:
        tokenizer.padding_side = side
    return Generations(list(prompts), [t.strip() for t in texts], np.array(index, np.int64), modes)


def score_generations(
    loaded: Any, layer: int, concepts: list[Any], generations: Generations, load_sae: Callable[[], Any] | None
) -> np.ndarray:
    """(n_generations, n_concepts) scores through the registry, each text after its prompt."""
    from prefsight.concepts import kinds

    texts = [t if t.strip() else EMPTY_STAND_IN for t in generations.texts]
    prompts = [generations.prompts[i] for i in generations.prompt_index]
    responses = kinds.from_texts(loaded, layer, texts, prompts, max_length=1024, load_sae=load_sae)
    return kinds.score_dense(concepts, responses).astype(np.float64)


def trait_flags(detectors: dict[str, Callable[[str], bool]], generations: Generations) -> dict[str, np.ndarray]:
    """trait -> (n_generations,) bool from each detector."""
    return {name: np.array([bool(f(t)) for t in generations.texts]) for name, f in detectors.items()}


def per_prompt(values: np.ndarray, generations: Generations) -> np.ndarray:
    """(n_prompts, ...) mean of per-generation values over each prompt's completions."""
    n = len(generations.prompts)
    out = np.zeros((n, *values.shape[1:]), np.float64)
    counts = np.bincount(generations.prompt_index, minlength=n).astype(np.float64)
    np.add.at(out, generations.prompt_index, values.astype(np.float64))
    return out / np.maximum(counts, 1).reshape(-1, *([1] * (values.ndim - 1)))


def response_logps(
    model: Any, tokenizer: Any, prompts: Sequence[str], responses: Sequence[str], max_length: int, batch_size: int = 8
) -> np.ndarray:
    """(n,) summed log-probs of each response (with its end-of-turn) after its prompt."""
    import torch

    device = next(model.parameters()).device
    items = []
    for prompt, response in zip(prompts, responses, strict=True):
        head = _prompt_text(tokenizer, prompt)
        full = tokenizer.apply_chat_template(
            [{"role": "user", "content": prompt}, {"role": "assistant", "content": response}], tokenize=False
        )
        tail = full[len(head) :] if full.startswith(head) else response
        p = tokenizer(head, add_special_tokens=False)["input_ids"]
        r = tokenizer(tail, add_special_tokens=False)["input_ids"]
        r = r[:max_length]
        p = p[len(p) - min(len(p), max_length - len(r)) :]
        items.append((p + r, len(p)))
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    out = np.zeros(len(items), np.float64)
    for start in range(0, len(items), batch_size):
        chunk = items[start : start + batch_size]
        width = max(len(ids) for ids, _ in chunk)
        ids = torch.full((len(chunk), width), pad, dtype=torch.long)
        mask = torch.zeros((len(chunk), width), dtype=torch.long)
        for row, (seq, _) in enumerate(chunk):
            ids[row, : len(seq)] = torch.tensor(seq)
            mask[row, : len(seq)] = 1
        with torch.no_grad():
            logits = model(input_ids=ids.to(device), attention_mask=mask.to(device)).logits.float()
        logp = torch.log_softmax(logits[:, :-1], -1).gather(-1, ids[:, 1:, None].to(device))[..., 0]
        for row, (seq, n_prompt) in enumerate(chunk):
            out[start + row] = float(logp[row, max(n_prompt - 1, 0) : len(seq) - 1].sum())
    return out


@dataclass
class PairLogps:
    """Summed log-probs of held-out chosen and rejected responses under one model."""

    chosen: np.ndarray
    rejected: np.ndarray


def pair_logps(model: Any, tokenizer: Any, pairs: Sequence[dict[str, Any]], max_length: int) -> PairLogps:
    prompts = [str(p["prompt"]) for p in pairs]
    return PairLogps(
        response_logps(model, tokenizer, prompts, [str(p["chosen"]) for p in pairs], max_length),
        response_logps(model, tokenizer, prompts, [str(p["rejected"]) for p in pairs], max_length),
    )


def reward_margins(policy: PairLogps, reference: PairLogps, beta: float) -> np.ndarray:
    """(n,) DPO implicit reward margin β·((π_c − ref_c) − (π_r − ref_r)) per held-out pair."""
    return beta * ((policy.chosen - reference.chosen) - (policy.rejected - reference.rejected))


__all__ = [
    "EMPTY_STAND_IN",
    "GenConfig",
    "Generations",
    "PairLogps",
    "generate",
    "pair_logps",
    "per_prompt",
    "response_logps",
    "reward_margins",
    "score_generations",
    "trait_flags",
]
