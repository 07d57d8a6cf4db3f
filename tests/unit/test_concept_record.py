"""One ConceptRecord: the proto, the contrast's keys, the report rows and both
conversions take their field lists from the client's dataclass."""

from __future__ import annotations

import math
import typing
from dataclasses import fields

import pytest
from prefsight_client import _convert
from prefsight_client._proto.prefsight.v1 import concepts_pb2
from prefsight_client.results import ConceptRecord, ConceptStat, record_fields

_WIRE_TYPES = {
    "str": {"TYPE_STRING", "TYPE_ENUM"},
    "int": {"TYPE_INT32", "TYPE_INT64"},
    "float": {"TYPE_DOUBLE"},
    "bool": {"TYPE_BOOL"},
    "float | None": {"TYPE_DOUBLE"},
    "bool | None": {"TYPE_BOOL"},
}


def _type_name(number: int) -> str:
    from google.protobuf.descriptor import FieldDescriptor

    return next(n for n in dir(FieldDescriptor) if n.startswith("TYPE_") and getattr(FieldDescriptor, n) == number)


def test_the_proto_concept_stat_has_exactly_the_record_fields():
    proto = concepts_pb2.ConceptStat.DESCRIPTOR.fields_by_name
    assert set(proto) == {f.name for f in fields(ConceptRecord)}


def test_each_proto_field_has_the_record_field_type_and_presence():
    proto = concepts_pb2.ConceptStat.DESCRIPTOR.fields_by_name
    hints = typing.get_type_hints(ConceptRecord)
    optional = set(record_fields("optional"))
    for f in fields(ConceptRecord):
        wire = proto[f.name]
        expected = _WIRE_TYPES[str(f.type)]
        assert _type_name(wire.type) in expected, (f.name, _type_name(wire.type))
        has_presence = wire.has_presence and wire.containing_oneof is not None
        assert has_presence == (f.name in optional), f.name  # proto3 optional = synthetic oneof
        assert f.name in hints


def test_the_record_groups_cover_the_numbers():
    statistics = record_fields("statistic")
    assert set(record_fields("statistic", "contrast")) | set(record_fields("statistic", "net")) == set(statistics)
    assert {"t", "split_half", "std_effect", "delta_net"} <= set(statistics)
    assert ConceptStat is ConceptRecord


def test_contrast_record_keys_and_report_floats_derive_from_the_record():
    from prefsight.contrast import RECORD_KEYS
    from prefsight.records import NUMBERS
    from prefsight.report import rows
    from prefsight.server.convert import concepts as convert

    assert RECORD_KEYS == ("id", "label", "kind", *record_fields("statistic", "contrast"))
    assert set(rows.ROW_FLOATS) == set(record_fields("statistic")) & set(rows.ConceptRow.__dataclass_fields__) - {
        "split_half"
    }
    assert convert.STAT_FIELDS == record_fields("statistic")
    assert set(NUMBERS) == set(record_fields("statistic")) - {"split_half"}


@pytest.mark.parametrize(
    "record",
    [
        {"id": "named:L2:x", "label": "x", "kind": "named", "layer": 2, "delta": 0.5, "d": 1.0,
         "q": 0.01, "p": 0.001, "ci_low": 0.1, "ci_high": 0.9, "split_half": True,
         "fire_rate": 0.5, "delta_min": 0.2, "d_min": 0.3, "predicted_shift": 0.4,
         "delta_net": 0.25, "d_net": 0.5, "q_net": 0.02, "std_effect": 0.4, "t": 7.0,
         "reliable": True, "heldout_auroc": 0.9},
        {"id": "text:url", "label": "urls", "kind": "text", "layer": None, "delta": 0.0,
         "d": None, "q": None, "split_half": False, "overall": True, "pair_accuracy": 0.75},
    ],
)  # fmt: skip
def test_local_and_wire_records_are_the_same_record(record):
    from prefsight.records import concept_stat
    from prefsight.server.convert import concepts as convert

    local = concept_stat(record, n_pairs=60)
    wired = _convert.concept_stat(
        concepts_pb2.ConceptStat.FromString(convert.concept_stat(record, 60).SerializeToString())
    )

    def same(a: object, b: object) -> bool:
        return (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)) or a == b

    for f in fields(ConceptRecord):
        assert same(getattr(local, f.name), getattr(wired, f.name)), f.name
