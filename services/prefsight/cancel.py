"""Stop work whose caller has gone: a per-call cancel check that forward loops call.

Owns: the context-held check (``cancel_scope`` sets it, ``check_cancelled``
runs it) and the check built from a gRPC call (``call_check``). The server sets
a scope around every RPC; loops that run the model (``capture_packed`` before
each batch) call ``check_cancelled()``, so a cancelled or expired call stops
after the batch in flight instead of working for nobody. Without a scope (the
CLI, tests, Ray workers) the check does nothing.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, TypeVar

from prefsight.errors import Cancelled, DeadlineExceeded

T = TypeVar("T")

CancelCheck = Callable[[], None]
"""Raises ``Cancelled`` or ``DeadlineExceeded`` when the work should stop."""

_check: contextvars.ContextVar[CancelCheck | None] = contextvars.ContextVar("prefsight_cancel_check", default=None)


def check_cancelled() -> None:
    """Raise when the current call was cancelled or is past its deadline; else nothing.

    Raises:
        Cancelled: the caller cancelled.
        DeadlineExceeded: the caller's deadline passed.
    """
    check = _check.get()
    if check is not None:
        check()


@contextmanager
def context_value(var: contextvars.ContextVar[T | None], value: T | None) -> Iterator[None]:
    """Run the block with ``var`` set to ``value``; afterwards ``var`` is as it was (None
    when the block ends in another context, as a stream generator closed elsewhere does)."""
    token = var.set(value)
    try:
        yield
    finally:
        try:
            var.reset(token)
        except ValueError:  # a stream generator closed from another context
            var.set(None)


def cancel_scope(check: CancelCheck | None) -> AbstractContextManager[None]:
    """Run the block with ``check`` as the current cancel check (None: never cancelled)."""
    return context_value(_check, check)


def call_check(context: Any) -> CancelCheck:
    """The cancel check of a gRPC call: its deadline, then whether it is still active."""

    def check() -> None:
        remaining = context.time_remaining()
        if remaining is not None and remaining <= 0:
            raise DeadlineExceeded("the call's deadline passed; work stopped")
        if not context.is_active():
            raise Cancelled("the call was cancelled; work stopped")

    return check
