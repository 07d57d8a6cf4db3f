"""Error classes, each tied to one gRPC status code.

Library code raises these; the CLI turns them into exit code 2 with one line,
the server into the named status. Everything else is a bug (INTERNAL).
Each class keeps its type across Ray and pickling via ``__reduce__``.
"""

from __future__ import annotations


class PrefsightError(Exception):
    """Base class. ``status`` names the gRPC status code the server sends.

    Args:
        message: what is wrong and what exists.
        field: the request field at fault, when one is (the server sends it as a
            ``google.rpc.BadRequest`` field violation).
    """

    status: str = "INTERNAL"

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    @property
    def reason(self) -> str:
        """``google.rpc.ErrorInfo.reason``: the class name in UPPER_SNAKE_CASE."""
        name = type(self).__name__
        return "".join(f"_{c}" if c.isupper() and i else c for i, c in enumerate(name)).upper()

    def __reduce__(self) -> tuple[type, tuple[str], dict[str, str]]:
        return (type(self), (self.message,), {"field": self.field})


class InvalidArgument(PrefsightError):
    """Bad input: wrong shape, NaN, unknown layer, malformed row."""

    status = "INVALID_ARGUMENT"


class NotFound(PrefsightError):
    """An unknown store, concept, pair or model."""

    status = "NOT_FOUND"


class FailedPrecondition(PrefsightError):
    """The store exists but lacks what the request needs (e.g. not ingested)."""

    status = "FAILED_PRECONDITION"


class ResourceExhausted(PrefsightError):
    """A bounded queue or size limit was hit."""

    status = "RESOURCE_EXHAUSTED"


class Unauthenticated(PrefsightError):
    """Missing or malformed credentials."""

    status = "UNAUTHENTICATED"


class PermissionDenied(PrefsightError):
    """Valid credentials without access to the requested store."""

    status = "PERMISSION_DENIED"


class BadRow(InvalidArgument):
    """A dataset row that cannot be read; carries its file and line."""

    def __init__(self, source: str, line: int, problem: str) -> None:
        super().__init__(f"{source}:{line}: {problem}")
        self.source = source
        self.line = line
        self.problem = problem

    def __reduce__(self) -> tuple[type, tuple[str, int, str], dict[str, str]]:  # type: ignore[override]
        return (type(self), (self.source, self.line, self.problem), {"field": self.field})


class Cancelled(PrefsightError):
    """The caller cancelled the call; the work stopped between two batches."""

    status = "CANCELLED"


class DeadlineExceeded(PrefsightError):
    """The caller's deadline passed; the work stopped between two batches."""

    status = "DEADLINE_EXCEEDED"


def clip(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters for an error message (a request may send 100 kB)."""
    return text if len(text) <= limit else f"{text[:limit]}…({len(text)} chars)"
