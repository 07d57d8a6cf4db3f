"""Property tests: whatever a dataset holds, the readers answer pairs or a clear error.

A bounded number of examples per run (about half a minute in all); the long run is
``bench/fuzz_readers.py``. Strategies and the property live in ``tests/fuzz_rows``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz_rows import dataset_files, read_and_check, table_rows

FUZZ = settings(
    max_examples=120, deadline=5000, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@FUZZ
@given(data=st.data(), skip_bad=st.booleans())
def test_any_jsonl_or_gzip_file_reads_or_fails_with_file_line(data, skip_bad):
    with tempfile.TemporaryDirectory() as folder:
        path = data.draw(dataset_files(Path(folder)))
        read_and_check(path, str(path), skip_bad=skip_bad)


@FUZZ
@given(data=st.data(), skip_bad=st.booleans())
def test_any_parquet_file_reads_or_fails_with_file_line(data, skip_bad):
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = table_rows(data.draw)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "d.parquet"
        pq.write_table(pa.Table.from_pylist(rows), path)
        if data.draw(st.booleans()):  # damage the file too
            raw = bytearray(path.read_bytes())
            raw[data.draw(st.integers(0, len(raw) - 1))] ^= 0xFF
            path.write_bytes(bytes(raw))
        read_and_check(path, str(path), skip_bad=skip_bad)


@settings(FUZZ, max_examples=40)
@given(data=st.data(), skip_bad=st.booleans())
def test_any_datasets_object_reads_or_fails_with_row_number(data, skip_bad):
    import datasets

    rows = table_rows(data.draw)
    dataset = datasets.Dataset.from_list(rows)
    read_and_check(dataset, "<Dataset in-memory>", skip_bad=skip_bad)


def test_the_fuzz_property_rejects_a_reader_that_crashes(tmp_path, monkeypatch):
    """The harness itself: an exception other than InvalidArgument fails the property."""
    import prefsight.data.readers as readers

    def crash(*args, **kwargs):
        raise KeyError("chosen")

    monkeypatch.setattr(readers, "parse_row", crash)
    path = tmp_path / "d.jsonl"
    path.write_text('{"prompt": "q", "chosen": "c", "rejected": "r"}\n')
    with pytest.raises(KeyError):
        read_and_check(path, str(path), skip_bad=True)
