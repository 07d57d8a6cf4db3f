#!/usr/bin/env python3
"""Ask a gRPC server's standard health service whether it is SERVING; exit 0 if so.

Used by the Docker ``HEALTHCHECK`` (Kubernetes uses its built-in ``grpc`` probe).
Needs only grpcio and grpcio-health-checking, so it runs in any prefsight image.

    python scripts/health_probe.py [HOST:PORT] [--service NAME] [--timeout S]
"""

from __future__ import annotations

import argparse
import sys


def check(address: str, service: str = "", timeout: float = 3.0) -> str:
    """The health status name (``SERVING``, ``NOT_SERVING``, …) of ``service`` at ``address``."""
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        reply = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=timeout)
    return health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("address", nargs="?", default="127.0.0.1:50051")
    parser.add_argument("--service", default="", help="service name; '' is the whole server")
    parser.add_argument("--timeout", type=float, default=3.0)
    args = parser.parse_args(argv)
    try:
        status = check(args.address, args.service, args.timeout)
    except Exception as exc:  # any failure to answer is unhealthy
        print(f"{args.address}: unhealthy ({exc.__class__.__name__})", file=sys.stderr)
        return 1
    print(f"{args.address}: {status}")
    return 0 if status == "SERVING" else 1


if __name__ == "__main__":
    sys.exit(main())
