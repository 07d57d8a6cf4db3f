"""The skip logic of tests/resources.py and bench/shared_data.py: absent data or
browser skips (or fails under PREFSIGHT_REQUIRE_RESOURCES=1) with a reason that
says what is missing; present ones are found, Chromium by name on PATH."""

from __future__ import annotations

import importlib.util
import os
import stat
from pathlib import Path

import pytest

from tests import resources

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in ("PREFSIGHT_SHARED_DATA", "PREFSIGHT_CHROMIUM", "PREFSIGHT_REQUIRE_RESOURCES"):
        monkeypatch.delenv(name, raising=False)


def _fake_exe(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    exe = folder / name
    exe.write_text("#!/bin/sh\nexit 0\n")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return exe


def test_absent_shared_data_skips_with_the_path_in_the_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("PREFSIGHT_SHARED_DATA", str(tmp_path / "nowhere"))
    with pytest.raises(pytest.skip.Exception, match=r"shared HH data not found at .*nowhere"):
        resources.require_shared_data()


def test_absent_shared_data_fails_when_resources_are_required(tmp_path, monkeypatch):
    monkeypatch.setenv("PREFSIGHT_SHARED_DATA", str(tmp_path / "nowhere"))
    monkeypatch.setenv("PREFSIGHT_REQUIRE_RESOURCES", "1")
    with pytest.raises(pytest.fail.Exception, match="PREFSIGHT_REQUIRE_RESOURCES=1"):
        resources.require_shared_data()


def test_present_shared_data_is_returned(tmp_path, monkeypatch):
    (tmp_path / resources.HH_FILE).write_bytes(b"")
    monkeypatch.setenv("PREFSIGHT_SHARED_DATA", str(tmp_path))
    assert resources.require_shared_data() == tmp_path / resources.HH_FILE


def test_default_shared_data_is_beside_the_repository():
    assert resources.hh_path() == ROOT.parent / "shared" / "data" / "hh-harmless-test.jsonl.gz"


def test_no_browser_on_path_skips_naming_what_was_searched(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert resources.find_chromium() is None
    with pytest.raises(pytest.skip.Exception, match="chromium, chromium-browser, google-chrome"):
        resources.require_chromium()


@pytest.mark.parametrize("name", ["chromium", "chromium-browser", "google-chrome"])
def test_browser_is_found_by_name_on_path(tmp_path, monkeypatch, name):
    exe = _fake_exe(tmp_path / "bin", name)
    monkeypatch.setenv("PATH", str(exe.parent))
    assert resources.require_chromium() == str(exe)


def test_browser_override_is_used_and_not_a_fixed_path(tmp_path, monkeypatch):
    exe = _fake_exe(tmp_path / "elsewhere", "my-chrome")
    monkeypatch.setenv("PATH", os.defpath)
    monkeypatch.setenv("PREFSIGHT_CHROMIUM", str(exe))
    assert resources.find_chromium() == str(exe)
    monkeypatch.setenv("PREFSIGHT_CHROMIUM", str(tmp_path / "missing"))
    with pytest.raises(pytest.skip.Exception, match="PREFSIGHT_CHROMIUM="):
        resources.require_chromium()


def test_no_test_or_bench_hard_codes_the_data_or_browser_path():
    offenders = []
    for path in [*ROOT.joinpath("tests").rglob("*.py"), *ROOT.joinpath("bench").rglob("*.py")]:
        if path.name in ("resources.py", "shared_data.py", "test_resources.py"):
            continue
        text = path.read_text()
        if '"shared" / "data"' in text or "/usr/bin/chromium" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, f"use tests/resources.py or bench/shared_data.py in {offenders}"


def _bench_shared_data():
    spec = importlib.util.spec_from_file_location("bench_shared_data", ROOT / "bench" / "shared_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_exits_with_a_clear_message_when_data_is_absent(tmp_path, monkeypatch):
    bench = _bench_shared_data()
    monkeypatch.setenv("PREFSIGHT_SHARED_DATA", str(tmp_path))
    with pytest.raises(SystemExit, match=r"HH data not found at .*pass --data PATH"):
        bench.hh_data()
    given = tmp_path / "mine.jsonl"
    given.write_text("")
    assert bench.hh_data(str(given)) == given
