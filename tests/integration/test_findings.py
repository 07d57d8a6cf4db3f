"""What the analysis ranks as findings: never the overall direction; net effects; named-concept validation.

The store is the 60-pair demo audited with the tiny random llama (conftest).
"""

from __future__ import annotations

import time

import pytest
from prefsight.audit.to_report import _row
from prefsight.report.badges import CHOSEN, REJECTED, assign_badge
from prefsight.session import StoreSession
from prefsight_client import Client


@pytest.fixture(scope="module")
def session(served) -> StoreSession:
    return StoreSession(str(served.store.uri))


@pytest.fixture(scope="module")
def client(served):
    with Client(served.address, timeout=120) as client:
        yield client


def test_overall_directions_are_shown_apart_and_never_ranked(session, client):
    records = session.contrast(top=100_000)
    assert records and not [r["id"] for r in records if r["kind"] == "contrast"]
    assert all(r["overall"] is False for r in records)
    overall = session.analysis().overall_records()
    assert {r["id"].split(":")[-1] for r in overall} >= {"mean-diff", "pc1", "sae-mean-diff"}
    assert all(r["overall"] and 0.0 <= r["pair_accuracy"] <= 1.0 for r in overall)
    result = client.contrast("demo", top=5)
    assert len(result) == 5 and result[0].id == records[0]["id"]  # indexable, same ranking
    assert [c.id for c in result.overall] == [r["id"] for r in overall]
    assert all(c.overall for c in result.overall) and not any(c.overall for c in result)
    assert len(client.contrast("demo", kinds=["contrast"]).concepts) == 0


def test_every_finding_has_its_net_effect_and_standardised_effect(session):
    for record in session.contrast(top=50):
        assert {"delta_net", "d_net", "q_net", "std_effect", "predicted_shift"} <= set(record)
        assert record["std_effect"] == record["predicted_shift"]
        assert record["q_net"] is None or 0.0 <= record["q_net"] <= 1.0


def test_a_concept_present_in_every_pair_is_shown_as_generic_not_ranked_as_a_finding(session, client):
    records = session.contrast(top=100_000)
    length = next(r for r in records if r["id"] == "text:length_words")  # never absent
    assert length["generic"] is True and length["d_net"] is None and length["q_net"] is None
    assert assign_badge(_row(length)) not in (CHOSEN, REJECTED)
    leaning = [i for i, r in enumerate(records) if assign_badge(_row(r)) in (CHOSEN, REJECTED)]
    generic = [i for i, r in enumerate(records) if r["generic"]]
    assert generic and (not leaning or max(leaning) < min(generic))  # findings first
    front = [abs(records[i]["d_net"]) for i in leaning]
    assert front == sorted(front, reverse=True)  # ordered by the effect beyond chosen-ness
    wire = {c.id: c for c in client.contrast("demo", top=100_000)}
    assert wire["text:length_words"].generic is True
    assert [c.id for c in client.contrast("demo", top=100_000)] == [r["id"] for r in records]


def test_named_concepts_report_their_validation(session):
    from prefsight.concepts.starter import STARTER_CONCEPTS

    named = [r for r in session.contrast(top=100_000) if r["kind"] == "named"]
    starter = [r for r in named if r["label"].removesuffix(" (unreliable)") in STARTER_CONCEPTS]
    assert len(starter) == len(STARTER_CONCEPTS), "the audit encodes every starter concept"
    for record in starter:  # each has enough examples to be validated on held-out ones
        assert record["heldout_auroc"] is not None and 0.0 <= record["heldout_auroc"] <= 1.0, record["label"]
    # every named concept, including ones other tests define on the same store later
    # (too few examples: no held-out score), follows one rule
    for record in named:
        assert isinstance(record["reliable"], bool)
        assert -1.0 <= record["overall_cosine"] <= 1.0
        auroc = record["heldout_auroc"]
        assert record["reliable"] == (auroc is not None and auroc >= 0.8), record["label"]


def test_a_named_concept_that_cannot_be_validated_is_marked_unreliable_everywhere(served, client):
    session = StoreSession(str(served.store.uri))
    concept = session.define_concept("two examples", ["Sure thing!", "Absolutely, here you go."], ["No.", "I can't."])
    assert concept.provenance["reliable"] is False and concept.provenance["heldout_auroc"] is None
    record = next(r for r in session.contrast(top=100_000) if r["id"] == concept.id)
    assert record["reliable"] is False and record["label"].endswith("(unreliable)")
    assert assign_badge(_row(record)) not in (CHOSEN, REJECTED)
    # the server notices another process's write within its freshness interval (50 ms)
    deadline, over_grpc = time.monotonic() + 10, None
    while over_grpc is None and time.monotonic() < deadline:
        over_grpc = next((c for c in client.contrast("demo", top=100_000) if c.id == concept.id), None)
        time.sleep(0.1)
    assert over_grpc is not None
    assert over_grpc.reliable is False and over_grpc.label.endswith("(unreliable)")


def test_a_topic_contrast_never_ranks_the_overall_direction(session, client):
    topic = session.store.read_pairs()[0]["metadata"]["domain"]
    records, n_pairs = session.topic_contrast(topic)
    assert n_pairs >= 3 and records and not [r for r in records if r["kind"] == "contrast"]
    over_grpc = client.contrast("demo", topic=topic, top=100_000)
    assert not [c for c in over_grpc if c.kind == "contrast"]


def test_the_client_names_the_source_and_refuses_to_overwrite(served, client):
    from prefsight_client import FailedPreconditionError, InvalidArgumentError

    concept = client.contrast("demo", top=1)[0].id
    kwargs = dict(top_fraction=0.1, source_dataset=served.store.data.name, output_path="client.jsonl")
    first = client.filter("demo", [concept], **kwargs)
    assert first.n_removed == 6 and first.output_path.endswith("demo/client.jsonl")
    with pytest.raises((InvalidArgumentError, FailedPreconditionError), match="exists"):
        client.filter("demo", [concept], **kwargs)
    again = client.filter("demo", [concept], overwrite=True, **kwargs)
    assert again.output_path == first.output_path
    with pytest.raises(InvalidArgumentError):
        client.inoculate("demo", [concept], top_fraction=0.1, source_dataset="../etc/passwd")
