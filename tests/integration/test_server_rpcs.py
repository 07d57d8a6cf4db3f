"""Every Prefsight RPC on a real server on 127.0.0.1:0, called through the client.

References are plain: the same ``StoreSession`` called in this process, NumPy
brute force for nearest neighbours, the store's own rows for texts. The store
is the 60-pair demo set audited once with the tiny random llama (conftest).
"""

from __future__ import annotations

import asyncio
import json
import pickle
import signal
import socket
import subprocess
import sys
import threading
import time

import grpc
import numpy as np
import pytest
import torch
from prefsight.concepts.catalog import load_concepts
from prefsight.errors import InvalidArgument
from prefsight.server.app import build_server
from prefsight.server.auth import AccessList
from prefsight.server.servicer import PrefsightServicer
from prefsight.session import StoreSession
from prefsight.store import schema as S
from prefsight.store.tables import Store
from prefsight_client import (
    AsyncClient,
    Client,
    DeadlineExceededError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    UnauthenticatedError,
)
from prefsight_client._proto.prefsight.v1 import concepts_pb2, interventions_pb2, prefsight_pb2_grpc, tensor_pb2
from prefsight_client.training import ClientScorer, ConceptReward, fetch_offsets, steering

NAMED = "named:L2:sycophancy"
SAE = "sae:L2:9"


