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
    """

    code: grpc.StatusCode | None = None

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __reduce__(self) -> tuple[type, tuple[str]]:
        return (type(self), (self.message,))


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

    def __reduce__(self) -> tuple[type, tuple[str, grpc.StatusCode | None]]:  # type: ignore[override]
        return (type(self), (self.message, self.code))


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


def from_rpc_error(error: grpc.RpcError) -> PrefsightClientError:
    """Translate a ``grpc.RpcError`` (sync or asyncio) into a ``PrefsightClientError``."""
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
    details = error.details() if hasattr(error, "details") else str(error)
    return error_for(code or grpc.StatusCode.UNKNOWN, details or "")
