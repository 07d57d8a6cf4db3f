"""Plain files beside a store, on a local folder or on object storage.

Owns: reading, writing and listing the non-table files a store keeps (SAE
folders, the audit document) at a store URI that is either a local path or an
object-store URI (``s3://``, ``gs://``, ``az://``), and the local mirror of a
remote folder that code needing real paths (SAELens loaders) reads from. The
tables themselves are LanceDB's (``prefsight.store.tables``).

S3 settings come from the same environment LanceDB reads: ``AWS_ENDPOINT``
(or ``AWS_ENDPOINT_URL``), ``AWS_REGION`` and ``AWS_ALLOW_HTTP``, plus the
usual credentials, so one set of variables serves tables and files.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

MIRROR_MARK = ".prefsight-mirror.json"
"""Written in a local mirror: the remote sizes and times it was copied at."""


def is_remote(uri: str) -> bool:
    return "://" in str(uri)


def join(uri: str, *parts: str) -> str:
    """``uri/part/...`` for either kind of location."""
    if not is_remote(uri):
        return str(Path(uri, *parts))
    return "/".join([str(uri).rstrip("/"), *parts])


def _filesystem(uri: str) -> tuple[Any, str]:
    """(pyarrow filesystem, path inside it) for a remote URI."""
    import pyarrow.fs as pafs

    scheme, _, rest = str(uri).partition("://")
    if scheme in ("s3", "s3a"):
        endpoint = os.environ.get("AWS_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT")
        allow_http = os.environ.get("AWS_ALLOW_HTTP", "").lower() in ("1", "true", "yes")
        options: dict[str, Any] = {}
        if endpoint:
            scheme_part, _, host = endpoint.partition("://")
            options["endpoint_override"] = host or endpoint
            options["scheme"] = scheme_part if host else ("http" if allow_http else "https")
        if os.environ.get("AWS_REGION"):
            options["region"] = os.environ["AWS_REGION"]
        return pafs.S3FileSystem(**options), rest.rstrip("/")
    fs, path = pafs.FileSystem.from_uri(uri)
    return fs, path.rstrip("/")


def read_bytes(uri: str) -> bytes:
    """The bytes of one file.

    Raises:
        FileNotFoundError: nothing at ``uri``.
    """
    if not is_remote(uri):
        return Path(uri).read_bytes()
    import pyarrow.fs as pafs

    fs, path = _filesystem(uri)
    if fs.get_file_info(path).type != pafs.FileType.File:
        raise FileNotFoundError(uri)
    with fs.open_input_stream(path) as stream:
        return stream.read()


def write_bytes(uri: str, data: bytes) -> None:
    """Replace one file whole: a local temp file renamed into place, or one object PUT
    (both atomic for readers)."""
    if not is_remote(uri):
        path = Path(uri)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        return
    fs, key = _filesystem(uri)
    with fs.open_output_stream(key) as stream:
        stream.write(data)


def exists(uri: str) -> bool:
    if not is_remote(uri):
        return Path(uri).exists()
    import pyarrow.fs as pafs

    fs, path = _filesystem(uri)
    return fs.get_file_info(path).type != pafs.FileType.NotFound


def list_files(uri: str) -> dict[str, tuple[int, float]]:
    """Files directly inside a remote folder: name -> (size, modified time); {} if none."""
    import pyarrow.fs as pafs

    fs, path = _filesystem(uri)
    infos = fs.get_file_info(pafs.FileSelector(path, allow_not_found=True))
    return {
        info.base_name: (int(info.size), info.mtime.timestamp() if info.mtime else 0.0)
        for info in infos
        if info.type == pafs.FileType.File
    }


def mirror_root(uri: str) -> Path:
    """The local folder that mirrors files of a remote store (under the prefsight cache)."""
    cache = Path(os.environ.get("PREFSIGHT_CACHE", Path.home() / ".cache" / "prefsight"))
    digest = hashlib.sha256(str(uri).rstrip("/").encode()).hexdigest()[:16]
    return cache / "remote" / digest


def pull_folder(uri: str, local: Path) -> bool:
    """Make ``local`` a copy of the remote folder ``uri`` (files directly inside it).

    Copies only what changed since the last pull (by size and modification time,
    which object stores keep to the second: a rewrite within the same second at
    the same size is missed; SAE training takes longer than that); removes the
    local copy when the remote folder is gone, so ``local.exists()`` answers for it.

    Returns:
        Whether the remote folder exists.
    """
    remote = list_files(uri)
    if not remote:
        shutil.rmtree(local, ignore_errors=True)
        return False
    mark = local / MIRROR_MARK
    seen = json.loads(mark.read_text()) if mark.exists() else {}
    local.mkdir(parents=True, exist_ok=True)
    for name, stamp in remote.items():
        if seen.get(name) != list(stamp) or not (local / name).exists():
            write_bytes(str(local / name), read_bytes(join(uri, name)))
    for stale in set(seen) - set(remote):
        (local / stale).unlink(missing_ok=True)
    mark.write_text(json.dumps({k: list(v) for k, v in remote.items()}))
    return True


def push_folder(local: Path, uri: str) -> None:
    """Upload every file of ``local`` (not the mirror mark) into the remote folder ``uri``,
    then record the remote stamps so the next pull copies nothing."""
    for path in sorted(local.iterdir()):
        if path.is_file() and path.name != MIRROR_MARK:
            write_bytes(join(uri, path.name), path.read_bytes())
    remote = list_files(uri)
    (local / MIRROR_MARK).write_text(json.dumps({k: list(v) for k, v in remote.items()}))