@pytest.fixture(scope="module")
def client(served):
    with Client(served.address, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def session(served) -> StoreSession:
    """The reference: the same store read in this process."""
    return StoreSession(str(served.store.uri))


def sae_id(session: StoreSession) -> str:
    return next(r["id"] for r in session.contrast(top=100) if r["kind"] == "sae")


# -- stores ---------------------------------------------------------------------


def test_list_stores_and_info_describe_the_served_stores(client, served):
    assert client.list_stores() == ["demo", "empty", "fresh", "scratch"]
    info = client.info("demo")
    assert (info.store, info.pairs, info.is_ingested) == ("demo", 60, True)
    assert info.table_rows()["activations"] == 60 * 9  # 3 sides x 3 poolings at layer 2
    (model,) = info.models
    assert (model.d_model, model.n_layers, model.layers) == (64, 4, (2,))
    assert model.poolings == S.POOLINGS and info.runs[0].status == "done"
    assert client.info(str(served.store.uri)).uri == info.uri  # the path names it too
    assert client.info("fresh").is_ingested is False and client.info("empty").pairs == 0


def test_unknown_store_is_not_found_and_lists_the_served_ones(client):
    with pytest.raises(NotFoundError, match=r"'nope' is not served.*demo, empty, fresh, scratch"):
        client.contrast("nope")


def test_stores_without_activations_are_failed_precondition(client):
    with pytest.raises(FailedPreconditionError, match="not ingested yet"):
        client.contrast("fresh")
    with pytest.raises(FailedPreconditionError, match="no activations yet"):
        client.contrast("empty")
    with pytest.raises(FailedPreconditionError):
        client.score_concepts("empty", ["x"], activations=np.zeros((1, 64)))


# -- concepts -------------------------------------------------------------------


def test_contrast_matches_the_session_and_honours_kinds_and_q_max(client, session):
    result = client.contrast("demo", top_k=8)
    expected = session.contrast(top=8)
    assert [c.id for c in result.concepts] == [r["id"] for r in expected]
    assert [c.d for c in result.concepts] == pytest.approx([r["d"] for r in expected])
    assert (result.n_pairs, result.layer, result.pooling) == (60, 2, "mean")
    assert result.concepts[0].n_pairs == 60
    named = client.contrast("demo", kinds=["named", "sae"], q_max=0.5, top_k=1000).concepts
    assert named and {c.kind for c in named} <= {"named", "sae"} and all(c.q <= 0.5 for c in named)


def test_contrast_of_a_topic_uses_only_its_pairs(client, served):
    rows = [json.loads(line) for line in served.store.data.read_text().splitlines()]
    topic = rows[0]["domain"]
    result = client.contrast("demo", topic=topic, top_k=3)
    assert result.n_pairs == sum(r["domain"] == topic for r in rows)
    with pytest.raises(InvalidArgumentError, match="topic 'astrology' not found; topics:"):
        client.contrast("demo", topic="astrology")


def test_scores_stream_in_chunks_and_match_the_session(client, served, session):
    concept = sae_id(session)
    expected = session.scores(concept)
    scores = client.scores("demo", concept)
    assert list(scores.pair_ids) == [r["pair_id"] for r in expected]
    assert scores.delta == pytest.approx([r["delta"] for r in expected], abs=1e-6)
    picked = [expected[5]["pair_id"], expected[2]["pair_id"]]
    assert client.scores("demo", concept, pair_ids=picked).pair_ids == tuple(picked)
    with grpc.insecure_channel(served.address) as channel:
        chunks = list(
            prefsight_pb2_grpc.PrefsightStub(channel).Scores(
                concepts_pb2.ScoresRequest(store="demo", concept_id=concept), timeout=30
            )
        )
    assert [len(c.scores) for c in chunks] == [7] * 8 + [4]  # chunk_size 7 in conftest
    with pytest.raises(NotFoundError, match="pair 'no-such-pair' not in store"):
        client.scores("demo", concept, pair_ids=["no-such-pair"])
    with pytest.raises(NotFoundError, match="concept 'sae:L2:9999' not in store"):
        client.scores("demo", "sae:L2:9999")


def brute_force(query: np.ndarray, ids: list[str], vectors: np.ndarray, k: int) -> list[str]:
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    cosine = unit @ (query / np.linalg.norm(query))
    return [ids[i] for i in np.argsort(-cosine, kind="stable")[:k]]


def test_nearest_features_match_numpy_brute_force(client, session):
    concepts = [c for c in load_concepts(session.store, layer=2) if c.vector is not None]
    query = np.random.default_rng(0).standard_normal(64).astype(np.float32)
    hits = client.nearest_features("demo", vector=query, k=5)
    expected = brute_force(query, [c.id for c in concepts], np.stack([c.vector for c in concepts]), 5)
    assert [h.concept.id for h in hits] == expected
    sae = [c for c in concepts if c.kind in ("sae", "named")]
    mixed = client.nearest_features("demo", vector=query, k=4, kinds=["sae", "named"])
    assert [h.concept.id for h in mixed] == brute_force(
        query, [c.id for c in sae], np.stack([c.vector for c in sae]), 4
    )
    by_concept = client.nearest_features("demo", concept_id=NAMED, k=1)
    assert by_concept[0].concept.id == NAMED and by_concept[0].score == pytest.approx(1.0)
    assert (by_concept[0].concept.kind, by_concept[0].concept.layer) == ("named", 2)


def test_nearest_examples_match_brute_force_and_carry_the_pair_texts(client, session):
    model, _ = session.model_layer()
    ids, chosen = session.store.read_pooled(model=model, layer=2, side="chosen", pooling="mean")
    query = session.concepts([NAMED])[0].vector
    hits = client.nearest_examples("demo", concept_id=NAMED, k=3, side="chosen")
    assert [h.pair_id for h in hits] == brute_force(query, ids, chosen, 3)
    pair = session.store.read_pairs([hits[0].pair_id])[0]
    assert hits[0].side == "chosen" and hits[0].response == pair["chosen"]
    assert hits[0].prompt == pair["prompt"][-1]["content"]
    last = client.nearest_examples("demo", vector=query, k=2, pooling="last")
    assert len(last) == 2
    with pytest.raises(InvalidArgumentError, match="side must be"):
        client.nearest_examples("demo", concept_id=NAMED, side="both")


def test_nearest_features_by_text_runs_the_model(client):
    hits = client.nearest_features("demo", text="What a brilliant question, you are so right!", k=3)
    assert len(hits) == 3 and all(h.concept.layer == 2 for h in hits)


def test_define_concept_saves_it_and_refuses_a_taken_name(client, session):
    loud = ["THIS IS VERY LOUD!", "STOP SHOUTING AT ME NOW!", "WHY ARE YOU YELLING?"]
    calm = ["this is a quiet sentence.", "a calm reply, softly.", "nothing loud here."]
    made = client.define_concept("demo", "Shouting", loud, calm, description="all caps")
    assert made.concept.id == "named:L2:shouting" and made.concept.source == "texts:user"
    scores = session.score_concepts([made.concept.id], texts=loud + calm)[:, 0]
    assert made.separation > 0 and scores[:3].mean() > scores[3:].mean()
    assert "named:L2:shouting" in [c.id for c in client.contrast("demo", kinds=["named"], top_k=50).concepts]
    with pytest.raises(InvalidArgumentError, match="already exists"):
        client.define_concept("demo", "Shouting", loud, calm)
    client.define_concept("demo", "Shouting", loud, calm, overwrite=True)
    with pytest.raises(InvalidArgumentError, match="at least 2 positive"):
        client.define_concept("demo", "lonely", ["one"], calm)


# -- interventions --------------------------------------------------------------


def test_score_concepts_from_activations_and_texts_match_the_session(client, session):
    ids = [NAMED, sae_id(session)]
    x = np.random.default_rng(1).standard_normal((8, 12, 64)).astype(np.float32)  # per token
    mask = (np.arange(12)[None, :] < np.arange(4, 12)[:, None]).astype(np.float32)
    assert client.score_concepts("demo", ids, activations=x, mask=mask) == pytest.approx(
        session.score_concepts(ids, activations=x, mask=mask), abs=1e-5
    )
    pooled = x.mean(1)
    assert client.score_concepts("demo", [NAMED], activations=pooled) == pytest.approx(
        session.score_concepts([NAMED], activations=pooled), abs=1e-5
    )
    texts = ["See https://example.com for details.", "Plain words only."]
    both = [NAMED, "text:url_count"]
    assert client.score_concepts("demo", both, texts=texts) == pytest.approx(
        session.score_concepts(both, texts=texts), abs=1e-5
    )
    with_empty = client.score_concepts("demo", both, texts=["", texts[1]])  # an empty completion
    assert np.isnan(with_empty[0]).all()
    assert with_empty[1] == pytest.approx(session.score_concepts(both, texts=texts[1:])[0], abs=1e-5)


def test_shaping_offsets_are_z_scored_over_the_requested_pairs(client, session):
    ids, weights = [NAMED, sae_id(session)], [1.0, -0.5]
    pair_ids, z, raw, _, _ = session.shaping_offsets(ids, weights)
    offsets = client.shaping_offsets("demo", ids, weights=weights)
    assert offsets.pair_ids == tuple(pair_ids) and offsets.offsets == pytest.approx(z, abs=1e-5)
    picked = list(pair_ids[10:30])
    sub = client.shaping_offsets("demo", ids, weights=weights, pair_ids=picked)
    part = np.asarray(raw[10:30], np.float64)
    assert sub.mean == pytest.approx(part.mean(), abs=1e-6) and sub.std == pytest.approx(part.std(), abs=1e-6)
    assert sub.offsets == pytest.approx((part - part.mean()) / part.std(), abs=1e-4)
    with pytest.raises(InvalidArgumentError, match="2 weights for 1 concepts"):
        client.shaping_offsets("demo", [NAMED], weights=[1.0, 2.0])


def test_filter_and_inoculate_dry_run_then_write_in_the_export_folder(client, served):
    dry = client.filter("demo", [NAMED], top_fraction=0.1, dry_run=True)
    assert (dry.n_pairs, dry.n_removed, dry.dry_run, dry.output_path) == (60, 6, True, "")
    assert dry.shifts and all(np.isfinite(s.d_before) for s in dry.shifts)
    done = client.filter("demo", [NAMED], top_fraction=0.1)
    kept = [json.loads(line) for line in open(done.output_path)]
    removed = {p["pair_id"] for p in json.loads(open(done.manifest_path).read())["pairs"]}
    assert done.output_path.startswith(str(served.exports.resolve() / "demo")) and len(kept) == 54
    assert len(removed) == 6 and not removed & {r["id"] for r in kept}
    out = served.exports.resolve() / "demo" / "inoculated.jsonl"
    inoc = client.inoculate(
        "demo", [NAMED], threshold=0.0, output_path="inoculated.jsonl", system_prompt_template="Be {label} here."
    )
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    flagged = [r for r in rows if "Be sycophancy here." in json.dumps(r["prompt"])]
    assert len(rows) == 60 and len(flagged) == inoc.n_flagged > 0


def test_steering_vector_from_the_server_steers_the_tiny_model_and_restores_it(client, served):
    from transformers import AutoModelForCausalLM

    vector = client.steering_vector("demo", NAMED, recipe="unit")
    assert (vector.layer, vector.d_model, vector.n_layers, vector.concept_id) == (2, 64, 4, NAMED)
    assert vector.norm == pytest.approx(1.0, abs=1e-5)
    scaled = client.steering_vector("demo", NAMED)
    assert scaled.vector / scaled.norm == pytest.approx(vector.vector, abs=1e-5)
    model = AutoModelForCausalLM.from_pretrained(str(served.store.model)).eval()
    ids = torch.tensor([[5, 17, 42, 8, 99, 23]])
    with torch.no_grad():
        before = model(ids).logits
        with steering(model, vector, alpha=8.0) as handle:
            inside = model(ids).logits
        after = model(ids).logits
    assert handle.calls == 1 and not torch.allclose(inside, before, atol=1e-3)
    assert torch.equal(after, before)
    with pytest.raises(InvalidArgumentError, match="text check and has no|no direction"):
        client.steering_vector("demo", "text:url_count")


def test_concept_reward_scores_completions_through_the_server(served, session):
    ids, weights = [NAMED, "text:url_count"], [2.0, -1.0]
    reward = ConceptReward(ClientScorer(served.address, "demo", ids), weights=weights)
    completions = ["You're absolutely right, great question!", "See https://a.example/x now."]
    prompts = ["q1", "q2"]
    in_context = session.score_concepts(ids, texts=completions, prompts=prompts) @ np.array(weights)
    assert reward(prompts=prompts, completions=completions) == pytest.approx(in_context, abs=1e-5)
    expected = session.score_concepts(ids, texts=completions) @ np.array(weights)
    assert not np.allclose(expected, in_context), "the prompt is part of what is scored"
    shipped = pickle.loads(pickle.dumps(reward))  # as TRL ships it to workers
    assert shipped(completions=completions) == pytest.approx(expected, abs=1e-5)
    assert reward(completions=["", completions[1]]) == [None, pytest.approx(expected[1], abs=1e-5)]


def test_fetch_offsets_returns_the_session_offsets_and_caches_them(client, session, tmp_path):
    pair_ids, z, _, _, _ = session.shaping_offsets([NAMED], None)
    offsets = fetch_offsets(client, "demo", [NAMED], cache_dir=tmp_path)
    assert list(offsets) == list(pair_ids)
    assert list(offsets.values()) == pytest.approx(z, abs=1e-5)
    (cached,) = tmp_path.glob("offsets-demo-*.json")
    assert fetch_offsets(client, "demo", [NAMED], cache_dir=tmp_path) == offsets and cached.exists()


def test_async_client_reads_the_same_answers(served, client):
    async def run():
        async with AsyncClient(served.address) as aclient:
            top = await aclient.contrast("demo", top_k=3)
            scores = await aclient.scores("demo", NAMED)
            x = np.ones((2, 64), np.float32)
            return top, scores, await aclient.score_concepts("demo", [NAMED], activations=x)

    top, scores, scored = asyncio.run(run())
    assert [c.id for c in top.concepts] == [c.id for c in client.contrast("demo", top_k=3).concepts]
    assert scores.delta == pytest.approx(client.scores("demo", NAMED).delta)
    assert scored.shape == (2, 1)


# -- errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.score_concepts("demo", [NAMED], activations=np.zeros((4, 63))), "width 63"),
        (lambda c: c.score_concepts("demo", [NAMED], activations=np.full((2, 64), np.nan)), "NaN"),
        (lambda c: c.score_concepts("demo", [NAMED], activations=np.zeros((0, 64))), "batch >= 1"),
        (lambda c: c.score_concepts("demo", [NAMED], texts=[]), "empty batch"),
        (lambda c: c.score_concepts("demo", [], texts=["x"]), "no concept ids"),
        (
            lambda c: c.score_concepts("demo", [NAMED], activations=np.zeros((1, 64)), layer=1),
            r"layer 1 not in store .*\(layers: \[2\]\)",
        ),
        (lambda c: c.contrast("demo", layer=7), r"layer 7 not in store .*\(layers: \[2\]\)"),
        (lambda c: c.contrast("demo", kinds=["magic"]), "unknown concept kind 'magic'"),
        (lambda c: c.contrast("demo", pooling="last"), "pooling 'last' is not analysed"),
        (lambda c: c.nearest_features("demo", vector=np.zeros((2, 64)), k=3), r"shape \[d_model\]"),
        (lambda c: c.nearest_features("demo", vector=np.ones(10)), "width 10"),
        (lambda c: c.nearest_features("demo", concept_id=NAMED, k=5000), "k must be in"),
        (lambda c: c.steering_vector("demo", NAMED, recipe="magic"), "unknown recipe"),
        (lambda c: c.filter("demo", [NAMED], top_fraction=1.5, dry_run=True), "top_fraction"),
        (lambda c: c.ingest("demo", "").__next__(), "dataset is empty"),
    ],
)
def test_bad_input_is_invalid_argument_and_the_server_keeps_serving(client, call, message):
    with pytest.raises(InvalidArgumentError, match=message):
        call(client)
    assert client.contrast("demo", top_k=1).n_pairs == 60


