"""Two thread pools: a small fast lane for the short calls trainers make in a loop, and
the general pool for everything else.

Owns: which pool runs which method. gRPC Python runs a handler in the pool its
behaviour names in ``experimental_thread_pool`` (else the server's pool); the
``LaneInterceptor``, outermost in the chain, sets that attribute on the handlers of
``FAST_METHODS`` (once per method: see ``HandlerInterceptor``).

Why: each RPC's gRPC bookkeeping (receive, deserialise, send the status) is Python,
so every thread that serves a call takes the GIL several times per call. With 8
short calls in flight on 8 threads they convoy on the GIL: on the 2-core dev box,
ScoreConcepts from activations ran 1,200 QPS at p99 11-12 ms on 8 threads and
1,450-1,500 QPS at p99 8.3-8.7 ms on 2 (1 thread: 1,340 QPS; 3: p99 9.2 ms),
measured with 8 client threads. A long call (Filter, a text batch through the
model, an ingest) in the general pool no longer holds a thread a short call needs.
"""

from __future__ import annotations

import functools
from concurrent import futures
from typing import Any

import grpc

from prefsight.server.interceptors import HandlerInterceptor

FAST_METHODS: frozenset[str] = frozenset({"ScoreConcepts", "NearestFeatures", "SteeringVector", "ListStores", "Check"})
"""Methods (by their short name, in any service) that run in the fast lane: calls a
trainer makes per step or a probe makes per second, each well under a millisecond of
Python on pooled input. ``ScoreConcepts`` of texts runs the model in this lane too.
``Info`` is not one: it counts the tables and lists the stored models and layers
(113 ms on a 20k-pair store, growing with the store), and two of them would stop the
lane."""

DEFAULT_FAST_WORKERS = 2
"""Threads of the fast lane: the best p99 of the measurements above."""


class LaneInterceptor(HandlerInterceptor):
    """Route the handlers of ``methods`` to ``pool`` (install it outermost)."""

    def __init__(self, pool: futures.ThreadPoolExecutor, methods: frozenset[str] = FAST_METHODS) -> None:
        self.pool = pool
        self.methods = methods

    def applies_to(self, method: str) -> bool:
        return method.rsplit("/", 1)[-1] in self.methods

    def transform(self, method: str, handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
        return in_pool(handler, self.pool)


def in_pool(handler: grpc.RpcMethodHandler, pool: futures.ThreadPoolExecutor) -> grpc.RpcMethodHandler:
    """A copy of ``handler`` whose behaviour gRPC runs in ``pool``."""
    kinds = ("unary_unary", "unary_stream", "stream_unary", "stream_stream")
    kind = next(k for k in kinds if getattr(handler, k) is not None)
    behaviour = getattr(handler, kind)

    @functools.wraps(behaviour)
    def routed(*args: Any) -> Any:
        return behaviour(*args)

    routed.experimental_thread_pool = pool  # type: ignore[attr-defined]
    make = getattr(grpc, f"{kind}_rpc_method_handler")
    return make(  # type: ignore[no-any-return]
        routed, request_deserializer=handler.request_deserializer, response_serializer=handler.response_serializer
    )
