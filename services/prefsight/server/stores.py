"""The stores a server serves, and how a request names one.

Owns: the served names (a store's folder name; the path as given and its
absolute form name it too), the caller's access check on the resolved name
(``auth.authorize``), and one lazily opened ``StoreSession`` per store. What a
session answers is ``prefsight.session``'s.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from prefsight.errors import FailedPrecondition, InvalidArgument, NotFound, clip
from prefsight.server.auth import authorize, visible_stores
from prefsight.session import StoreSession


def store_name(uri: str) -> str:
    """A store's served name: its folder name (``/data/demo/`` -> ``demo``)."""
    return uri.rstrip("/").rsplit("/", 1)[-1]


def is_local(uri: str) -> bool:
    return "://" not in uri


def _is_path_like(store: str) -> bool:
    """Whether a request's store name can be resolved as a local path (no NUL, not huge)."""
    return is_local(store) and "\x00" not in store and len(store) <= 4096


class StoreRegistry:
    """The served stores by name, each with a lazily opened ``StoreSession``."""

    def __init__(self, uris: Sequence[str | Path], *, fresh_interval: float = 0.0) -> None:
        """Raises: InvalidArgument: no store, or two stores with the same folder name."""
        if not uris:
            raise InvalidArgument("serve at least one store (--store PATH)")
        self._uris: dict[str, str] = {}
        self._aliases: dict[str, str] = {}
        for uri in (str(u) for u in uris):
            name = store_name(uri)
            if not name or (name in self._uris and self._uris[name] != uri):
                raise InvalidArgument(
                    f"store {uri!r} would be served as {name!r}, which is taken or empty; "
                    "serve folders with distinct names"
                )
            self._uris[name] = uri
            aliases = [uri, name] + ([str(Path(uri).resolve())] if is_local(uri) else [])
            self._aliases.update({alias: name for alias in aliases})
        self._sessions: dict[str, StoreSession] = {}
        self._lock = threading.Lock()
        self._fresh_interval = fresh_interval

    @property
    def names(self) -> list[str]:
        """Every served store's name, sorted."""
        return sorted(self._uris)

    def uri(self, name: str) -> str:
        return self._uris[name]

    def resolve(self, store: str) -> str:
        """The served name of a request's ``store`` field, checked against the caller's access.

        Raises:
            InvalidArgument: an empty name while several stores are served.
            NotFound: a store not served here (the message lists those the caller may use).
            PermissionDenied: the caller's token has no access to it.
        """
        if not store and len(self._uris) == 1:
            name = self.names[0]
        elif not store:
            raise InvalidArgument(f"name a store (stores: {', '.join(visible_stores(self.names))})")
        else:
            found = self._aliases.get(store)
            if found is None and _is_path_like(store):  # another spelling of a served path
                found = self._aliases.get(str(Path(store).resolve()))
            if found is None:
                served = ", ".join(visible_stores(self.names)) or "none you may use"
                raise NotFound(f"store {clip(store)!r} is not served here (stores: {served})")
            name = found
        authorize(name)
        return name

    def session(self, name: str) -> StoreSession:
        """The store's session, opened on first use.

        Raises:
            FailedPrecondition: the store's folder does not exist yet (nothing ingested).
        """
        with self._lock:
            session = self._sessions.get(name)
            if session is None:
                uri = self._uris[name]
                if is_local(uri) and not Path(uri).is_dir():
                    raise FailedPrecondition(
                        f"store {name!r} is not ingested yet ({uri} does not exist); call Ingest first"
                    )
                session = StoreSession(uri, fresh_interval=self._fresh_interval)
                self._sessions[name] = session
            return session

    def invalidate(self, name: str) -> None:
        """Drop the store's cached answers (after a write this server made)."""
        with self._lock:
            session = self._sessions.get(name)
        if session is not None:
            session.invalidate()
