"""The server's plumbing on a real gRPC server on 127.0.0.1:0, called through the client.

A trivial servicer (Info, ListStores, Ingest) stands in for the real one:
health, reflection, auth, limits, deadlines, error mapping, graceful stop,
metrics and TLS are what is under test here.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from prefsight.errors import BadRow, NotFound
from prefsight.server.app import SERVICE_NAME, build_server
from prefsight.server.auth import AccessList, current_principal, visible_stores
from prefsight.server.limits import call_stopped
from prefsight_client import (
    AsyncClient,
    CancelledError,
    Client,
    DeadlineExceededError,
    NotFoundError,
    PermissionDeniedError,
    ResourceExhaustedError,
    RetryPolicy,
    ServerError,
    UnauthenticatedError,
    UnavailableError,
)
from prefsight_client._proto.prefsight.v1 import prefsight_pb2_grpc, store_pb2

TOKENS = "admin-token * admin\ntrainer-token s2 trainer  # only s2\n"


class InfoServicer(prefsight_pb2_grpc.PrefsightServicer):
    """Info for any store; "slow" blocks until released, "missing" and "boom" fail."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self.ingest_stopped: threading.Event | None = None
        self.principals: list[str | None] = []

    def ListStores(self, request, context):
        return store_pb2.ListStoresResponse(stores=visible_stores(["s1", "s2"]))

    def Info(self, request, context):
        principal = current_principal()
        self.principals.append(principal.name if principal else None)
        if request.store == "slow":
            self.entered.set()
            self.release.wait(10)
        if request.store == "missing":
            raise NotFound("store 'missing' not found (stores: s1, s2)")
        if request.store == "boom":
            raise RuntimeError("a bug")
        return store_pb2.InfoResponse(store=request.store, pairs=42, is_ingested=True)

    def Ingest(self, request, context):
        self.ingest_stopped = stopped = call_stopped(context)  # what a real ingest loop polls
        for done in range(1, 1000):
            if stopped.wait(0.01):
                return
            yield store_pb2.IngestProgress(pairs_done=done, pairs_total=999, stage="forward")


@pytest.fixture
def start(tmp_path):
    """start(**build_server kwargs) -> (servicer, running server); stopped at teardown."""
    running = []

    def _start(servicer: InfoServicer | None = None, **kwargs):
        servicer = servicer or InfoServicer()
        server = build_server(servicer, **kwargs).start()
        running.append((servicer, server))
        return servicer, server

    yield _start
    for servicer, server in running:
        servicer.release.set()
        server.stop(grace=0)


@pytest.fixture
def token_file(tmp_path) -> Path:
    path = tmp_path / "tokens.txt"
    path.write_text(TOKENS)
    path.chmod(0o600)
    return path


