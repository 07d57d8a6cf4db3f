"""Concept-based reward terms for TRL's GRPO/RLOO trainers (``reward_funcs``).

``ConceptReward`` is a TRL reward function: called as
``reward(prompts=..., completions=..., **kwargs)`` it returns one float per
completion, ``sum_k weight_k * score_k(completion | prompt)``, where the scores
come from a scorer (the server's ScoreConcepts through ``ClientScorer``, or
anything with ``score_texts``). Each completion is scored in the context of its
prompt, exactly as the audit scored the stored responses, so a concept's reward
on a sampled completion is on the audit's scale. ``AsyncConceptReward`` is the asyncio variant TRL runs
concurrently with other async rewards. Both pickle (the client reconnects
lazily), so they travel to training workers.

Example:
    >>> import numpy as np
    >>> class Lengths:
    ...     def score_texts(self, texts):
    ...         return np.array([[len(t)] for t in texts], dtype=np.float32)
    >>> reward = ConceptReward(Lengths(), weights=[-0.1], name="brevity")
    >>> reward(prompts=["Q"], completions=["four"])
    [-0.4]
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Mapping, Sequence
from typing import Any, Generic, Protocol, TypeVar

import numpy as np

from prefsight_client.aio import AsyncClient
from prefsight_client.client import Client


class TextScorer(Protocol):
    """Scores texts for a fixed list of concepts (optionally given their prompts)."""

    def score_texts(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), n_concepts) scores; a scorer may also take ``prompts=``."""
        ...


class AsyncTextScorer(Protocol):
    """The asyncio form of ``TextScorer``."""

    async def score_texts(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), n_concepts) scores; a scorer may also take ``prompts=``."""
        ...


def takes_prompts(scorer: Any) -> bool:
    """Whether ``scorer.score_texts`` accepts a ``prompts`` keyword."""
    try:
        parameters = inspect.signature(scorer.score_texts).parameters
    except (TypeError, ValueError):
        return False
    return "prompts" in parameters or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())


class ClientScorer:
    """``TextScorer`` backed by a prefsight server's ScoreConcepts.

    Holds the connection settings, not the connection: the client is opened on
    first use, so the scorer pickles into training workers.
    """

    def __init__(
        self,
        address: str,
        store: str,
        concept_ids: Sequence[str],
        *,
        token: str | None = None,
        layer: int | None = None,
        pooling: str = "",
        timeout: float | None = 60.0,
    ) -> None:
        if not concept_ids:
            raise ValueError("ClientScorer needs at least one concept id")
        self.address, self.store, self.token = address, store, token
        self.concept_ids = list(concept_ids)
        self.layer, self.pooling, self.timeout = layer, pooling, timeout
        self._client: Any = None

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_client": None}

    def score_texts(self, texts: Sequence[str], prompts: Sequence[Any] | None = None) -> np.ndarray:
        """Scores from the server, (len(texts), n_concepts); ``prompts`` give each text's context."""
        if self._client is None:
            self._client = Client(self.address, self.token, timeout=self.timeout)
        return self._client.score_concepts(**self._request(texts, prompts))

    def _request(self, texts: Sequence[str], prompts: Sequence[Any] | None) -> dict[str, Any]:
        """``score_concepts`` arguments for one batch (the same for both clients)."""
        return {
            "store": self.store,
            "concept_ids": self.concept_ids,
            "texts": list(texts),
            "prompts": prompts,
            "layer": self.layer,
            "pooling": self.pooling,
        }


class AsyncClientScorer(ClientScorer):
    """``AsyncTextScorer`` backed by the server; the AsyncClient opens in the running loop."""

    async def score_texts(  # type: ignore[override]
        self, texts: Sequence[str], prompts: Sequence[Any] | None = None
    ) -> np.ndarray:
        """Scores from the server, (len(texts), n_concepts); ``prompts`` give each text's context."""
        if self._client is None:
            self._client = AsyncClient(self.address, self.token, timeout=self.timeout)
        return await self._client.score_concepts(**self._request(texts, prompts))


def message_text(value: Any) -> str:
    """Text of a TRL prompt or completion: a string, or a list of chat messages.

    For messages, the contents are joined with newlines (content parts of type
    "text" included; images and tool calls are skipped).
    """
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return _content_text(value.get("content", ""))
    if isinstance(value, Sequence):
        return "\n".join(message_text(m) for m in value)
    raise TypeError(f"cannot read text from {type(value).__name__}; expected str or messages")


def prompt_messages(value: Any) -> str | list[dict[str, str]]:
    """A TRL prompt as the server takes it: a string, or chat messages with text contents."""
    if isinstance(value, str):
        return value
    if isinstance(value, Sequence):
        return [
            {"role": str(m.get("role", "user")), "content": _content_text(m.get("content", ""))}
            for m in value
            if isinstance(m, Mapping)
        ]
    raise TypeError(f"cannot read a prompt from {type(value).__name__}; expected str or messages")


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, Sequence):
        parts = [p.get("text", "") for p in content if isinstance(p, Mapping)]
        return "\n".join(p for p in parts if p)
    return ""


