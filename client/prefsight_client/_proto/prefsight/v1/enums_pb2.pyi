from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor

class ConceptKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONCEPT_KIND_UNSPECIFIED: _ClassVar[ConceptKind]
    CONCEPT_KIND_CONTRAST: _ClassVar[ConceptKind]
    CONCEPT_KIND_SAE: _ClassVar[ConceptKind]
    CONCEPT_KIND_NAMED: _ClassVar[ConceptKind]
    CONCEPT_KIND_TEXT: _ClassVar[ConceptKind]

class Pooling(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    POOLING_UNSPECIFIED: _ClassVar[Pooling]
    POOLING_MEAN: _ClassVar[Pooling]
    POOLING_MAX: _ClassVar[Pooling]
    POOLING_LAST: _ClassVar[Pooling]

class DatasetFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DATASET_FORMAT_UNSPECIFIED: _ClassVar[DatasetFormat]
    DATASET_FORMAT_TRL: _ClassVar[DatasetFormat]
    DATASET_FORMAT_TRL_CONVERSATIONAL: _ClassVar[DatasetFormat]
    DATASET_FORMAT_TRL_IMPLICIT: _ClassVar[DatasetFormat]
    DATASET_FORMAT_HH_RLHF: _ClassVar[DatasetFormat]
CONCEPT_KIND_UNSPECIFIED: ConceptKind
CONCEPT_KIND_CONTRAST: ConceptKind
CONCEPT_KIND_SAE: ConceptKind
CONCEPT_KIND_NAMED: ConceptKind
CONCEPT_KIND_TEXT: ConceptKind
POOLING_UNSPECIFIED: Pooling
POOLING_MEAN: Pooling
POOLING_MAX: Pooling
POOLING_LAST: Pooling
DATASET_FORMAT_UNSPECIFIED: DatasetFormat
DATASET_FORMAT_TRL: DatasetFormat
DATASET_FORMAT_TRL_CONVERSATIONAL: DatasetFormat
DATASET_FORMAT_TRL_IMPLICIT: DatasetFormat
DATASET_FORMAT_HH_RLHF: DatasetFormat
