"""ConceptReward: TRL's reward_funcs contract, weighted concept scores, sync and async."""

from __future__ import annotations

import asyncio
import pickle

import numpy as np
import pytest
from prefsight_client.rewards import (
    AsyncClientScorer,
    AsyncConceptReward,
    ClientScorer,
    ConceptReward,
    concept_reward,
    message_text,
)

WORDS = ("sorry", "great")


class CountingScorer:
    """Scores = counts of each word in WORDS; records what it was asked."""

    def __init__(self) -> None:
        self.seen: list[list[str]] = []

    def score_texts(self, texts):
        self.seen.append(list(texts))
        return np.array([[t.lower().count(w) for w in WORDS] for t in texts], dtype=np.float32)


class AsyncCountingScorer(CountingScorer):
    async def score_texts(self, texts):  # type: ignore[override]
        await asyncio.sleep(0)
        return CountingScorer.score_texts(self, texts)


COMPLETIONS = ["Sorry, sorry, I cannot.", "What a great, great question!", "Plain answer."]


def test_reward_is_the_weighted_sum_of_concept_scores():
    scorer = CountingScorer()
    reward = ConceptReward(scorer, weights=[-1.0, 0.5])
    out = reward(prompts=["p1", "p2", "p3"], completions=COMPLETIONS, completion_ids=[[1]] * 3)
    assert out == [-2.0, 1.0, 0.0]
    assert scorer.seen == [COMPLETIONS]  # the completion alone by default


def test_conversational_completions_are_scored_by_their_message_text():
    scorer = CountingScorer()
    completions = [[{"role": "assistant", "content": c}] for c in COMPLETIONS]
    prompts = [[{"role": "user", "content": "great?"}]] * 3
    assert ConceptReward(scorer, [-1.0, 0.5])(prompts=prompts, completions=completions) == [-2.0, 1.0, 0.0]
    assert scorer.seen == [COMPLETIONS]


class ContextScorer:
    """Records the prompts it is given; scores 1 when the completion repeats its prompt."""

    def __init__(self):
        self.prompts = []

    def score_texts(self, texts, prompts=None):
        self.prompts.append(prompts)
        return np.array(
            [
                [float(p is not None and (p if isinstance(p, str) else p[-1]["content"]) in t)]
                for t, p in zip(texts, prompts or [None] * len(texts))
            ],
            dtype=np.float32,
        )


def test_completions_are_scored_in_the_context_of_their_prompts():
    scorer = ContextScorer()
    reward = ConceptReward(scorer, [1.0])
    prompts = [[{"role": "user", "content": "cats"}], "dogs"]
    assert reward(prompts=prompts, completions=["cats are nice", "I like cats"]) == [1.0, 0.0]
    assert scorer.prompts == [[[{"role": "user", "content": "cats"}], "dogs"]]


def test_with_prompt_false_scores_completions_alone():
    scorer = ContextScorer()
    ConceptReward(scorer, [1.0], with_prompt=False)(prompts=["x"], completions=["x"])
    assert scorer.prompts == [None]


def test_a_scorer_without_prompts_gets_texts_only():
    scorer = CountingScorer()
    reward = ConceptReward(scorer, [0.0, 1.0])
    assert reward(prompts=["great. "] * 3, completions=COMPLETIONS) == [0.0, 2.0, 0.0]
    assert scorer.seen == [COMPLETIONS]


def test_message_text_reads_content_parts_and_skips_images():
    message = {"role": "assistant", "content": [{"type": "image"}, {"type": "text", "text": "hello"}]}
    assert message_text([message, {"role": "assistant", "content": "there"}]) == "hello\nthere"


def test_non_finite_scores_become_none_for_trl():
    class NanScorer:
        def score_texts(self, texts):
            return np.array([[np.nan], [1.0]], dtype=np.float32)

    assert ConceptReward(NanScorer(), [2.0])(prompts=["a", "b"], completions=["a", "b"]) == [None, 2.0]


def test_scores_with_the_wrong_number_of_columns_are_refused():
    with pytest.raises(ValueError, match=r"expected \(3, 1\)"):
        ConceptReward(CountingScorer(), [1.0])(prompts=None, completions=COMPLETIONS)


def test_async_reward_awaits_the_scorer_and_matches_the_sync_one():
    reward = AsyncConceptReward(AsyncCountingScorer(), weights=[-1.0, 0.5])
    assert asyncio.run(reward(prompts=["p"] * 3, completions=COMPLETIONS)) == [-2.0, 1.0, 0.0]


def test_trl_sees_the_name_and_the_async_flavour():
    from trl.trainer.utils import get_callable_name, is_async_callable

    sync = ConceptReward(CountingScorer(), [1.0, 0.0], name="no_apologies")
    asynchronous = AsyncConceptReward(AsyncCountingScorer(), [1.0, 0.0])
    assert get_callable_name(sync) == "no_apologies"
    assert get_callable_name(asynchronous) == "prefsight_concepts"
    assert not is_async_callable(sync) and is_async_callable(asynchronous)


def test_server_backed_rewards_pickle_without_a_connection():
    reward = concept_reward("127.0.0.1:1", "demo", {"c1": -1.0, "c2": 0.5}, token="t", layer=3)
    assert isinstance(reward, ConceptReward) and isinstance(reward.scorer, ClientScorer)
    back = pickle.loads(pickle.dumps(reward))
    assert back.scorer.concept_ids == ["c1", "c2"] and back.scorer.layer == 3
    np.testing.assert_array_equal(back.weights, [-1.0, 0.5])
    assert back.__name__ == "prefsight_concepts"
    async_reward = concept_reward("127.0.0.1:1", "demo", {"c1": 1.0}, asynchronous=True)
    assert isinstance(pickle.loads(pickle.dumps(async_reward)).scorer, AsyncClientScorer)


def test_bad_weights_are_refused():
    for weights in ([], [float("nan")], [[1.0]]):
        with pytest.raises(ValueError, match="weights"):
            ConceptReward(CountingScorer(), weights)