def test_malformed_wire_requests_are_invalid_argument(served):
    with grpc.insecure_channel(served.address) as channel:
        stub = prefsight_pb2_grpc.PrefsightStub(channel)
        bad = tensor_pb2.Tensor(shape=[2, 64], dtype="float32", data=b"\0" * 12)
        for request, rpc, message in [
            (
                interventions_pb2.ScoreConceptsRequest(store="demo", concept_ids=[NAMED], activations=bad),
                stub.ScoreConcepts,
                "needs 512 bytes",
            ),
            (
                interventions_pb2.ScoreConceptsRequest(store="demo", concept_ids=[NAMED]),
                stub.ScoreConcepts,
                "give texts or activations",
            ),
            (concepts_pb2.NearestFeaturesRequest(store="demo", k=3), stub.NearestFeatures, "give a query"),
            (
                interventions_pb2.FilterRequest(
                    store="demo", selection=interventions_pb2.PairSelection(concept_ids=[NAMED]), dry_run=True
                ),
                stub.Filter,
                "needs a rule",
            ),
        ]:
            with pytest.raises(grpc.RpcError) as error:
                rpc(request, timeout=30)
            assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
            assert message in error.value.details()


def test_unknown_ingest_dataset_is_not_found(client):
    with pytest.raises(NotFoundError, match="does not exist"):
        list(client.ingest("scratch", "no/such/pairs.jsonl"))


