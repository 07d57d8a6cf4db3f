from prefsight_client._proto.prefsight.v1 import enums_pb2 as _enums_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ListStoresRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListStoresResponse(_message.Message):
    __slots__ = ("stores", "next_page_token")
    STORES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    stores: _containers.RepeatedScalarFieldContainer[str]
    next_page_token: str
    def __init__(self, stores: _Optional[_Iterable[str]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class InfoRequest(_message.Message):
    __slots__ = ("store",)
    STORE_FIELD_NUMBER: _ClassVar[int]
    store: str
    def __init__(self, store: _Optional[str] = ...) -> None: ...

class TableInfo(_message.Message):
    __slots__ = ("name", "rows")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    name: str
    rows: int
    def __init__(self, name: _Optional[str] = ..., rows: _Optional[int] = ...) -> None: ...

class ModelInfo(_message.Message):
    __slots__ = ("model_id", "d_model", "n_layers", "layers", "poolings")
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    D_MODEL_FIELD_NUMBER: _ClassVar[int]
    N_LAYERS_FIELD_NUMBER: _ClassVar[int]
    LAYERS_FIELD_NUMBER: _ClassVar[int]
    POOLINGS_FIELD_NUMBER: _ClassVar[int]
    model_id: str
    d_model: int
    n_layers: int
    layers: _containers.RepeatedScalarFieldContainer[int]
    poolings: _containers.RepeatedScalarFieldContainer[_enums_pb2.Pooling]
    def __init__(self, model_id: _Optional[str] = ..., d_model: _Optional[int] = ..., n_layers: _Optional[int] = ..., layers: _Optional[_Iterable[int]] = ..., poolings: _Optional[_Iterable[_Union[_enums_pb2.Pooling, str]]] = ...) -> None: ...

class RunInfo(_message.Message):
    __slots__ = ("run_id", "model_id", "dataset", "layers", "poolings", "pairs", "tokens", "status", "started_at", "finished_at")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    DATASET_FIELD_NUMBER: _ClassVar[int]
    LAYERS_FIELD_NUMBER: _ClassVar[int]
    POOLINGS_FIELD_NUMBER: _ClassVar[int]
    PAIRS_FIELD_NUMBER: _ClassVar[int]
    TOKENS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    model_id: str
    dataset: str
    layers: _containers.RepeatedScalarFieldContainer[int]
    poolings: _containers.RepeatedScalarFieldContainer[_enums_pb2.Pooling]
    pairs: int
    tokens: int
    status: str
    started_at: str
    finished_at: str
    def __init__(self, run_id: _Optional[str] = ..., model_id: _Optional[str] = ..., dataset: _Optional[str] = ..., layers: _Optional[_Iterable[int]] = ..., poolings: _Optional[_Iterable[_Union[_enums_pb2.Pooling, str]]] = ..., pairs: _Optional[int] = ..., tokens: _Optional[int] = ..., status: _Optional[str] = ..., started_at: _Optional[str] = ..., finished_at: _Optional[str] = ...) -> None: ...

class InfoResponse(_message.Message):
    __slots__ = ("store", "uri", "tables", "pairs", "concepts", "models", "runs", "is_ingested", "server_version")
    STORE_FIELD_NUMBER: _ClassVar[int]
    URI_FIELD_NUMBER: _ClassVar[int]
    TABLES_FIELD_NUMBER: _ClassVar[int]
    PAIRS_FIELD_NUMBER: _ClassVar[int]
    CONCEPTS_FIELD_NUMBER: _ClassVar[int]
    MODELS_FIELD_NUMBER: _ClassVar[int]
    RUNS_FIELD_NUMBER: _ClassVar[int]
    IS_INGESTED_FIELD_NUMBER: _ClassVar[int]
    SERVER_VERSION_FIELD_NUMBER: _ClassVar[int]
    store: str
    uri: str
    tables: _containers.RepeatedCompositeFieldContainer[TableInfo]
    pairs: int
    concepts: int
    models: _containers.RepeatedCompositeFieldContainer[ModelInfo]
    runs: _containers.RepeatedCompositeFieldContainer[RunInfo]
    is_ingested: bool
    server_version: str
    def __init__(self, store: _Optional[str] = ..., uri: _Optional[str] = ..., tables: _Optional[_Iterable[_Union[TableInfo, _Mapping]]] = ..., pairs: _Optional[int] = ..., concepts: _Optional[int] = ..., models: _Optional[_Iterable[_Union[ModelInfo, _Mapping]]] = ..., runs: _Optional[_Iterable[_Union[RunInfo, _Mapping]]] = ..., is_ingested: _Optional[bool] = ..., server_version: _Optional[str] = ...) -> None: ...

class IngestRequest(_message.Message):
    __slots__ = ("store", "dataset", "dataset_format", "split", "model", "layers", "limit", "token_budget", "max_length", "token_sample")
    STORE_FIELD_NUMBER: _ClassVar[int]
    DATASET_FIELD_NUMBER: _ClassVar[int]
    DATASET_FORMAT_FIELD_NUMBER: _ClassVar[int]
    SPLIT_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    LAYERS_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    TOKEN_BUDGET_FIELD_NUMBER: _ClassVar[int]
    MAX_LENGTH_FIELD_NUMBER: _ClassVar[int]
    TOKEN_SAMPLE_FIELD_NUMBER: _ClassVar[int]
    store: str
    dataset: str
    dataset_format: _enums_pb2.DatasetFormat
    split: str
    model: str
    layers: _containers.RepeatedScalarFieldContainer[int]
    limit: int
    token_budget: int
    max_length: int
    token_sample: int
    def __init__(self, store: _Optional[str] = ..., dataset: _Optional[str] = ..., dataset_format: _Optional[_Union[_enums_pb2.DatasetFormat, str]] = ..., split: _Optional[str] = ..., model: _Optional[str] = ..., layers: _Optional[_Iterable[int]] = ..., limit: _Optional[int] = ..., token_budget: _Optional[int] = ..., max_length: _Optional[int] = ..., token_sample: _Optional[int] = ...) -> None: ...

class IngestProgress(_message.Message):
    __slots__ = ("run_id", "pairs_done", "pairs_total", "tokens", "seconds", "stage", "message", "pairs_skipped")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    PAIRS_DONE_FIELD_NUMBER: _ClassVar[int]
    PAIRS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    TOKENS_FIELD_NUMBER: _ClassVar[int]
    SECONDS_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    PAIRS_SKIPPED_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    pairs_done: int
    pairs_total: int
    tokens: int
    seconds: float
    stage: str
    message: str
    pairs_skipped: int
    def __init__(self, run_id: _Optional[str] = ..., pairs_done: _Optional[int] = ..., pairs_total: _Optional[int] = ..., tokens: _Optional[int] = ..., seconds: _Optional[float] = ..., stage: _Optional[str] = ..., message: _Optional[str] = ..., pairs_skipped: _Optional[int] = ...) -> None: ...
