"""Unreadable input is a clear file:line error, and the layouts of public DPO datasets read.

Corrupt or truncated gzip, invalid UTF-8, a BOM, unencodable text; the
UltraFeedback-binarized layout, message-list prompts with string responses,
extra columns as metadata, in-memory ``datasets.Dataset`` objects and hub
names from the local Hugging Face cache, each with exact response token spans.
"""

from __future__ import annotations

import gzip
import json
import shutil

import pytest
from prefsight.data import read_pairs
from prefsight.data.readers import Unreadable
from prefsight.data.tokenize import encode_pair
from prefsight.errors import BadRow, InvalidArgument, NotFound

from tests.conftest import build_tokenizer, write_jsonl


def _rows(n: int) -> list[dict]:
    return [
        {"id": f"r{i}", "prompt": f"question {i}?", "chosen": f"good {i}", "rejected": f"bad {i}"} for i in range(n)
    ]


def _gz_bytes(rows: list[dict]) -> bytes:
    return gzip.compress("".join(json.dumps(r) + "\n" for r in rows).encode())


# -- unreadable files ----------------------------------------------------------------


def test_truncated_gzip_names_file_and_line_reached(tmp_path):
    path = tmp_path / "d.jsonl.gz"
    data = _gz_bytes(_rows(2000))
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(Unreadable) as info:
        read_pairs(path)
    error = info.value
    assert isinstance(error, InvalidArgument) and error.source == str(path)
    assert str(error).startswith(f"{path}:{error.line}: cannot read on after line {error.line - 1}")
    assert 1 < error.line < 2000 and "end-of-stream" in str(error)


