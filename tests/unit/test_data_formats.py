"""Reading every supported dataset format and rejecting bad rows clearly."""

from __future__ import annotations

import gzip
import json
import pickle

import pytest
from prefsight.data import read_pairs
from prefsight.data.pairs import parse_row
from prefsight.errors import BadRow, InvalidArgument, NotFound

from tests.conftest import write_jsonl
from tests.resources import require_shared_data

HH = {
    "chosen": "\n\nHuman: hi there\n\nAssistant: hello\n\nHuman: how are you?\n\nAssistant: fine, thanks",
    "rejected": "\n\nHuman: hi there\n\nAssistant: hello\n\nHuman: how are you?\n\nAssistant: go away",
}


def test_standard_format_keeps_metadata_and_id():
    pair = parse_row({"id": "a1", "prompt": "q", "chosen": "c", "rejected": "r", "domain": "x"})
    assert pair.pair_id == "a1"
    assert pair.prompt == [{"role": "user", "content": "q"}]
    assert (pair.chosen, pair.rejected) == ("c", "r")
    assert pair.metadata == {"domain": "x"}


def test_missing_id_uses_content_hash_stable_across_reads():
    row = {"prompt": "q", "chosen": "c", "rejected": "r"}
    assert parse_row(row).pair_id == parse_row(dict(row)).pair_id
    assert parse_row(row).pair_id != parse_row({**row, "chosen": "c2"}).pair_id


def test_conversational_format_takes_final_assistant_turn():
    row = {
        "prompt": [{"role": "system", "content": "be nice"}, {"role": "user", "content": "q"}],
        "chosen": [{"role": "assistant", "content": "yes"}],
        "rejected": [{"role": "assistant", "content": "no"}],
    }
    pair = parse_row(row)
    assert [m["role"] for m in pair.prompt] == ["system", "user"]
    assert (pair.chosen, pair.rejected) == ("yes", "no")


def test_implicit_prompt_messages_share_prefix():
    shared = [{"role": "user", "content": "q"}]
    row = {
        "chosen": shared + [{"role": "assistant", "content": "yes"}],
        "rejected": shared + [{"role": "assistant", "content": "no"}],
    }
    pair = parse_row(row)
    assert pair.prompt == shared and pair.chosen == "yes"


def test_implicit_strings_have_empty_prompt():
    pair = parse_row({"chosen": "good answer", "rejected": "bad answer"})
    assert pair.prompt == [] and pair.chosen == "good answer"


def test_hh_transcript_splits_prompt_and_final_turn():
    pair = parse_row(HH)
    assert [m["role"] for m in pair.prompt] == ["user", "assistant", "user"]
    assert pair.prompt[-1]["content"] == "how are you?"
    assert (pair.chosen, pair.rejected) == ("fine, thanks", "go away")


def test_real_hh_file_reads_with_empty_turns_reported(shared_data):
    with pytest.raises(BadRow, match=r"hh-harmless-test.jsonl.gz:\d+: 'chosen' final assistant turn is empty"):
        read_pairs(shared_data)
    dataset = read_pairs(shared_data, skip_bad=True)
    assert len(dataset.pairs) + len(dataset.skipped) + dataset.duplicates == 2312
    assert all(p.prompt and p.chosen.strip() and p.rejected.strip() for p in dataset.pairs)
    assert all("empty" in s.problem for s in dataset.skipped)


@pytest.fixture
def shared_data():
    return require_shared_data()


def test_gzip_and_parquet_and_saved_dataset_read_the_same(tmp_path):
    import datasets
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [{"id": f"r{i}", "prompt": f"q{i}", "chosen": "c", "rejected": "r"} for i in range(5)]
    with gzip.open(tmp_path / "d.jsonl.gz", "wt") as handle:
        handle.writelines(json.dumps(r) + "\n" for r in rows)
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "d.parquet")
    datasets.Dataset.from_list(rows).save_to_disk(str(tmp_path / "saved"))
    ids = [[p.pair_id for p in read_pairs(tmp_path / name).pairs] for name in ("d.jsonl.gz", "d.parquet", "saved")]
    assert ids[0] == ids[1] == ids[2] == [r["id"] for r in rows]


