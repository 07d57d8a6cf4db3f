"""prefsight_client: the Python client for a prefsight server, and trainer helpers.

Light by design: importing this package needs only grpcio, protobuf and NumPy.
The trainer helpers (``prefsight_client.training``: steering, TRL reward
functions, shaped DPO) import torch, and TRL where needed, when used.

Example:
    >>> from prefsight_client import Client
    >>> client = Client("localhost:50051", token="secret")
    >>> client.contrast("demo", top_k=5).concepts[0].label  # doctest: +ELLIPSIS
    '...'
"""

from prefsight_client._retry import RetryPolicy
from prefsight_client._version import __version__
from prefsight_client.aio import AsyncClient
from prefsight_client.client import Client
from prefsight_client.errors import (
    CancelledError,
    DeadlineExceededError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    PrefsightClientError,
    ResourceExhaustedError,
    ServerError,
    SteeringMismatchError,
    UnauthenticatedError,
    UnavailableError,
    UnimplementedError,
)
from prefsight_client.results import (
    Concept,
    ConceptRecord,
    ConceptShift,
    ConceptStat,
    ContrastResult,
    DefinedConcept,
    ExampleHit,
    FeatureHit,
    FilterResult,
    IngestProgress,
    InoculateResult,
    ModelInfo,
    PairScore,
    PairScores,
    RunInfo,
    ShapingOffsets,
    StoreInfo,
    TableInfo,
)
from prefsight_client.vectors import SteeringVector

__all__ = [
    "AsyncClient",
    "CancelledError",
    "Client",
    "Concept",
    "ConceptRecord",
    "ConceptShift",
    "ConceptStat",
    "ContrastResult",
    "DeadlineExceededError",
    "DefinedConcept",
    "ExampleHit",
    "FailedPreconditionError",
    "FeatureHit",
    "FilterResult",
    "IngestProgress",
    "InoculateResult",
    "InvalidArgumentError",
    "ModelInfo",
    "NotFoundError",
    "PairScore",
    "PairScores",
    "PermissionDeniedError",
    "PrefsightClientError",
    "ResourceExhaustedError",
    "RetryPolicy",
    "RunInfo",
    "ServerError",
    "ShapingOffsets",
    "SteeringMismatchError",
    "SteeringVector",
    "StoreInfo",
    "TableInfo",
    "UnauthenticatedError",
    "UnavailableError",
    "UnimplementedError",
    "__version__",
]
