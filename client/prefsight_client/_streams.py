"""Server-streaming calls as cancellable iterators, sync and asyncio.

A stream is retried on UNAVAILABLE only while nothing has arrived yet: after
the first message a retry could repeat or skip items. ``cancel()`` (or leaving
the ``with`` block) cancels the call on the server, which is how an ingest is
stopped; the iterator then simply ends.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any, Generic, TypeVar

import grpc

from prefsight_client._retry import RetryPolicy, time_left
from prefsight_client.errors import from_rpc_error

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


def per_message(convert: Callable[[Any], R]) -> Callable[[Any], list[R]]:
    """Adapt a converter of one message to the streams' message -> items shape."""
    return lambda message: [convert(message)]


def per_chunk(convert: Callable[[list[Any]], list[R]]) -> Callable[[Any], list[R]]:
    """Adapt a converter of a list of chunk messages to the message -> items shape."""
    return lambda message: convert([message])


class _Stream(Generic[T]):
    """What the sync and asyncio streams share: starting the call, cancelling it, backoff."""

    def __init__(
        self,
        start: Callable[[float | None], Any],
        convert: Callable[[Any], Iterable[T]],
        policy: RetryPolicy,
        deadline: float | None,
    ) -> None:
        self._start = start
        self._convert = convert
        self._policy = policy
        self._deadline = deadline
        self._call: Any = None
        self._cancelled = False
        self._items = self._run()

    def _run(self) -> Any:
        raise NotImplementedError

    def cancel(self) -> None:
        """Cancel the call; iteration ends without an error."""
        self._cancelled = True
        if self._call is not None:
            self._call.cancel()

    def _next_delay(self, error: grpc.RpcError, attempt: int) -> float | None:
        return self._policy.next_delay(error.code(), attempt, time_left(self._deadline))


class ResponseStream(_Stream[T]):
    """Iterator over a server stream's items; ``cancel()`` stops the call.

    Example:
        >>> with client.ingest("scratch", "demo.jsonl") as progress:
        ...     for event in progress:
        ...         if event.pairs_done > 1000:
        ...             progress.cancel()
        >>> event.stage
        'done'
    """

    def __iter__(self) -> Iterator[T]:
        return self

    def __next__(self) -> T:
        return next(self._items)

    def __enter__(self) -> ResponseStream[T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.cancel()

    def _run(self) -> Iterator[T]:
        attempt = 0
        while not self._cancelled:
            self._call = self._start(time_left(self._deadline))
            received = False
            try:
                for message in self._call:
                    received = True
                    yield from self._convert(message)
                return
            except grpc.RpcError as error:
                if self._cancelled:
                    return
                delay = None if received else self._next_delay(error, attempt)
                if delay is None:
                    raise from_rpc_error(error) from None
            log.info("stream unavailable; retry %d in %.2fs", attempt + 1, delay)
            time.sleep(delay)
            attempt += 1


class AsyncResponseStream(_Stream[T]):
    """Async iterator over a server stream's items; ``cancel()`` stops the call."""

    def __aiter__(self) -> AsyncIterator[T]:
        return self

    async def __anext__(self) -> T:
        return await self._items.__anext__()

    async def __aenter__(self) -> AsyncResponseStream[T]:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.cancel()

    async def _run(self) -> AsyncIterator[T]:
        attempt = 0
        while not self._cancelled:
            self._call = self._start(time_left(self._deadline))
            received = False
            try:
                async for message in self._call:
                    received = True
                    for item in self._convert(message):
                        yield item
                return
            except (grpc.RpcError, asyncio.CancelledError) as error:
                if self._cancelled:
                    return
                if not isinstance(error, grpc.RpcError):
                    raise
                delay = None if received else self._next_delay(error, attempt)
                if delay is None:
                    raise from_rpc_error(error) from None
            log.info("stream unavailable; retry %d in %.2fs", attempt + 1, delay)
            await asyncio.sleep(delay)
            attempt += 1
