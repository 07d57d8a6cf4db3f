"""Client pieces without a server: tensors, errors, retries, requests, conversions."""

from __future__ import annotations

import asyncio
import pickle
import subprocess
import sys
from pathlib import Path

import grpc
import numpy as np
import prefsight_client
import pytest
from google.protobuf import message_factory
from prefsight_client import _convert, errors
from prefsight_client._proto.prefsight.v1 import concepts_pb2, interventions_pb2, prefsight_pb2, store_pb2, tensor_pb2
from prefsight_client._retry import RetryPolicy
from prefsight_client.aio import AsyncClient
from prefsight_client.client import Client
from prefsight_client.tensors import array_to_tensor, serialize_with_tensors, tensor_to_array

CLIENT_DIR = Path(prefsight_client.__file__).parent
FAST = RetryPolicy(retries=3, initial_backoff=0.001, max_backoff=0.002)


class FakeRpcError(grpc.RpcError):
    def __init__(self, code: grpc.StatusCode, details: str = "boom") -> None:
        self._code, self._details = code, details

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._details


class Flaky:
    """A stub method failing with ``codes`` in turn, then answering ``response``."""

    def __init__(self, codes: list[grpc.StatusCode], response: object) -> None:
        self.codes, self.response, self.calls, self.timeouts = list(codes), response, 0, []

    def __call__(self, request, timeout=None, metadata=()):
        self.calls += 1
        self.timeouts.append(timeout)
        self.metadata = metadata
        if self.codes:
            raise FakeRpcError(self.codes.pop(0), "server said no")
        return self.response


class FakeStub:
    def __init__(self, **methods) -> None:
        self.__dict__.update(methods)


# -- tensors -------------------------------------------------------------------


def test_tensor_round_trip_keeps_values_shape_and_float32():
    array = np.arange(12, dtype=np.float64).reshape(3, 4) / 7
    tensor = array_to_tensor(array)
    assert list(tensor.shape) == [3, 4] and tensor.dtype == "float32"
    assert len(tensor.data) == 12 * 4
    back = tensor_to_array(tensor)
    assert back.dtype == np.float32
    np.testing.assert_array_equal(back, array.astype(np.float32))


def test_tensor_bytes_are_little_endian_c_order():
    tensor = array_to_tensor(np.array([[1.0, 2.0], [3.0, 4.0]], dtype=">f4"))
    assert tensor.data == np.array([1, 2, 3, 4], dtype="<f4").tobytes()


def test_tensor_with_wrong_byte_length_is_rejected_with_sizes():
    bad = tensor_pb2.Tensor(shape=[2, 3], dtype="float32", data=b"\x00" * 20)
    with pytest.raises(ValueError, match="needs 24 bytes of float32, got 20"):
        tensor_to_array(bad)


def test_a_read_only_view_has_the_values_and_refuses_writes():
    tensor = array_to_tensor(np.arange(6, dtype=np.float32).reshape(2, 3))
    view = tensor_to_array(tensor, writable=False)
    np.testing.assert_array_equal(view, np.arange(6, dtype=np.float32).reshape(2, 3))
    assert not view.flags.writeable and view.dtype == np.float32
    with pytest.raises(ValueError, match="read-only"):
        view[0, 0] = 1.0
    assert tensor_to_array(tensor).flags.writeable  # the default copies


SCORE_ARRAYS = [
    np.random.default_rng(0).normal(size=(3, 8)).astype(np.float32),
    np.random.default_rng(1).normal(size=(64, 576)).astype(np.float32),  # multi-byte lengths
    np.random.default_rng(2).normal(size=(2, 5, 4)),  # float64: cast like array_to_tensor
    np.arange(12, dtype=">f4").reshape(3, 4),  # big-endian: sent little-endian
    np.arange(12, dtype=np.float32).reshape(4, 3).T,  # not C-contiguous
    np.zeros((0, 4), np.float32),  # no rows: the server judges it
    [[1.0, 2.0], [3.0, float("nan")]],  # a list; NaN travels
]