class ExpiringContext:
    """A call context whose deadline passes after ``calls`` checks."""

    def __init__(self, calls: int) -> None:
        self.calls = calls

    def is_active(self) -> bool:
        return True

    def time_remaining(self) -> float:
        self.calls -= 1
        return 1.0 if self.calls >= 0 else 0.0


def test_streams_stop_when_the_deadline_passes(served):
    request = concepts_pb2.ScoresRequest(store="demo", concept_id=NAMED)
    assert len(list(served.servicer.Scores(request, ExpiringContext(100)))) == 9
    assert len(list(served.servicer.Scores(request, ExpiringContext(2)))) == 2


def test_tokens_gate_the_stores(served):
    acl = AccessList.from_mapping({"admin": "*", "trainer": ["fresh"]})
    server = build_server(served.servicer, acl=acl).start()
    try:
        with Client(server.address, "trainer", retries=0) as trainer:
            assert trainer.list_stores() == ["fresh"]
            with pytest.raises(PermissionDeniedError, match="no access to store 'demo'"):
                trainer.contrast("demo")
            with pytest.raises(PermissionDeniedError):  # naming it by path is checked too
                trainer.info(str(served.store.uri))
            assert trainer.info("fresh").is_ingested is False
        with Client(server.address, "admin") as admin:
            assert admin.list_stores() == ["demo", "empty", "fresh", "scratch"]
            assert admin.info(str(served.store.uri)).store == "demo"
        with Client(server.address, retries=0) as anonymous, pytest.raises(UnauthenticatedError):
            anonymous.contrast("demo")
    finally:
        server.stop(grace=0)


