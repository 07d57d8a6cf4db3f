"""Every Python block of the README runs, as written, against the real default model.

The blocks run in order in one namespace, in a fresh folder holding ``pairs.jsonl``
(demo pairs). Blocks that talk to a server (they import ``prefsight_client``) get
an in-process server over the ``./store`` the earlier blocks built, served as
``store``; the README's ``localhost:50051`` is replaced by its loopback address.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.real_model, pytest.mark.slow]

README = Path(__file__).resolve().parents[2] / "README.md"
PAIRS = 40


def python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_the_readme_has_python_blocks_for_the_api_and_the_client():
    blocks = python_blocks(README.read_text())
    assert any("prefsight_client" in b for b in blocks)
    assert any("prefsight_client" not in b for b in blocks)


def test_every_python_block_of_the_readme_runs(tmp_path, monkeypatch):
    from prefsight.apps.demo import generate_demo
    from prefsight.server.app import build_server
    from prefsight.server.servicer import PrefsightServicer

    generate_demo(n_pairs=PAIRS, seed=5).write(tmp_path / "pairs.jsonl")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "readme"}
    server = None
    try:
        for i, block in enumerate(python_blocks(README.read_text())):
            if "prefsight_client" in block:
                if server is None:
                    server = build_server(PrefsightServicer([tmp_path / "store"])).start()
                block = block.replace("localhost:50051", server.address)
            try:
                exec(compile(block, f"README.md python block {i + 1}", "exec"), namespace)
            except Exception as error:  # name the block that failed
                raise AssertionError(f"README python block {i + 1} failed: {error!r}\n{block}") from error
    finally:
        if server is not None:
            server.stop(grace=0)
    assert os.path.isdir(tmp_path / "store")
