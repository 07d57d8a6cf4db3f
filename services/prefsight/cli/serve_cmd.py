"""``prefsight serve``: the gRPC service over one or more stores.

Owns: the command's options and turning them into a ``PrefsightServicer`` and
``app.serve`` arguments, and starting (or joining) Ray once, on the main thread,
before serving when the server may ingest: Ray ties its processes to the thread
that started them, so no RPC thread ever starts it. The server itself (health,
auth, limits, confined paths, graceful stop on SIGTERM/SIGINT) is
``prefsight.server``'s.
"""

from __future__ import annotations

from pathlib import Path

import typer

from prefsight.cli.app import app, fail, setup_logging
from prefsight.cli.defaults import DEFAULT_MODEL
from prefsight.server.gil import SWITCH_INTERVAL_MS, checked_switch_ms


@app.command()
def serve(
    store: list[str] = typer.Option(
        ...,
        "--store",
        envvar="PREFSIGHT_STORE",
        help="Store folder or URI to serve; repeat for several (default: $PREFSIGHT_STORE). Requests name a store by its folder name or this path.",
    ),
    port: int = typer.Option(50051, help="TCP port (0 = any free one)."),
    host: str = typer.Option("127.0.0.1", help="Interface to bind; 0.0.0.0 serves every interface."),
    token_file: Path = typer.Option(
        None, "--token-file", help="Bearer tokens and the stores each may use; turns authentication on."
    ),
    tls_cert: Path = typer.Option(None, "--tls-cert", help="PEM certificate chain (with --tls-key: serve TLS)."),
    tls_key: Path = typer.Option(None, "--tls-key", help="PEM private key."),
    metrics_port: int = typer.Option(
        None, "--metrics-port", help="Serve Prometheus /metrics on this port (0 = any free one)."
    ),
    max_workers: int = typer.Option(8, "--max-workers", help="RPCs running at once (general pool)."),
    fast_workers: int = typer.Option(
        2,
        "--fast-workers",
        help="Threads of the fast lane for short calls (ScoreConcepts, NearestFeatures, SteeringVector, ListStores, health).",
    ),
    gil_switch_ms: float = typer.Option(
        SWITCH_INTERVAL_MS,
        "--gil-switch-ms",
        help="The serving process's GIL switch interval in ms (Python's default: 5): "
        "a shorter one trims ScoreConcepts' p99 beside low-priority work on the same cores.",
    ),
    max_queue: int = typer.Option(
        64, "--max-queue", help="RPCs waiting beyond those; more are refused (RESOURCE_EXHAUSTED)."
    ),
    max_message_mb: int = typer.Option(64, "--max-message-mb", help="Largest request or response, in MiB."),
    grace: float = typer.Option(10.0, help="Seconds calls in flight get to finish on shutdown."),
    model: str = typer.Option(
        DEFAULT_MODEL, help="Model an Ingest uses when the request names none and the store holds none."
    ),
    device: str = typer.Option("auto", help="Where text requests run the model: auto, cpu, cuda[:N]."),
    dtype: str = typer.Option("float32", help="The model's dtype: float32 or bfloat16."),
    data_root: list[Path] = typer.Option(
        [],
        "--data-root",
        help="Folder Ingest, Filter and Inoculate may read datasets from (repeatable); "
        "requests name datasets relative to it. None: those RPCs are refused.",
    ),
    export_root: Path = typer.Option(
        None, "--export-root", help="Folder Filter and Inoculate write to, in DIR/<store>/. None: only dry runs."
    ),
    ray_address: str = typer.Option(
        "", "--ray-address", help="Ray cluster for ingests (default: a local Ray started with the server)."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Warnings only."),
) -> None:
    """Serve stores over gRPC until SIGTERM or Ctrl-C."""
    import os

    from prefsight.sae import resolve_device

    resolve_device(device)  # --device cuda without a GPU: exit 2 now, not at the first request
    # every StoreSession the server opens reads these (prefsight.session)
    os.environ["PREFSIGHT_DEVICE"], os.environ["PREFSIGHT_DTYPE"] = device, dtype
    from prefsight.server.app import serve as run_server
    from prefsight.server.servicer import PrefsightServicer, ServicerConfig

    setup_logging(quiet)
    if grace < 0:
        fail(f"--grace must be >= 0, got {grace}")
    try:
        checked_switch_ms(gil_switch_ms)
    except ValueError as error:
        fail(f"--gil-switch-ms: {error}")
    config = ServicerConfig(
        default_model=model,
        data_roots=tuple(str(root) for root in data_root),
        export_root=str(export_root) if export_root is not None else None,
    )
    servicer = PrefsightServicer(store, config)
    if data_root:  # the server may ingest: Ray belongs to the main thread, for good
        from prefsight.ingest.ray_session import ensure_ray

        ensure_ray(ray_address or None)
    run_server(
        servicer,
        port=port,
        host=host,
        grace=grace,
        gil_switch_ms=gil_switch_ms,
        token_file=token_file,
        tls_cert=tls_cert,
        tls_key=tls_key,
        metrics_port=metrics_port,
        max_workers=max_workers,
        fast_workers=fast_workers,
        max_queue=max_queue,
        max_message_mb=max_message_mb,
    )
