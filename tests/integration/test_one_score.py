"""One concept, one number: every path that scores a concept agrees with the audit.

For each registered concept kind (SAE latent, SAE cluster, overall direction,
named concept, text check) the stored pairs' per-pair scores of the audit are
recomputed from their *texts* — through ``StoreSession.score_concepts``, the
``ScoreConcepts`` RPC, and TRL's ``ConceptReward`` over gRPC — and from the
per-token activations a trainer would send; all equal the audit's scores
(relative tolerance 1e-3). The store is the 60-pair demo audited with the tiny
random llama (conftest).
"""

from __future__ import annotations

import numpy as np
import pytest
from prefsight.concepts import kinds
from prefsight.concepts.catalog import load_concepts
from prefsight.session import StoreSession
from prefsight_client import Client, InvalidArgumentError
from prefsight_client.training import ClientScorer, ConceptReward

RTOL, ATOL = 1e-3, 1e-4
N_PAIRS = 24


@pytest.fixture(scope="module")
def session(served) -> StoreSession:
    return StoreSession(str(served.store.uri))


@pytest.fixture(scope="module")
def client(served):
    with Client(served.address, timeout=120) as client:
        yield client


@pytest.fixture(scope="module")
def by_kind(session) -> dict[str, list[str]]:
    """Concept ids of the analysed layer per registered kind."""
    layer = session.model_layer()[1]
    out: dict[str, list[str]] = {}
    for concept in load_concepts(session.store):
        if concept.layer in (layer, None):
            out.setdefault(kinds.kind_of(concept).name, []).append(concept.id)
    return out


@pytest.fixture(scope="module")
def pairs(session) -> list[dict]:
    rows = {r["pair_id"]: r for r in session.store.read_pairs()}
    ids = [r["pair_id"] for r in session.scores(_any_sae(session))][:N_PAIRS]
    return [rows[p] for p in ids]


def _any_sae(session: StoreSession) -> str:
    return next(c.id for c in load_concepts(session.store, kind="sae"))


def _picks(by_kind: dict[str, list[str]], name: str) -> list[str]:
    ids = by_kind.get(name, [])
    assert ids, f"the audited store has no {name} concept"
    return ids[:3] if name != "sae-latent" else _firing(ids)