@pytest.mark.parametrize("array", SCORE_ARRAYS, ids=lambda a: "x".join(map(str, np.shape(a))))
def test_serialize_with_tensors_is_the_message_with_its_tensor_fields_set(array):
    base = interventions_pb2.ScoreConceptsRequest(store="s", concept_ids=["a", "b"], layer=0)
    mask = np.ones(np.shape(array)[:2], np.float32)
    wire = serialize_with_tensors(base, activations=array, token_mask=mask)
    built = interventions_pb2.ScoreConceptsRequest(
        store="s", concept_ids=["a", "b"], layer=0, activations=array_to_tensor(array), token_mask=array_to_tensor(mask)
    )
    parsed = interventions_pb2.ScoreConceptsRequest.FromString(wire)
    assert parsed.WhichOneof("input") == "activations" and parsed.HasField("layer")
    np.testing.assert_array_equal(tensor_to_array(parsed.activations), tensor_to_array(built.activations))
    assert parsed == built
    if np.size(array):  # the same bytes the generated code writes (it leaves out empty bytes)
        assert wire == built.SerializeToString()


def test_serialize_with_tensors_refuses_what_is_not_an_unset_tensor_field():
    base = interventions_pb2.ScoreConceptsRequest(store="s")
    with pytest.raises(ValueError, match="no Tensor field 'store'"):
        serialize_with_tensors(base, store=np.zeros(2))
    with pytest.raises(ValueError, match="no Tensor field 'nope'"):
        serialize_with_tensors(base, nope=np.zeros(2))
    base.activations.CopyFrom(array_to_tensor(np.zeros((1, 2))))
    with pytest.raises(ValueError, match="activations is already set"):
        serialize_with_tensors(base, activations=np.zeros((1, 2)))
    with_texts = interventions_pb2.ScoreConceptsRequest(store="s", texts=interventions_pb2.TextBatch(texts=["t"]))
    with pytest.raises(ValueError, match="input already holds 'texts'"):  # a oneof sibling
        serialize_with_tensors(with_texts, activations=np.zeros((1, 2)))


def test_a_score_sent_as_bytes_is_retried_whole_on_unavailable():
    response = interventions_pb2.ScoreConceptsResponse(
        scores=array_to_tensor(np.ones((2, 1), np.float32)), concept_ids=["a"]
    )
    wire, requests = Flaky([grpc.StatusCode.UNAVAILABLE] * 2, response), []
    acts = np.arange(6, dtype=np.float32).reshape(2, 3)
    with make_client() as client:
        client._wire = {"ScoreConcepts": lambda request, **kw: (requests.append(request), wire(request, **kw))[1]}
        np.testing.assert_array_equal(client.score_concepts("s", "a", activations=acts), np.ones((2, 1)))
    assert wire.calls == 3 and len(set(requests)) == 1 and isinstance(requests[0], bytes)  # the same bytes each try
    assert wire.metadata == (("authorization", "Bearer t0k"),)
    assert all(0 < t <= 5.0 for t in wire.timeouts)  # each try gets what is left
    sent_request = interventions_pb2.ScoreConceptsRequest.FromString(requests[0])
    np.testing.assert_array_equal(tensor_to_array(sent_request.activations), acts)


def test_tensor_with_other_dtype_is_rejected():
    with pytest.raises(ValueError, match="float64"):
        tensor_to_array(tensor_pb2.Tensor(shape=[1], dtype="float64", data=b"\x00" * 8))


# -- errors --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (grpc.StatusCode.INVALID_ARGUMENT, errors.InvalidArgumentError),
        (grpc.StatusCode.NOT_FOUND, errors.NotFoundError),
        (grpc.StatusCode.FAILED_PRECONDITION, errors.FailedPreconditionError),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, errors.ResourceExhaustedError),
        (grpc.StatusCode.UNAUTHENTICATED, errors.UnauthenticatedError),
        (grpc.StatusCode.PERMISSION_DENIED, errors.PermissionDeniedError),
        (grpc.StatusCode.UNAVAILABLE, errors.UnavailableError),
        (grpc.StatusCode.DEADLINE_EXCEEDED, errors.DeadlineExceededError),
    ],
)
def test_status_codes_map_to_typed_errors_carrying_the_message(code, cls):
    error = errors.from_rpc_error(FakeRpcError(code, "layer 40 not in model (layers 0..29)"))
    assert type(error) is cls
    assert error.code == code
    assert str(error) == "layer 40 not in model (layers 0..29)"
    assert isinstance(error, errors.PrefsightClientError)


