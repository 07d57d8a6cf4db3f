"""Tokenise a preference pair once, recording each response's exact token span.

Owns: applying the chat template, splitting the token sequence into a shared
prompt part and one suffix per side, the response spans inside each suffix, and
the truncation policy. The forward pass lives in ``prefsight.ingest``.

Layout of one side's sequence: ``prompt_ids + suffix_ids``, where ``prompt_ids``
is the templated prompt up to and including the generation prompt (the same for
both sides, so it can be computed once) and ``suffix_ids`` holds the response
and the template's closing tokens. ``span`` indexes the response tokens inside
the suffix; template, special and padding tokens are never response tokens.

Truncation: a side longer than ``max_length`` tokens keeps its whole response
and drops prompt tokens from the left (policy ``prompt-left``, the default), or
is a bad row (policy ``error``). A response alone longer than ``max_length``
minus 8 tokens is always a bad row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from prefsight.data.pairs import Message, PreferencePair, RowError

TRUNCATION_POLICIES = ("prompt-left", "error")
_MIN_PROMPT_TOKENS = 8


@dataclass(frozen=True)
class EncodedSide:
    """One response: the suffix tokens after the prompt and the response span."""

    ids: list[int]
    span: tuple[int, int]  # [start, end) inside ``ids``

    @property
    def n_response(self) -> int:
        return self.span[1] - self.span[0]


@dataclass(frozen=True)
class EncodedPair:
    """Token ids of a pair: a shared prompt and two suffixes."""

    pair_id: str
    prompt_ids: list[int]
    prompt_mask: list[bool]  # False for special tokens (never pooled)
    chosen: EncodedSide
    rejected: EncodedSide

    @property
    def packed_length(self) -> int:
        return len(self.prompt_ids) + len(self.chosen.ids) + len(self.rejected.ids)

    @property
    def n_tokens(self) -> int:
        """Real tokens forwarded for this pair (prompt once, both suffixes)."""
        return self.packed_length

    def side(self, name: str) -> EncodedSide:
        return self.chosen if name == "chosen" else self.rejected


def _render(tokenizer: Any, prompt: list[Message], response: str) -> tuple[str, str, int, int]:
    """Return (prefix text, suffix text, response start, end inside the suffix)."""
    if getattr(tokenizer, "chat_template", None):
        full = tokenizer.apply_chat_template(prompt + [{"role": "assistant", "content": response}], tokenize=False)
        if prompt:
            prefix = tokenizer.apply_chat_template(prompt, tokenize=False, add_generation_prompt=True)
        else:  # templates refuse an empty conversation: cut the full render at the response
            cut = full.rfind(response)
            if cut < 0:
                raise RowError("chat template drops the response text")
            prefix = full[:cut]
        if not full.startswith(prefix):
            raise RowError("chat template renders the prompt differently with a response")
        suffix = full[len(prefix) :]
    else:
        prefix = "".join(f"{m['role'].capitalize()}: {m['content']}\n\n" for m in prompt)
        prefix += "Assistant:"
        suffix = " " + response
    start = suffix.find(response)
    text = response
    if start < 0:  # templates that trim the content
        text = response.strip()
        start = suffix.find(text)
    if start < 0:
        raise RowError("chat template drops the response text")
    return prefix, suffix, start, start + len(text)


def _encode_suffix(tokenizer: Any, suffix: str, start: int, end: int, special: set[int]) -> EncodedSide:
    enc = tokenizer(suffix, add_special_tokens=False, return_offsets_mapping=True)
    ids: list[int] = list(enc["input_ids"])
    inside = [i for i, (a, b) in enumerate(enc["offset_mapping"]) if b > start and a < end and ids[i] not in special]
    if not inside:
        raise RowError("response has no tokens")
    return EncodedSide(ids, (inside[0], inside[-1] + 1))


def encode_pair(
    tokenizer: Any, pair: PreferencePair, *, max_length: int = 1024, truncation: str = "prompt-left"
) -> EncodedPair:
    """Tokenise a pair with the tokenizer's chat template (if it has one).

    Args:
        tokenizer: a fast Hugging Face tokenizer (offsets are needed).
        pair: the pair to encode.
        max_length: the longest sequence one side may have, prompt included.
        truncation: ``prompt-left`` or ``error`` (see the module docstring).

    Raises:
        RowError: the response is empty after tokenising, or too long.
    """
    if truncation not in TRUNCATION_POLICIES:
        raise ValueError(f"truncation must be one of {TRUNCATION_POLICIES}, got {truncation!r}")
    special = set(tokenizer.all_special_ids)
    sides = []
    prefix = ""
    for response in (pair.chosen, pair.rejected):
        prefix, suffix, start, end = _render(tokenizer, pair.prompt, response)
        sides.append(_encode_suffix(tokenizer, suffix, start, end, special))
    has_template = bool(getattr(tokenizer, "chat_template", None))
    prompt_ids = list(tokenizer(prefix, add_special_tokens=not has_template)["input_ids"])
    longest = max(len(s.ids) for s in sides)
    if longest > max_length - _MIN_PROMPT_TOKENS:
        raise RowError(
            f"response is {longest} tokens, over max_length {max_length} (minus {_MIN_PROMPT_TOKENS} for the prompt)"
        )
    overflow = len(prompt_ids) + longest - max_length
    if overflow > 0:
        if truncation == "error":
            raise RowError(f"sequence is {len(prompt_ids) + longest} tokens, over max_length {max_length}")
        prompt_ids = prompt_ids[overflow:]
    mask = [i not in special for i in prompt_ids]
    return EncodedPair(pair.pair_id, prompt_ids, mask, sides[0], sides[1])