def _firing(ids: list[str]) -> list[str]:
    return ids[:: max(1, len(ids) // 4)][:4]


def _stored(session: StoreSession, concept_ids: list[str], pairs: list[dict], side: str) -> np.ndarray:
    """The audit's per-pair scores, (n_pairs, n_concepts)."""
    wanted = [p["pair_id"] for p in pairs]
    columns = []
    for concept_id in concept_ids:
        rows = {r["pair_id"]: r for r in session.scores(concept_id)}
        columns.append([rows[p][side] for p in wanted])
    return np.array(columns, np.float64).T


KINDS = ["sae-latent", "sae-cluster", "direction", "named", "text-check"]


def test_every_kind_is_registered_and_the_store_has_each():
    assert set(KINDS) <= set(kinds.REGISTRY)


@pytest.mark.parametrize("kind", KINDS)
def test_texts_through_score_concepts_equal_the_audit(kind, session, client, by_kind, pairs):
    ids = _picks(by_kind, kind)
    for side in ("chosen", "rejected"):
        expected = _stored(session, ids, pairs, side)
        texts = [p[side] for p in pairs]
        prompts = [p["prompt"] for p in pairs]
        local = session.score_concepts(ids, texts=texts, prompts=prompts)
        np.testing.assert_allclose(local, expected, rtol=RTOL, atol=ATOL)
        remote = client.score_concepts("demo", ids, texts=texts, prompts=prompts)
        np.testing.assert_allclose(remote, expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("kind", KINDS)
def test_concept_reward_over_grpc_equals_the_audit(kind, session, served, by_kind, pairs):
    concept_id = _picks(by_kind, kind)[0]
    reward = ConceptReward(ClientScorer(served.address, "demo", [concept_id]), [1.0])
    # TRL passes conversational prompts as message lists and completions as messages
    completions = [[{"role": "assistant", "content": p["chosen"]}] for p in pairs]
    got = reward(prompts=[p["prompt"] for p in pairs], completions=completions)
    expected = _stored(session, [concept_id], pairs, "chosen")[:, 0]
    np.testing.assert_allclose(np.array(got, np.float64), expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("kind", ["sae-latent", "sae-cluster", "direction", "named"])
def test_trainer_token_activations_equal_the_audit(kind, session, client, by_kind, pairs):
    """A trainer sends (batch, seq, d_model) hidden states with a response mask."""
    ids = _picks(by_kind, kind)
    layer = session.model_layer()[1]
    texts, prompts = [p["chosen"] for p in pairs], [p["prompt"] for p in pairs]
    responses = kinds.from_texts(session.loaded(), layer, texts, prompts)
    lengths = np.diff(responses.offsets)
    seq = int(lengths.max()) + 3  # padding the mask leaves out
    batch = np.zeros((len(texts), seq, responses.tokens.shape[1]), np.float32)
    mask = np.zeros((len(texts), seq), np.float32)
    for i, (a, b) in enumerate(zip(responses.offsets[:-1], responses.offsets[1:], strict=True)):
        batch[i, 2 : 2 + b - a] = responses.tokens[a:b]
        mask[i, 2 : 2 + b - a] = 1
    batch[mask == 0] = 1e3  # what the mask hides must not count
    got = client.score_concepts("demo", ids, activations=batch, mask=mask)
    expected = _stored(session, ids, pairs, "chosen")
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL)


def test_sae_concepts_refuse_pooled_activations(session, client, by_kind):
    d_model = session.store.d_model()
    pooled = np.zeros((2, d_model), np.float32)
    with pytest.raises(InvalidArgumentError, match="max of an SAE latent over a response's tokens"):
        client.score_concepts("demo", _picks(by_kind, "sae-latent")[:1], activations=pooled)
    named = _picks(by_kind, "named")[:1]
    assert client.score_concepts("demo", named, activations=pooled).shape == (2, 1)


def test_text_checks_refuse_activations(session, client, by_kind):
    pooled = np.zeros((1, session.store.d_model()), np.float32)
    with pytest.raises(InvalidArgumentError, match="text check: send texts"):
        client.score_concepts("demo", _picks(by_kind, "text-check")[:1], activations=pooled)


def test_a_mask_of_the_wrong_shape_is_refused(session, client, by_kind):
    tokens = np.zeros((2, 5, session.store.d_model()), np.float32)
    with pytest.raises(InvalidArgumentError, match="token mask has shape"):
        client.score_concepts("demo", _picks(by_kind, "named")[:1], activations=tokens, mask=np.ones((2, 4)))


def test_a_sae_reward_separates_the_pairs_as_the_audit_says(session, served, by_kind, pairs):
    """AUROC of chosen-vs-rejected rewards from GRPO's reward function equals the audit's."""
    from prefsight.concepts.named import auroc

    concept_id = max(
        _picks(by_kind, "sae-latent"), key=lambda c: abs(float(np.mean([r["delta"] for r in session.scores(c)])))
    )
    reward = ConceptReward(ClientScorer(served.address, "demo", [concept_id]), [1.0])
    prompts = [p["prompt"] for p in pairs]
    chosen = np.array(reward(prompts=prompts, completions=[p["chosen"] for p in pairs]))
    rejected = np.array(reward(prompts=prompts, completions=[p["rejected"] for p in pairs]))
    stored_c = _stored(session, [concept_id], pairs, "chosen")[:, 0]
    stored_r = _stored(session, [concept_id], pairs, "rejected")[:, 0]
    assert auroc(chosen, rejected) == pytest.approx(auroc(stored_c, stored_r), abs=1e-9)
    assert np.ptp(np.concatenate([chosen, rejected])) > 0, "a reward that is constant teaches nothing"
