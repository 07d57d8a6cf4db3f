"""Server interceptors that wrap each RPC's behaviour, and the error safety net.

gRPC Python interceptors see only the method name; to see the request and the
context (and so the store, the metadata and the final status), an interceptor
here wraps the handler's behaviour in a context manager (``guard``). This
module owns that wrapping for the four RPC shapes, plus ``ErrorInterceptor``:
a ``prefsight.errors`` exception that escapes the servicer becomes its status
code with its message, anything else INTERNAL with a request id that is logged.
"""

from __future__ import annotations

import abc
import functools
import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, NoReturn

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from prefsight.cancel import call_check, cancel_scope
from prefsight.errors import PrefsightError, clip

log = logging.getLogger(__name__)

MAX_DETAILS = 1000
"""Longest error message sent; longer ones (a request's 100 kB field echoed) are cut."""

Guard = Callable[[Any, grpc.ServicerContext], AbstractContextManager[None]]
"""(request or None for client streams, context) -> a context manager around the call."""


ERROR_DOMAIN = "prefsight"
"""``google.rpc.ErrorInfo.domain`` of every error the server sends."""


def abort(context: grpc.ServicerContext, code: grpc.StatusCode, message: str, *, method: str = "") -> NoReturn:
    """End the RPC with ``code`` and ``message``, and an ``ErrorInfo`` whose reason is the
    status name (``context.abort`` always raises).

    Args:
        method: the RPC's full name, for the ``ErrorInfo`` metadata.
    """
    metadata = {"method": method.rsplit("/", 1)[-1]} if method else {}
    abort_with_details(context, code, message, reason=code.name, metadata=metadata)


def abort_with_details(
    context: grpc.ServicerContext,
    code: grpc.StatusCode,
    message: str,
    *,
    reason: str,
    metadata: dict[str, str],
    field: str = "",
) -> NoReturn:
    """End the RPC with ``code``, ``message`` and ``google.rpc`` details: an ``ErrorInfo``
    (``reason``, domain "prefsight", ``metadata``) and, when a request ``field`` is at
    fault, a ``BadRequest`` naming it. Clients that ignore details still get the message."""
    details = [error_details_pb2.ErrorInfo(reason=reason, domain=ERROR_DOMAIN, metadata=metadata)]
    if field:
        violation = error_details_pb2.BadRequest.FieldViolation(field=field, description=message)
        details.append(error_details_pb2.BadRequest(field_violations=[violation]))
    packed = []
    for detail in details:
        wrapper = any_pb2.Any()
        wrapper.Pack(detail)
        packed.append(wrapper)
    status = status_pb2.Status(code=code.value[0], message=message, details=packed)
    context.abort_with_status(rpc_status.to_status(status))
    raise AssertionError("context.abort_with_status returned")  # pragma: no cover


def wrap_handler(handler: grpc.RpcMethodHandler, guard: Guard) -> grpc.RpcMethodHandler:
    """A handler whose behaviour runs inside ``guard(request, context)``.

    Streams run entirely inside the guard, so it sees how they end.
    """
    kwargs = {"request_deserializer": handler.request_deserializer, "response_serializer": handler.response_serializer}
    if handler.unary_unary:
        inner_uu = handler.unary_unary

        def unary_unary(request: Any, context: grpc.ServicerContext) -> Any:
            with guard(request, context):
                return inner_uu(request, context)

        return grpc.unary_unary_rpc_method_handler(unary_unary, **kwargs)
    if handler.unary_stream:
        inner_us = handler.unary_stream

        def unary_stream(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
            with guard(request, context):
                yield from inner_us(request, context)

        return grpc.unary_stream_rpc_method_handler(unary_stream, **kwargs)
    if handler.stream_unary:
        inner_su = handler.stream_unary

        def stream_unary(requests: Iterator[Any], context: grpc.ServicerContext) -> Any:
            with guard(None, context):
                return inner_su(requests, context)

        return grpc.stream_unary_rpc_method_handler(stream_unary, **kwargs)
    inner_ss = handler.stream_stream

    def stream_stream(requests: Iterator[Any], context: grpc.ServicerContext) -> Iterator[Any]:
        with guard(None, context):
            yield from inner_ss(requests, context)

    return grpc.stream_stream_rpc_method_handler(stream_stream, **kwargs)


class HandlerInterceptor(grpc.ServerInterceptor, abc.ABC):
    """Base class: serve the methods it applies to with ``transform(method, handler)``.

    gRPC asks for the handler on every call; the transformed handler is kept per method
    and reused while the handler below stays the same object (it does, unless an
    inner interceptor makes one per call), which saves ~30 us a call on the dev CPU.
    """

    _transformed: dict[str, tuple[grpc.RpcMethodHandler, grpc.RpcMethodHandler]]

    def applies_to(self, method: str) -> bool:
        """Whether to transform ``method`` (a full name like ``/prefsight.v1.Prefsight/Info``)."""
        return True

    @abc.abstractmethod
    def transform(self, method: str, handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
        """The handler to serve ``method`` with instead of ``handler``."""

    def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        handler = continuation(handler_call_details)
        method = handler_call_details.method
        if handler is None or not self.applies_to(method):
            return handler
        cache = self.__dict__.setdefault("_transformed", {})
        cached = cache.get(method)
        if cached is not None and cached[0] is handler:
            return cached[1]
        transformed = self.transform(method, handler)
        cache[method] = (handler, transformed)  # one entry a method: bounded
        return transformed


class BehaviourInterceptor(HandlerInterceptor):
    """Base class: run ``guard`` around the behaviour of the methods it applies to."""

    @abc.abstractmethod
    def guard(self, method: str, request: Any, context: grpc.ServicerContext) -> AbstractContextManager[None]:
        """A context manager around one call; may ``abort`` before it yields."""

    def transform(self, method: str, handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
        return wrap_handler(handler, functools.partial(self.guard, method))


class ErrorInterceptor(BehaviourInterceptor):
    """Map escaping exceptions to status codes; never let a bug's traceback reach the caller.

    It also refuses to start a call whose deadline passed while it waited in the queue,
    and sets the call's cancel check (``prefsight.cancel``) around the behaviour, so
    forward loops stop between batches once the caller cancels or its deadline passes.
    """

    def __init__(self, applies: Callable[[str], bool] | None = None) -> None:
        self._applies = applies

    def applies_to(self, method: str) -> bool:
        return self._applies is None or self._applies(method)

    @contextmanager
    def guard(self, method: str, request: Any, context: grpc.ServicerContext) -> Iterator[None]:
        check = call_check(context)
        try:
            check()  # a call that expired while queued does not start
            with cancel_scope(check):
                yield
        except PrefsightError as error:
            abort_with_details(
                context,
                grpc.StatusCode[error.status],
                clip(error.message, MAX_DETAILS),
                reason=error.reason,
                metadata={"method": method.rsplit("/", 1)[-1]},
                field=error.field,
            )
        except Exception:
            if context.code() is not None:  # the servicer aborted on purpose
                raise
            request_id = uuid.uuid4().hex[:12]
            log.exception("%s failed (request id %s)", method, request_id)
            abort_with_details(
                context,
                grpc.StatusCode.INTERNAL,
                f"internal error in {method} (request id {request_id}); the server log has details",
                reason="INTERNAL",
                metadata={"method": method.rsplit("/", 1)[-1], "request_id": request_id},
            )