def test_unmapped_status_becomes_server_error_naming_the_code():
    error = errors.from_rpc_error(FakeRpcError(grpc.StatusCode.INTERNAL, "request id 42"))
    assert type(error) is errors.ServerError
    assert error.code == grpc.StatusCode.INTERNAL
    assert "INTERNAL" in str(error) and "request id 42" in str(error)


@pytest.mark.parametrize(
    "error",
    [
        errors.NotFoundError("concept 'c9' not found"),
        errors.ServerError("INTERNAL: x", grpc.StatusCode.INTERNAL),
        errors.SteeringMismatchError("width"),
    ],
)
def test_errors_survive_pickling_with_type_and_message(error):
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error)
    assert back.message == error.message and back.code == error.code


# -- retries -------------------------------------------------------------------


def test_backoff_grows_exponentially_within_jitter_and_cap():
    policy = RetryPolicy(retries=5, initial_backoff=0.1, max_backoff=1.0, multiplier=2.0, jitter=0.5)
    for attempt, base in enumerate([0.1, 0.2, 0.4, 0.8, 1.0]):
        delays = [policy.backoff(attempt) for _ in range(200)]
        assert min(delays) >= base * 0.5 - 1e-12
        assert max(delays) <= min(1.0, base * 1.5) + 1e-12
        assert np.std(delays) > 0  # jittered


def test_only_unavailable_is_retried_and_only_while_attempts_and_time_remain():
    policy = RetryPolicy(retries=2, initial_backoff=0.1, jitter=0.0)
    assert policy.next_delay(grpc.StatusCode.UNAVAILABLE, 0, None) == pytest.approx(0.1)
    assert policy.next_delay(grpc.StatusCode.UNAVAILABLE, 1, None) == pytest.approx(0.2)
    assert policy.next_delay(grpc.StatusCode.UNAVAILABLE, 2, None) is None
    assert policy.next_delay(grpc.StatusCode.UNAVAILABLE, 0, 0.05) is None
    for code in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.DEADLINE_EXCEEDED):
        assert policy.next_delay(code, 0, None) is None


def make_client(**stub_methods) -> Client:
    client = Client("127.0.0.1:1", token="t0k", retry_policy=FAST, timeout=5.0)
    client._stub = FakeStub(**stub_methods)
    return client


def test_unary_call_retries_unavailable_then_succeeds():
    info = Flaky([grpc.StatusCode.UNAVAILABLE] * 2, store_pb2.InfoResponse(store="s1", pairs=7))
    with make_client(Info=info) as client:
        assert client.info("s1").pairs == 7
    assert info.calls == 3
    assert info.metadata == (("authorization", "Bearer t0k"),)
    assert all(0 < t <= 5.0 for t in info.timeouts)  # each try gets what is left


def test_unary_call_gives_up_after_the_retries():
    info = Flaky([grpc.StatusCode.UNAVAILABLE] * 10, None)
    with make_client(Info=info) as client, pytest.raises(errors.UnavailableError):
        client.info("s1")
    assert info.calls == 4


def test_other_errors_are_raised_at_once_without_retry():
    info = Flaky([grpc.StatusCode.INVALID_ARGUMENT], None)
    with make_client(Info=info) as client, pytest.raises(errors.InvalidArgumentError) as raised:
        client.info("s1")
    assert info.calls == 1 and raised.value.message == "server said no"


class FlakyStream:
    """A streaming stub method: fails with ``failures`` (before or after messages)."""

    def __init__(self, plans: list[tuple[list, grpc.StatusCode | None]]) -> None:
        self.plans, self.calls = list(plans), 0

    def __call__(self, request, timeout=None, metadata=()):
        self.calls += 1
        messages, failure = self.plans.pop(0)
        return _FakeCall(messages, failure)


