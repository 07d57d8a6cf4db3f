"""The GIL switch interval of a process that serves.

Owns: the interval ``prefsight serve`` runs with, checking one asked for, and setting
it for the span of a block. Why a shorter one than Python's: each call's gRPC
bookkeeping is Python on several threads, and a thread that wants the GIL waits one
switch interval before it asks the holder to let go; beside other work on the same
cores that wait shows in the p99 (``bench/tail.py``, README *The tail beside other
work*; figures in ``bench/results/tail.json``). With the cores to itself the server
is no faster or slower either way (``bench/serve.py``).

The setting is process-wide, so only the code that owns the process sets it
(``prefsight.server.app.serve``); ``build_server`` inside another program leaves it.
"""

from __future__ import annotations

import contextlib
import math
import sys
from collections.abc import Iterator

SWITCH_INTERVAL_MS = 0.5
"""The interval ``prefsight serve`` runs with, in ms (Python's default: 5 ms)."""

SWITCH_INTERVAL_RANGE_MS = (0.01, 1000.0)
"""The intervals accepted, in ms. Python keeps microseconds, so below 0.001 ms an
interval silently becomes 0; at 0.01 ms the threads would do little but switch."""


def checked_switch_ms(ms: object) -> float:
    """``ms`` as a switch interval in ms.

    Raises:
        ValueError: not a finite number within ``SWITCH_INTERVAL_RANGE_MS`` (a bool
            is not a number here).
    """
    low, high = SWITCH_INTERVAL_RANGE_MS
    if isinstance(ms, bool) or not isinstance(ms, (int, float)) or not math.isfinite(ms) or not low <= ms <= high:
        raise ValueError(f"the GIL switch interval must be a number of ms in [{low:g}, {high:g}], got {ms!r}")
    return float(ms)


@contextlib.contextmanager
def gil_switch_interval(ms: float | None) -> Iterator[None]:
    """Run the block with the process's GIL switch interval at ``ms`` milliseconds, then
    put the old one back (None: leave it as it is).

    Raises:
        ValueError: ``ms`` fails ``checked_switch_ms``.
    """
    if ms is None:
        yield
        return
    seconds = checked_switch_ms(ms) / 1000
    previous = sys.getswitchinterval()
    sys.setswitchinterval(seconds)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)