def test_health_reports_serving_for_the_server_and_the_service(start):
    _, server = start()
    grpc_server, port = server  # unpacks like (grpc.Server, bound port)
    assert isinstance(grpc_server, grpc.Server) and port == server.port > 0
    with grpc.insecure_channel(server.address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        for name in ("", SERVICE_NAME):
            reply = stub.Check(health_pb2.HealthCheckRequest(service=name), timeout=5)
            assert reply.status == health_pb2.HealthCheckResponse.SERVING


def test_reflection_lists_the_service(start, token_file):
    _, server = start(token_file=token_file)  # reflection needs no token
    with grpc.insecure_channel(server.address) as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        request = reflection_pb2.ServerReflectionRequest(list_services="")
        reply = next(iter(stub.ServerReflectionInfo(iter([request]), timeout=5)))
    names = {s.name for s in reply.list_services_response.service}
    assert {SERVICE_NAME, "grpc.health.v1.Health"} <= names


def test_info_through_the_client_without_auth(start):
    servicer, server = start()
    with Client(server.address) as client:
        info = client.info("s1")
        assert (info.store, info.pairs, info.is_ingested) == ("s1", 42, True)
        assert client.list_stores() == ["s1", "s2"]
    assert servicer.principals == [None]


def test_missing_and_unknown_tokens_are_unauthenticated(start, token_file):
    _, server = start(token_file=token_file)
    with Client(server.address, retries=0) as client, pytest.raises(UnauthenticatedError) as no:
        client.info("s1")
    assert "authorization: Bearer" in no.value.message
    with Client(server.address, "guess", retries=0) as client:
        with pytest.raises(UnauthenticatedError, match="unknown token"):
            client.info("s1")
    with grpc.insecure_channel(server.address) as channel:  # health stays open
        reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING


def test_tokens_reach_only_their_stores(start, token_file):
    servicer, server = start(token_file=token_file)
    with Client(server.address, "trainer-token") as client:
        assert client.info("s2").store == "s2"
        with pytest.raises(PermissionDeniedError, match=r"'trainer'.*store 's1'.*may use: s2"):
            client.info("s1")
        assert client.list_stores() == ["s2"]
    with Client(server.address, "admin-token") as client:
        assert client.info("s1").store == "s1"
        assert client.list_stores() == ["s1", "s2"]
    assert servicer.principals == ["trainer", "admin"]  # the denied call never ran


def test_calls_past_the_concurrency_limit_are_resource_exhausted(start):
    servicer, server = start(max_workers=1, max_queue=0)
    with Client(server.address, retries=0) as client:
        slow = threading.Thread(target=client.info, args=("slow",))
        slow.start()
        assert servicer.entered.wait(5)
        with pytest.raises(ResourceExhaustedError):
            client.info("s1")
        servicer.release.set()
        slow.join(5)
        assert client.info("s1").pairs == 42  # the server recovered


def test_deadline_is_honoured_and_the_server_keeps_serving(start):
    servicer, server = start()
    with Client(server.address, timeout=0.3) as client:
        began = time.monotonic()
        with pytest.raises(DeadlineExceededError):
            client.info("slow")
        assert time.monotonic() - began < 3
        servicer.release.set()
        assert client.info("s1").pairs == 42


def test_messages_over_the_size_limit_are_refused(start):
    _, server = start(max_message_mb=1)
    with Client(server.address, retries=0) as client:
        with pytest.raises(ResourceExhaustedError):
            client.info("x" * (2 * 1024 * 1024))
        assert client.info("s1").pairs == 42


def test_domain_errors_map_to_status_and_bugs_to_internal_with_a_request_id(start):
    _, server = start()
    with Client(server.address) as client:
        with pytest.raises(NotFoundError, match=r"store 'missing' not found \(stores: s1, s2\)"):
            client.info("missing")
        with pytest.raises(ServerError, match=r"INTERNAL.*request id [0-9a-f]{12}") as bug:
            client.info("boom")
        assert "a bug" not in bug.value.message  # no internals leak to the caller
        assert client.info("s1").pairs == 42


def refused_within(client: Client, seconds: float) -> bool:
    """Whether new calls start being refused (the stop has begun) in time.

    A call that races the listener's close is CANCELLED, later ones UNAVAILABLE.
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            client.info("s1")
        except (UnavailableError, CancelledError):
            return True
        time.sleep(0.02)
    return False


def test_graceful_stop_finishes_the_call_in_flight_and_refuses_new_ones(start):
    servicer, server = start()
    results = []
    with Client(server.address, retries=0) as client:
        slow = threading.Thread(target=lambda: results.append(client.info("slow")))
        slow.start()
        assert servicer.entered.wait(5)
        stopper = threading.Thread(target=server.stop, kwargs={"grace": 10})
        stopper.start()
        assert refused_within(client, seconds=5)
        servicer.release.set()
        slow.join(5)
        stopper.join(10)
    assert [r.store for r in results] == ["slow"]
    assert not stopper.is_alive()


def test_cancelling_an_ingest_stream_stops_it_on_the_server(start):
    servicer, server = start()
    with Client(server.address) as client:
        with client.ingest("s1", "pairs.jsonl") as events:
            first = next(events)
            events.cancel()
            rest = list(events)  # ends quietly, well before the 999 pairs
    assert first.pairs_done == 1 and len(rest) < 500
    assert servicer.ingest_stopped.wait(5)


def test_metrics_count_calls_errors_and_latency_by_method_and_code(start, token_file):
    _, server = start(token_file=token_file, metrics_port=0)
    with Client(server.address, "admin-token") as client:
        client.info("s1")
        client.info("s1")
        with pytest.raises(NotFoundError):
            client.info("missing")
    with Client(server.address, retries=0) as client, pytest.raises(UnauthenticatedError):
        client.info("s1")
    text = server.metrics.text()
    labels = 'method="Info",service="prefsight.v1.Prefsight"'
    assert f'prefsight_requests_total{{code="OK",{labels}}} 2.0' in text
    assert f'prefsight_request_errors_total{{code="NOT_FOUND",{labels}}} 1.0' in text
    assert f'prefsight_request_errors_total{{code="UNAUTHENTICATED",{labels}}} 1.0' in text
    assert f"prefsight_request_seconds_count{{{labels}}} 4.0" in text
    assert f"prefsight_requests_in_flight{{{labels}}} 0.0" in text
    url = f"http://127.0.0.1:{server.metrics_port}/metrics"
    with urllib.request.urlopen(url, timeout=5) as response:
        assert f'prefsight_requests_total{{code="OK",{labels}}} 2.0' in response.read().decode()


def test_async_client_calls_and_maps_errors(start):
    _, server = start()

    async def run():
        async with AsyncClient(server.address) as client:
            info = await client.info("s1")
            with pytest.raises(NotFoundError):
                await client.info("missing")
            events = client.ingest("s1", "pairs.jsonl")
            first = await events.__anext__()
            events.cancel()
            return info.pairs, first.pairs_done

    assert asyncio.run(run()) == (42, 1)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")
def test_tls_serves_clients_that_trust_the_certificate(start, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost"]
        + ["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    _, server = start(tls_cert=cert, tls_key=key)
    with Client(server.address, tls_root_cert=cert) as client:
        assert client.info("s1").pairs == 42
    with Client(server.address, retries=0, timeout=2) as plaintext:
        with pytest.raises(UnavailableError):
            plaintext.info("s1")


def test_token_file_errors_name_the_line():
    with pytest.raises(BadRow, match=r"tokens.txt:2: expected"):
        AccessList.parse("good *\njust-a-token\n", "tokens.txt")
    with pytest.raises(BadRow, match=r"tokens.txt:2: token already granted"):
        AccessList.parse("a s1\na s2\n", "tokens.txt")
    acl = AccessList.parse("# comment\n\nt1 s1,s2 alice\nt2 *\n")
    assert acl.lookup("t1").stores == frozenset({"s1", "s2"}) and acl.lookup("t1").name == "alice"
    assert acl.lookup("t2").stores is None and acl.lookup("nope") is None


def test_build_server_refuses_half_a_tls_pair_and_a_non_servicer(tmp_path):
    from prefsight.errors import InvalidArgument

    with pytest.raises(InvalidArgument, match="both --tls-cert and --tls-key"):
        build_server(InfoServicer(), tls_cert=tmp_path / "cert.pem")
    with pytest.raises(TypeError, match="PrefsightServicer"):
        build_server(object())


SERVE_SCRIPT = """
import sys, time
from prefsight_client._proto.prefsight.v1 import prefsight_pb2_grpc, store_pb2
from prefsight.server.app import serve

class Sleepy(prefsight_pb2_grpc.PrefsightServicer):
    def Info(self, request, context):
        time.sleep(float(request.store))
        return store_pb2.InfoResponse(store=request.store)

serve(Sleepy(), port=int(sys.argv[1]), grace=10)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_stops_gracefully_on_sigterm(tmp_path):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", SERVE_SCRIPT, str(port)])
    try:
        with Client(f"127.0.0.1:{port}", retry_policy=RetryPolicy(retries=40, jitter=0)) as client:
            assert client.info("0").store == "0"  # retried until the server is up
            results = []
            slow = threading.Thread(target=lambda: results.append(client.info("1.0")))
            slow.start()
            time.sleep(0.3)
            process.send_signal(signal.SIGTERM)
            slow.join(10)
        assert [r.store for r in results] == ["1.0"]
        assert process.wait(10) == 0
    finally:
        process.kill()


class LaneServicer(InfoServicer):
    """Records the thread each call ran on; Ingest streams until released."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: dict[str, str] = {}

    def ListStores(self, request, context):
        self.threads["ListStores"] = threading.current_thread().name
        return super().ListStores(request, context)

    def Info(self, request, context):
        self.threads["Info"] = threading.current_thread().name
        return super().Info(request, context)

    def Ingest(self, request, context):
        self.threads["Ingest"] = threading.current_thread().name
        self.entered.set()
        self.release.wait(10)
        yield store_pb2.IngestProgress(pairs_done=1, pairs_total=1, stage="done")


def test_short_calls_run_in_the_fast_lane_and_long_ones_in_the_general_pool(start):
    servicer, server = start(LaneServicer())
    with Client(server.address) as client:
        client.list_stores()
        client.info("s1")
        with grpc.insecure_channel(server.address) as channel:
            health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=5)
        servicer.release.set()
        list(client.ingest("s1", "data.jsonl"))
    assert servicer.threads["ListStores"].startswith("prefsight-fast")
    # Info reads the whole store's model and layer columns: not a short call
    assert servicer.threads["Info"].startswith("prefsight_")
    assert servicer.threads["Ingest"].startswith("prefsight_")  # the general pool ("prefsight_0", ...)
    fast = {t.name for t in threading.enumerate() if t.name.startswith("prefsight-fast")}
    assert 1 <= len(fast) <= 2  # the default lane has two threads


def _lane_answers_while_held(client, servicer, long_call) -> None:
    """Start ``long_call``, and once it holds its thread, 20 ListStores answer within 2 s."""
    held = threading.Thread(target=long_call)
    held.start()
    assert servicer.entered.wait(5)
    began = time.monotonic()
    for _ in range(20):
        assert client.list_stores() == ["s1", "s2"]
    assert time.monotonic() - began < 2.0
    assert held.is_alive()  # the long call still holds its thread
    servicer.release.set()
    held.join(5)


def test_a_full_general_pool_does_not_delay_short_calls(start):
    """One general thread held by a long call: ListStores still answers at once, from the lane."""
    servicer, server = start(LaneServicer(), max_workers=1, max_queue=4, fast_workers=1)
    with Client(server.address) as client:
        _lane_answers_while_held(client, servicer, lambda: list(client.ingest("s1", "data.jsonl")))


def test_a_slow_info_does_not_hold_the_fast_lane(start):
    """The lane has one thread; an Info that takes long (a large store) runs beside it."""
    servicer, server = start(LaneServicer(), max_workers=2, max_queue=4, fast_workers=1)
    with Client(server.address) as client:
        _lane_answers_while_held(client, servicer, lambda: client.info("slow"))


def test_the_fast_lane_size_is_checked(start):
    from prefsight.errors import InvalidArgument

    with pytest.raises(InvalidArgument, match="fast_workers"):
        start(fast_workers=0)