@pytest.mark.parametrize(
    "line, problem",
    [
        ('{"prompt": "q", "chosen": "c", "rejected": ', "malformed JSON"),
        ('{"prompt": "q", "chosen": "c"}', "missing field 'rejected' (fields: ['chosen', 'prompt'])"),
        ('{"prompt": "q", "rejected": "r"}', "missing field 'chosen' (fields: ['prompt', 'rejected'])"),
        ('{"prompt": "q"}', "missing fields 'chosen' and 'rejected' (fields: ['prompt'])"),
        ('{"prompt": "q", "chosen": "c", "rejected": "   "}', "'rejected' is empty"),
        ('{"prompt": "q", "chosen": 5, "rejected": "r"}', "'chosen' must be a string"),
        (
            '{"prompt": [{"role": "user", "content": 3}], "chosen": [{"role": "assistant", '
            '"content": "a"}], "rejected": [{"role": "assistant", "content": "b"}]}',
            "prompt[0].content must be a string",
        ),
        ('["not", "an", "object"]', "must be a JSON object"),
    ],
)
def test_bad_row_names_file_line_and_problem(tmp_path, line, problem):
    path = write_jsonl(tmp_path / "bad.jsonl", [{"prompt": "q", "chosen": "c", "rejected": "r"}, line])
    with pytest.raises(BadRow) as info:
        read_pairs(path)
    assert str(info.value).startswith(f"{path}:2: ")
    assert problem in str(info.value)


def test_skip_bad_records_each_skipped_row(tmp_path):
    good = {"prompt": "q", "chosen": "c", "rejected": "r"}
    path = write_jsonl(tmp_path / "d.jsonl", [good, '{"chosen": 1}', {**good, "prompt": "q2"}])
    dataset = read_pairs(path, skip_bad=True)
    assert len(dataset.pairs) == 2
    assert [(s.line, s.problem) for s in dataset.skipped] == [(2, "missing field 'rejected' (fields: ['chosen'])")]


def test_unknown_format_and_file_type_and_missing_file(tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", [{"prompt": "q", "chosen": "c", "rejected": "r"}])
    with pytest.raises(BadRow, match="unknown format 'weird'"):
        read_pairs(path, fmt="weird")
    (tmp_path / "d.csv").write_text("a,b\n")
    with pytest.raises(InvalidArgument, match="unknown dataset file type"):
        read_pairs(tmp_path / "d.csv")
    with pytest.raises(NotFound, match="does not exist"):
        read_pairs(tmp_path / "nope.jsonl")


def test_reused_id_with_other_content_is_an_error(tmp_path):
    rows = [
        {"id": "x", "prompt": "q", "chosen": "c", "rejected": "r"},
        {"id": "x", "prompt": "q", "chosen": "other", "rejected": "r"},
    ]
    with pytest.raises(BadRow, match="reused for different content"):
        read_pairs(write_jsonl(tmp_path / "d.jsonl", rows))


def test_identical_duplicate_rows_are_kept_once(tmp_path):
    row = {"prompt": "q", "chosen": "c", "rejected": "r"}
    dataset = read_pairs(write_jsonl(tmp_path / "d.jsonl", [row, row]))
    assert len(dataset.pairs) == 1 and dataset.duplicates == 1


def test_errors_keep_their_type_through_pickle():
    error = BadRow("f.jsonl", 3, "'chosen' is empty")
    clone = pickle.loads(pickle.dumps(error))
    assert type(clone) is BadRow and str(clone) == str(error) and clone.line == 3
    assert pickle.loads(pickle.dumps(NotFound("x"))).status == "NOT_FOUND"
