"""The client's docstring examples run, as written, against a real in-process server.

The server serves a copy of the audited 60-pair "demo" store (examples define
concepts in it) beside "empty", "fresh" and "scratch", as the RPC tests do. The
examples name the server "localhost:50051" and a concept "c12"; this harness
points them at the real address and at a named concept of the store, and runs
them with ``doctest`` (``AsyncClient``'s with top-level ``await`` on one event loop).
"""

from __future__ import annotations

import ast
import asyncio
import doctest
import importlib
import shutil
import types
from typing import Any

import pytest

NAMED = "named:L2:sycophancy"
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
SYNC_MODULES = (
    "prefsight_client",
    "prefsight_client.client",
    "prefsight_client._enums",
    "prefsight_client._streams",
    "prefsight_client.results",
    "prefsight_client.rewards",
    "prefsight_client.vectors",
    "prefsight_client.steering",
    "prefsight_client.dpo",
)


@pytest.fixture(scope="module")
def address(audited_store, tmp_path_factory, ray_local):
    from prefsight.server.app import build_server
    from prefsight.server.servicer import PrefsightServicer, ServicerConfig

    root = tmp_path_factory.mktemp("doctest-stores")
    shutil.copytree(audited_store.uri, root / "demo")
    (root / "empty").mkdir()
    config = ServicerConfig(data_roots=(str(audited_store.data.parent),))
    stores = [root / "demo", root / "empty", root / "fresh", root / "scratch"]
    server = build_server(PrefsightServicer(stores, config)).start()
    yield server.address
    server.stop(grace=0)


def doctests(module: types.ModuleType, address: str) -> list[doctest.DocTest]:
    """The module's examples, pointed at the test server."""
    tests = doctest.DocTestFinder().find(module, module.__name__)
    for test in tests:
        for example in test.examples:
            example.source = example.source.replace("localhost:50051", address)
            example.source = example.source.replace('"c12"', repr(NAMED))
    return [t for t in tests if t.examples]


def run(tests: list[doctest.DocTest], globs: dict[str, Any], compileflags: int = 0) -> list[str]:
    """Run ``tests``; return one report per failure."""
    failures = []
    for test in tests:
        test.globs.update(globs)
        runner = doctest.DocTestRunner(optionflags=FLAGS)
        out: list[str] = []
        result = runner.run(test, compileflags=compileflags or None, out=out.append)
        if result.failed:
            failures.append("".join(out))
    return failures


@pytest.mark.parametrize("name", SYNC_MODULES)
def test_sync_examples_run_against_a_real_server(address, name):
    from prefsight_client import Client

    module = importlib.import_module(name)
    tests = doctests(module, address)
    with Client(address, timeout=60) as client:
        failures = run(tests, {"client": client})
    assert not failures, "\n".join(failures)
    assert tests, f"{name} has no examples"


def test_async_examples_run_against_a_real_server(address, monkeypatch):
    """Each example is compiled with top-level await and run to completion on one loop."""
    import prefsight_client.aio as aio

    loop = asyncio.new_event_loop()

    def run_example(code: types.CodeType, globs: dict[str, Any], *rest: Any) -> None:
        result = eval(code, globs)  # noqa: S307 - the docstring's own example
        if asyncio.iscoroutine(result):
            loop.run_until_complete(result)

    async def connect() -> aio.AsyncClient:
        return aio.AsyncClient(address, timeout=60)

    monkeypatch.setattr(doctest, "exec", run_example, raising=False)
    client = loop.run_until_complete(connect())
    try:
        tests = doctests(aio, address)
        failures = run(tests, {"client": client}, ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    finally:
        loop.run_until_complete(client.close())
        loop.close()
    assert len(tests) >= 14
    assert not failures, "\n".join(failures)
