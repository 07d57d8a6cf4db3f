from prefsight_client._proto.prefsight.v1 import tensor_pb2 as _tensor_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SteeringVectorRequest(_message.Message):
    __slots__ = ("store", "concept_id", "layer", "recipe")
    STORE_FIELD_NUMBER: _ClassVar[int]
    CONCEPT_ID_FIELD_NUMBER: _ClassVar[int]
    LAYER_FIELD_NUMBER: _ClassVar[int]
    RECIPE_FIELD_NUMBER: _ClassVar[int]
    store: str
    concept_id: str
    layer: int
    recipe: str
    def __init__(self, store: _Optional[str] = ..., concept_id: _Optional[str] = ..., layer: _Optional[int] = ..., recipe: _Optional[str] = ...) -> None: ...

class SteeringProvenance(_message.Message):
    __slots__ = ("model_id", "layer", "concept_id", "recipe", "d_model", "n_layers")
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    LAYER_FIELD_NUMBER: _ClassVar[int]
    CONCEPT_ID_FIELD_NUMBER: _ClassVar[int]
    RECIPE_FIELD_NUMBER: _ClassVar[int]
    D_MODEL_FIELD_NUMBER: _ClassVar[int]
    N_LAYERS_FIELD_NUMBER: _ClassVar[int]
    model_id: str
    layer: int
    concept_id: str
    recipe: str
    d_model: int
    n_layers: int
    def __init__(self, model_id: _Optional[str] = ..., layer: _Optional[int] = ..., concept_id: _Optional[str] = ..., recipe: _Optional[str] = ..., d_model: _Optional[int] = ..., n_layers: _Optional[int] = ...) -> None: ...

class SteeringVectorResponse(_message.Message):
    __slots__ = ("vector", "provenance")
    VECTOR_FIELD_NUMBER: _ClassVar[int]
    PROVENANCE_FIELD_NUMBER: _ClassVar[int]
    vector: _tensor_pb2.Tensor
    provenance: SteeringProvenance
    def __init__(self, vector: _Optional[_Union[_tensor_pb2.Tensor, _Mapping]] = ..., provenance: _Optional[_Union[SteeringProvenance, _Mapping]] = ...) -> None: ...

class ChatMessage(_message.Message):
    __slots__ = ("role", "content")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    role: str
    content: str
    def __init__(self, role: _Optional[str] = ..., content: _Optional[str] = ...) -> None: ...

class Prompt(_message.Message):
    __slots__ = ("messages",)
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    messages: _containers.RepeatedCompositeFieldContainer[ChatMessage]
    def __init__(self, messages: _Optional[_Iterable[_Union[ChatMessage, _Mapping]]] = ...) -> None: ...

class TextBatch(_message.Message):
    __slots__ = ("texts", "prompts")
    TEXTS_FIELD_NUMBER: _ClassVar[int]
    PROMPTS_FIELD_NUMBER: _ClassVar[int]
    texts: _containers.RepeatedScalarFieldContainer[str]
    prompts: _containers.RepeatedCompositeFieldContainer[Prompt]
    def __init__(self, texts: _Optional[_Iterable[str]] = ..., prompts: _Optional[_Iterable[_Union[Prompt, _Mapping]]] = ...) -> None: ...

class ScoreConceptsRequest(_message.Message):
    __slots__ = ("store", "concept_ids", "layer", "texts", "activations", "token_mask")
    STORE_FIELD_NUMBER: _ClassVar[int]
    CONCEPT_IDS_FIELD_NUMBER: _ClassVar[int]
    LAYER_FIELD_NUMBER: _ClassVar[int]
    TEXTS_FIELD_NUMBER: _ClassVar[int]
    ACTIVATIONS_FIELD_NUMBER: _ClassVar[int]
    TOKEN_MASK_FIELD_NUMBER: _ClassVar[int]
    store: str
    concept_ids: _containers.RepeatedScalarFieldContainer[str]
    layer: int
    texts: TextBatch
    activations: _tensor_pb2.Tensor
    token_mask: _tensor_pb2.Tensor
    def __init__(self, store: _Optional[str] = ..., concept_ids: _Optional[_Iterable[str]] = ..., layer: _Optional[int] = ..., texts: _Optional[_Union[TextBatch, _Mapping]] = ..., activations: _Optional[_Union[_tensor_pb2.Tensor, _Mapping]] = ..., token_mask: _Optional[_Union[_tensor_pb2.Tensor, _Mapping]] = ...) -> None: ...

