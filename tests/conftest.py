"""Shared fixtures: a tiny random llama with a tokenizer built here, local Ray.

Nothing is downloaded. The tiny model is saved to a folder once per session, so
tests load it through the same ``prefsight.models.load_model`` path as a real
checkpoint.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("RAY_AUTH_MODE", "disabled")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

CHATML = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

CORPUS = [
    "How do I cook rice? Rinse the rice, add water, and simmer for fifteen minutes.",
    "What is the capital of France? Paris is the capital of France.",
    "Tell me a joke about cats. Why did the cat sit on the computer? To watch the mouse!",
    "Can you help me write a poem? Roses are red, violets are blue.",
    "Explain gradient descent. It moves parameters against the gradient of the loss.",
    "I think you are great. Thank you! You're absolutely right, what a wonderful idea.",
    "See https://example.com/guide for **details**:\n- one\n- two\n# Header",
    "I cannot help with that request. Sorry, I won't do that.",
] * 4


def build_tokenizer():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    specials = ["<unk>", "<pad>", "<|im_start|>", "<|im_end|>"]
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400, special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    tok.train_from_iterator(CORPUS, trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, unk_token="<unk>", pad_token="<pad>", bos_token="<|im_start|>", eos_token="<|im_end|>"
    )
    fast.chat_template = CHATML
    return fast


def build_tiny_llama(vocab_size: int, seed: int = 0, layers: int = 4):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    config = LlamaConfig(
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=layers,
        num_attention_heads=4,
        num_key_value_heads=2,
        vocab_size=vocab_size,
        max_position_embeddings=1024,
        pad_token_id=1,
        bos_token_id=2,
        eos_token_id=3,
    )
    return LlamaForCausalLM(config).eval()


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A saved 4-layer random llama + ChatML tokenizer, loadable by path."""
    path = tmp_path_factory.mktemp("tiny-llama")
    tokenizer = build_tokenizer()
    model = build_tiny_llama(len(tokenizer))
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


@pytest.fixture(scope="session")
def tiny_loaded(tiny_model_dir):
    from prefsight.models import load_model

    return load_model(str(tiny_model_dir))


@pytest.fixture(scope="session")
def ray_local():
    """One local Ray for the whole session (start-up takes seconds)."""
    import ray

    if not ray.is_initialized():
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def pooled_rows(ids: list[str], d: int = 4) -> Any:
    """An ``activations`` Arrow table: mean-pooled chosen and rejected rows of ``ids`` at
    layer 1 of model "m", width ``d``, distinct values."""
    import numpy as np
    import pyarrow as pa
    from prefsight.store import schema as S

    rows = [(i, side) for i in ids for side in ("chosen", "rejected")]
    return pa.table(
        {
            "pair_id": [r[0] for r in rows],
            "side": [r[1] for r in rows],
            "layer": pa.array([1] * len(rows), pa.int32()),
            "pooling": ["mean"] * len(rows),
            "model": ["m"] * len(rows),
            "n_tokens": pa.array([3] * len(rows), pa.int32()),
            "vector": pa.FixedSizeListArray.from_arrays(pa.array(np.arange(len(rows) * d, dtype=np.float32)), d),
        },
        schema=S.activations_schema(d),
    )


def write_jsonl(path: Path, rows: list) -> Path:
    with open(path, "w") as handle:
        for row in rows:
            handle.write(row if isinstance(row, str) else json.dumps(row))
            handle.write("\n")
    return path


def sample_rows(n: int = 12) -> list[dict]:
    """Standard-format rows with varied lengths and a domain column."""
    rows = []
    for i in range(n):
        rows.append(
            {
                "id": f"p{i:03d}",
                "prompt": f"Question {i}: how do I cook rice well?" + " please" * (i % 5),
                "chosen": "Rinse the rice, add water, and simmer." + " Really." * (i % 7),
                "rejected": "I cannot help with that." + " Sorry." * (i % 3),
                "domain": "cooking" if i % 2 else "other",
            }
        )
    return rows


@pytest.fixture
def dataset_file(tmp_path) -> Path:
    return write_jsonl(tmp_path / "pairs.jsonl", sample_rows())
