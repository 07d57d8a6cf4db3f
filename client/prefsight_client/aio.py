"""The asyncio client: the same surface as ``Client``, on ``grpc.aio``.

Unary calls are coroutines; streams are async iterators with ``cancel()``.
Request building and response conversion are shared with ``client.py``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import grpc
import numpy as np

from prefsight_client import _convert, _requests
from prefsight_client._channel import (
    DEFAULT,
    Timeout,
    auth_metadata,
    channel_credentials,
    channel_options,
    resolve_timeout,
)
from prefsight_client._proto.prefsight.v1 import prefsight_pb2_grpc
from prefsight_client._retry import RetryPolicy, deadline_after, time_left
from prefsight_client._streams import AsyncResponseStream, per_chunk, per_message
from prefsight_client.errors import from_rpc_error
from prefsight_client.results import (
    ContrastResult,
    DefinedConcept,
    ExampleHit,
    FeatureHit,
    FilterResult,
    IngestProgress,
    InoculateResult,
    PairScore,
    PairScores,
    ShapingOffsets,
    StoreInfo,
)
from prefsight_client.vectors import SteeringVector

log = logging.getLogger(__name__)

T = TypeVar("T")


class AsyncClient:
    """Asyncio client for a prefsight server; arguments as for ``Client``.

    Create it inside a running event loop.

    Example:
        >>> import asyncio
        >>> from prefsight_client import AsyncClient
        >>> async def main() -> None:
        ...     async with AsyncClient("localhost:50051", token="secret") as client:
        ...         print((await client.info("demo")).pairs)
        >>> asyncio.run(main())
    """

    def __init__(
        self,
        address: str,
        token: str | None = None,
        *,
        timeout: float | None = 30.0,
        retries: int = 3,
        tls: bool = False,
        tls_root_cert: bytes | str | Path | None = None,
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        credentials = channel_credentials(tls, tls_root_cert)
        options = channel_options()
        if credentials is None:
            self._channel = grpc.aio.insecure_channel(address, options=options)
        else:
            self._channel = grpc.aio.secure_channel(address, credentials, options=options)
        self._stub = prefsight_pb2_grpc.PrefsightStub(self._channel)
        self._metadata = auth_metadata(token)
        self.address = address
        self.timeout = timeout
        self.retry_policy = retry_policy or RetryPolicy(retries=retries)

    # -- plumbing ---------------------------------------------------------------

    async def close(self) -> None:
        """Close the channel; calls in flight are cancelled."""
        await self._channel.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def _unary(self, method: str, request: Any, timeout: Timeout) -> Any:
        deadline = deadline_after(resolve_timeout(timeout, self.timeout))
        rpc = getattr(self._stub, method)
        attempt = 0
        while True:
            try:
                return await rpc(request, timeout=time_left(deadline), metadata=self._metadata)
            except grpc.RpcError as error:
                delay = self.retry_policy.next_delay(error.code(), attempt, time_left(deadline))
                if delay is None:
                    raise from_rpc_error(error) from None
            log.info("%s unavailable; retry %d in %.2fs", method, attempt + 1, delay)
            await asyncio.sleep(delay)
            attempt += 1

    def _stream(
        self,
        method: str,
        request: Any,
        convert: Callable[[Any], Iterable[T]],
        timeout: float | None,
    ) -> AsyncResponseStream[T]:
        rpc = getattr(self._stub, method)

        def start(left: float | None) -> Any:
            return rpc(request, timeout=left, metadata=self._metadata)

        return AsyncResponseStream(start, convert, self.retry_policy, deadline_after(timeout))

    # -- stores -----------------------------------------------------------------

    async def list_stores(self, *, timeout: Timeout = DEFAULT) -> list[str]:
        """Names of the stores this token may read.

        Example:
            >>> await client.list_stores()
            ['demo']
        """
        response = await self._unary("ListStores", _requests.list_stores(), timeout)
        return list(response.stores)

    async def info(self, store: str, *, timeout: Timeout = DEFAULT) -> StoreInfo:
        """Tables, counts, models, layers and runs of ``store``.

        Raises:
            NotFoundError: unknown store (the message lists the served ones).

        Example:
            >>> (await client.info("demo")).pairs
            1000
        """
        return _convert.store_info(await self._unary("Info", _requests.info(store), timeout))

    def ingest(
        self,
        store: str,
        dataset: str,
        *,
        dataset_format: str = "",
        split: str = "",
        model: str = "",
        layers: Sequence[int] = (),
        poolings: Sequence[str] = (),
        limit: int = 0,
        token_budget: int = 0,
        max_length: int = 0,
        token_sample: int = 0,
        timeout: float | None = None,
    ) -> AsyncResponseStream[IngestProgress]:
        """Run ``dataset`` (a path on the server) through a model into ``store``.

        Returns a stream of progress events; cancel it (or leave its ``with``
        block) to stop the ingest after the batch in flight.

        Example:
            >>> async with client.ingest("demo", "/data/pairs.jsonl", layers=[6]) as events:
            ...     async for event in events:
            ...         print(event.stage, event.pairs_done, event.pairs_total)
        """
        request = _requests.ingest(
            store,
            dataset,
            dataset_format=dataset_format,
            split=split,
            model=model,
            layers=layers,
            poolings=poolings,
            limit=limit,
            token_budget=token_budget,
            max_length=max_length,
            token_sample=token_sample,
        )
        return self._stream("Ingest", request, per_message(_convert.ingest_progress), timeout)

    # -- concepts ---------------------------------------------------------------

    async def contrast(
        self,
        store: str,
        *,
        layer: int | None = None,
        pooling: str = "",
        kinds: Sequence[str] = (),
        top: int = 0,
        q_max: float = 0.0,
        topic: str = "",
        timeout: Timeout = DEFAULT,
        top_k: int = 0,
    ) -> ContrastResult:
        """Concepts that separate chosen from rejected, strongest first.

        ``top`` (the same argument as ``StoreSession.contrast``; ``top_k`` is its older
        name) caps how many come back, 0 = the server's default. The result iterates
        and indexes over its concepts; ``.overall`` holds the overall chosen−rejected
        directions, which are never ranked as findings.

        Example:
            >>> for c in (await client.contrast("demo", top_k=5)).concepts:
            ...     print(c.label, round(c.d, 2), c.q)
        """
        request = _requests.contrast(
            store, layer=layer, pooling=pooling, kinds=kinds, top_k=top or top_k, q_max=q_max,
            topic=topic,
        )
        return _convert.contrast(await self._unary("Contrast", request, timeout))

    def iter_scores(
        self,
        store: str,
        concept_id: str,
        *,
        layer: int | None = None,
        pooling: str = "",
        pair_ids: Sequence[str] = (),
        timeout: Timeout = DEFAULT,
    ) -> AsyncResponseStream[PairScore]:
        """Stream one concept's per-pair scores (for stores too big to hold at once).

        Example:
            >>> async for s in client.iter_scores("demo", "c12"):
            ...     print(s.pair_id, s.delta)
        """
        request = _requests.scores(
            store, concept_id, layer=layer, pooling=pooling, pair_ids=pair_ids
        )
        timeout_s = resolve_timeout(timeout, self.timeout)
        return self._stream("Scores", request, per_chunk(_convert.pair_scores), timeout_s)

    async def scores(
        self,
        store: str,
        concept_id: str,
        *,
        layer: int | None = None,
        pooling: str = "",
        pair_ids: Sequence[str] = (),
        timeout: Timeout = DEFAULT,
    ) -> PairScores:
        """One concept's per-pair scores as aligned arrays.

        Example:
            >>> s = await client.scores("demo", "c12")
            >>> s.delta.mean()
        """
        stream = self.iter_scores(
            store, concept_id, layer=layer, pooling=pooling, pair_ids=pair_ids, timeout=timeout
        )
        return _convert.collect_scores([s async for s in stream])

    async def nearest_features(
        self,
        store: str,
        *,
        vector: Any = None,
        concept_id: str | None = None,
        text: str | None = None,
        k: int = 10,
        layer: int | None = None,
        kinds: Sequence[str] = (),
        timeout: Timeout = DEFAULT,
    ) -> list[FeatureHit]:
        """Concepts nearest a direction, a concept or a text (pass exactly one).

        Example:
            >>> hits = await client.nearest_features("demo", text="I'm sorry, but", k=5)
        """
        request = _requests.nearest_features(
            store, vector=vector, concept_id=concept_id, text=text, k=k, layer=layer, kinds=kinds
        )
        return _convert.feature_hits(await self._unary("NearestFeatures", request, timeout))

    async def nearest_examples(
        self,
        store: str,
        *,
        vector: Any = None,
        concept_id: str | None = None,
        text: str | None = None,
        k: int = 10,
        layer: int | None = None,
        pooling: str = "",
        side: str = "",
        timeout: Timeout = DEFAULT,
    ) -> list[ExampleHit]:
        """Pair sides whose activations are nearest a direction, concept or text.

        Example:
            >>> hits = await client.nearest_examples("demo", concept_id="c12", side="chosen")
        """
        request = _requests.nearest_examples(
            store,
            vector=vector,
            concept_id=concept_id,
            text=text,
            k=k,
            layer=layer,
            pooling=pooling,
            side=side,
        )
        return _convert.example_hits(await self._unary("NearestExamples", request, timeout))

    async def define_concept(
        self,
        store: str,
        name: str,
        positive_texts: Sequence[str],
        negative_texts: Sequence[str] = (),
        *,
        layer: int | None = None,
        description: str = "",
        pooling: str = "",
        overwrite: bool = False,
        timeout: Timeout = DEFAULT,
    ) -> DefinedConcept:
        """Define a named concept from texts that show it and texts that do not.

        Example:
            >>> c = await client.define_concept(
            ...     "demo", "flattery", ["What a brilliant question!"], ["The answer is 4."]
            ... )
        """
        request = _requests.define_concept(
            store,
            name,
            positive_texts,
            negative_texts,
            layer=layer,
            description=description,
            pooling=pooling,
            overwrite=overwrite,
        )
        return _convert.defined_concept(await self._unary("DefineConcept", request, timeout))

    # -- interventions ----------------------------------------------------------

    async def steering_vector(
        self,
        store: str,
        concept_id: str,
        *,
        layer: int | None = None,
        recipe: str = "",
        timeout: Timeout = DEFAULT,
    ) -> SteeringVector:
        """A concept's steering vector with its provenance (see ``steering()``).

        Example:
            >>> v = await client.steering_vector("demo", "c12")
            >>> v.layer, v.d_model
        """
        request = _requests.steering_vector(store, concept_id, layer=layer, recipe=recipe)
        return _convert.steering_vector(await self._unary("SteeringVector", request, timeout))

    async def score_concepts(
        self,
        store: str,
        concept_ids: str | Sequence[str],
        *,
        texts: Sequence[str] | None = None,
        prompts: Sequence[Any] | None = None,
        activations: Any = None,
        mask: Any = None,
        layer: int | None = None,
        pooling: str = "",
        timeout: Timeout = DEFAULT,
    ) -> np.ndarray:
        """Concept scores for a batch of texts or of activations (pass exactly one).

        Texts are scored exactly as the audit scores a stored response: after their
        prompt, with the model's chat template, over the completion's tokens only.

        Args:
            store: store name.
            concept_ids: one id or several; columns come back in this order.
            texts: completions, run through the server's model at the concept's layer.
            prompts: the prompt of each text (a string = one user turn, or chat
                messages as ``[{"role", "content"}]``), one prompt for all, or None.
            activations: hidden states the caller already has at the concept's layer:
                (batch, d_model) mean-pooled over the response, or (batch, seq, d_model)
                per token with ``mask``; SAE concepts need per-token activations.
            mask: (batch, seq) 1 for response tokens (per-token activations only).
            layer: the layer the activations come from (default: the concept's).
            pooling: pooling of the texts' token activations.
            timeout: deadline in seconds.

        Returns:
            (batch, n_concepts) float32.

        Example:
            >>> s = await client.score_concepts("demo", ["c12"], texts=["Great question!"])
            >>> s.shape
            (1, 1)
        """
        request = _requests.score_concepts(
            store, concept_ids, texts=texts, prompts=prompts, activations=activations, mask=mask,
            layer=layer, pooling=pooling,
        )
        response = await self._unary("ScoreConcepts", request, timeout)
        n_rows = len(texts) if texts is not None else int(np.shape(activations)[0])
        return _convert.concept_scores(response, n_rows, len(request.concept_ids))

    async def shaping_offsets(
        self,
        store: str,
        concept_ids: str | Sequence[str],
        *,
        weights: Sequence[float] | None = None,
        layer: int | None = None,
        pooling: str = "",
        pair_ids: Sequence[str] = (),
        timeout: Timeout = DEFAULT,
    ) -> ShapingOffsets:
        """Per-pair shaped-DPO offsets (weighted concept deltas, z-scored).

        Example:
            >>> offsets = (await client.shaping_offsets("demo", ["c12"])).as_dict()
        """
        request = _requests.shaping_offsets(
            store, concept_ids, weights=weights, layer=layer, pooling=pooling, pair_ids=pair_ids
        )
        timeout_s = resolve_timeout(timeout, self.timeout)
        stream = self._stream("ShapingOffsets", request, per_message(lambda m: m), timeout_s)
        return _convert.shaping_offsets([m async for m in stream])

    async def filter(
        self,
        store: str,
        concept_ids: str | Sequence[str],
        *,
        threshold: float | None = None,
        top_fraction: float | None = None,
        dry_run: bool = False,
        output_path: str = "",
        layer: int | None = None,
        pooling: str = "",
        timeout: Timeout = DEFAULT,
        source_dataset: str = "",
        overwrite: bool = False,
    ) -> FilterResult:
        """Remove the pairs whose concept delta is above ``threshold`` or in the top fraction.

        ``output_path`` is relative to the server's export folder for the store;
        ``source_dataset`` (relative to a server data root) names the dataset to
        export from and must hold the store's pairs with the same content (default:
        the store's recorded dataset that matches); ``overwrite`` replaces an
        existing export.

        Example:
            >>> r = await client.filter("demo", ["c12"], top_fraction=0.05, dry_run=True)
            >>> r.n_removed, r.shifts[0].delta_after
        """
        request = _requests.filter_pairs(
            store,
            concept_ids,
            threshold=threshold,
            top_fraction=top_fraction,
            dry_run=dry_run,
            output_path=output_path,
            layer=layer,
            pooling=pooling,
            source_dataset=source_dataset,
            overwrite=overwrite,
        )
        return _convert.filter_result(await self._unary("Filter", request, timeout))

    async def inoculate(
        self,
        store: str,
        concept_ids: str | Sequence[str],
        *,
        threshold: float | None = None,
        top_fraction: float | None = None,
        dry_run: bool = False,
        output_path: str = "",
        system_prompt_template: str = "",
        layer: int | None = None,
        pooling: str = "",
        timeout: Timeout = DEFAULT,
        source_dataset: str = "",
        overwrite: bool = False,
    ) -> InoculateResult:
        """Add a system prompt naming the trait to the selected pairs.

        ``system_prompt_template`` may use ``{label}`` and ``{description}`` only;
        ``source_dataset`` and ``overwrite`` as for ``filter``.

        Example:
            >>> r = await client.inoculate("demo", ["c12"], threshold=1.0, dry_run=True)
        """
        request = _requests.inoculate(
            store,
            concept_ids,
            threshold=threshold,
            top_fraction=top_fraction,
            dry_run=dry_run,
            output_path=output_path,
            system_prompt_template=system_prompt_template,
            layer=layer,
            pooling=pooling,
            source_dataset=source_dataset,
            overwrite=overwrite,
        )
        return _convert.inoculate_result(await self._unary("Inoculate", request, timeout))
