"""Pack each pair into one sequence: [prompt][chosen][rejected].

Owns: the block attention mask and restarted position ids that let one forward
compute the prompt once for both responses. Chosen tokens see the prompt and
earlier chosen tokens; rejected tokens see the prompt and earlier rejected
tokens, never the chosen ones; both sides continue the prompt's positions. So
every response token gets exactly the hidden state of a plain forward over
``prompt + that side`` (tested against ``output_hidden_states``).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from prefsight.data.tokenize import EncodedPair


@dataclass(frozen=True)
class PackedBatch:
    """Tensors for one forward plus where each pair's parts sit."""

    input_ids: torch.Tensor  # (batch, seq)
    position_ids: torch.Tensor  # (batch, seq)
    attention_mask: torch.Tensor  # (batch, 1, seq, seq) additive float
    prompt_len: list[int]
    chosen_start: list[int]  # first chosen-suffix token in the packed row
    rejected_start: list[int]
    n_real_tokens: int


def pack_batch(pairs: list[EncodedPair], pad_id: int, dtype: torch.dtype = torch.float32) -> PackedBatch:
    """Right-pad packed pairs into one batch with a block-causal mask."""
    length = max(p.packed_length for p in pairs)
    batch = len(pairs)
    input_ids = torch.full((batch, length), pad_id, dtype=torch.long)
    position_ids = torch.zeros((batch, length), dtype=torch.long)
    allowed = torch.zeros((batch, length, length), dtype=torch.bool)
    causal = torch.ones((length, length), dtype=torch.bool).tril()
    prompt_len, chosen_start, rejected_start = [], [], []
    for row, pair in enumerate(pairs):
        p, c, r = len(pair.prompt_ids), len(pair.chosen.ids), len(pair.rejected.ids)
        ids = pair.prompt_ids + pair.chosen.ids + pair.rejected.ids
        input_ids[row, : len(ids)] = torch.tensor(ids, dtype=torch.long)
        position_ids[row, : p + c] = torch.arange(p + c)
        position_ids[row, p + c : p + c + r] = torch.arange(p, p + r)
        n = p + c + r
        allowed[row, :n, :n] = causal[:n, :n]
        allowed[row, p + c : n, p : p + c] = False  # rejected never sees chosen
        # padding rows attend to themselves only, keeping softmax finite
        pad = torch.arange(n, length)
        allowed[row, pad, pad] = True
        prompt_len.append(p)
        chosen_start.append(p)
        rejected_start.append(p + c)
    mask = torch.zeros((batch, 1, length, length), dtype=dtype)
    mask.masked_fill_(~allowed.unsqueeze(1), torch.finfo(dtype).min)
    real = sum(p.packed_length for p in pairs)
    return PackedBatch(input_ids, position_ids, mask, prompt_len, chosen_start, rejected_start, real)