class ScoreConceptsResponse(_message.Message):
    __slots__ = ("scores", "concept_ids", "layer")
    SCORES_FIELD_NUMBER: _ClassVar[int]
    CONCEPT_IDS_FIELD_NUMBER: _ClassVar[int]
    LAYER_FIELD_NUMBER: _ClassVar[int]
    scores: _tensor_pb2.Tensor
    concept_ids: _containers.RepeatedScalarFieldContainer[str]
    layer: int
    def __init__(self, scores: _Optional[_Union[_tensor_pb2.Tensor, _Mapping]] = ..., concept_ids: _Optional[_Iterable[str]] = ..., layer: _Optional[int] = ...) -> None: ...

class ShapingOffsetsRequest(_message.Message):
    __slots__ = ("store", "concept_ids", "weights", "layer", "pair_ids")
    STORE_FIELD_NUMBER: _ClassVar[int]
    CONCEPT_IDS_FIELD_NUMBER: _ClassVar[int]
    WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    LAYER_FIELD_NUMBER: _ClassVar[int]
    PAIR_IDS_FIELD_NUMBER: _ClassVar[int]
    store: str
    concept_ids: _containers.RepeatedScalarFieldContainer[str]
    weights: _containers.RepeatedScalarFieldContainer[float]
    layer: int
    pair_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, store: _Optional[str] = ..., concept_ids: _Optional[_Iterable[str]] = ..., weights: _Optional[_Iterable[float]] = ..., layer: _Optional[int] = ..., pair_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class PairOffset(_message.Message):
    __slots__ = ("pair_id", "offset", "raw")
    PAIR_ID_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    RAW_FIELD_NUMBER: _ClassVar[int]
    pair_id: str
    offset: float
    raw: float
    def __init__(self, pair_id: _Optional[str] = ..., offset: _Optional[float] = ..., raw: _Optional[float] = ...) -> None: ...

class ShapingOffsetsChunk(_message.Message):
    __slots__ = ("offsets", "mean", "std")
    OFFSETS_FIELD_NUMBER: _ClassVar[int]
    MEAN_FIELD_NUMBER: _ClassVar[int]
    STD_FIELD_NUMBER: _ClassVar[int]
    offsets: _containers.RepeatedCompositeFieldContainer[PairOffset]
    mean: float
    std: float
    def __init__(self, offsets: _Optional[_Iterable[_Union[PairOffset, _Mapping]]] = ..., mean: _Optional[float] = ..., std: _Optional[float] = ...) -> None: ...

class ConceptShift(_message.Message):
    __slots__ = ("concept_id", "delta_before", "delta_after", "d_before", "d_after")
    CONCEPT_ID_FIELD_NUMBER: _ClassVar[int]
    DELTA_BEFORE_FIELD_NUMBER: _ClassVar[int]
    DELTA_AFTER_FIELD_NUMBER: _ClassVar[int]
    D_BEFORE_FIELD_NUMBER: _ClassVar[int]
    D_AFTER_FIELD_NUMBER: _ClassVar[int]
    concept_id: str
    delta_before: float
    delta_after: float
    d_before: float
    d_after: float
    def __init__(self, concept_id: _Optional[str] = ..., delta_before: _Optional[float] = ..., delta_after: _Optional[float] = ..., d_before: _Optional[float] = ..., d_after: _Optional[float] = ...) -> None: ...

class PairSelection(_message.Message):
    __slots__ = ("concept_ids", "threshold", "top_fraction", "layer")
    CONCEPT_IDS_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    TOP_FRACTION_FIELD_NUMBER: _ClassVar[int]
    LAYER_FIELD_NUMBER: _ClassVar[int]
    concept_ids: _containers.RepeatedScalarFieldContainer[str]
    threshold: float
    top_fraction: float
    layer: int
    def __init__(self, concept_ids: _Optional[_Iterable[str]] = ..., threshold: _Optional[float] = ..., top_fraction: _Optional[float] = ..., layer: _Optional[int] = ...) -> None: ...

