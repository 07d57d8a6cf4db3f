"""The per-call interceptor work that bench/serve.py measured is done once per method."""

from __future__ import annotations

import collections
from concurrent import futures

import grpc
from prefsight.server.app import _interceptors
from prefsight.server.metrics import ServerMetrics

Details = collections.namedtuple("Details", "method invocation_metadata")
METHOD = "/prefsight.v1.Prefsight/ScoreConcepts"


class _Context:
    def time_remaining(self):
        return None

    def is_active(self):
        return True

    def code(self):
        return None


def _resolve(chain, handler, method=METHOD):
    def bottom(_details):
        return handler

    continuation = bottom
    for interceptor in reversed(chain):
        continuation = (lambda i, c: lambda d: i.intercept_service(c, d))(interceptor, continuation)
    return continuation(Details(method, ()))


def test_wrapped_handlers_are_reused_per_method_and_still_count_every_call():
    metrics = ServerMetrics()
    lane = futures.ThreadPoolExecutor(1)
    chain = _interceptors(metrics, None, lane)
    handler = grpc.unary_unary_rpc_method_handler(lambda request, context: request + 1)
    first = _resolve(chain, handler)
    assert _resolve(chain, handler) is first  # no new wrappers per call
    assert first.unary_unary.experimental_thread_pool is lane  # ScoreConcepts runs in the fast lane
    other = grpc.unary_unary_rpc_method_handler(lambda request, context: request + 2)
    assert _resolve(chain, other).unary_unary(1, _Context()) == 3  # a new handler is wrapped
    assert first.unary_unary(1, _Context()) == 2
    assert _resolve(chain, handler, "/prefsight.v1.Prefsight/Info") is not first
    contrast = _resolve(chain, handler, "/prefsight.v1.Prefsight/Contrast")
    assert not hasattr(contrast.unary_unary, "experimental_thread_pool")  # the general pool
    text = metrics.text()
    line = 'prefsight_requests_total{code="OK",method="ScoreConcepts",service="prefsight.v1.Prefsight"}'
    assert f"{line} 2.0" in text
    assert 'prefsight_requests_in_flight{method="ScoreConcepts",service="prefsight.v1.Prefsight"} 0.0' in text
    lane.shutdown()
