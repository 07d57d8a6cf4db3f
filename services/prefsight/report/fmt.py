"""Escaping and number formatting shared by the report's HTML pieces.

Owns: the one escaping function every untrusted string goes through
(``esc``), JSON that is safe inside a ``<script>`` element, and how numbers
read in the report. Leaves layout to ``sections``/``tables``/``drilldown``.
"""

from __future__ import annotations

import html
import json
import math
from typing import Any

MISSING = "—"
"""What a statistic that was not computed shows as."""


def esc(text: object) -> str:
    """HTML-escape any value for element content or a quoted attribute."""
    return html.escape(str(text), quote=True)


def plot_text(text: object, limit: int = 80) -> str:
    """Escape a string for Plotly, which interprets a few HTML-like tags.

    Plotly turns ``&lt;`` back into a literal ``<`` when it draws, so the text
    shows as written and no tag in it is interpreted.
    """
    raw = str(text)
    if len(raw) > limit:
        raw = raw[: limit - 1] + "…"
    return html.escape(raw, quote=False)


def script_json(value: Any) -> str:
    """JSON text that cannot end or confuse the ``<script>`` element it sits in."""
    text = value if isinstance(value, str) else json.dumps(value, allow_nan=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def is_number(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def num(value: float | None, spec: str = ".3g") -> str:
    """A number with ``spec``, or the missing mark."""
    return format(value, spec) if is_number(value) else MISSING


def signed(value: float | None, spec: str = "+.3g") -> str:
    """A signed number (minus as U+2212 for readability), or the missing mark."""
    return num(value, spec).replace("-", "\u2212")


def qval(value: float | None) -> str:
    """A p- or q-value: fixed above 0.001, scientific below."""
    if not is_number(value):
        return MISSING
    assert value is not None
    if value == 0.0:
        return "0"
    return format(value, ".3f") if value >= 1e-3 else format(value, ".1e").replace("-", "\u2212")


def pct(value: float | None) -> str:
    """A rate in [0, 1] as a percentage."""
    return format(value * 100.0, ".0f") + "%" if is_number(value) and value is not None else MISSING


def sort_key(value: float | None) -> str:
    """The ``data-sort`` attribute value of a numeric cell; empty sorts last."""
    return repr(float(value)) if value is not None and math.isfinite(value) else ""


def seconds(value: float) -> str:
    """A duration for people: 0.8 s, 12.3 s, 4 min 05 s, 1 h 02 min."""
    if not is_number(value):
        return MISSING
    if value < 60:
        return f"{value:.1f} s"
    minutes, secs = divmod(int(round(value)), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
