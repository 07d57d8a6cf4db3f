"""Exceptions the client raises, one per gRPC status code the server sends.

Each carries the server's message (what is wrong and what exists) and the
status code. ``from_rpc_error`` maps a ``grpc.RpcError`` onto them; the client
methods raise only these. Pickling keeps the type (``__reduce__``), so they
survive training workers and Ray.
"""

from __future__ import annotations

import grpc


class PrefsightClientError(Exception):
    """Base class of every error the client raises.

    Attributes:
        message: the server's message (or the client's, for local checks).
        code: the gRPC status code, or None for errors raised before any call.
        reason: the server's ``google.rpc.ErrorInfo`` reason, e.g. "NOT_FOUND" or
            "BAD_ROW" ("" when it sent none).
        info: the ``ErrorInfo`` metadata (e.g. ``{"method": "Contrast"}``).
        field_violations: ``google.rpc.BadRequest`` (field, description) pairs: the
            request fields at fault.
    """

    code: grpc.StatusCode | None = None
    reason: str = ""
    info: dict[str, str] = {}  # replaced per instance, never mutated
    field_violations: tuple[tuple[str, str], ...] = ()

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __reduce__(self) -> tuple[type, tuple[str], dict[str, object]]:
        return (type(self), (self.message,), _details(self))


class InvalidArgumentError(PrefsightClientError, ValueError):
    """INVALID_ARGUMENT: wrong dimension, NaN, empty batch, unknown layer."""

    code = grpc.StatusCode.INVALID_ARGUMENT


class NotFoundError(PrefsightClientError, LookupError):
    """NOT_FOUND: unknown store, concept or pair."""

    code = grpc.StatusCode.NOT_FOUND


class FailedPreconditionError(PrefsightClientError):
    """FAILED_PRECONDITION: the store lacks what the call needs (e.g. not ingested)."""

    code = grpc.StatusCode.FAILED_PRECONDITION


class ResourceExhaustedError(PrefsightClientError):
    """RESOURCE_EXHAUSTED: the server is busy or a message is over the size limit."""

    code = grpc.StatusCode.RESOURCE_EXHAUSTED


class UnauthenticatedError(PrefsightClientError):
    """UNAUTHENTICATED: no token, or a token the server does not know."""

    code = grpc.StatusCode.UNAUTHENTICATED


class PermissionDeniedError(PrefsightClientError):
    """PERMISSION_DENIED: the token has no access to the store."""

    code = grpc.StatusCode.PERMISSION_DENIED


class UnavailableError(PrefsightClientError, ConnectionError):
    """UNAVAILABLE: the server could not be reached (after the retries)."""

    code = grpc.StatusCode.UNAVAILABLE


class DeadlineExceededError(PrefsightClientError, TimeoutError):
    """DEADLINE_EXCEEDED: the call ran past its timeout."""

    code = grpc.StatusCode.DEADLINE_EXCEEDED


class CancelledError(PrefsightClientError):
    """CANCELLED: the call was cancelled (by this client or the server stopping)."""

    code = grpc.StatusCode.CANCELLED


class UnimplementedError(PrefsightClientError, NotImplementedError):
    """UNIMPLEMENTED: the server does not offer this call (version mismatch?)."""

    code = grpc.StatusCode.UNIMPLEMENTED


class ServerError(PrefsightClientError):
    """INTERNAL, UNKNOWN or any other status: a server-side bug; the message has a request id."""

    def __init__(self, message: str, code: grpc.StatusCode | None = None) -> None:
        super().__init__(message)
        self.code = code

    def __reduce__(self) -> tuple[type, tuple[str, grpc.StatusCode | None], dict[str, object]]:  # type: ignore[override]
        return (type(self), (self.message, self.code), _details(self))


def _details(error: PrefsightClientError) -> dict[str, object]:
    """The rich-status attributes an instance carries (for pickling)."""
    return {name: getattr(error, name) for name in ("reason", "info", "field_violations") if name in error.__dict__}


class SteeringMismatchError(PrefsightClientError, ValueError):
    """A steering vector does not fit the model it is applied to."""


_BY_CODE: dict[grpc.StatusCode, type[PrefsightClientError]] = {
    cls.code: cls
    for cls in (
        InvalidArgumentError,
        NotFoundError,
        FailedPreconditionError,
        ResourceExhaustedError,
        UnauthenticatedError,
        PermissionDeniedError,
        UnavailableError,
        DeadlineExceededError,
        CancelledError,
        UnimplementedError,
    )
    if cls.code is not None
}


def error_for(code: grpc.StatusCode, message: str) -> PrefsightClientError:
    """Build the exception for a status code and message.

    Args:
        code: the call's status code.
        message: the server's details string.

    Returns:
        An instance of the matching subclass (``ServerError`` for unmapped codes).
    """
    cls = _BY_CODE.get(code)
    if cls is None:
        return ServerError(f"{code.name}: {message}", code)
    return cls(message)


STATUS_DETAILS_KEY = "grpc-status-details-bin"
"""Trailing metadata key of a ``google.rpc.Status`` with the error's details."""


def from_rpc_error(error: grpc.RpcError) -> PrefsightClientError:
    """Translate a ``grpc.RpcError`` (sync or asyncio) into a ``PrefsightClientError``.

    The server's ``google.rpc`` details (``ErrorInfo``, ``BadRequest``) become the
    result's ``reason``, ``info`` and ``field_violations``.
    """
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
    details = error.details() if hasattr(error, "details") else str(error)
    result = error_for(code or grpc.StatusCode.UNKNOWN, details or "")
    trailing = error.trailing_metadata() if hasattr(error, "trailing_metadata") else None
    for key, value in trailing or ():
        if key == STATUS_DETAILS_KEY and isinstance(value, bytes):
            _read_status_details(result, value)
    return result


def _read_status_details(result: PrefsightClientError, blob: bytes) -> None:
    """Copy a serialized ``google.rpc.Status``'s details onto ``result`` (when
    googleapis-common-protos, a dependency of grpcio-status, is installed)."""
    from google.protobuf.message import DecodeError

    try:
        from google.rpc import error_details_pb2, status_pb2
    except ImportError:  # the message and the code are all a bare install reads
        return

    try:
        status = status_pb2.Status.FromString(blob)
    except DecodeError:
        return
    info, bad_request = error_details_pb2.ErrorInfo(), error_details_pb2.BadRequest()
    for detail in status.details:
        if detail.Unpack(info):
            result.reason, result.info = info.reason, dict(info.metadata)
        elif detail.Unpack(bad_request):
            result.field_violations = tuple((v.field, v.description) for v in bad_request.field_violations)
