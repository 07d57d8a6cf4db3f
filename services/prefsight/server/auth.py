"""Bearer-token authentication and per-store access lists.

The interceptor checks every Prefsight call (health and reflection stay open):
no token -> UNAUTHENTICATED, unknown token -> UNAUTHENTICATED, a token without
access to the request's ``store`` field -> PERMISSION_DENIED. While the call
runs, ``current_principal()`` names the caller, so the servicer can filter
(``visible_stores``) or check a store it resolved itself (``authorize``).
Without a token file there is no authentication and every store is open.

Token file format: one grant per line, ``#`` starts a comment::

    # <token>        <stores: comma-separated, or *>   [<name for logs>]
    3f9ac01d57e2b6   *                                  admin
    77b2e0f4a9c8d1   demo,eval                          trainer

Tokens are compared by SHA-256 digest; keep the file readable by the server only.
"""

from __future__ import annotations

import contextvars
import hashlib
import logging
import stat
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc

from prefsight.cancel import context_value
from prefsight.errors import BadRow, InvalidArgument, PermissionDenied, clip
from prefsight.server.interceptors import BehaviourInterceptor, abort

log = logging.getLogger(__name__)

ALL_STORES = "*"
OPEN_METHOD_PREFIXES = ("/grpc.health.v1.", "/grpc.reflection.")
"""Methods anyone may call, token or not."""

_principal: contextvars.ContextVar[Principal | None] = contextvars.ContextVar("prefsight_principal", default=None)


@dataclass(frozen=True)
class Principal:
    """An authenticated caller and the stores it may use."""

    name: str
    stores: frozenset[str] | None
    """None means every store."""

    def can_access(self, store: str) -> bool:
        """Whether this caller may use ``store``."""
        return self.stores is None or store in self.stores

    def describe_access(self) -> str:
        """The stores this caller may use, for error messages."""
        return "every store" if self.stores is None else ", ".join(sorted(self.stores)) or "none"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AccessList:
    """Token -> Principal, held as SHA-256 digests."""

    by_digest: Mapping[str, Principal]

    @classmethod
    def from_mapping(cls, grants: Mapping[str, str | Iterable[str]]) -> AccessList:
        """Build from ``{token: "*" | [store, ...]}``; names are ``token#1``, ``token#2``...

        Raises:
            InvalidArgument: for an empty token.
        """
        by_digest = {}
        for i, (token, stores) in enumerate(grants.items(), start=1):
            if not token:
                raise InvalidArgument("access list has an empty token")
            by_digest[_digest(token)] = Principal(f"token#{i}", _parse_stores(stores))
        return cls(by_digest)

    @classmethod
    def parse(cls, text: str, source: str = "<tokens>") -> AccessList:
        """Parse the token file format (see the module docstring).

        Raises:
            BadRow: naming the file and line of a malformed or duplicate grant.
        """
        by_digest: dict[str, Principal] = {}
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split()
            if len(parts) not in (2, 3):
                raise BadRow(source, number, "expected '<token> <stores or *> [name]'")
            digest = _digest(parts[0])
            if digest in by_digest:
                raise BadRow(source, number, "token already granted on an earlier line")
            name = parts[2] if len(parts) == 3 else f"token#{number}"
            by_digest[digest] = Principal(name, _parse_stores(parts[1].split(",")))
        return cls(by_digest)

    @classmethod
    def from_file(cls, path: str | Path) -> AccessList:
        """Read a token file; warns when others can read it.

        Raises:
            InvalidArgument: when the file is missing or grants nothing.
            BadRow: for a malformed line.
        """
        path = Path(path)
        if not path.is_file():
            raise InvalidArgument(f"token file {path} does not exist")
        if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            log.warning("token file %s is readable by others; chmod 600 it", path)
        acl = cls.parse(path.read_text(encoding="utf-8"), str(path))
        if not acl.by_digest:
            raise InvalidArgument(f"token file {path} grants no tokens")
        return acl

    def lookup(self, token: str) -> Principal | None:
        """The principal a token belongs to, or None."""
        return self.by_digest.get(_digest(token))


def _parse_stores(stores: str | Iterable[str]) -> frozenset[str] | None:
    names = [stores] if isinstance(stores, str) else list(stores)
    names = [s.strip() for s in names if s.strip()]
    if ALL_STORES in names:
        return None
    if not names:
        raise InvalidArgument("a grant needs at least one store, or '*'")
    return frozenset(names)


def bearer_token(metadata: Iterable[tuple[str, Any]] | None) -> str | None:
    """The token of an ``authorization: Bearer <token>`` metadata entry, or None."""
    for key, value in metadata or ():
        if key.lower() != "authorization":
            continue
        text = value.decode() if isinstance(value, bytes) else str(value)
        scheme, _, token = text.strip().partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
    return None


def current_principal() -> Principal | None:
    """The caller of the running RPC; None when authentication is off."""
    return _principal.get()


def authorize(store: str) -> None:
    """Check that the current caller may use ``store`` (no-op with auth off).

    For the servicer, when it resolves a store the request did not name.

    Raises:
        PermissionDenied: naming the stores the caller may use.
    """
    principal = current_principal()
    if principal is not None and not principal.can_access(store):
        raise PermissionDenied(
            f"token '{principal.name}' has no access to store '{store}' (it may use: {principal.describe_access()})"
        )


def visible_stores(stores: Iterable[str]) -> list[str]:
    """The subset of ``stores`` the current caller may use, sorted."""
    principal = current_principal()
    return sorted(s for s in stores if principal is None or principal.can_access(s))


class AuthInterceptor(BehaviourInterceptor):
    """Authenticate Prefsight calls and check the request's ``store`` field."""

    def __init__(self, access: AccessList) -> None:
        self._access = access

    def applies_to(self, method: str) -> bool:
        return not method.startswith(OPEN_METHOD_PREFIXES)

    @contextmanager
    def guard(self, method: str, request: Any, context: grpc.ServicerContext) -> Iterator[None]:
        token = bearer_token(context.invocation_metadata())
        if token is None:
            abort(
                context,
                grpc.StatusCode.UNAUTHENTICATED,
                "missing 'authorization: Bearer <token>' metadata; this server needs a token "
                "(Client(address, token=...))",
                method=method,
            )
        principal = self._access.lookup(token)
        if principal is None:
            log.warning("%s: unknown token from %s", method, context.peer())
            abort(context, grpc.StatusCode.UNAUTHENTICATED, "unknown token; check the token file", method=method)
        store = getattr(request, "store", "")
        if store and not principal.can_access(store):
            abort(
                context,
                grpc.StatusCode.PERMISSION_DENIED,
                f"token '{principal.name}' has no access to store {clip(store)!r} "
                f"(it may use: {principal.describe_access()})",
                method=method,
            )
        with context_value(_principal, principal):
            yield