class _FakeCall:
    def __init__(self, messages, failure) -> None:
        self.messages, self.failure, self.cancelled = messages, failure, False

    def __iter__(self):
        yield from self.messages
        if self.failure is not None:
            raise FakeRpcError(self.failure, "stream broke")

    def cancel(self) -> None:
        self.cancelled = True


def progress(n: int) -> store_pb2.IngestProgress:
    return store_pb2.IngestProgress(pairs_done=n, pairs_total=3, stage="forward")


def test_stream_retries_unavailable_before_the_first_message():
    ingest = FlakyStream([([], grpc.StatusCode.UNAVAILABLE), ([progress(1), progress(3)], None)])
    with make_client(Ingest=ingest) as client:
        events = list(client.ingest("s1", "pairs.jsonl"))
    assert [e.pairs_done for e in events] == [1, 3] and ingest.calls == 2


def test_stream_does_not_retry_after_a_message_arrived():
    ingest = FlakyStream([([progress(1)], grpc.StatusCode.UNAVAILABLE), ([progress(9)], None)])
    with make_client(Ingest=ingest) as client:
        stream = client.ingest("s1", "pairs.jsonl")
        assert next(stream).pairs_done == 1
        with pytest.raises(errors.UnavailableError):
            next(stream)
    assert ingest.calls == 1


def test_cancelling_a_stream_cancels_the_call_and_ends_iteration():
    ingest = FlakyStream([([progress(1), progress(2)], grpc.StatusCode.CANCELLED)])
    with make_client(Ingest=ingest) as client:
        with client.ingest("s1", "pairs.jsonl") as stream:
            first = next(stream)
            stream.cancel()
            rest = list(stream)
    assert first.pairs_done == 1
    assert stream._call.cancelled
    assert [e.pairs_done for e in rest] == [2]  # already received, then a quiet end


def test_async_client_retries_unavailable_then_succeeds():
    class AsyncFlaky(Flaky):
        async def __call__(self, request, timeout=None, metadata=()):
            return super().__call__(request, timeout, metadata)

    async def run() -> tuple[int, int]:
        client = AsyncClient("127.0.0.1:1", retry_policy=FAST)
        info = AsyncFlaky([grpc.StatusCode.UNAVAILABLE], store_pb2.InfoResponse(pairs=5))
        client._stub = FakeStub(Info=info)
        try:
            return (await client.info("s1")).pairs, info.calls
        finally:
            await client.close()

    assert asyncio.run(run()) == (5, 2)


# -- requests ------------------------------------------------------------------


class Recorder:
    """A stub method that keeps the requests it gets and answers ``response``."""

    def __init__(self, response: object) -> None:
        self.response, self.requests = response, []

    def __call__(self, request, timeout=None, metadata=()):
        self.requests.append(request)
        return self.response


def sent(method: str, response: object, call) -> object:
    """The request ``call(client)`` sends to ``method`` (a stub answers ``response``)."""
    recorder = Recorder(response)
    client = Client("localhost:1", retry_policy=FAST)
    client._stub = FakeStub(**{method: recorder})
    client._wire = {method: recorder}
    try:
        call(client)
    finally:
        client.close()
    request = recorder.requests[-1]
    if isinstance(request, bytes):  # sent as prepared wire bytes: read them as the server does
        described = prefsight_pb2.DESCRIPTOR.services_by_name["Prefsight"].methods_by_name[method].input_type
        request = message_factory.GetMessageClass(described).FromString(request)
    return request


def test_score_concepts_carries_texts_and_prompts_as_a_message():
    response = interventions_pb2.ScoreConceptsResponse(
        scores=array_to_tensor(np.zeros((1, 1), np.float32)), concept_ids=["a"]
    )
    request = sent("ScoreConcepts", response, lambda c: c.score_concepts("s", "a", texts=["hi"], prompts=["q"]))
    assert request.WhichOneof("input") == "texts" and list(request.texts.texts) == ["hi"]
    assert request.texts.prompts[0].messages[0].content == "q" and not request.HasField("layer")


def test_unset_layer_is_absent_and_layer_zero_is_present():
    empty = concepts_pb2.ContrastResponse()
    assert not sent("Contrast", empty, lambda c: c.contrast("s")).HasField("layer")
    assert sent("Contrast", empty, lambda c: c.contrast("s", layer=0)).HasField("layer")