S = TypeVar("S")


class _RewardBase(Generic[S]):
    """Scorer, weights, naming and text assembly shared by the sync and async rewards."""

    def __init__(
        self, scorer: S, weights: Sequence[float], *, name: str = "prefsight_concepts", with_prompt: bool = True
    ) -> None:
        self.scorer = scorer
        self.weights = np.asarray(weights, dtype=np.float64)
        if self.weights.ndim != 1 or self.weights.size == 0:
            raise ValueError(f"weights must be a non-empty list, got {weights!r}")
        if not np.isfinite(self.weights).all():
            raise ValueError(f"weights must be finite, got {weights!r}")
        self.__name__ = name
        self.with_prompt = with_prompt

    def texts(self, completions: Sequence[Any]) -> list[str]:
        """The completion texts to score."""
        return [message_text(c) for c in completions]

    def batch(self, prompts: Sequence[Any] | None, completions: Sequence[Any]) -> tuple[list[str], dict[str, Any]]:
        """(texts to score, the scorer's keyword arguments) for one TRL call."""
        texts = self.texts(completions)
        return texts, self.context(self.scorer, prompts, len(texts)) if texts else {}

    def context(self, scorer: Any, prompts: Sequence[Any] | None, n: int) -> dict[str, Any]:
        """``{"prompts": ...}`` for a scorer that takes prompts, when ``with_prompt`` and given.

        Raises:
            ValueError: a prompt count other than the number of completions.
        """
        if not self.with_prompt or prompts is None or not takes_prompts(scorer):
            return {}
        if len(prompts) != n:
            raise ValueError(f"{len(prompts)} prompts for {n} completions")
        return {"prompts": [prompt_messages(p) for p in prompts]}

    def combine(self, scores: np.ndarray, n_texts: int) -> list[float | None]:
        """Weighted sum per row; None where a score is not finite (TRL reads None as NaN).

        Raises:
            ValueError: when ``scores`` is not (n_texts, len(weights)).
        """
        scores = np.asarray(scores, dtype=np.float64)
        if scores.shape != (n_texts, self.weights.size):
            raise ValueError(
                f"scorer returned shape {scores.shape}, expected ({n_texts}, {self.weights.size}) "
                "(one column per weight)"
            )
        rewards = scores @ self.weights
        return [float(r) if math.isfinite(r) else None for r in rewards]


class ConceptReward(_RewardBase[TextScorer]):
    """TRL reward function: ``sum_k weight_k * score_k(completion)`` per completion.

    Args:
        scorer: anything with ``score_texts(texts) -> (n, n_concepts)``, e.g. ``ClientScorer``.
        weights: one per concept column; negative penalises a concept.
        name: the name TRL logs the reward under.
        with_prompt: score each completion after its prompt (as the audit scores stored
            responses; the default). False scores the completion with no prompt.
    """

    def __call__(
        self, prompts: Sequence[Any] | None = None, completions: Sequence[Any] = (), **kwargs: Any
    ) -> list[float | None]:
        texts, context = self.batch(prompts, completions)
        if not texts:
            return []
        return self.combine(self.scorer.score_texts(texts, **context), len(texts))


class AsyncConceptReward(_RewardBase[AsyncTextScorer]):
    """The asyncio variant of ``ConceptReward``; TRL awaits it alongside other async rewards."""

    async def __call__(
        self, prompts: Sequence[Any] | None = None, completions: Sequence[Any] = (), **kwargs: Any
    ) -> list[float | None]:
        texts, context = self.batch(prompts, completions)
        if not texts:
            return []
        return self.combine(await self.scorer.score_texts(texts, **context), len(texts))


def concept_reward(
    address: str,
    store: str,
    weights: Mapping[str, float],
    *,
    token: str | None = None,
    layer: int | None = None,
    asynchronous: bool = False,
    name: str = "prefsight_concepts",
    with_prompt: bool = True,
) -> ConceptReward | AsyncConceptReward:
    """A server-backed reward from ``{concept_id: weight}``.

    Example:
        >>> reward = concept_reward("localhost:50051", "demo", {"c12": -1.0})
        >>> reward.__name__
        'prefsight_concepts'
    """
    ids, values = list(weights), list(weights.values())
    if asynchronous:
        scorer = AsyncClientScorer(address, store, ids, token=token, layer=layer)
        return AsyncConceptReward(scorer, values, name=name, with_prompt=with_prompt)
    sync_scorer = ClientScorer(address, store, ids, token=token, layer=layer)
    return ConceptReward(sync_scorer, values, name=name, with_prompt=with_prompt)
