"""Assemble and run the gRPC server around a Prefsight servicer.

This module owns the server's plumbing: health and reflection services, the
interceptor chain (metrics -> auth -> error mapping), concurrency and size
limits, TLS, the metrics endpoint, and a graceful stop that lets calls in
flight finish. What each RPC does is the servicer's job (``servicer.py``):
``build_server`` takes any instance of the generated ``PrefsightServicer``.

Example:
    >>> from prefsight_client._proto.prefsight.v1 import prefsight_pb2_grpc
    >>> server = build_server(prefsight_pb2_grpc.PrefsightServicer()).start()
    >>> server.port > 0
    True
    >>> server.stop(grace=0)
"""

from __future__ import annotations

import ipaddress
import logging
import signal
import threading
from collections.abc import Iterator
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from prefsight_client._proto.prefsight.v1 import prefsight_pb2, prefsight_pb2_grpc

from prefsight.errors import InvalidArgument
from prefsight.server.auth import OPEN_METHOD_PREFIXES, AccessList, AuthInterceptor
from prefsight.server.gil import SWITCH_INTERVAL_MS, checked_switch_ms, gil_switch_interval
from prefsight.server.interceptors import ErrorInterceptor
from prefsight.server.lanes import DEFAULT_FAST_WORKERS, LaneInterceptor
from prefsight.server.limits import ServerLimits
from prefsight.server.metrics import MetricsInterceptor, ServerMetrics

log = logging.getLogger(__name__)

SERVICE_NAME: str = prefsight_pb2.DESCRIPTOR.services_by_name["Prefsight"].full_name
"""``prefsight.v1.Prefsight``"""


