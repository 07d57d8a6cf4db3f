"""The client, written once: ``aio.py`` by hand (asyncio), ``client.py`` made from it.

One method per RPC, NumPy in and out, typed results. Deadlines default to the
client's ``timeout``; UNAVAILABLE is retried with exponential backoff and jitter;
every other status raises the matching ``prefsight_client.errors`` exception with
the server's message. Streams are iterated (their items converted) and have
``cancel()``. Request checks live in ``_requests.py``, response conversion in
``_convert.py``.

``scripts/unasync.py`` writes ``client.py`` (blocking) from ``aio.py``
(asyncio) by dropping ``async``/``await`` and renaming the asyncio names:
edit ``aio.py`` only, then rerun the script (a unit test fails
when the two drift). The method examples assume
``client = AsyncClient("localhost:50051", token=...)`` and a server with an
ingested store named "demo"; they run in the test suite against a real server.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import grpc
import numpy as np

from prefsight_client import _convert, _requests, results
from prefsight_client._channel import (
    DEFAULT,
    Timeout,
    auth_metadata,
    channel_credentials,
    channel_options,
    resolve_timeout,
    wire_unary,
)
from prefsight_client._proto.prefsight.v1 import concepts_pb2, interventions_pb2, prefsight_pb2_grpc, store_pb2
from prefsight_client._retry import RetryPolicy, deadline_after, time_left
from prefsight_client._streams import AsyncResponseStream, per_chunk, per_message
from prefsight_client.errors import from_rpc_error
from prefsight_client.vectors import SteeringVector

if TYPE_CHECKING:
    from typing_extensions import Unpack

log = logging.getLogger(__name__)

T = TypeVar("T")


class AsyncClient:
    """Client for a prefsight server (the asyncio one: create it inside a running loop).

    Args:
        address: ``host:port`` of the server.
        token: bearer token, sent as ``authorization`` metadata on every call.
        timeout: default deadline in seconds for each call (None = no deadline);
            ``ingest`` has no deadline unless given one.
        retries: retries on UNAVAILABLE, with exponential backoff and jitter.
        tls: use TLS with the system's root certificates.
        tls_root_cert: PEM bytes or path of the CA that signed the server; implies TLS.
        retry_policy: full control over the backoff (overrides ``retries``).

    Example:
        >>> from prefsight_client import AsyncClient
        >>> async with AsyncClient("localhost:50051", token="secret") as client:
        ...     info = await client.info("demo")
        ...     top = (await client.contrast("demo", top_k=5)).concepts
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
        self._wire = {  # the per-step call sends its arrays as prepared bytes (_requests.score_request)
            "ScoreConcepts": wire_unary(self._channel, "ScoreConcepts", interventions_pb2.ScoreConceptsResponse)
        }
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

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def _unary(self, method: str, request: Any, timeout: Timeout) -> Any:
        """One unary call with retries; ``request`` is a message, or its wire bytes for the
        methods in ``self._wire``."""
        deadline = deadline_after(resolve_timeout(timeout, self.timeout))
        rpc = self._wire[method] if isinstance(request, bytes) else getattr(self._stub, method)
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
        self, method: str, request: Any, convert: Callable[[Any], Iterable[T]], timeout: float | None
    ) -> AsyncResponseStream[T]:
        rpc = getattr(self._stub, method)

        def start(left: float | None) -> Any:
            return rpc(request, timeout=left, metadata=self._metadata)

        return AsyncResponseStream(start, convert, self.retry_policy, deadline_after(timeout))

    # -- stores -----------------------------------------------------------------

    async def list_stores(self, *, timeout: Timeout = DEFAULT) -> list[str]:
        """Names of the stores this token may read (every page of ``ListStores``).

        Example:
            >>> await client.list_stores()
            ['demo', 'empty', 'fresh', 'scratch']
        """
        names: list[str] = []
        request = store_pb2.ListStoresRequest()
        while True:
            response = await self._unary("ListStores", request, timeout)
            names.extend(response.stores)
            if not response.next_page_token:
                return names
            request = store_pb2.ListStoresRequest(page_token=response.next_page_token)

    async def info(self, store: str, *, timeout: Timeout = DEFAULT) -> results.StoreInfo:
        """Tables, counts, models, layers and runs of ``store``.

        Raises:
            NotFoundError: unknown store (the message lists the served ones).

        Example:
            >>> info = await client.info("demo")
            >>> info.pairs, info.is_ingested
            (60, True)
        """
        response = await self._unary("Info", store_pb2.InfoRequest(store=store), timeout)
        return _convert.store_info(response)

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
    ) -> AsyncResponseStream[results.IngestProgress]:
        """Run ``dataset`` (a path on the server) through a model into ``store``.

        Returns a stream of progress events; cancel it (or leave its ``with``
        block) to stop the ingest after the batch in flight. Every pooling is
        always stored; ``poolings`` is only checked (each must be "mean" or "last").

        Example:
            >>> async with client.ingest("scratch", "demo.jsonl", limit=4) as events:
            ...     stages = [event.stage async for event in events]
            >>> stages[-1]
            'done'
        """
        _requests.check_poolings(poolings)
        request = store_pb2.IngestRequest(
            store=store,
            dataset=dataset,
            dataset_format=_requests.dataset_format(dataset_format),
            split=split,
            model=model,
            layers=list(layers),
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
    ) -> results.ContrastResult:
        """Concepts that separate chosen from rejected, strongest first.

        ``top`` (the same argument as ``StoreSession.contrast``; ``top_k`` is its older
        name) caps how many come back, 0 = the server's default. The result iterates
        and indexes over its concepts; ``.overall`` holds the overall chosen−rejected
        directions, which are never ranked as findings. Analysis reads mean-pooled
        activations: ``pooling`` may only be "" or "mean".

        Example:
            >>> result = await client.contrast("demo", top_k=5)
            >>> len(result.concepts), result.pooling
            (5, 'mean')
        """
        _requests.check_analysed_pooling(pooling)
        request = concepts_pb2.ContrastRequest(
            store=store, layer=layer, kinds=_requests.kinds(kinds), top_k=top or top_k, q_max=q_max, topic=topic
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
    ) -> AsyncResponseStream[results.PairScore]:
        """Stream one concept's per-pair scores (for stores too big to hold at once).

        Example:
            >>> deltas = [s.delta async for s in client.iter_scores("demo", "named:L2:sycophancy")]
            >>> len(deltas)
            60
        """
        _requests.check_analysed_pooling(pooling)
        request = concepts_pb2.ScoresRequest(store=store, concept_id=concept_id, layer=layer, pair_ids=list(pair_ids))
        timeout_s = resolve_timeout(timeout, self.timeout)
        return self._stream("Scores", request, per_chunk(_convert.pair_scores), timeout_s)

    async def scores(
        self, store: str, concept_id: str, **options: Unpack[_requests.ScoresOptions]
    ) -> results.PairScores:
        """One concept's per-pair scores as aligned arrays; options as for ``iter_scores``.

        Example:
            >>> s = await client.scores("demo", "named:L2:sycophancy")
            >>> s.delta.shape
            (60,)
        """
        stream = self.iter_scores(store, concept_id, **options)
        return _convert.collect_scores([s async for s in stream])

    async def nearest_features(
        self,
        store: str,
        *,
        k: int = 10,
        layer: int | None = None,
        kinds: Sequence[str] = (),
        timeout: Timeout = DEFAULT,
        **query: Unpack[_requests.Query],
    ) -> list[results.FeatureHit]:
        """Concepts nearest a direction, a concept or a text.

        The query is exactly one of ``vector`` (shape [d_model]), ``concept_id`` or
        ``text`` (run through the model at the layer; its pooled activation).

        Example:
            >>> hits = await client.nearest_features("demo", text="I'm sorry, but", k=5)
            >>> len(hits)
            5
        """
        request = concepts_pb2.NearestFeaturesRequest(
            store=store, k=k, layer=layer, kinds=_requests.kinds(kinds), **_requests.query("nearest_features", query)
        )
        return _convert.feature_hits(await self._unary("NearestFeatures", request, timeout))

    async def nearest_examples(
        self,
        store: str,
        *,
        k: int = 10,
        layer: int | None = None,
        pooling: str = "",
        side: str = "",
        timeout: Timeout = DEFAULT,
        **query: Unpack[_requests.Query],
    ) -> list[results.ExampleHit]:
        """Pair sides whose activations are nearest a direction, concept or text.

        The query as for ``nearest_features``; ``side`` "chosen" or "rejected" keeps one side.

        ``pooling`` picks the stored activations searched: "mean" (default) or "last".

        Example:
            >>> hits = await client.nearest_examples(
            ...     "demo", concept_id="named:L2:sycophancy", side="chosen", k=3
            ... )
            >>> [hit.side for hit in hits]
            ['chosen', 'chosen', 'chosen']
        """
        request = concepts_pb2.NearestExamplesRequest(
            store=store,
            k=k,
            layer=layer,
            pooling=_requests.pooling(pooling),
            side=side,
            **_requests.query("nearest_examples", query),
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
    ) -> results.DefinedConcept:
        """Define a named concept from texts that show it and texts that do not.

        Example:
            >>> c = await client.define_concept(
            ...     "demo",
            ...     "flattery",
            ...     ["What a brilliant question!", "You are so wise to ask."],
            ...     ["The answer is 4.", "Paris is the capital of France."],
            ...     overwrite=True,
            ... )
            >>> c.concept.kind, c.concept.id
            ('named', 'named:L2:flattery')
        """
        _requests.check_analysed_pooling(pooling)
        request = concepts_pb2.DefineConceptRequest(
            store=store,
            name=name,
            positive_texts=list(positive_texts),
            negative_texts=list(negative_texts),
            layer=layer,
            description=description,
            overwrite=overwrite,
        )
        return _convert.defined_concept(await self._unary("DefineConcept", request, timeout))

    # -- interventions ----------------------------------------------------------

    async def steering_vector(
        self, store: str, concept_id: str, *, layer: int | None = None, recipe: str = "", timeout: Timeout = DEFAULT
    ) -> SteeringVector:
        """A concept's steering vector with its provenance (see ``steering()``).

        Example:
            >>> v = await client.steering_vector("demo", "named:L2:sycophancy")
            >>> v.layer, v.d_model
            (2, 64)
        """
        request = interventions_pb2.SteeringVectorRequest(
            store=store, concept_id=concept_id, layer=layer, recipe=recipe
        )
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
            pooling: "" or "mean" (texts are mean-pooled over the completion).
            timeout: deadline in seconds.

        Returns:
            (batch, n_concepts) float32.

        Example:
            >>> s = await client.score_concepts(
            ...     "demo", ["named:L2:sycophancy"], texts=["Great question!"]
            ... )
            >>> s.shape
            (1, 1)
        """
        _requests.check_analysed_pooling(pooling)
        request, wire = _requests.score_request(store, concept_ids, layer, texts, prompts, activations, mask)
        response = await self._unary("ScoreConcepts", wire, timeout)
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
    ) -> results.ShapingOffsets:
        """Per-pair shaped-DPO offsets (weighted concept deltas, z-scored).

        Example:
            >>> offsets = (await client.shaping_offsets("demo", ["named:L2:sycophancy"])).as_dict()
            >>> len(offsets)
            60
        """
        _requests.check_analysed_pooling(pooling)
        request = interventions_pb2.ShapingOffsetsRequest(
            store=store,
            concept_ids=_requests.concept_ids(concept_ids),
            weights=list(weights or ()),
            layer=layer,
            pair_ids=list(pair_ids),
        )
        timeout_s = resolve_timeout(timeout, self.timeout)
        stream = self._stream("ShapingOffsets", request, per_message(lambda m: m), timeout_s)
        return _convert.shaping_offsets([m async for m in stream])

    async def filter(
        self,
        store: str,
        concept_ids: str | Sequence[str],
        *,
        timeout: Timeout = DEFAULT,
        **options: Unpack[_requests.ExportOptions],
    ) -> results.FilterResult:
        """Remove the pairs whose concept delta is above ``threshold`` or in the top fraction.

        Options (see ``ExportOptions``): ``threshold`` or ``top_fraction`` (exactly
        one), ``dry_run``, ``output_path`` (relative to the server's export folder for
        the store), ``layer``, ``pooling`` ("" or "mean"), ``source_dataset``
        (relative to a server data root: the dataset to export from, which must hold
        the store's pairs with the same content; default: the store's recorded
        dataset that matches) and ``overwrite`` (replace an existing export).

        Example:
            >>> r = await client.filter(
            ...     "demo", ["named:L2:sycophancy"], top_fraction=0.05, dry_run=True
            ... )
            >>> r.n_pairs, r.n_removed
            (60, 3)
        """
        fields = _requests.export_fields("filter", store, concept_ids, options)
        request = interventions_pb2.FilterRequest(**fields)
        return _convert.filter_result(await self._unary("Filter", request, timeout))

    async def inoculate(
        self,
        store: str,
        concept_ids: str | Sequence[str],
        *,
        system_prompt_template: str = "",
        timeout: Timeout = DEFAULT,
        **options: Unpack[_requests.ExportOptions],
    ) -> results.InoculateResult:
        """Add a system prompt naming the trait to the selected pairs.

        ``system_prompt_template`` may use ``{label}`` and ``{description}`` only;
        the other options as for ``filter``.

        Example:
            >>> r = await client.inoculate(
            ...     "demo", ["named:L2:sycophancy"], top_fraction=0.1, dry_run=True
            ... )
            >>> r.n_flagged
            6
        """
        fields = _requests.export_fields("inoculate", store, concept_ids, options)
        request = interventions_pb2.InoculateRequest(system_prompt_template=system_prompt_template, **fields)
        return _convert.inoculate_result(await self._unary("Inoculate", request, timeout))
