"""``StoreSession``: every question one store answers, for the CLI and the server.

Each method validates its input and calls the domain packages; nothing here knows
about protobuf or the terminal. The session is one class assembled from one module
per kind of question, all over the caches of ``cache.StoreCache``:

- ``cache``: table-version checks, the analysis of a layer, the catalog, the model;
- ``findings``: ranked contrast records and per-pair scores;
- ``search``: nearest concepts and nearest responses;
- ``concepts``: define, rename and score concepts;
- ``interventions``: steering, shaping offsets, filter and inoculate.

Thread-safe: the server calls it from its worker threads.
"""

from __future__ import annotations

from prefsight.session.concepts import ConceptQueries
from prefsight.session.findings import FindingsQueries
from prefsight.session.interventions import InterventionQueries
from prefsight.session.search import SearchQueries

__all__ = ["StoreSession"]


class StoreSession(FindingsQueries, SearchQueries, ConceptQueries, InterventionQueries):
    """One store, its caches and (on demand) its model: every question it answers."""