@dataclass
class PrefsightServer:
    """A built server and its parts. Unpacks as ``(server, port)``."""

    server: grpc.Server
    host: str
    port: int
    """The bound port (the real one when 0 was asked for)."""
    health: health.HealthServicer
    metrics: ServerMetrics
    metrics_port: int | None = None
    """Port for ``/metrics`` over HTTP; None = no endpoint. Bound on ``start``."""
    fast_lane: futures.ThreadPoolExecutor | None = None
    """The fast lane's threads (``prefsight.server.lanes``), shut down on ``stop``."""
    _stopped: threading.Event = field(default_factory=threading.Event, repr=False)

    def __iter__(self) -> Iterator[Any]:
        return iter((self.server, self.port))

    @property
    def address(self) -> str:
        """``host:port`` to give a client."""
        return f"{self.host}:{self.port}"

    def start(self) -> PrefsightServer:
        """Start serving (and the metrics endpoint, if one was asked for)."""
        self.server.start()
        if self.metrics_port is not None:
            self.metrics_port = self.metrics.serve_http(self.metrics_port, self.host)
        log.info("prefsight serving on %s", self.address)
        return self

    def stop(self, grace: float | None = 10.0) -> None:
        """Stop gracefully: report NOT_SERVING, refuse new calls, let calls in flight
        finish for up to ``grace`` seconds, then cancel what is left."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        log.info("stopping; up to %ss for calls in flight", grace)
        self.health.enter_graceful_shutdown()
        self.server.stop(grace).wait()
        if self.fast_lane is not None:
            self.fast_lane.shutdown(wait=False)
        self.metrics.stop_http()
        log.info("stopped")


def _credentials(tls_cert: str | Path | None, tls_key: str | Path | None) -> Any:
    if (tls_cert is None) != (tls_key is None):
        raise InvalidArgument("TLS needs both --tls-cert and --tls-key")
    if tls_cert is None or tls_key is None:
        return None
    for what, path in (("certificate", tls_cert), ("key", tls_key)):
        if not Path(path).is_file():
            raise InvalidArgument(f"TLS {what} file {path} does not exist")
    return grpc.ssl_server_credentials([(Path(tls_key).read_bytes(), Path(tls_cert).read_bytes())])


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"


def _warn_exposure(host: str, acl: AccessList | None, tls: bool) -> None:
    if _is_loopback(host):
        return
    if acl is None:
        log.warning("serving on %s without tokens: anyone who reaches it can use every store", host)
    elif not tls:
        log.warning("serving on %s without TLS: tokens travel in clear text", host)


def _add_services(server: grpc.Server, servicer: Any) -> health.HealthServicer:
    prefsight_pb2_grpc.add_PrefsightServicer_to_server(servicer, server)
    health_servicer = health.HealthServicer()
    for name in ("", SERVICE_NAME):
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names = (SERVICE_NAME, health.SERVICE_NAME, reflection.SERVICE_NAME)
    reflection.enable_server_reflection(names, server)
    return health_servicer


def build_server(
    servicer: prefsight_pb2_grpc.PrefsightServicer,
    *,
    port: int = 0,
    host: str = "127.0.0.1",
    token_file: str | Path | None = None,
    acl: AccessList | None = None,
    tls_cert: str | Path | None = None,
    tls_key: str | Path | None = None,
    max_workers: int = 8,
    fast_workers: int = DEFAULT_FAST_WORKERS,
    max_queue: int = 64,
    max_message_mb: int = 64,
    metrics_port: int | None = None,
) -> PrefsightServer:
    """Build (not start) a server for ``servicer`` with health, reflection, auth and limits.

    Args:
        servicer: an instance of the generated ``PrefsightServicer`` (or a subclass).
        port: TCP port; 0 picks a free one (see ``PrefsightServer.port``).
        host: interface to bind; "0.0.0.0" or "[::]" for all.
        token_file: token file (format in ``auth.py``); turns authentication on.
        acl: an access list built in code; used instead of ``token_file``.
        tls_cert: PEM certificate chain; with ``tls_key`` the port serves TLS.
        tls_key: PEM private key.
        max_workers: RPCs running at once in the general pool.
        fast_workers: threads of the fast lane, which runs the short calls
            (ScoreConcepts, NearestFeatures, SteeringVector, ListStores, health).
        max_queue: RPCs waiting beyond those; more get RESOURCE_EXHAUSTED.
        max_message_mb: largest message either way, in MiB.
        metrics_port: serve Prometheus ``/metrics`` on this port (0 = any free one).

    Returns:
        The server handle; call ``start()``.

    Raises:
        InvalidArgument: a bad limit, a missing TLS or token file, or half a TLS pair.
        TypeError: when ``servicer`` is not a ``PrefsightServicer``.
        OSError: when the port cannot be bound.
    """
    if not isinstance(servicer, prefsight_pb2_grpc.PrefsightServicer):
        raise TypeError(f"servicer must be a PrefsightServicer, got {type(servicer).__name__}")
    try:
        limits = ServerLimits(max_workers, max_queue, max_message_mb, fast_workers)
    except ValueError as error:
        raise InvalidArgument(str(error)) from None
    if acl is None and token_file is not None:
        acl = AccessList.from_file(token_file)
    credentials = _credentials(tls_cert, tls_key)
    _warn_exposure(host, acl, credentials is not None)
    metrics = ServerMetrics()
    fast_lane = futures.ThreadPoolExecutor(max_workers=limits.fast_workers, thread_name_prefix="prefsight-fast")
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=limits.max_workers, thread_name_prefix="prefsight"),
        interceptors=_interceptors(metrics, acl, fast_lane),
        options=limits.grpc_options(),
        maximum_concurrent_rpcs=limits.max_concurrent_rpcs,
    )
    health_servicer = _add_services(server, servicer)
    target = f"{host}:{port}"
    if credentials is None:
        bound = server.add_insecure_port(target)
    else:
        bound = server.add_secure_port(target, credentials)
    if bound == 0:
        fast_lane.shutdown(wait=False)
        raise OSError(f"cannot bind {target}: in use or not a local address")
    return PrefsightServer(server, host, bound, health_servicer, metrics, metrics_port, fast_lane)


def _interceptors(
    metrics: ServerMetrics, acl: AccessList | None, fast_lane: futures.ThreadPoolExecutor
) -> list[grpc.ServerInterceptor]:
    """Outermost first: the lane picks the thread pool; metrics see auth failures; errors
    are mapped before metrics read them."""
    chain: list[grpc.ServerInterceptor] = [LaneInterceptor(fast_lane), MetricsInterceptor(metrics, (SERVICE_NAME,))]
    if acl is not None:
        chain.append(AuthInterceptor(acl))
    chain.append(ErrorInterceptor(lambda method: not method.startswith(OPEN_METHOD_PREFIXES)))
    return chain


def serve(
    servicer: prefsight_pb2_grpc.PrefsightServicer,
    *,
    port: int = 50051,
    host: str = "127.0.0.1",
    grace: float = 10.0,
    gil_switch_ms: float | None = SWITCH_INTERVAL_MS,
    **options: Any,
) -> None:
    """Serve until SIGTERM or SIGINT, then stop gracefully (``grace`` seconds). Owns the
    process while it runs: its signal handlers and its GIL switch interval, both put
    back on return.

    Args:
        servicer: the PrefsightServicer instance.
        port: TCP port.
        host: interface to bind.
        grace: seconds calls in flight get to finish on shutdown.
        gil_switch_ms: the process's GIL switch interval while serving
            (``prefsight.server.gil``); None leaves Python's.
        **options: the other ``build_server`` arguments (token_file, tls_cert, ...).

    Raises:
        InvalidArgument: a bad option (``build_server``'s, or a ``gil_switch_ms`` that
            ``checked_switch_ms`` refuses), before anything is bound.
    """
    if gil_switch_ms is not None:
        try:
            checked_switch_ms(gil_switch_ms)
        except ValueError as error:
            raise InvalidArgument(str(error)) from None
    with gil_switch_interval(gil_switch_ms):
        _serve_until_signalled(build_server(servicer, port=port, host=host, **options).start(), grace)


def _serve_until_signalled(running: PrefsightServer, grace: float) -> None:
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        log.info("received %s", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        stop.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        running.stop(grace)
