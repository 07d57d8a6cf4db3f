"""Property-based fuzzing of every Prefsight RPC on a live server: no INTERNAL, no hang, no crash.

Requests are generated from the protobuf descriptors (every field of every
request message, oneofs, nested tensors), with values drawn from pools that
reach the interesting code: the served store names and some that are not (a NUL,
100 kB), real concept ids and junk, paths that escape the roots, NaN and huge
numbers, texts from empty to over the model's limit. Each answer must be OK or a
clear status; never INTERNAL or UNKNOWN, never past its deadline. The server runs
over a copy of the audited demo store, with a data root holding a bad dataset and
a non-dataset file, and an export root.

A second pass mutates one or two fields of a request that is answered OK, so the
generated values reach the deep checks too. ``PREFSIGHT_FUZZ_EXAMPLES`` sets the
examples per RPC and pass (default 12, about a minute
in all); ``bench/fuzz_server.py`` runs thousands. ``PREFSIGHT_FUZZ_REPORT`` names a
JSON file the status counts are written to.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter

import grpc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from prefsight.server.app import build_server
from prefsight.server.servicer import PrefsightServicer, ServicerConfig
from prefsight_client._proto.prefsight.v1 import (
    concepts_pb2,
    interventions_pb2,
    prefsight_pb2,
    prefsight_pb2_grpc,
    store_pb2,
)

EXAMPLES = int(os.environ.get("PREFSIGHT_FUZZ_EXAMPLES", "12"))
DEADLINE_S = 60.0
SERVICE = prefsight_pb2.DESCRIPTOR.services_by_name["Prefsight"]
FORBIDDEN = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.DEADLINE_EXCEEDED}
COUNTS: Counter[str] = Counter()

STORES = ["demo", "", "empty", "nope", "de\x00mo", "x" * 100_000, "../demo", "/"]
CONCEPTS = ["named:L2:sycophancy", "sae:L2:9", "text:url_count", "", "named:L9:x", "\x00"]
PATHS = [
    "",
    "bad.jsonl",
    "notes.txt",
    "missing.jsonl",
    "../x.jsonl",
    "/etc/passwd",
    "/proc/self/environ",
    "a\x00b.jsonl",
    "sub/../../x.parquet",
    "x" * 5000,
]
TEMPLATES = ["", "{label}", "{description}", "{label:>999999}", "{label.__class__}", "{", "}{"]
WORDS = ["", " ", "\x00", "You are so right!", "See https://a.example now.", "é" * 40]


def text() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(WORDS), st.text(max_size=40), st.integers(1, 3000).map(lambda n: "word " * n))


def tensor(message: type) -> st.SearchStrategy:
    """Half well-formed [n, 64] or [64] float32 tensors, half anything."""
    shape = st.lists(st.one_of(st.integers(-2, 70), st.just(2**40)), max_size=3)
    dtype = st.sampled_from(["float32", "float64", "", "int8", "\x00"])
    data = st.one_of(st.binary(max_size=600), st.integers(0, 64).map(lambda n: b"\0" * (4 * n)))
    junk = st.builds(lambda s, d, b: message(shape=s, dtype=d, data=b), shape, dtype, data)
    values = st.floats(-1e3, 1e3, width=32)

    def good(rows: int, numbers: list[float]) -> object:
        import numpy as np

        array = np.resize(np.asarray(numbers or [0.0], np.float32), rows * 64)
        shape = [rows, 64] if rows else [64]
        return message(shape=shape, dtype="float32", data=array.astype("<f4").tobytes())

    return st.one_of(junk, st.builds(good, st.integers(0, 3), st.lists(values, max_size=8)))


NAMED_VALUES = {"side": ["", "chosen", "rejected"], "recipe": ["", "unit", "scaled"]}
"""String fields whose valid values are few: drawn from these half of the time (enum
fields draw from their enum's values, or any int32 an open proto3 enum may carry)."""


def scalar(field) -> st.SearchStrategy:
    """Values for one non-message field, by its name and type; valid values are likely, so
    requests get past the first check as often as they fail it."""
    name, kind = field.name, field.type
    if name in NAMED_VALUES:
        return st.one_of(st.sampled_from(NAMED_VALUES[name]), text())
    if kind == field.TYPE_ENUM:
        numbers = [v.number for v in field.enum_type.values]
        return st.one_of(st.sampled_from(numbers), st.integers(-(2**31), 2**31 - 1))
    if name in ("layer", "layers"):
        return st.one_of(st.just(2), st.integers(-3, 70), st.integers(-(2**31), 2**31 - 1))
    if name in ("k", "top_k", "limit"):
        return st.one_of(st.integers(0, 12), st.integers(-(2**31), 2**31 - 1))
    if name in ("threshold", "top_fraction", "q_max"):
        return st.one_of(st.floats(0, 1), st.floats(allow_nan=True))
    if kind == field.TYPE_STRING:
        if name == "store":
            return st.one_of(st.just("demo"), st.sampled_from(STORES))
        if "concept" in name:
            return st.one_of(st.just(CONCEPTS[0]), st.sampled_from(CONCEPTS), st.text(max_size=20))
        if name in ("dataset", "output_path", "source_dataset", "split"):
            return st.one_of(st.sampled_from(PATHS), st.text(max_size=20))
        if name == "system_prompt_template":
            return st.one_of(st.sampled_from(TEMPLATES), st.text(max_size=30))
        return text()
    if kind == field.TYPE_BOOL:
        return st.booleans()
    if kind in (field.TYPE_DOUBLE, field.TYPE_FLOAT):
        return st.one_of(st.floats(allow_nan=True), st.sampled_from([0.0, 0.1, 1.0, -1.0]))
    bits = 31 if kind in (field.TYPE_INT32, field.TYPE_SINT32) else 63
    return st.one_of(st.integers(-3, 70), st.integers(-(2**bits), 2**bits - 1))


def _is_repeated(field) -> bool:
    if hasattr(field, "is_repeated"):  # protobuf >= 6
        return bool(field.is_repeated)
    return field.label == field.LABEL_REPEATED


def message(descriptor, depth: int = 0) -> st.SearchStrategy:
    """A request message with any subset of its fields set (one member per oneof)."""
    from google.protobuf import message_factory

    cls = message_factory.GetMessageClass(descriptor)
    if descriptor.name == "Tensor":
        return tensor(cls)
    fields = {}
    for field in descriptor.fields:
        if field.message_type is not None:
            value = message(field.message_type, depth + 1) if depth < 2 else st.none()
        else:
            value = scalar(field)
        if _is_repeated(field):
            value = st.lists(value, max_size=4)
        fields[field.name] = st.one_of(st.none(), value, value)
    oneofs = {o.name: [f.name for f in o.fields] for o in descriptor.oneofs}

    def build(values: dict, keep: dict) -> object:
        for name, members in oneofs.items():  # at most one member of each oneof
            for member in members:
                if member != keep.get(name):
                    values[member] = None
        request = cls()
        for name, value in values.items():
            if value is None:
                continue
            if isinstance(value, list):  # messages nested too deep are drawn as None: drop them
                value = [v for v in value if v is not None]
                if not value:
                    continue
            target = getattr(request, name, None)
            if hasattr(target, "CopyFrom") and not isinstance(value, list):
                target.CopyFrom(value)
            elif isinstance(value, list) and value and hasattr(value[0], "DESCRIPTOR"):
                target.extend(value)
            elif isinstance(value, list):
                target[:] = value
            else:
                setattr(request, name, value)
        return request

    keep = st.fixed_dictionaries({name: st.sampled_from([*members, None]) for name, members in oneofs.items()})
    return st.builds(build, st.fixed_dictionaries(fields), keep)


@pytest.fixture(scope="module")
def fuzzed(audited_store, tmp_path_factory):
    """A server over a copy of the demo store (DefineConcept writes) and an empty store."""
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(audited_store.uri, root / "stores" / "demo")
    (root / "stores" / "empty").mkdir()
    data, exports = root / "data", root / "exports"
    data.mkdir()
    exports.mkdir()
    (data / "bad.jsonl").write_text('{"prompt": "q"}\nnot json\n')
    (data / "notes.txt").write_text("secret notes\n")
    config = ServicerConfig(data_roots=(str(data),), export_root=str(exports))
    servicer = PrefsightServicer([root / "stores" / "demo", root / "stores" / "empty"], config)
    server = build_server(servicer, max_workers=4).start()
    with grpc.insecure_channel(server.address) as channel:
        yield prefsight_pb2_grpc.PrefsightStub(channel)
    server.stop(grace=0)
    if os.environ.get("PREFSIGHT_FUZZ_REPORT"):
        with open(os.environ["PREFSIGHT_FUZZ_REPORT"], "w") as handle:
            json.dump(dict(COUNTS), handle, indent=1, sort_keys=True)


def answer(stub, method: str, request) -> tuple[grpc.StatusCode, str]:
    rpc = getattr(stub, method)
    try:
        response = rpc(request, timeout=DEADLINE_S)
        if SERVICE.methods_by_name[method].server_streaming:
            list(response)
        return grpc.StatusCode.OK, ""
    except grpc.RpcError as error:
        return error.code(), error.details() or ""


@pytest.mark.parametrize("method", [m.name for m in SERVICE.methods])
def test_generated_requests_get_clear_statuses(fuzzed, method):
    descriptor = SERVICE.methods_by_name[method].input_type

    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(request=message(descriptor))
    def check(request) -> None:
        code, details = answer(fuzzed, method, request)
        COUNTS[f"{method} {code.name}"] += 1
        assert code not in FORBIDDEN, f"{method} -> {code.name}: {details[:300]}"
        assert len(details) < 2000, f"{method} echoed {len(details)} characters"

    check()
    code, _ = answer(fuzzed, "ListStores", store_pb2.ListStoresRequest())
    assert code == grpc.StatusCode.OK  # still serving


def valid_requests() -> dict[str, object]:
    """One request per RPC that the fuzz server answers OK (Ingest: a bad dataset's rows)."""
    named = CONCEPTS[0]
    pick = interventions_pb2.PairSelection
    return {
        "ListStores": store_pb2.ListStoresRequest(),
        "Info": store_pb2.InfoRequest(store="demo"),
        "Ingest": store_pb2.IngestRequest(store="empty", dataset="bad.jsonl"),
        "Contrast": concepts_pb2.ContrastRequest(store="demo", top_k=3),
        "Scores": concepts_pb2.ScoresRequest(store="demo", concept_id=named),
        "NearestFeatures": concepts_pb2.NearestFeaturesRequest(store="demo", concept_id=named, k=3),
        "NearestExamples": concepts_pb2.NearestExamplesRequest(store="demo", text="Hello.", k=3),
        "DefineConcept": concepts_pb2.DefineConceptRequest(
            store="demo",
            name="fuzzed",
            positive_texts=["So right!", "Great idea!"],
            negative_texts=["No.", "Wrong."],
            overwrite=True,
        ),
        "SteeringVector": interventions_pb2.SteeringVectorRequest(store="demo", concept_id=named),
        "ScoreConcepts": interventions_pb2.ScoreConceptsRequest(
            store="demo", concept_ids=[named], texts=interventions_pb2.TextBatch(texts=["Hi."])
        ),
        "ShapingOffsets": interventions_pb2.ShapingOffsetsRequest(store="demo", concept_ids=[named]),
        "Filter": interventions_pb2.FilterRequest(
            store="demo",
            selection=pick(concept_ids=[named], top_fraction=0.1),
            output_path="filtered.jsonl",
            overwrite=True,
        ),
        "Inoculate": interventions_pb2.InoculateRequest(
            store="demo",
            selection=pick(concept_ids=[named], threshold=0.0),
            output_path="inoculated.jsonl",
            overwrite=True,
        ),
    }


def mutated(base, descriptor) -> st.SearchStrategy:
    """``base`` with one or two of its fields replaced by generated values (or cleared)."""
    names = [f.name for f in descriptor.fields]

    def merge(random, chosen: set[str]) -> object:
        request = type(base)()
        request.CopyFrom(base)
        for name in chosen:
            field = descriptor.fields_by_name[name]
            request.ClearField(name)
            if _is_repeated(field):
                getattr(request, name).extend(getattr(random, name))
            elif field.message_type is not None or field.has_presence:
                if random.HasField(name):
                    target = getattr(random, name)
                    if field.message_type is not None:
                        getattr(request, name).CopyFrom(target)
                    else:
                        setattr(request, name, target)
            else:
                setattr(request, name, getattr(random, name))
        return request

    chosen = st.sets(st.sampled_from(names), min_size=1, max_size=2) if names else st.just(set())
    return st.builds(merge, message(descriptor), chosen)


def test_the_valid_requests_are_answered_ok(fuzzed):
    for method, request in valid_requests().items():
        code, details = answer(fuzzed, method, request)
        expected = grpc.StatusCode.INVALID_ARGUMENT if method == "Ingest" else grpc.StatusCode.OK
        assert code == expected, f"{method}: {code.name} {details[:300]}"


@pytest.mark.parametrize("method", [m.name for m in SERVICE.methods])
def test_valid_requests_with_a_field_or_two_mutated_get_clear_statuses(fuzzed, method):
    descriptor = SERVICE.methods_by_name[method].input_type
    base = valid_requests()[method]

    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(request=mutated(base, descriptor))
    def check(request) -> None:
        code, details = answer(fuzzed, method, request)
        COUNTS[f"{method}~ {code.name}"] += 1
        assert code not in FORBIDDEN, f"{method} -> {code.name}: {details[:300]}"
        assert len(details) < 2000, f"{method} echoed {len(details)} characters"

    check()
