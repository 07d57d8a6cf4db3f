"""Protobuf <-> the domain's dataclasses, dicts and arrays, for the servicer.

Owns: every field-by-field read of a request (``read``) and write of a response,
one module per message family (``concepts``, ``interventions``, ``stores``), so
the servicer only validates and calls ``StoreSession``; nothing else on the server
imports the generated messages' fields. Arrays travel as ``Tensor`` (packed
little-endian float32), packed and unpacked by ``prefsight_client.tensors``.
A value that cannot be represented on the wire (a text check's missing layer,
a statistic that is None) becomes -1 or NaN, as the field comments say.
"""

from __future__ import annotations

import math
from typing import Any

NO_LAYER = -1
"""The wire's layer for concepts without one (text checks)."""


def number(value: Any) -> float:
    """A record value as a double; None (undefined) is NaN, booleans 0/1."""
    return math.nan if value is None else float(value)
