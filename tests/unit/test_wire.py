"""The typed wire: the generated sync client, enums, page tokens and error details."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from prefsight.errors import BadRow, InvalidArgument, NotFound
from prefsight.server import paging
from prefsight_client._enums import CONCEPT_KIND, DATASET_FORMAT, POOLING

from tests.scripts import script_module


@pytest.fixture(scope="module")
def unasync():
    with script_module("unasync") as module:
        yield module


# -- one client, generated ----------------------------------------------------


def test_the_sync_client_is_what_unasync_makes_of_the_async_one(unasync):
    drift = unasync.find_drift()
    assert drift == [], "run `python scripts/unasync.py`:\n" + "\n".join(drift)


def test_a_hand_edit_of_the_generated_client_is_drift(unasync, monkeypatch):
    source, target = next(iter(unasync.SOURCES.items()))
    edited = target.read_text(encoding="utf-8") + "# edited by hand\n"
    original = Path.read_text

    def read_text(path, *args, **kwargs):
        return edited if path == target else original(path, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", read_text)
    assert unasync.find_drift() == ["client/prefsight_client/client.py differs from unasync(aio.py)"]


def test_unasync_drops_async_and_renames_the_asyncio_names(unasync):
    source = (
        "import logging\nimport asyncio\n\n"
        "class AsyncClient:\n"
        "    async def __aenter__(self) -> AsyncClient:\n"
        "        await asyncio.sleep(1)\n"
        "        self._channel = grpc.aio.insecure_channel(a)\n"
        "        return [x async for x in AsyncResponseStream()]\n"
    )
    assert unasync.unasync(source) == (
        "import logging\nimport time\n\n"
        "class Client:\n"
        "    def __enter__(self) -> Client:\n"
        "        time.sleep(1)\n"
        "        self._channel = grpc.insecure_channel(a)\n"
        "        return [x for x in ResponseStream()]\n"
    )


def test_the_generated_client_has_the_same_methods_and_signatures():
    import inspect

    from prefsight_client import AsyncClient, Client

    public = [n for n in vars(AsyncClient) if not n.startswith("_")]
    assert public == [n for n in vars(Client) if not n.startswith("_")]
    for name in public:
        a, s = (inspect.signature(getattr(AsyncClient, name)), inspect.signature(getattr(Client, name)))
        assert list(a.parameters) == list(s.parameters), name


# -- enums ----------------------------------------------------------------------


def test_wire_enums_name_every_domain_value():
    from prefsight.concepts.types import KINDS
    from prefsight.store import schema as S

    assert set(CONCEPT_KIND.names) == set(KINDS)
    assert set(POOLING.names) == set(S.POOLINGS)


def test_ingest_formats_match_the_enum_and_the_readers():
    from prefsight.data import pairs
    from prefsight.server.ingest_runs import FORMATS

    assert set(FORMATS) == {"", *DATASET_FORMAT.names}
    assert set(FORMATS.values()) == set(pairs.FORMATS) == {"auto", *pairs._PARSERS}
    assert len(set(FORMATS.values())) == len(FORMATS)  # one wire name a reader


def test_old_format_names_still_map_to_a_format():
    assert DATASET_FORMAT.value("parquet") == DATASET_FORMAT.value("") == 0
    assert DATASET_FORMAT.value("hh") == DATASET_FORMAT.value("hh_rlhf")


def test_server_refuses_unspecified_and_unknown_enum_values_by_field():
    from prefsight.server.convert import read

    with pytest.raises(InvalidArgument, match="unspecified") as caught:
        read.kinds([0])
    assert caught.value.field == "kinds"
    with pytest.raises(InvalidArgument, match="unknown pooling value 99") as caught:
        read.pooling(99)
    assert caught.value.field == "pooling"
    assert read.pooling(0) == "mean" and read.kinds([2, 2, 3]) == ("sae", "named")


# -- paging ---------------------------------------------------------------------


def test_pages_cover_every_name_once_in_order():
    names = [f"s{i:03d}" for i in range(25)]
    seen, token, pages = [], "", 0
    while True:
        page, token = paging.page(names, 10, token)
        seen += page
        pages += 1
        if not token:
            break
    assert seen == names and pages == 3


def test_a_page_token_survives_names_added_and_removed():
    page, token = paging.page(["a", "b", "c", "d"], 2, "")
    assert page == ["a", "b"]
    assert paging.page(["a", "c", "d", "e"], 2, token) == (["c", "d"], paging.encode_token("d"))


def test_page_size_defaults_and_caps():
    names = [f"s{i:04d}" for i in range(1500)]
    assert len(paging.page(names, 0, "")[0]) == paging.DEFAULT_PAGE_SIZE
    assert len(paging.page(names, 5000, "")[0]) == paging.MAX_PAGE_SIZE
    assert paging.page(names[:3], 3, "") == (names[:3], "")


@pytest.mark.parametrize("token", ["garbage!", "e30=", "WzFd"])
def test_a_bad_page_token_is_invalid_argument_on_its_field(token):
    with pytest.raises(InvalidArgument) as caught:
        paging.page(["a"], 1, token)
    assert caught.value.field == "page_token"


# -- error details ----------------------------------------------------------------


def test_error_reasons_and_fields_survive_pickling():
    error = pickle.loads(pickle.dumps(InvalidArgument("bad k", field="k")))
    assert (error.reason, error.field, error.message) == ("INVALID_ARGUMENT", "k", "bad k")
    assert NotFound("x").reason == "NOT_FOUND"
    row = pickle.loads(pickle.dumps(BadRow("a.jsonl", 3, "empty")))
    assert (row.reason, row.line, row.status) == ("BAD_ROW", 3, "INVALID_ARGUMENT")


def test_the_client_reads_error_info_and_bad_request_from_trailing_metadata():
    import grpc
    from google.protobuf import any_pb2
    from google.rpc import error_details_pb2, status_pb2
    from prefsight_client.errors import InvalidArgumentError, from_rpc_error

    info, bad = any_pb2.Any(), any_pb2.Any()
    info.Pack(error_details_pb2.ErrorInfo(reason="BAD_ROW", domain="prefsight", metadata={"m": "x"}))
    violation = error_details_pb2.BadRequest.FieldViolation(field="dataset", description="no")
    bad.Pack(error_details_pb2.BadRequest(field_violations=[violation]))
    blob = status_pb2.Status(code=3, message="bad", details=[info, bad]).SerializeToString()

    class Error(grpc.RpcError):
        def __init__(self, trailing):
            self.trailing = trailing

        def code(self):
            return grpc.StatusCode.INVALID_ARGUMENT

        def details(self):
            return "bad"

        def trailing_metadata(self):
            return self.trailing

    error = from_rpc_error(Error((("grpc-status-details-bin", blob),)))
    assert isinstance(error, InvalidArgumentError)
    assert (error.reason, error.info, error.field_violations) == ("BAD_ROW", {"m": "x"}, (("dataset", "no"),))
    again = pickle.loads(pickle.dumps(error))
    assert (again.reason, again.field_violations) == ("BAD_ROW", (("dataset", "no"),))
    plain = from_rpc_error(Error((("grpc-status-details-bin", b"\xff\xff"),)))
    assert (plain.reason, plain.field_violations, plain.message) == ("", (), "bad")
