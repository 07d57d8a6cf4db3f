"""Store messages: ``InfoResponse``, ``RunInfo`` and ``IngestProgress`` (``store.proto``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from prefsight_client._enums import POOLING
from prefsight_client._proto.prefsight.v1 import store_pb2


def run_info(run: Mapping[str, Any], poolings: Sequence[str]) -> Any:
    """A row of the store's run manifest (or a live run) -> ``RunInfo``."""
    return store_pb2.RunInfo(
        run_id=run["run_id"],
        model_id=run.get("model", ""),
        dataset=run.get("dataset", ""),
        layers=[int(x) for x in run.get("layers") or ()],
        poolings=POOLING.values(poolings) if run.get("kind", "ingest") == "ingest" else [],
        pairs=int(run.get("pairs", 0)),
        tokens=int(run.get("tokens", 0)),
        status=run.get("status", "done"),
        started_at=run.get("started", ""),
        finished_at=run.get("finished", ""),
    )


def info_response(
    name: str,
    summary: Mapping[str, Any],
    *,
    n_layers: Mapping[str, int],
    poolings: Sequence[str],
    live_runs: Sequence[Mapping[str, Any]],
    version: str,
) -> Any:
    """``prefsight.store.info.store_info`` plus live runs -> ``InfoResponse``."""
    tables = summary["tables"]
    models = [
        store_pb2.ModelInfo(
            model_id=model,
            d_model=int(summary.get("d_model") or 0),
            n_layers=n_layers.get(model, 0),
            layers=list(layers),
            poolings=POOLING.values(poolings),
        )
        for model, layers in summary["models"].items()
    ]
    runs = [run_info(r, poolings) for r in [*summary["runs"], *live_runs]]
    return store_pb2.InfoResponse(
        store=name,
        uri=summary["store"],
        tables=[store_pb2.TableInfo(name=t, rows=int(n)) for t, n in tables.items()],
        pairs=int(tables.get("pairs", 0)),
        concepts=int(tables.get("concepts", 0)),
        models=models,
        runs=runs,
        is_ingested=int(tables.get("activations", 0)) > 0,
        server_version=version,
    )


def ingest_progress(
    run_id: str,
    stage: str,
    *,
    pairs_done: int,
    pairs_total: int,
    tokens: int,
    seconds: float,
    message: str = "",
    skipped: int = 0,
) -> Any:
    """One ingest progress event -> ``IngestProgress`` message."""
    return store_pb2.IngestProgress(
        run_id=run_id,
        pairs_done=pairs_done,
        pairs_total=pairs_total,
        tokens=tokens,
        seconds=seconds,
        stage=stage,
        message=message,
        pairs_skipped=skipped,
    )
