"""prefsight.store: the LanceDB activation store.

``Store`` and ``RunRecord`` load on first use, so ``prefsight.store.objects`` and
``prefsight.store.schema`` stay light for the quick CLI queries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prefsight.store.tables import RunRecord, Store

__all__ = ["RunRecord", "Store"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from prefsight.store import tables

        return getattr(tables, name)
    raise AttributeError(f"module 'prefsight.store' has no attribute {name!r}")
