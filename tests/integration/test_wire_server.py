"""The typed wire on a real server on 127.0.0.1:0: ListStores pages, google.rpc details
on errors, enum fields checked. No store here needs an ingest."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from prefsight_client import AsyncClient, Client, InvalidArgumentError, NotFoundError
from prefsight_client._proto.prefsight.v1 import concepts_pb2, prefsight_pb2_grpc, store_pb2

STORES = [f"store{i}" for i in range(7)]


@pytest.fixture(scope="module")
def address(tmp_path_factory):
    from prefsight.server.app import build_server
    from prefsight.server.servicer import PrefsightServicer

    root = tmp_path_factory.mktemp("wire-stores")
    server = build_server(PrefsightServicer([root / name for name in STORES])).start()
    yield server.address
    server.stop(grace=0)


@pytest.fixture
def stub(address):
    with grpc.insecure_channel(address) as channel:
        yield prefsight_pb2_grpc.PrefsightStub(channel)


def test_list_stores_pages_through_every_store_once(stub, address):
    names, token, pages = [], "", 0
    while True:
        response = stub.ListStores(store_pb2.ListStoresRequest(page_size=3, page_token=token))
        names += response.stores
        token, pages = response.next_page_token, pages + 1
        if not token:
            break
    assert (names, pages) == (STORES, 3)
    with Client(address) as client:
        assert client.list_stores() == STORES


def test_errors_carry_error_info_with_reason_and_method(address):
    with Client(address) as client, pytest.raises(NotFoundError) as caught:
        client.info("nope")
    assert caught.value.reason == "NOT_FOUND"
    assert caught.value.info == {"method": "Info"}
    assert "not served" in caught.value.message


def test_a_bad_field_is_a_bad_request_naming_it(address):
    with Client(address) as client, pytest.raises(InvalidArgumentError) as caught:
        client._unary("ListStores", store_pb2.ListStoresRequest(page_token="junk"), 10)
    assert caught.value.reason == "INVALID_ARGUMENT"
    assert [field for field, _ in caught.value.field_violations] == ["page_token"]


def test_enum_values_are_checked_on_the_server_before_the_store(stub):
    for kinds in ([0], [99]):
        with pytest.raises(grpc.RpcError) as caught:
            stub.Contrast(concepts_pb2.ContrastRequest(store="store0", kinds=kinds))
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "concept kinds: contrast, sae, named, text" in caught.value.details()
    with pytest.raises(grpc.RpcError) as caught:
        stub.NearestExamples(concepts_pb2.NearestExamplesRequest(store="store0", text="hi", pooling=7))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "unknown pooling value 7; poolings: mean, max, last" in caught.value.details()


def test_the_asyncio_client_reads_the_details_too(address):
    async def call() -> NotFoundError:
        async with AsyncClient(address) as client:
            try:
                await client.info("nope")
            except NotFoundError as error:
                return error
        raise AssertionError("no error")

    error = asyncio.run(call())
    assert (error.reason, error.info) == ("NOT_FOUND", {"method": "Info"})


def test_auth_refusals_carry_error_info_too(tmp_path):
    from prefsight.server.app import build_server
    from prefsight.server.auth import AccessList
    from prefsight.server.servicer import PrefsightServicer
    from prefsight_client import PermissionDeniedError, UnauthenticatedError

    acl = AccessList.from_mapping({"trainer": ["a"]})
    server = build_server(PrefsightServicer([tmp_path / "a", tmp_path / "b"]), acl=acl).start()
    try:
        with Client(server.address, retries=0) as anonymous:
            with pytest.raises(UnauthenticatedError) as caught:
                anonymous.info("a")
        assert (caught.value.reason, caught.value.info) == ("UNAUTHENTICATED", {"method": "Info"})
        with Client(server.address, "trainer", retries=0) as trainer:
            with pytest.raises(PermissionDeniedError) as caught:
                trainer.info("b")
            assert trainer.list_stores() == ["a"]  # pages hold only the caller's stores
        assert caught.value.reason == "PERMISSION_DENIED"
    finally:
        server.stop(grace=0)