def test_score_concepts_carries_activations_as_a_tensor():
    acts = np.random.default_rng(0).normal(size=(3, 8)).astype(np.float32)
    response = interventions_pb2.ScoreConceptsResponse(
        scores=array_to_tensor(np.zeros((3, 2), np.float32)), concept_ids=["a", "b"]
    )
    request = sent("ScoreConcepts", response, lambda c: c.score_concepts("s", ["a", "b"], activations=acts, layer=2))
    assert request.WhichOneof("input") == "activations" and not request.HasField("token_mask")
    np.testing.assert_array_equal(tensor_to_array(request.activations), acts)
    assert list(request.concept_ids) == ["a", "b"] and request.layer == 2


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.score_concepts("s", "a"),
        lambda c: c.score_concepts("s", "a", texts=["x"], activations=np.zeros((1, 2))),
        lambda c: c.score_concepts("s", "a", texts="just one string"),
        lambda c: c.nearest_features("s"),
        lambda c: c.nearest_examples("s", concept_id="c", text="t"),
        lambda c: c.filter("s", "c"),
        lambda c: c.inoculate("s", "c", threshold=1.0, top_fraction=0.1),
        lambda c: c.contrast("s", kinds=["magic"]),
        lambda c: c.contrast("s", pooling="last"),
        lambda c: c.nearest_examples("s", concept_id="c", pooling="median"),
        lambda c: c.ingest("s", "d.jsonl", dataset_format="csv"),
        lambda c: c.ingest("s", "d.jsonl", poolings=["mean", ""]),
    ],
)
def test_ambiguous_or_missing_choices_fail_before_any_call(call):
    client = Client("localhost:1", retry_policy=FAST)
    client._stub = FakeStub()  # any call would fail with AttributeError
    try:
        with pytest.raises(errors.InvalidArgumentError):
            call(client)
    finally:
        client.close()


def test_filter_request_carries_the_selection_rule():
    request = sent(
        "Filter",
        interventions_pb2.FilterResponse(),
        lambda c: c.filter("s", ["c1", "c2"], top_fraction=0.05, dry_run=True),
    )
    assert request.selection.WhichOneof("rule") == "top_fraction"
    assert request.selection.top_fraction == pytest.approx(0.05)
    assert list(request.selection.concept_ids) == ["c1", "c2"] and request.dry_run


def test_filter_and_inoculate_refuse_an_unknown_option_by_name():
    client = Client("localhost:1", retry_policy=FAST)
    try:
        with pytest.raises(TypeError, match="treshold"):
            client.filter("s", "c", treshold=1.0)  # type: ignore[call-arg]
    finally:
        client.close()


def test_inoculate_sends_the_template_and_the_shared_options():
    request = sent(
        "Inoculate",
        interventions_pb2.InoculateResponse(),
        lambda c: c.inoculate(
            "s",
            "c",
            threshold=1.5,
            system_prompt_template="{label}",
            output_path="o.jsonl",
            source_dataset="d.jsonl",
            overwrite=True,
            layer=2,
        ),
    )
    assert request.system_prompt_template == "{label}" and request.selection.threshold == 1.5
    assert (request.output_path, request.source_dataset, request.overwrite) == ("o.jsonl", "d.jsonl", True)
    assert request.selection.layer == 2 and not request.dry_run


def test_names_travel_as_enums():
    from prefsight_client._proto.prefsight.v1 import enums_pb2

    request = sent("Contrast", concepts_pb2.ContrastResponse(), lambda c: c.contrast("s", kinds=["sae", "named"]))
    assert list(request.kinds) == [enums_pb2.CONCEPT_KIND_SAE, enums_pb2.CONCEPT_KIND_NAMED]
    request = sent(
        "NearestExamples",
        concepts_pb2.NearestExamplesResponse(),
        lambda c: c.nearest_examples("s", concept_id="c", pooling="last"),
    )
    assert request.pooling == enums_pb2.POOLING_LAST
    stream = iter([])
    request = sent("Ingest", stream, lambda c: list(c.ingest("s", "d", dataset_format="hh_rlhf")))
    assert request.dataset_format == enums_pb2.DATASET_FORMAT_HH_RLHF


