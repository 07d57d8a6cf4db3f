"""Response spans: exactly the response's tokens, never prompt, special or padding."""

from __future__ import annotations

import pytest
from prefsight.data.pairs import PreferencePair, RowError
from prefsight.data.tokenize import encode_pair

from tests.conftest import build_tokenizer


@pytest.fixture(scope="module")
def tokenizer():
    return build_tokenizer()


def _pair(prompt="How do I cook rice?", chosen="Rinse the rice.", rejected="I cannot help."):
    return PreferencePair("p1", [{"role": "user", "content": prompt}], chosen, rejected)


def test_span_decodes_to_exactly_the_response(tokenizer):
    encoded = encode_pair(tokenizer, _pair())
    for side, text in (("chosen", "Rinse the rice."), ("rejected", "I cannot help.")):
        enc = encoded.side(side)
        assert tokenizer.decode(enc.ids[enc.span[0] : enc.span[1]]) == text


def test_span_excludes_special_tokens_and_prompt(tokenizer):
    encoded = encode_pair(tokenizer, _pair())
    special = set(tokenizer.all_special_ids)
    for side in ("chosen", "rejected"):
        enc = encoded.side(side)
        assert not special & set(enc.ids[enc.span[0] : enc.span[1]])
        assert tokenizer.convert_ids_to_tokens(enc.ids[enc.span[1]]) == "<|im_end|>"
    # the prompt ends with the generation prompt and is shared by both sides
    assert tokenizer.decode(encoded.prompt_ids).endswith("<|im_start|>assistant\n")
    assert encoded.prompt_mask == [i not in special for i in encoded.prompt_ids]


def test_prompt_plus_suffix_equals_the_full_template(tokenizer):
    pair = _pair()
    encoded = encode_pair(tokenizer, pair)
    full = tokenizer.apply_chat_template(pair.prompt + [{"role": "assistant", "content": pair.chosen}], tokenize=False)
    assert tokenizer.decode(encoded.prompt_ids + encoded.chosen.ids) == full


def test_over_long_prompt_is_cut_from_the_left(tokenizer):
    encoded = encode_pair(tokenizer, _pair(prompt="word " * 400), max_length=64)
    assert len(encoded.prompt_ids) + len(encoded.chosen.ids) <= 64
    assert tokenizer.decode(encoded.prompt_ids).endswith("<|im_start|>assistant\n")


def test_over_long_sequence_is_an_error_under_error_policy(tokenizer):
    with pytest.raises(RowError, match="over max_length 64"):
        encode_pair(tokenizer, _pair(prompt="word " * 400), max_length=64, truncation="error")


def test_over_long_response_is_always_an_error(tokenizer):
    with pytest.raises(RowError, match=r"response is \d+ tokens, over max_length 32"):
        encode_pair(tokenizer, _pair(chosen="rice " * 100), max_length=32)


def test_tokenizer_without_chat_template_still_spans_the_response(tokenizer):
    plain = build_tokenizer()
    plain.chat_template = None
    encoded = encode_pair(plain, _pair())
    enc = encoded.chosen
    assert plain.decode(enc.ids[enc.span[0] : enc.span[1]]).strip() == "Rinse the rice."
