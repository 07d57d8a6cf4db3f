"""Where the tests find what the repository does not hold: the shared HH data and a browser.

Tests that need one of them call ``require_shared_data()`` or ``require_chromium()``,
which skip with a reason saying what is missing and how to provide it. CI has both,
so they run there; set ``PREFSIGHT_REQUIRE_RESOURCES=1`` to turn a would-be skip
into a failure (a CI machine that lost its data should not go green by skipping).

Overrides: ``PREFSIGHT_SHARED_DATA`` (a folder holding ``hh-harmless-test.jsonl.gz``)
and ``PREFSIGHT_CHROMIUM`` (a browser executable).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HH_FILE = "hh-harmless-test.jsonl.gz"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def shared_data_dir() -> Path:
    """The shared data folder: ``$PREFSIGHT_SHARED_DATA`` or ``../shared/data`` beside the repo."""
    override = os.environ.get("PREFSIGHT_SHARED_DATA")
    return Path(override) if override else ROOT.parent / "shared" / "data"


def hh_path() -> Path:
    """The real HH-RLHF harmless test split (present or not)."""
    return shared_data_dir() / HH_FILE


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""Launch flags of the browser tests: headless, offline, nothing running in the background."""


def find_chromium() -> str | None:
    """A Chromium-family browser: ``$PREFSIGHT_CHROMIUM`` if set, else the first on PATH."""
    override = os.environ.get("PREFSIGHT_CHROMIUM")
    if override:
        return shutil.which(override)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _missing(reason: str, module_level: bool) -> None:
    if os.environ.get("PREFSIGHT_REQUIRE_RESOURCES") == "1":
        pytest.fail(f"{reason} (PREFSIGHT_REQUIRE_RESOURCES=1)", pytrace=False)
    pytest.skip(reason, allow_module_level=module_level)


def require_shared_data(module_level: bool = False) -> Path:
    """The HH file's path, or a skip saying where it was looked for."""
    path = hh_path()
    if not path.is_file():
        _missing(
            f"shared HH data not found at {path}: put {HH_FILE} there or point "
            "PREFSIGHT_SHARED_DATA at the folder holding it",
            module_level,
        )
    return path


def require_chromium(module_level: bool = False) -> str:
    """A browser executable, or a skip naming what was searched."""
    found = find_chromium()
    if found is None:
        _missing(
            f"no browser on PATH (looked for {', '.join(CHROMIUM_NAMES)}"
            + (
                f" and PREFSIGHT_CHROMIUM={os.environ['PREFSIGHT_CHROMIUM']}"
                if os.environ.get("PREFSIGHT_CHROMIUM")
                else ""
            )
            + "): install one (apt-get install chromium) to run the browser tests",
            module_level,
        )
    return found  # type: ignore[return-value]