# -- ingest -----------------------------------------------------------------------


def test_ingest_streams_progress_until_done_and_the_store_is_served(client, served):
    events = list(client.ingest("scratch", str(served.store.data), limit=6, layers=[1]))
    assert events[0].stage == "plan" and events[-1].stage == "done" and events[-1].pairs_done == 6
    assert [e.stage for e in events].count("done") == 1 and "write" in [e.stage for e in events]
    assert [e.pairs_done for e in events] == sorted(e.pairs_done for e in events)
    assert {e.run_id for e in events} == {events[0].run_id}
    info = client.info("scratch")
    assert info.is_ingested and info.pairs == 6 and info.models[0].layers == (1,)
    again = list(client.ingest("scratch", str(served.store.data), limit=6, layers=[1]))
    assert again[-1].pairs_skipped == 6 and again[-1].pairs_done == 0
    with pytest.raises(FailedPreconditionError, match="no concepts"):
        client.contrast("scratch")


def snapshot(client: Client, concept: str) -> tuple:
    """What readers see of layer 2; an ingest of layer 1 must not change it."""
    top = client.contrast("demo", top_k=5)
    tokens = np.ones((3, 4, 64), np.float32)  # an SAE latent scores a max over tokens
    scored = client.score_concepts("demo", [concept], activations=tokens)
    return (
        tuple((c.id, round(c.d, 9)) for c in top.concepts),
        tuple(np.round(client.scores("demo", concept).delta, 6)),
        tuple(np.round(scored.ravel(), 5)),
        tuple(h.concept.id for h in client.nearest_features("demo", concept_id=concept, k=5)),
    )


