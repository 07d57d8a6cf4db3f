"""Confined server paths, the inoculation template language and the per-call cancel check."""

from __future__ import annotations

import contextvars
import threading

import pytest
from prefsight.cancel import call_check, cancel_scope, check_cancelled, context_value
from prefsight.errors import Cancelled, DeadlineExceeded, FailedPrecondition, InvalidArgument, NotFound
from prefsight.interventions.datasets import parse_template, render_template
from prefsight.server.paths import PathPolicy


@pytest.fixture
def policy(tmp_path) -> PathPolicy:
    data, exports, store = tmp_path / "data", tmp_path / "exports", tmp_path / "stores" / "s"
    for folder in (data / "sub", exports, store):
        folder.mkdir(parents=True)
    (data / "pairs.jsonl").write_text("{}\n")
    (data / "sub" / "more.parquet").write_bytes(b"")
    (tmp_path / "secret.jsonl").write_text("{}\n")
    (data / "link.jsonl").symlink_to(tmp_path / "secret.jsonl")
    (data / "up").symlink_to(tmp_path, target_is_directory=True)
    return PathPolicy.build([data], exports, [store])


def test_datasets_resolve_inside_the_roots_only(policy, tmp_path):
    root = policy.data_roots[0]
    assert policy.dataset("pairs.jsonl") == root / "pairs.jsonl"
    assert policy.dataset(str(root / "sub" / "more.parquet")) == root / "sub" / "more.parquet"
    assert policy.dataset("sub/../pairs.jsonl") == root / "pairs.jsonl"
    for escape in ["../secret.jsonl", "link.jsonl", "up/secret.jsonl", str(tmp_path / "secret.jsonl")]:
        with pytest.raises(InvalidArgument, match="outside the server's data roots"):
            policy.dataset(escape)
    with pytest.raises(NotFound, match="does not exist under the data roots"):
        policy.dataset("missing.jsonl")
    for bad, message in [("a\x00b", "NUL"), ("x" * 5000, "at most"), ("", "empty")]:
        with pytest.raises(InvalidArgument, match=message):
            policy.dataset(bad)
    with pytest.raises(InvalidArgument, match="plain folder name"):
        policy.dataset("sub", "../..")


def test_exports_go_to_the_stores_folder_and_never_replace_silently(policy):
    folder = policy.export_root / "s"
    path = policy.export("s", "out.jsonl", action="filter", suffix=".jsonl")
    assert path == folder / "out.jsonl"
    default = policy.export("s", "", action="filter", suffix=".parquet")
    assert default.parent == folder and default.name.startswith("s-filter-")
    assert default.suffix == ".parquet"
    path.write_text("x")
    with pytest.raises(FailedPrecondition, match="set overwrite"):
        policy.export("s", "out.jsonl", action="filter", suffix=".jsonl")
    assert policy.export("s", "out.jsonl", action="filter", suffix="", overwrite=True) == path
    for escape in ["../t/x.jsonl", "/tmp/x.jsonl", str(folder)]:
        with pytest.raises(InvalidArgument, match="outside the export folder"):
            policy.export("s", escape, action="filter", suffix=".jsonl")


def test_no_roots_means_no_dataset_or_export_rpcs():
    policy = PathPolicy.build()
    with pytest.raises(FailedPrecondition, match="--data-root"):
        policy.dataset("pairs.jsonl")
    with pytest.raises(FailedPrecondition, match="--export-root"):
        policy.export("s", "x.jsonl", action="filter", suffix=".jsonl")


def test_templates_allow_two_named_fields_and_literal_braces():
    assert parse_template("a {label} b") == [("a ", "label"), (" b", None)]
    text = render_template("{{x}} {label}: {description}", label="L", description="D")
    assert text == "{x} L: D"
    for bad in ["{label:>9}", "{label!s}", "{label.x}", "{label[0]}", "{0}", "{}", "{x}", "{", "no"]:
        with pytest.raises(InvalidArgument):
            parse_template(bad)
    with pytest.raises(InvalidArgument, match="at most 20000"):
        render_template("{label}" * 100, label="x" * 300, description="")


class FakeCall:
    def __init__(self, remaining: float | None, active: bool = True) -> None:
        self.remaining, self.active = remaining, active

    def time_remaining(self) -> float | None:
        return self.remaining

    def is_active(self) -> bool:
        return self.active


def test_the_cancel_check_belongs_to_the_call_of_this_thread():
    check_cancelled()  # no scope: never cancelled
    with cancel_scope(call_check(FakeCall(None))):
        check_cancelled()
    with cancel_scope(call_check(FakeCall(0.0))), pytest.raises(DeadlineExceeded):
        check_cancelled()
    with cancel_scope(call_check(FakeCall(5.0, active=False))):
        with pytest.raises(Cancelled):
            check_cancelled()
        seen = []
        thread = threading.Thread(target=lambda: seen.append(check_cancelled()))
        thread.start()
        thread.join()
        assert seen == [None]  # another thread has its own (empty) scope
    check_cancelled()


def test_a_context_value_is_restored_after_its_block_even_when_closed_elsewhere():
    var: contextvars.ContextVar[int | None] = contextvars.ContextVar("v", default=None)
    with context_value(var, 1):
        with context_value(var, 2):
            assert var.get() == 2
        assert var.get() == 1
    assert var.get() is None

    def stream():
        with context_value(var, 3):
            yield var.get()

    opened = stream()
    assert next(opened) == 3 and var.get() == 3
    contextvars.copy_context().run(opened.close)  # a stream closed from another context