def test_skip_bad_keeps_rows_before_a_truncated_gzip_and_reports_the_rest(tmp_path):
    path = tmp_path / "d.jsonl.gz"
    data = _gz_bytes(_rows(2000))
    path.write_bytes(data[: len(data) // 2])
    dataset = read_pairs(path, skip_bad=True)
    [skipped] = dataset.skipped
    assert skipped.line == len(dataset.pairs) + 1 and "cannot read on" in skipped.problem
    assert [p.pair_id for p in dataset.pairs] == [f"r{i}" for i in range(len(dataset.pairs))]


def test_corrupt_gzip_crc_is_a_clear_error(tmp_path):
    path = tmp_path / "d.jsonl.gz"
    data = bytearray(_gz_bytes(_rows(50)))
    data[-8] ^= 0xFF  # the CRC32 in the gzip trailer
    path.write_bytes(bytes(data))
    with pytest.raises(Unreadable, match=rf"{path}:51: cannot read on after line 50 \(CRC check"):
        read_pairs(path)


def test_not_gzip_at_all_is_a_clear_error(tmp_path):
    path = tmp_path / "d.jsonl.gz"
    path.write_bytes(b"this is not gzip data\n" * 10)
    with pytest.raises(Unreadable, match=rf"{path}:1: cannot read on after line 0"):
        read_pairs(path)


def test_corrupt_parquet_is_invalid_argument_naming_the_file(tmp_path):
    path = tmp_path / "d.parquet"
    path.write_bytes(b"PAR1 garbage")
    with pytest.raises(InvalidArgument, match=rf"{path}: not a readable Parquet file"):
        read_pairs(path)


def test_invalid_utf8_is_a_bad_row_and_skippable(tmp_path):
    path = tmp_path / "d.jsonl"
    good = json.dumps(_rows(1)[0]).encode()
    path.write_bytes(good + b"\n" + b'{"prompt": "q\xff\xfe", "chosen": "c", "rejected": "r"}\n')
    with pytest.raises(BadRow, match=rf"{path}:2: invalid UTF-8 at byte 14 of the line"):
        read_pairs(path)
    dataset = read_pairs(path, skip_bad=True)
    assert len(dataset.pairs) == 1 and [s.line for s in dataset.skipped] == [2]


def test_utf8_bom_at_file_start_is_accepted(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + "".join(json.dumps(r) + "\n" for r in _rows(2)).encode())
    assert [p.pair_id for p in read_pairs(path).pairs] == ["r0", "r1"]
    gz = tmp_path / "d.jsonl.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    assert [p.pair_id for p in read_pairs(gz).pairs] == ["r0", "r1"]


def test_lone_surrogate_is_a_bad_row_not_a_crash(tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", ['{"prompt": "q", "chosen": "c\\ud800", "rejected": "r"}'])
    with pytest.raises(BadRow, match=rf"{path}:1: text is not valid Unicode"):
        read_pairs(path)


def test_deeply_nested_json_is_a_bad_row(tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", ["[" * 100_000 + "]" * 100_000])
    with pytest.raises(BadRow, match=rf"{path}:1: malformed JSON"):
        read_pairs(path)


# -- the layouts people have ---------------------------------------------------------


def _user(text: str) -> dict:
    return {"role": "user", "content": text}


def _assistant(text: str) -> dict:
    return {"role": "assistant", "content": text}


def ultrafeedback_rows() -> list[dict]:
    """Rows as in HuggingFaceH4/ultrafeedback_binarized (train_prefs)."""
    rows = []
    for i, (prompt, good, bad) in enumerate(
        [
            ("How do I cook rice?", "Rinse it, then simmer it covered.", "Just boil it."),
            ("Name a prime number.", "Seven is prime.", "Nine is prime."),
            ("Translate 'bonjour'.", "It means 'hello'.", "It means 'goodbye'."),
        ]
    ):
        chosen = [_user(prompt), _assistant(good)]
        rows.append(
            {
                "prompt": prompt,
                "prompt_id": f"{i:064x}",
                "chosen": chosen,
                "rejected": [_user(prompt), _assistant(bad)],
                "messages": chosen,
                "score_chosen": 8.5,
                "score_rejected": 3.0 + i,
            }
        )
    return rows


def message_prompt_rows() -> list[dict]:
    """A message-list prompt (system + user) with string responses."""
    return [
        {
            "prompt": [{"role": "system", "content": "Be brief."}, _user(f"What is {i} + {i}?")],
            "chosen": f"It is {2 * i}.",
            "rejected": "I don't know.",
            "source": "arith",
        }
        for i in range(3)
    ]


def test_ultrafeedback_binarized_layout_reads_with_scores_as_metadata(tmp_path):
    dataset = read_pairs(write_jsonl(tmp_path / "uf.jsonl", ultrafeedback_rows()))
    first = dataset.pairs[0]
    assert first.prompt == [_user("How do I cook rice?")]
    assert (first.chosen, first.rejected) == ("Rinse it, then simmer it covered.", "Just boil it.")
    assert first.metadata["score_chosen"] == 8.5 and first.metadata["score_rejected"] == 3.0
    assert first.metadata["prompt_id"] == f"{0:064x}"


def test_ultrafeedback_prompt_must_match_the_user_turn(tmp_path):
    row = ultrafeedback_rows()[0]
    path = write_jsonl(tmp_path / "uf.jsonl", [{**row, "prompt": "Something else?"}])
    with pytest.raises(BadRow, match=rf"{path}:1: 'prompt' differs from the last user turn"):
        read_pairs(path)
    other = {**row, "rejected": [_user("Another question"), _assistant("x")]}
    path = write_jsonl(tmp_path / "uf2.jsonl", [other])
    with pytest.raises(BadRow, match="'chosen' and 'rejected' differ in the turns before"):
        read_pairs(path)


def test_multi_turn_string_prompt_is_the_last_user_turn(tmp_path):
    turns = [_user("hi"), _assistant("hello"), _user("a joke?")]
    row = {
        "prompt": "a joke?",
        "chosen": [*turns, _assistant("Why did the chicken...")],
        "rejected": [*turns, _assistant("No.")],
    }
    pair = read_pairs(write_jsonl(tmp_path / "d.jsonl", [row])).pairs[0]
    assert pair.prompt == turns and pair.rejected == "No."


def test_message_list_prompt_with_string_responses(tmp_path):
    pair = read_pairs(write_jsonl(tmp_path / "d.jsonl", message_prompt_rows())).pairs[1]
    assert [m["role"] for m in pair.prompt] == ["system", "user"]
    assert (pair.chosen, pair.rejected) == ("It is 2.", "I don't know.")
    assert pair.metadata == {"source": "arith"}


def test_a_datasets_dataset_object_reads_like_its_file(tmp_path):
    import datasets

    rows = ultrafeedback_rows()
    from_file = read_pairs(write_jsonl(tmp_path / "uf.jsonl", rows))
    from_object = read_pairs(datasets.Dataset.from_list(rows))
    assert from_object.fingerprint == from_file.fingerprint
    assert from_object.pairs[2].metadata["score_rejected"] == 5.0
    bad = datasets.Dataset.from_list([{**rows[0], "prompt": "nope"}])
    with pytest.raises(BadRow, match=r"^<Dataset in-memory>:1: 'prompt' differs"):
        read_pairs(bad)
    with pytest.raises(InvalidArgument, match=r"a DatasetDict; pass one split of it \(train\)"):
        read_pairs(datasets.DatasetDict({"train": datasets.Dataset.from_list(rows)}))


@pytest.fixture
def hf_cache(tmp_path, monkeypatch):
    """A local ``datasets`` cache holding HuggingFaceH4/ultrafeedback_binarized (train_prefs
    and test_prefs), laid out as ``load_dataset`` leaves it."""
    import datasets
    from datasets.packaged_modules.json.json import Json

    files = {}
    for split in ("train_prefs", "test_prefs"):
        files[split] = str(write_jsonl(tmp_path / f"{split}.jsonl", ultrafeedback_rows()))
    builder = Json(
        cache_dir=str(tmp_path / "build"), dataset_name="ultrafeedback_binarized", data_files=files, hash="0123abcd"
    )
    builder.download_and_prepare()
    cache = tmp_path / "hf-datasets"
    target = cache / "HuggingFaceH4___ultrafeedback_binarized" / "default" / "0.0.0" / "0123abcd"
    shutil.copytree(builder.cache_dir, target)
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", str(cache))
    return cache


def test_hub_name_reads_from_the_local_cache_only(hf_cache, monkeypatch):
    import datasets
    import huggingface_hub.constants

    calls = []

    def no_network(*args, **kwargs):
        calls.append(args)
        raise AssertionError("tried the network")

    monkeypatch.setattr(huggingface_hub.HfApi, "hf_hub_download", no_network)
    offline_before = datasets.config.HF_HUB_OFFLINE, huggingface_hub.constants.HF_HUB_OFFLINE
    dataset = read_pairs("HuggingFaceH4/ultrafeedback_binarized:train_prefs")
    assert dataset.source == "HuggingFaceH4/ultrafeedback_binarized:train_prefs"
    assert [p.chosen for p in dataset.pairs][1] == "Seven is prime."
    assert dataset.pairs[0].metadata["score_chosen"] == 8.5
    offline_after = datasets.config.HF_HUB_OFFLINE, huggingface_hub.constants.HF_HUB_OFFLINE
    assert offline_after == offline_before  # offline only for the load
    with pytest.raises(InvalidArgument, match=r"splits \['test_prefs', 'train_prefs'\]"):
        read_pairs("HuggingFaceH4/ultrafeedback_binarized")
    with pytest.raises(InvalidArgument, match="Unknown split"):
        read_pairs("HuggingFaceH4/ultrafeedback_binarized:nope")
    with pytest.raises(NotFound, match=r"nor in the local Hugging Face cache.*never downloads"):
        read_pairs("someone/not-cached:train")
    assert not calls
    for path in ("missing.jsonl", "json", "text:train"):  # never datasets' packaged builders
        with pytest.raises(NotFound, match="does not exist"):
            read_pairs(path)


@pytest.fixture(scope="module")
def tokenizer():
    return build_tokenizer()


@pytest.mark.parametrize("rows", [ultrafeedback_rows(), message_prompt_rows()], ids=["ultrafeedback", "message-prompt"])
def test_each_layout_encodes_with_exact_response_spans(tmp_path, tokenizer, rows):
    for pair in read_pairs(write_jsonl(tmp_path / "d.jsonl", rows)).pairs:
        encoded = encode_pair(tokenizer, pair)
        for side, text in (("chosen", pair.chosen), ("rejected", pair.rejected)):
            enc = encoded.side(side)
            assert tokenizer.decode(enc.ids[enc.span[0] : enc.span[1]]) == text
        prompt = tokenizer.decode(encoded.prompt_ids)
        assert pair.prompt[-1]["content"] in prompt and pair.chosen not in prompt


def test_server_wire_formats_map_onto_reader_formats():
    """``server.ingest_runs.FORMATS`` (wire names) must name formats the readers know."""
    from prefsight.data.pairs import FORMATS
    from prefsight.server.ingest_runs import FORMATS as WIRE

    assert set(WIRE.values()) <= set(FORMATS)
    assert {"standard", "conversational", "hh"} <= set(WIRE.values())
