"""The Prefsight RPCs over ``StoreSession``: resolve the store, validate, call, convert.

Owns: assembling ``PrefsightServicer`` from one mixin per group of RPCs in
``rpcs`` (stores, concepts, interventions), each holding its RPCs' input checks
and the order of their calls. Which store a request names is ``stores``'s; ingest
runs and their streams are ``ingest_runs``'s; where datasets are read and exports
written ``paths``'s (confined to the configured roots), which dataset an export
copies ``sources``'s; protobuf fields are read and written by ``convert``;
statistics, searches and caches belong to ``StoreSession``. A ``prefsight.errors``
exception becomes its status code in ``interceptors.ErrorInterceptor``;
authentication is ``auth``'s.

Example:
    >>> from prefsight.server.app import build_server
    >>> server = build_server(PrefsightServicer(["/data/stores/demo"])).start()  # doctest: +SKIP
"""

from __future__ import annotations

from prefsight_client._proto.prefsight.v1 import prefsight_pb2_grpc

from prefsight.server.rpcs.base import ServicerConfig
from prefsight.server.rpcs.concepts import ConceptRPCs
from prefsight.server.rpcs.interventions import InterventionRPCs
from prefsight.server.rpcs.stores import StoreRPCs

__all__ = ["PrefsightServicer", "ServicerConfig"]


class PrefsightServicer(StoreRPCs, ConceptRPCs, InterventionRPCs, prefsight_pb2_grpc.PrefsightServicer):
    """Every Prefsight RPC over the served stores' ``StoreSession``s.

    Args:
        stores: store paths or URIs to serve (or a ready ``StoreRegistry``).
        config: defaults and bounds.
    """