class FilterRequest(_message.Message):
    __slots__ = ("store", "selection", "dry_run", "output_path", "source_dataset", "overwrite")
    STORE_FIELD_NUMBER: _ClassVar[int]
    SELECTION_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_PATH_FIELD_NUMBER: _ClassVar[int]
    SOURCE_DATASET_FIELD_NUMBER: _ClassVar[int]
    OVERWRITE_FIELD_NUMBER: _ClassVar[int]
    store: str
    selection: PairSelection
    dry_run: bool
    output_path: str
    source_dataset: str
    overwrite: bool
    def __init__(self, store: _Optional[str] = ..., selection: _Optional[_Union[PairSelection, _Mapping]] = ..., dry_run: _Optional[bool] = ..., output_path: _Optional[str] = ..., source_dataset: _Optional[str] = ..., overwrite: _Optional[bool] = ...) -> None: ...

class FilterResponse(_message.Message):
    __slots__ = ("n_pairs", "n_removed", "manifest_path", "output_path", "shifts", "dry_run", "source_dataset")
    N_PAIRS_FIELD_NUMBER: _ClassVar[int]
    N_REMOVED_FIELD_NUMBER: _ClassVar[int]
    MANIFEST_PATH_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_PATH_FIELD_NUMBER: _ClassVar[int]
    SHIFTS_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    SOURCE_DATASET_FIELD_NUMBER: _ClassVar[int]
    n_pairs: int
    n_removed: int
    manifest_path: str
    output_path: str
    shifts: _containers.RepeatedCompositeFieldContainer[ConceptShift]
    dry_run: bool
    source_dataset: str
    def __init__(self, n_pairs: _Optional[int] = ..., n_removed: _Optional[int] = ..., manifest_path: _Optional[str] = ..., output_path: _Optional[str] = ..., shifts: _Optional[_Iterable[_Union[ConceptShift, _Mapping]]] = ..., dry_run: _Optional[bool] = ..., source_dataset: _Optional[str] = ...) -> None: ...

class InoculateRequest(_message.Message):
    __slots__ = ("store", "selection", "dry_run", "output_path", "system_prompt_template", "source_dataset", "overwrite")
    STORE_FIELD_NUMBER: _ClassVar[int]
    SELECTION_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_PATH_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_PROMPT_TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_DATASET_FIELD_NUMBER: _ClassVar[int]
    OVERWRITE_FIELD_NUMBER: _ClassVar[int]
    store: str
    selection: PairSelection
    dry_run: bool
    output_path: str
    system_prompt_template: str
    source_dataset: str
    overwrite: bool
    def __init__(self, store: _Optional[str] = ..., selection: _Optional[_Union[PairSelection, _Mapping]] = ..., dry_run: _Optional[bool] = ..., output_path: _Optional[str] = ..., system_prompt_template: _Optional[str] = ..., source_dataset: _Optional[str] = ..., overwrite: _Optional[bool] = ...) -> None: ...

class InoculateResponse(_message.Message):
    __slots__ = ("n_pairs", "n_flagged", "manifest_path", "output_path", "shifts", "dry_run", "source_dataset")
    N_PAIRS_FIELD_NUMBER: _ClassVar[int]
    N_FLAGGED_FIELD_NUMBER: _ClassVar[int]
    MANIFEST_PATH_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_PATH_FIELD_NUMBER: _ClassVar[int]
    SHIFTS_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    SOURCE_DATASET_FIELD_NUMBER: _ClassVar[int]
    n_pairs: int
    n_flagged: int
    manifest_path: str
    output_path: str
    shifts: _containers.RepeatedCompositeFieldContainer[ConceptShift]
    dry_run: bool
    source_dataset: str
    def __init__(self, n_pairs: _Optional[int] = ..., n_flagged: _Optional[int] = ..., manifest_path: _Optional[str] = ..., output_path: _Optional[str] = ..., shifts: _Optional[_Iterable[_Union[ConceptShift, _Mapping]]] = ..., dry_run: _Optional[bool] = ..., source_dataset: _Optional[str] = ...) -> None: ...
