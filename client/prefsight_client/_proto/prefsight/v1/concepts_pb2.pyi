from prefsight_client._proto.prefsight.v1 import enums_pb2 as _enums_pb2
from prefsight_client._proto.prefsight.v1 import tensor_pb2 as _tensor_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Concept(_message.Message):
    __slots__ = ("id", "label", "kind", "layer", "description", "source", "model_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    LAYER_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    label: str
    kind: _enums_pb2.ConceptKind
    layer: int
    description: str
    source: str
    model_id: str
    def __init__(self, id: _Optional[str] = ..., label: _Optional[str] = ..., kind: _Optional[_Union[_enums_pb2.ConceptKind, str]] = ..., layer: _Optional[int] = ..., description: _Optional[str] = ..., source: _Optional[str] = ..., model_id: _Optional[str] = ...) -> None: ...

class ContrastRequest(_message.Message):
    __slots__ = ("store", "layer", "kinds", "top_k", "q_max", "topic")
    STORE_FIELD_NUMBER: _ClassVar[int]
    LAYER_FIELD_NUMBER: _ClassVar[int]
    KINDS_FIELD_NUMBER: _ClassVar[int]
    TOP_K_FIELD_NUMBER: _ClassVar[int]
    Q_MAX_FIELD_NUMBER: _ClassVar[int]
    TOPIC_FIELD_NUMBER: _ClassVar[int]
    store: str
    layer: int
    kinds: _containers.RepeatedScalarFieldContainer[_enums_pb2.ConceptKind]
    top_k: int
    q_max: float
    topic: str
    def __init__(self, store: _Optional[str] = ..., layer: _Optional[int] = ..., kinds: _Optional[_Iterable[_Union[_enums_pb2.ConceptKind, str]]] = ..., top_k: _Optional[int] = ..., q_max: _Optional[float] = ..., topic: _Optional[str] = ...) -> None: ...

class ConceptStat(_message.Message):
    __slots__ = ("id", "label", "kind", "layer", "delta", "d", "q", "p", "ci_low", "ci_high", "split_half", "fire_rate", "delta_min", "d_min", "predicted_shift", "n_pairs", "delta_net", "d_net", "q_net", "std_effect", "t", "reliable", "heldout_auroc", "overall", "pair_accuracy", "generic")
    ID_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    LAYER_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    D_FIELD_NUMBER: _ClassVar[int]
    Q_FIELD_NUMBER: _ClassVar[int]
    P_FIELD_NUMBER: _ClassVar[int]
    CI_LOW_FIELD_NUMBER: _ClassVar[int]
    CI_HIGH_FIELD_NUMBER: _ClassVar[int]
    SPLIT_HALF_FIELD_NUMBER: _ClassVar[int]
    FIRE_RATE_FIELD_NUMBER: _ClassVar[int]
    DELTA_MIN_FIELD_NUMBER: _ClassVar[int]
    D_MIN_FIELD_NUMBER: _ClassVar[int]
    PREDICTED_SHIFT_FIELD_NUMBER: _ClassVar[int]
    N_PAIRS_FIELD_NUMBER: _ClassVar[int]
    DELTA_NET_FIELD_NUMBER: _ClassVar[int]
    D_NET_FIELD_NUMBER: _ClassVar[int]
    Q_NET_FIELD_NUMBER: _ClassVar[int]
    STD_EFFECT_FIELD_NUMBER: _ClassVar[int]
    T_FIELD_NUMBER: _ClassVar[int]
    RELIABLE_FIELD_NUMBER: _ClassVar[int]
    HELDOUT_AUROC_FIELD_NUMBER: _ClassVar[int]
    OVERALL_FIELD_NUMBER: _ClassVar[int]
    PAIR_ACCURACY_FIELD_NUMBER: _ClassVar[int]
    GENERIC_FIELD_NUMBER: _ClassVar[int]
    id: str
    label: str
    kind: _enums_pb2.ConceptKind
    layer: int
    delta: float
    d: float
    q: float
    p: float
    ci_low: float
    ci_high: float
    split_half: float
    fire_rate: float
    delta_min: float
    d_min: float
    predicted_shift: float
    n_pairs: int
    delta_net: float
    d_net: float
    q_net: float
    std_effect: float
    t: float
    reliable: bool
    heldout_auroc: float
    overall: bool
    pair_accuracy: float
    generic: bool
    def __init__(self, id: _Optional[str] = ..., label: _Optional[str] = ..., kind: _Optional[_Union[_enums_pb2.ConceptKind, str]] = ..., layer: _Optional[int] = ..., delta: _Optional[float] = ..., d: _Optional[float] = ..., q: _Optional[float] = ..., p: _Optional[float] = ..., ci_low: _Optional[float] = ..., ci_high: _Optional[float] = ..., split_half: _Optional[float] = ..., fire_rate: _Optional[float] = ..., delta_min: _Optional[float] = ..., d_min: _Optional[float] = ..., predicted_shift: _Optional[float] = ..., n_pairs: _Optional[int] = ..., delta_net: _Optional[float] = ..., d_net: _Optional[float] = ..., q_net: _Optional[float] = ..., std_effect: _Optional[float] = ..., t: _Optional[float] = ..., reliable: _Optional[bool] = ..., heldout_auroc: _Optional[float] = ..., overall: _Optional[bool] = ..., pair_accuracy: _Optional[float] = ..., generic: _Optional[bool] = ...) -> None: ...

class ContrastResponse(_message.Message):
    __slots__ = ("concepts", "n_pairs", "layer", "pooling", "model_id", "overall")
    CONCEPTS_FIELD_NUMBER: _ClassVar[int]
    N_PAIRS_FIELD_NUMBER: _ClassVar[int]
    LAYER_FIELD_NUMBER: _ClassVar[int]
    POOLING_FIELD_NUMBER: _ClassVar[int]
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    OVERALL_FIELD_NUMBER: _ClassVar[int]
    concepts: _containers.RepeatedCompositeFieldContainer[ConceptStat]
    n_pairs: int
    layer: int
    pooling: _enums_pb2.Pooling
    model_id: str
    overall: _containers.RepeatedCompositeFieldContainer[ConceptStat]
    def __init__(self, concepts: _Optional[_Iterable[_Union[ConceptStat, _Mapping]]] = ..., n_pairs: _Optional[int] = ..., layer: _Optional[int] = ..., pooling: _Optional[_Union[_enums_pb2.Pooling, str]] = ..., model_id: _Optional[str] = ..., overall: _Optional[_Iterable[_Union[ConceptStat, _Mapping]]] = ...) -> None: ...

class ScoresRequest(_message.Message):
    __slots__ = ("store", "concept_id", "layer", "pair_ids")
    STORE_FIELD_NUMBER: _ClassVar[int]
    CONCEPT_ID_FIELD_NUMBER: _ClassVar[int]
    LAYER_FIELD_NUMBER: _ClassVar[int]
    PAIR_IDS_FIELD_NUMBER: _ClassVar[int]
    store: str
    concept_id: str
    layer: int
    pair_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, store: _Optional[str] = ..., concept_id: _Optional[str] = ..., layer: _Optional[int] = ..., pair_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class PairScore(_message.Message):
    __slots__ = ("pair_id", "chosen", "rejected", "delta")
    PAIR_ID_FIELD_NUMBER: _ClassVar[int]
    CHOSEN_FIELD_NUMBER: _ClassVar[int]
    REJECTED_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    pair_id: str
    chosen: float
    rejected: float
    delta: float
    def __init__(self, pair_id: _Optional[str] = ..., chosen: _Optional[float] = ..., rejected: _Optional[float] = ..., delta: _Optional[float] = ...) -> None: ...

class ScoresChunk(_message.Message):
    __slots__ = ("scores",)
    SCORES_FIELD_NUMBER: _ClassVar[int]
    scores: _containers.RepeatedCompositeFieldContainer[PairScore]
    def __init__(self, scores: _Optional[_Iterable[_Union[PairScore, _Mapping]]] = ...) -> None: ...

class NearestFeaturesRequest(_message.Message):
    __slots__ = ("store", "vector", "concept_id", "text", "k", "layer", "kinds")
    STORE_FIELD_NUMBER: _ClassVar[int]
    VECTOR_FIELD_NUMBER: _ClassVar[int]
    CONCEPT_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    K_FIELD_NUMBER: _ClassVar[int]
    LAYER_FIELD_NUMBER: _ClassVar[int]
    KINDS_FIELD_NUMBER: _ClassVar[int]
    store: str
    vector: _tensor_pb2.Tensor
    concept_id: str
    text: str
    k: int
    layer: int
    kinds: _containers.RepeatedScalarFieldContainer[_enums_pb2.ConceptKind]
    def __init__(self, store: _Optional[str] = ..., vector: _Optional[_Union[_tensor_pb2.Tensor, _Mapping]] = ..., concept_id: _Optional[str] = ..., text: _Optional[str] = ..., k: _Optional[int] = ..., layer: _Optional[int] = ..., kinds: _Optional[_Iterable[_Union[_enums_pb2.ConceptKind, str]]] = ...) -> None: ...

class FeatureHit(_message.Message):
    __slots__ = ("concept", "score")
    CONCEPT_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    concept: Concept
    score: float
    def __init__(self, concept: _Optional[_Union[Concept, _Mapping]] = ..., score: _Optional[float] = ...) -> None: ...

class NearestFeaturesResponse(_message.Message):
    __slots__ = ("hits",)
    HITS_FIELD_NUMBER: _ClassVar[int]
    hits: _containers.RepeatedCompositeFieldContainer[FeatureHit]
    def __init__(self, hits: _Optional[_Iterable[_Union[FeatureHit, _Mapping]]] = ...) -> None: ...

class NearestExamplesRequest(_message.Message):
    __slots__ = ("store", "vector", "concept_id", "text", "k", "layer", "pooling", "side")
    STORE_FIELD_NUMBER: _ClassVar[int]
    VECTOR_FIELD_NUMBER: _ClassVar[int]
    CONCEPT_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    K_FIELD_NUMBER: _ClassVar[int]
    LAYER_FIELD_NUMBER: _ClassVar[int]
    POOLING_FIELD_NUMBER: _ClassVar[int]
    SIDE_FIELD_NUMBER: _ClassVar[int]
    store: str
    vector: _tensor_pb2.Tensor
    concept_id: str
    text: str
    k: int
    layer: int
    pooling: _enums_pb2.Pooling
    side: str
    def __init__(self, store: _Optional[str] = ..., vector: _Optional[_Union[_tensor_pb2.Tensor, _Mapping]] = ..., concept_id: _Optional[str] = ..., text: _Optional[str] = ..., k: _Optional[int] = ..., layer: _Optional[int] = ..., pooling: _Optional[_Union[_enums_pb2.Pooling, str]] = ..., side: _Optional[str] = ...) -> None: ...

class ExampleHit(_message.Message):
    __slots__ = ("pair_id", "side", "score", "prompt", "response")
    PAIR_ID_FIELD_NUMBER: _ClassVar[int]
    SIDE_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    pair_id: str
    side: str
    score: float
    prompt: str
    response: str
    def __init__(self, pair_id: _Optional[str] = ..., side: _Optional[str] = ..., score: _Optional[float] = ..., prompt: _Optional[str] = ..., response: _Optional[str] = ...) -> None: ...

class NearestExamplesResponse(_message.Message):
    __slots__ = ("hits",)
    HITS_FIELD_NUMBER: _ClassVar[int]
    hits: _containers.RepeatedCompositeFieldContainer[ExampleHit]
    def __init__(self, hits: _Optional[_Iterable[_Union[ExampleHit, _Mapping]]] = ...) -> None: ...

class DefineConceptRequest(_message.Message):
    __slots__ = ("store", "name", "positive_texts", "negative_texts", "layer", "description", "overwrite")
    STORE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    POSITIVE_TEXTS_FIELD_NUMBER: _ClassVar[int]
    NEGATIVE_TEXTS_FIELD_NUMBER: _ClassVar[int]
    LAYER_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    OVERWRITE_FIELD_NUMBER: _ClassVar[int]
    store: str
    name: str
    positive_texts: _containers.RepeatedScalarFieldContainer[str]
    negative_texts: _containers.RepeatedScalarFieldContainer[str]
    layer: int
    description: str
    overwrite: bool
    def __init__(self, store: _Optional[str] = ..., name: _Optional[str] = ..., positive_texts: _Optional[_Iterable[str]] = ..., negative_texts: _Optional[_Iterable[str]] = ..., layer: _Optional[int] = ..., description: _Optional[str] = ..., overwrite: _Optional[bool] = ...) -> None: ...

class DefineConceptResponse(_message.Message):
    __slots__ = ("concept", "separation")
    CONCEPT_FIELD_NUMBER: _ClassVar[int]
    SEPARATION_FIELD_NUMBER: _ClassVar[int]
    concept: Concept
    separation: float
    def __init__(self, concept: _Optional[_Union[Concept, _Mapping]] = ..., separation: _Optional[float] = ...) -> None: ...
