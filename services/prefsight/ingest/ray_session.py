"""Start or join Ray and create the ForwardWorker actors.

Owns: ``ray.init`` (local by default, ``address`` joins a cluster), how many
actors to make and what each reserves: one GPU each when Ray sees GPUs, else a
share of the CPU cores. Actors restart when their process dies.
"""

from __future__ import annotations

import logging
import os
import warnings
from typing import Any

from prefsight.errors import InvalidArgument

log = logging.getLogger(__name__)

MAX_RESTARTS = 3


def ensure_ray(address: str | None = None, *, num_cpus: int | None = None) -> None:
    """Start a local Ray (or join ``address``) unless one is already running."""
    import ray

    if ray.is_initialized():
        return
    # Ray spawns its processes with fork+exec, which is safe for LanceDB's runtime.
    warnings.filterwarnings("ignore", message="lancedb fork support is experimental")
    if address:
        ray.init(address=address, log_to_driver=False)
    else:
        ray.init(
            num_cpus=num_cpus or os.cpu_count(), include_dashboard=False, log_to_driver=False, configure_logging=False
        )


def worker_options(
    device: str, count: int, cpus: int, *, task_retries: int = MAX_RESTARTS
) -> tuple[dict[str, Any], int]:
    """Ray actor options of one ForwardWorker, and its torch thread count.

    On a GPU each actor reserves one whole GPU (``num_gpus=1``): one model replica
    per device, batches sized by ``token_budget``. On CPU the actors split the
    cluster's cores. Actors restart when their process dies. ``task_retries=0``
    hands a lost task back to the caller at once (the ingest dispatcher reruns it
    on a live actor); Ray's retries wait for the same actor to come back, which
    never happens when its node is gone and no other node has room for it.
    """
    options: dict[str, Any] = {"max_restarts": MAX_RESTARTS, "max_task_retries": task_retries}
    if device != "cpu":
        options["num_gpus"] = 1
        return options, 1
    threads = max(1, cpus // count)
    options["num_cpus"] = min(threads, cpus)
    return options, threads


def make_workers(
    model: str,
    layers: list[int],
    *,
    workers: int | None,
    device: str | None,
    dtype: str,
    task_retries: int = MAX_RESTARTS,
) -> tuple[list[Any], list[int]]:
    """Create and warm up ForwardWorker actors; return (handles, process ids)."""
    import ray

    from prefsight.ingest.worker import ForwardWorker

    resources = ray.cluster_resources()
    gpus = int(resources.get("GPU", 0))
    cpus = max(1, int(resources.get("CPU", 1)))
    device = device or ("cuda" if gpus else "cpu")
    if device.startswith("cuda") and not gpus:
        raise InvalidArgument("device cuda asked for but the Ray cluster has no GPUs")
    count = workers or (gpus if device != "cpu" else 1)
    if count < 1:
        raise InvalidArgument(f"workers must be >= 1, got {count}")
    options, threads = worker_options(device, count, cpus, task_retries=task_retries)
    actor_cls = ray.remote(ForwardWorker).options(**options)
    actors = [actor_cls.remote(model, layers, device, dtype, threads) for _ in range(count)]
    infos = ray.get([a.ready.remote() for a in actors])  # type: ignore[attr-defined]
    return actors, [int(i["pid"]) for i in infos]
