"""prefsight.store: the LanceDB activation store."""

from prefsight.store.tables import RunRecord, Store

__all__ = ["RunRecord", "Store"]