def test_reads_stay_correct_during_an_ingest_and_cancelling_it_keeps_whole_pairs(client, served, session):
    concept = sae_id(session)
    baseline = snapshot(client, concept)
    stop, seen, failures = threading.Event(), [], []

    def reader() -> None:
        with Client(served.address, timeout=60) as own:
            while not stop.is_set():
                try:
                    seen.append(snapshot(own, concept))
                except Exception as error:  # noqa: BLE001 - any failure fails the test below
                    failures.append(error)
                stop.wait(0.1)  # leave the ingest some CPU on a 2-core box

    readers = [threading.Thread(target=reader) for _ in range(3)]
    stream = client.ingest("demo", str(served.store.data), layers=[1], token_budget=1024, max_length=1024)
    events = [next(stream)]
    for thread in readers:
        thread.start()
    with pytest.raises(FailedPreconditionError, match="running"):
        list(client.ingest("demo", str(served.store.data), layers=[1]))
    while len([e for e in events if e.stage == "write"]) < 3:
        events.append(next(stream))
    time.sleep(0.5)
    stream.cancel()
    rest = list(stream)  # ends quietly, without an error
    assert sum(e.stage == "write" for e in events + rest) < 60
    assert served.servicer.ingests.wait_idle("demo", timeout=30)
    stop.set()
    for thread in readers:
        thread.join(60)
    assert not failures and seen and all(s == baseline for s in seen)
    written = Store(str(served.store.uri)).scan(S.ACTIVATIONS, ["pair_id"], "layer = 1")
    per_pair = np.unique(np.asarray(written.column("pair_id").to_pylist()), return_counts=True)[1]
    assert 0 < len(per_pair) < 60 and set(per_pair) == {9}  # only whole pairs: 3 sides x 3 poolings
    assert [r.status for r in client.info("demo").runs if r.run_id == events[0].run_id] == ["cancelled"]
    assert snapshot(client, concept) == baseline


def test_an_ingest_past_its_deadline_stops_and_the_server_keeps_serving(client, served):
    with pytest.raises(DeadlineExceededError):
        list(client.ingest("fresh", str(served.store.data), layers=[0], limit=6, timeout=1.0))
    assert served.servicer.ingests.wait_idle("fresh", timeout=60)
    assert client.info("fresh").runs[-1].status == "cancelled"  # live runs come last
    assert client.contrast("demo", top_k=1).n_pairs == 60


SERVE = "from prefsight.cli.app import main; import prefsight.cli.serve_cmd; main()"


def test_prefsight_serve_serves_the_stores_until_sigterm(served, tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    tokens = tmp_path / "tokens.txt"
    tokens.write_text("secret demo\n")
    tokens.chmod(0o600)
    command = [
        sys.executable,
        "-c",
        SERVE,
        "serve",
        "--store",
        str(served.store.uri),
        "--store",
        str(served.root / "empty"),
        "--port",
        str(port),
        "--token-file",
        str(tokens),
        "--quiet",
    ]
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115 - closed with the process below
    process = subprocess.Popen(command, stderr=log)
    try:
        with Client(f"127.0.0.1:{port}", "secret", retries=40) as client:
            assert client.list_stores() == ["demo"]  # the token's stores only
            assert client.contrast("demo", top_k=1).n_pairs == 60
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
    finally:
        process.kill()
        log.close()
    with pytest.raises(InvalidArgument, match="served as 'x', which is taken"):
        PrefsightServicer(["a/x", "b/x"])  # what `serve --store a/x --store b/x` exits 2 on
