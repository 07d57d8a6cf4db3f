"""Channel settings shared by Client and AsyncClient: credentials, options, metadata."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Any, Final

import grpc

from prefsight_client._proto.prefsight.v1 import prefsight_pb2
from prefsight_client._version import __version__

CLIENT_MAX_MESSAGE_BYTES = 256 * 1024 * 1024
"""The client accepts large messages; the server's own limit is what applies."""


class _Default(enum.Enum):
    TOKEN = 0


DEFAULT: Final = _Default.TOKEN
"""Sentinel: use the client's default timeout."""

Timeout = float | None | _Default
"""A per-call timeout: seconds, None for no deadline, or DEFAULT."""


def channel_options(extra: dict[str, object] | None = None) -> list[tuple[str, object]]:
    """gRPC channel options: message limits, user agent, and any ``extra``."""
    options: dict[str, object] = {
        "grpc.max_send_message_length": CLIENT_MAX_MESSAGE_BYTES,
        "grpc.max_receive_message_length": CLIENT_MAX_MESSAGE_BYTES,
        "grpc.primary_user_agent": f"prefsight-client/{__version__}",
    }
    options.update(extra or {})
    return list(options.items())


def channel_credentials(tls: bool, tls_root_cert: bytes | str | Path | None) -> grpc.ChannelCredentials | None:
    """TLS credentials, or None for a plaintext channel.

    Args:
        tls: use TLS with the system's root certificates.
        tls_root_cert: PEM bytes or a path to them; implies TLS.
    """
    if tls_root_cert is None:
        return grpc.ssl_channel_credentials() if tls else None
    pem = tls_root_cert if isinstance(tls_root_cert, bytes) else Path(tls_root_cert).read_bytes()
    return grpc.ssl_channel_credentials(root_certificates=pem)


def auth_metadata(token: str | None) -> tuple[tuple[str, str], ...]:
    """Call metadata carrying ``authorization: Bearer <token>`` (empty without a token)."""
    if not token:
        return ()
    return (("authorization", f"Bearer {token}"),)


def resolve_timeout(timeout: Timeout, default: float | None) -> float | None:
    """The timeout to use for one call."""
    return default if timeout is DEFAULT else timeout  # type: ignore[return-value]


def wire_unary(channel: Any, method: str, response_class: Any) -> Any:
    """A unary callable of the Prefsight service that sends a request already serialised
    (bytes) and parses the response into ``response_class``; ``channel`` is blocking or
    asyncio."""
    service = prefsight_pb2.DESCRIPTOR.services_by_name["Prefsight"]
    return channel.unary_unary(
        f"/{service.full_name}/{service.methods_by_name[method].name}",
        request_serializer=None,  # bytes go out as they are
        response_deserializer=response_class.FromString,
        _registered_method=True,
    )
