"""Tables from result dataclasses: ``to_pandas()`` and the HTML table Jupyter shows.

Owns: turning one record (a frozen dataclass) or a list of them into rows, a
``pandas.DataFrame`` (pandas is imported only when asked) and an HTML table.
The server package keeps a twin of this module (``prefsight.records``): the
client never imports ``prefsight``.
"""

from __future__ import annotations

import html
from dataclasses import fields, is_dataclass
from typing import Any

MAX_HTML_ROWS = 50


def record_row(record: Any) -> dict[str, Any]:
    """One record's fields as a flat dict (nested dataclasses become their ``id`` or dict)."""
    row: dict[str, Any] = {}
    for f in fields(record):
        value = getattr(record, f.name)
        if is_dataclass(value):
            for g in fields(value):
                row.setdefault(g.name, getattr(value, g.name))
        else:
            row[f.name] = value
    return row


def html_table(rows: list[dict[str, Any]], title: str = "") -> str:
    """A plain HTML table of rows (the first MAX_HTML_ROWS), without pandas."""
    columns = list(rows[0]) if rows else []
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_fmt(r.get(c)))}</td>" for c in columns) + "</tr>"
        for r in rows[:MAX_HTML_ROWS]
    )
    more = f"<p>… {len(rows) - MAX_HTML_ROWS} more rows</p>" if len(rows) > MAX_HTML_ROWS else ""
    caption = f"<caption>{html.escape(title)}</caption>" if title else ""
    return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return format(value, ".4g")
    return "" if value is None else str(value)


class Tabular:
    """Mixin: ``_rows()`` -> ``to_pandas()`` and ``_repr_html_()``."""

    def _rows(self) -> list[dict[str, Any]]:
        return [record_row(self)]

    def to_pandas(self) -> Any:
        """The rows as a ``pandas.DataFrame`` (one row per record)."""
        import pandas as pd

        return pd.DataFrame(self._rows())

    def _repr_html_(self) -> str:
        return html_table(self._rows(), type(self).__name__)


class RecordList(list, Tabular):  # type: ignore[type-arg]
    """A plain list of records that also makes a table (``to_pandas()``, Jupyter HTML)."""

    def _rows(self) -> list[dict[str, Any]]:
        return [record_row(x) for x in self]