def test_list_stores_follows_next_page_tokens():
    pages = {
        "": store_pb2.ListStoresResponse(stores=["a", "b"], next_page_token="t1"),
        "t1": store_pb2.ListStoresResponse(stores=["c"], next_page_token=""),
    }
    tokens = []

    def list_stores(request, timeout=None, metadata=()):
        tokens.append(request.page_token)
        return pages[request.page_token]

    client = Client("localhost:1", retry_policy=FAST)
    client._stub = FakeStub(ListStores=list_stores)
    try:
        assert client.list_stores() == ["a", "b", "c"]
    finally:
        client.close()
    assert tokens == ["", "t1"]


# -- conversions ---------------------------------------------------------------


def test_steering_vector_response_becomes_a_vector_with_provenance():
    vector = np.linspace(-1, 1, 16, dtype=np.float32)
    response = interventions_pb2.SteeringVectorResponse(
        vector=array_to_tensor(vector),
        provenance=interventions_pb2.SteeringProvenance(
            model_id="org/m", layer=3, concept_id="c7", recipe="diff_means", d_model=16, n_layers=6
        ),
    )
    result = _convert.steering_vector(response)
    np.testing.assert_array_equal(result.vector, vector)
    assert (result.layer, result.model_id, result.concept_id, result.n_layers) == (3, "org/m", "c7", 6)


def test_score_chunks_and_offset_chunks_become_aligned_arrays():
    chunks = [
        concepts_pb2.ScoresChunk(scores=[concepts_pb2.PairScore(pair_id="a", chosen=2, rejected=1, delta=1)]),
        concepts_pb2.ScoresChunk(scores=[concepts_pb2.PairScore(pair_id="b", chosen=0, rejected=3, delta=-3)]),
    ]
    scores = _convert.collect_scores(_convert.pair_scores(chunks))
    assert scores.pair_ids == ("a", "b")
    np.testing.assert_array_equal(scores.delta, [1, -3])
    offsets = _convert.shaping_offsets(
        [
            interventions_pb2.ShapingOffsetsChunk(
                offsets=[interventions_pb2.PairOffset(pair_id="a", offset=1.0, raw=3.0)], mean=2, std=1
            ),
            interventions_pb2.ShapingOffsetsChunk(
                offsets=[interventions_pb2.PairOffset(pair_id="b", offset=-1.0, raw=1.0)], mean=2, std=1
            ),
        ]
    )
    assert offsets.as_dict() == {"a": 1.0, "b": -1.0} and (offsets.mean, offsets.std) == (2, 1)


def test_concept_scores_of_the_wrong_shape_are_refused():
    response = interventions_pb2.ScoreConceptsResponse(scores=array_to_tensor(np.zeros((2, 3))))
    with pytest.raises(ValueError, match=r"expected \(2, 2\)"):
        _convert.concept_scores(response, 2, 2)


def test_contrast_response_keeps_every_statistic():
    stat = concepts_pb2.ConceptStat(
        id="c1", label="apology", kind="CONCEPT_KIND_CONTRAST", layer=4, delta=0.5, d=1.2, q=0.01
    )
    result = _convert.contrast(
        concepts_pb2.ContrastResponse(concepts=[stat], n_pairs=100, layer=4, pooling="POOLING_MEAN")
    )
    assert result.concepts[0].label == "apology" and result.concepts[0].d == pytest.approx(1.2)
    assert result.n_pairs == 100
    assert (result.concepts[0].kind, result.pooling) == ("contrast", "mean")


# -- packaging -----------------------------------------------------------------


def test_client_package_never_imports_the_server_package():
    offenders = [
        p
        for p in CLIENT_DIR.rglob("*.py")
        if any(
            line.strip().startswith(("import prefsight.", "from prefsight.", "from prefsight import"))
            or line.strip() == "import prefsight"
            for line in p.read_text().splitlines()
        )
    ]
    assert offenders == []


def test_importing_the_client_loads_neither_torch_trl_nor_the_server():
    code = (
        "import sys, prefsight_client, prefsight_client.training\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'torch', 'trl', 'prefsight'})\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
