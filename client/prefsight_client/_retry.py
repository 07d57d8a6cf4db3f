"""Retry with exponential backoff and jitter, on UNAVAILABLE only, within a deadline.

Only UNAVAILABLE is retried: it means the call did not reach a handler (server
down, restarting, connection reset). Every other status is the server's answer
and is raised at once.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

import grpc

RETRYABLE = frozenset({grpc.StatusCode.UNAVAILABLE})


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait before retrying an UNAVAILABLE call."""

    retries: int = 3
    """Retries after the first attempt (0 = never retry)."""
    initial_backoff: float = 0.2
    """Seconds before the first retry."""
    max_backoff: float = 5.0
    multiplier: float = 2.0
    jitter: float = 0.5
    """Each wait is scaled by a uniform factor in [1 - jitter, 1 + jitter]."""
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.retries < 0:
            raise ValueError(f"retries must be >= 0, got {self.retries}")
        if self.initial_backoff < 0 or self.max_backoff < self.initial_backoff:
            raise ValueError(
                f"need 0 <= initial_backoff <= max_backoff, got {self.initial_backoff}, {self.max_backoff}"
            )
        if self.multiplier < 1:
            raise ValueError(f"multiplier must be >= 1, got {self.multiplier}")
        if not 0 <= self.jitter <= 1:
            raise ValueError(f"jitter must be in [0, 1], got {self.jitter}")

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (0-based)."""
        base = min(self.max_backoff, self.initial_backoff * self.multiplier**attempt)
        factor = 1.0 + self.jitter * (2.0 * self.rng.random() - 1.0)
        return min(self.max_backoff, base * factor)

    def next_delay(self, code: grpc.StatusCode | None, attempt: int, time_left: float | None) -> float | None:
        """The wait before retrying, or None when the error must be raised.

        Args:
            code: status of the failed attempt.
            attempt: 0-based number of the failed attempt.
            time_left: seconds until the call's deadline (None = no deadline).
        """
        if code not in RETRYABLE or attempt >= self.retries:
            return None
        delay = self.backoff(attempt)
        if time_left is not None and delay >= time_left:
            return None
        return delay


def deadline_after(timeout: float | None) -> float | None:
    """Monotonic deadline ``timeout`` seconds from now (None = no deadline)."""
    return None if timeout is None else time.monotonic() + timeout


def time_left(deadline: float | None) -> float | None:
    """Seconds until ``deadline`` (never negative), or None without a deadline."""
    return None if deadline is None else max(0.0, deadline - time.monotonic())
