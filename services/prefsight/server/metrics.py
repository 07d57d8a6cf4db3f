"""Prometheus metrics of the Prefsight RPCs: counts, errors, latencies, calls in flight.

Each server has its own registry (so tests can run several), readable as text
(``ServerMetrics.text``) or served over HTTP (``serve_http``, the ``--metrics-port``).
Calls the gRPC core rejects before any handler runs (over the concurrency
limit, over the size limit) never reach the interceptor and are not counted.

Exported series::

    prefsight_requests_total{service, method, code}
    prefsight_request_errors_total{service, method, code}
    prefsight_request_seconds_bucket/_sum/_count{service, method}
    prefsight_requests_in_flight{service, method}
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import grpc
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import start_http_server

from prefsight.server.interceptors import BehaviourInterceptor

log = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)


def split_method(method: str) -> tuple[str, str]:
    """``/prefsight.v1.Prefsight/Info`` -> (``prefsight.v1.Prefsight``, ``Info``)."""
    service, _, name = method.lstrip("/").partition("/")
    return service, name


class ServerMetrics:
    """The metric families of one server and their exposition."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        labels = ["service", "method"]
        self.requests = Counter(
            "prefsight_requests", "RPCs finished, by status code.", [*labels, "code"], registry=self.registry
        )
        self.errors = Counter(
            "prefsight_request_errors",
            "RPCs finished with a status other than OK.",
            [*labels, "code"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "prefsight_request_seconds",
            "RPC wall time in seconds, streams included.",
            labels,
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.in_flight = Gauge("prefsight_requests_in_flight", "RPCs running now.", labels, registry=self.registry)
        self._http: Any = None
        self._gauges: dict[str, Any] = {}
        self._cached: dict[tuple[str, grpc.StatusCode], tuple[Any, Any, Any]] = {}

    def observe(self, method: str, code: grpc.StatusCode, seconds: float) -> None:
        """Record one finished call."""
        requests, errors, latency = self._children(method, code)
        requests.inc()
        if errors is not None:
            errors.inc()
        latency.observe(seconds)

    def in_flight_of(self, method: str) -> Any:
        """The in-flight gauge of one method (label lookups cached: they cost ~10 us each)."""
        gauge = self._gauges.get(method)
        if gauge is None:
            gauge = self._gauges[method] = self.in_flight.labels(*split_method(method))
        return gauge

    def _children(self, method: str, code: grpc.StatusCode) -> tuple[Any, Any, Any]:
        key = (method, code)
        found = self._cached.get(key)
        if found is None:
            service, name = split_method(method)
            errors = None
            if code is not grpc.StatusCode.OK:
                errors = self.errors.labels(service, name, code.name)
            found = (self.requests.labels(service, name, code.name), errors, self.latency.labels(service, name))
            self._cached[key] = found  # methods x codes: bounded
        return found

    def text(self) -> str:
        """The metrics in the Prometheus text format."""
        return generate_latest(self.registry).decode("utf-8")

    def serve_http(self, port: int, host: str = "127.0.0.1") -> int:
        """Serve ``/metrics`` over HTTP in a daemon thread; return the bound port."""
        self._http, _ = start_http_server(port, addr=host, registry=self.registry)
        bound = int(self._http.server_port)
        log.info("metrics on http://%s:%d/metrics", host, bound)
        return bound

    def stop_http(self) -> None:
        """Stop the HTTP endpoint if it runs."""
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None


def final_code(context: grpc.ServicerContext, error: BaseException | None) -> grpc.StatusCode:
    """The status a call ended with, from its context and what its behaviour raised."""
    code = context.code()
    if code is not None:
        return code
    if isinstance(error, GeneratorExit):
        return grpc.StatusCode.CANCELLED
    if error is not None:
        return grpc.StatusCode.UNKNOWN
    if not context.is_active():
        remaining = context.time_remaining()
        expired = remaining is not None and remaining <= 0
        return grpc.StatusCode.DEADLINE_EXCEEDED if expired else grpc.StatusCode.CANCELLED
    return grpc.StatusCode.OK


class MetricsInterceptor(BehaviourInterceptor):
    """Count and time the calls of the services it applies to."""

    def __init__(self, metrics: ServerMetrics, services: tuple[str, ...]) -> None:
        self._metrics = metrics
        self._prefixes = tuple(f"/{s}/" for s in services)

    def applies_to(self, method: str) -> bool:
        return method.startswith(self._prefixes)

    @contextmanager
    def guard(self, method: str, request: Any, context: grpc.ServicerContext) -> Iterator[None]:
        gauge = self._metrics.in_flight_of(method)
        gauge.inc()
        start = time.perf_counter()
        error: BaseException | None = None
        try:
            yield
        except BaseException as raised:
            error = raised
            raise
        finally:
            gauge.dec()
            code = final_code(context, error)
            self._metrics.observe(method, code, time.perf_counter() - start)
