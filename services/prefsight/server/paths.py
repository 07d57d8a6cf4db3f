"""Where the server may read datasets and write exports: the configured roots, nowhere else.

Owns: confining the paths a request names. Datasets (Ingest, and the source of
Filter/Inoculate) are read only under the ``--data-root`` folders; exports are
written only under ``<--export-root>/<store>/`` (one folder per store, so a
token's store grants cover its exports too), never inside a served store, and
never over an existing file unless the request says ``overwrite``. A client path
is resolved relative to the root (absolute paths are accepted when they lie
inside it); after following symlinks and ``..`` it must still lie inside, else
the request is refused with the same message whether or not the path exists, so
errors reveal nothing outside the roots. With no root configured the RPCs that
need one are FAILED_PRECONDITION. Which dataset an intervention copies (named,
or recorded by an ingest and checked against the store's pairs) is the
servicer's and ``interventions.datasets``'s.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from prefsight.errors import FailedPrecondition, InvalidArgument, NotFound, clip

MAX_PATH_CHARS = 1024
"""Longest path a request may name."""

DATASET_SUFFIXES = (".jsonl", ".jsonl.gz", ".json.gz", ".ndjson", ".parquet")
"""Files a data root serves as datasets (folders: a saved Hugging Face dataset)."""


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _inside(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)


def _check_text(path: str, what: str) -> None:
    if "\x00" in path:
        raise InvalidArgument(f"{what} contains a NUL byte")
    if len(path) > MAX_PATH_CHARS:
        raise InvalidArgument(f"{what} is {len(path)} characters; at most {MAX_PATH_CHARS}")


@dataclass(frozen=True)
class PathPolicy:
    """The folders one server reads datasets from and writes exports to."""

    data_roots: tuple[Path, ...] = ()
    """Folders datasets are read from (resolved); empty = no dataset RPCs."""
    export_root: Path | None = None
    """Folder exports are written under, one sub-folder per store; None = no exports."""
    store_paths: tuple[Path, ...] = ()
    """Local store folders (resolved); nothing is ever written inside them."""

    @classmethod
    def build(
        cls,
        data_roots: Sequence[str | Path] = (),
        export_root: str | Path | None = None,
        stores: Sequence[str | Path] = (),
    ) -> PathPolicy:
        """Check and resolve the configured roots.

        Raises:
            InvalidArgument: a root that is not an existing folder, or an export root
                inside a store or whose per-store folder would be a store.
        """
        roots = []
        for root in data_roots:
            if not Path(root).is_dir():
                raise InvalidArgument(f"--data-root {root} is not a folder")
            roots.append(_real(Path(root)))
        local = tuple(_real(Path(s)) for s in map(str, stores) if "://" not in s)
        export = None
        if export_root is not None:
            if not Path(export_root).is_dir():
                raise InvalidArgument(f"--export-root {export_root} is not a folder")
            export = _real(Path(export_root))
            for store in local:
                if _inside(export, store) or _inside(store, export / store.name):
                    raise InvalidArgument(
                        f"--export-root {export_root} overlaps store {store}; "
                        "exports go to <export-root>/<store>/, never into a store"
                    )
        return cls(tuple(roots), export, local)

    # -- datasets ---------------------------------------------------------------

    def dataset(self, path: str, split: str = "") -> Path:
        """The dataset file or folder a request names, inside a data root.

        Args:
            path: relative to a data root (the first root holding it), or absolute inside one.
            split: a split folder of a saved DatasetDict ("" = "train" for those).

        Raises:
            FailedPrecondition: this server has no data root.
            InvalidArgument: a path outside the roots (same message whether it exists or
                not), a bad split, or a file that is not a dataset type.
            NotFound: no such dataset under the roots.
        """
        if not self.data_roots:
            raise FailedPrecondition(
                "this server reads no datasets: start it with --data-root DIR "
                "(datasets are named relative to that folder)"
            )
        _check_text(path, "dataset")
        if not path:
            raise InvalidArgument("dataset is empty; give a dataset path relative to a data root")
        _check_text(split, "split")
        if split and (split in (".", "..") or "/" in split or "\\" in split):
            raise InvalidArgument(f"split {clip(split)!r} must be a plain folder name")
        inside = self._inside_roots(path)
        if not inside:
            raise InvalidArgument(
                f"dataset {clip(path)!r} is outside the server's data roots; name it relative to a data root"
            )
        found = next((p for p in inside if p.exists()), None)
        if found is None:
            raise NotFound(f"dataset {clip(path)!r} does not exist under the data roots")
        return self._dataset_file(found, split, path)

    def _inside_roots(self, path: str) -> list[Path]:
        """The real paths ``path`` names that lie inside a data root."""
        given = Path(path)
        candidates = [given] if given.is_absolute() else [root / given for root in self.data_roots]
        real = [_real(c) for c in candidates]
        return [r for r in real if any(_inside(r, root) for root in self.data_roots)]

    def _dataset_file(self, found: Path, split: str, shown: str) -> Path:
        if found.is_dir():
            if (found / "dataset_dict.json").exists() or (split and (found / split).is_dir()):
                found = _real(found / (split or "train"))
                if not any(_inside(found, root) for root in self.data_roots):
                    raise InvalidArgument(f"split {clip(split)!r} leaves the data roots")
                if not found.is_dir():
                    raise NotFound(f"dataset {clip(shown)!r} has no split {clip(split)!r}")
            return found
        if not found.name.lower().endswith(DATASET_SUFFIXES):
            raise InvalidArgument(
                f"dataset {clip(shown)!r} is not a dataset file; use "
                f"{', '.join(DATASET_SUFFIXES)} or a saved Hugging Face dataset folder"
            )
        return found

    def contains_dataset(self, path: str | Path) -> bool:
        """Whether ``path`` (e.g. a dataset an ingest recorded) lies inside a data root and exists."""
        real = _real(Path(path))
        return real.exists() and any(_inside(real, root) for root in self.data_roots)

    # -- exports ----------------------------------------------------------------

    def export_folder(self, store: str) -> Path:
        """``<export root>/<store>``, created on first use.

        Raises:
            FailedPrecondition: this server has no export root.
        """
        if self.export_root is None:
            raise FailedPrecondition(
                "this server writes no exports: start it with --export-root DIR "
                "(exports go to DIR/<store>/), or use dry_run"
            )
        folder = self.export_root / store
        folder.mkdir(exist_ok=True)
        return _real(folder)

    def export(self, store: str, output: str, *, action: str, suffix: str, overwrite: bool = False) -> Path:
        """Where an export of ``store`` goes: ``output`` inside the store's export folder.

        Args:
            store: the served store's name.
            output: the request's path, relative to the store's export folder; "" names a
                new file ``<store>-<action>-<UTC time><suffix>``.
            action: "filter" or "inoculate", for the default name.
            suffix: the default name's extension (the source's format).
            overwrite: whether an existing file (or its manifest) may be replaced.

        Raises:
            FailedPrecondition: no export root, or the file exists and ``overwrite`` is off.
            InvalidArgument: a path outside the store's export folder or inside a store,
                or a folder.
            NotFound: the named sub-folder does not exist.
        """
        folder = self.export_folder(store)
        _check_text(output, "output_path")
        if not output:
            stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
            output = f"{store}-{action}-{stamp}{suffix}"
        target = _real(folder / output)  # an absolute output replaces the folder
        if not _inside(target, folder) or target == folder:
            raise InvalidArgument(
                f"output_path {clip(output)!r} is outside the export folder of store "
                f"{store!r}; give a file name relative to it"
            )
        if any(_inside(target, s) for s in self.store_paths):
            raise InvalidArgument(f"output_path {clip(output)!r} is inside a store")
        if not target.parent.is_dir():
            raise NotFound(f"output_path {clip(output)!r}: its folder does not exist in the export folder")
        manifest = target.with_name(target.name + ".manifest.json")
        if target.is_dir():
            raise InvalidArgument(f"output_path {clip(output)!r} is a folder")
        if not overwrite and (target.exists() or manifest.exists()):
            raise FailedPrecondition(f"output_path {clip(output)!r} exists; set overwrite to replace it")
        return target
