"""The quick CLI: start-up time, no heavy imports, --version, completion, help on every
option, $PREFSIGHT_STORE, and the saved-answer versions read without LanceDB."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from tests.source_env import source_env

ENV = source_env()
HEAVY = (
    "torch",
    "transformers",
    "ray",
    "lancedb",
    "faiss",
    "prefsight.audit",
    "prefsight.session",
    "prefsight.concepts",
    "scipy",
    "pandas",
)


def _run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "prefsight.cli", *args], capture_output=True, text=True, env=env or ENV, timeout=120
    )


def test_help_is_quick():
    _run("--help")  # warm the file cache once
    times = []
    for _ in range(3):
        start = time.perf_counter()
        out = _run("--help")
        times.append(time.perf_counter() - start)
        assert out.returncode == 0 and "audit" in out.stdout
    best = min(times)
    print(f"\nprefsight --help: best {best:.2f} s of {[round(t, 2) for t in times]}")
    assert best < 2.0  # < 1 s on an idle machine; slack for a shared one


def test_importing_the_cli_loads_nothing_heavy():
    code = f"import sys, prefsight.cli; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"imported at start-up: {out.stdout.strip()}"


def test_version_and_completion():
    import prefsight

    out = _run("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"prefsight {prefsight.__version__}"
    # typer detects the user's shell from the process tree; its test switch takes the shell named
    for shell in ("bash", "zsh", "fish"):
        out = _run("--show-completion", shell, env={**ENV, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"})
        assert out.returncode == 0 and "complete" in out.stdout.lower(), (shell, out.stderr)
        assert "_COMPLETE" in out.stdout


def test_every_option_and_argument_has_help():
    import click
    import typer
    from prefsight.cli import app

    root = typer.main.get_command(app)
    missing = []

    def walk(command: click.Command, path: str) -> None:
        for param in command.params:
            if not getattr(param, "help", None):
                missing.append(f"{path} {param.name}")
        if not command.help and path != "prefsight":
            missing.append(f"{path} (command)")
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}")

    walk(root, "prefsight")
    assert not missing, f"no help text: {missing}"


def test_store_comes_from_the_environment(tmp_path):
    missing = tmp_path / "nowhere"
    out = _run("info", env={**ENV, "PREFSIGHT_STORE": str(missing)})
    assert out.returncode == 2 and str(missing) in out.stderr and "does not exist" in out.stderr
    out = _run("info", env={k: v for k, v in ENV.items() if k != "PREFSIGHT_STORE"})
    assert out.returncode == 2 and "--store" in out.stderr


def test_cli_constants_match_the_library():
    from prefsight.cli.defaults import DEFAULT_MODEL, KINDS
    from prefsight.concepts.types import KINDS as LIBRARY_KINDS
    from prefsight.models import DEFAULT_MODEL as LIBRARY_MODEL

    assert (DEFAULT_MODEL, KINDS) == (LIBRARY_MODEL, LIBRARY_KINDS)


def test_table_versions_read_from_the_folder_match_lancedb(tmp_path):
    import lancedb
    import pyarrow as pa
    from prefsight import findings

    db = lancedb.connect(str(tmp_path))
    table = db.create_table("concepts", pa.table({"x": [1]}))
    for i in range(3):
        table.add(pa.table({"x": [i]}))
    versions = findings.table_versions(str(tmp_path), ("concepts", "pairs"))
    assert versions == {"concepts": int(table.version), "pairs": -1}
    findings.write_json(str(tmp_path), "probe", {"a": 1}, ("concepts",))
    assert findings.read_json(str(tmp_path), "probe", ("concepts",)) == {"a": 1}
    table.add(pa.table({"x": [9]}))  # a change to the table: the saved answer is stale
    assert findings.read_json(str(tmp_path), "probe", ("concepts",)) is None


def test_legacy_manifest_names_count_up(tmp_path):
    from prefsight.findings import _local_version

    (tmp_path / "_versions").mkdir()
    for n in (1, 2, 10):
        (tmp_path / "_versions" / f"{n}.manifest").touch()
    assert _local_version(tmp_path / "_versions") == 10
    assert _local_version(tmp_path / "absent") == -1


@pytest.mark.parametrize("module", ["prefsight.records", "prefsight_client.results"])
def test_records_make_tables(module):
    import importlib

    import numpy as np

    m = importlib.import_module(module)
    stat = m.ConceptStat("sae:L2:1", "hedging", "sae", 2, 1.0, 0.5, 0.01, 0.001, 0.8, 1.2, 1.0, 0.3, 0.9, 0.4, 0.2, 60)
    result = m.ContrastResult((stat, stat), 60, 2, "mean", "tiny")
    frame = result.to_pandas()
    assert list(frame["id"]) == ["sae:L2:1"] * 2 and frame.loc[0, "d"] == 0.5
    assert stat.to_pandas().shape[0] == 1
    html = result._repr_html_()
    assert html.startswith("<table>") and "hedging" in html and "<th>d</th>" in html
    scores = m.PairScores(("a", "b"), np.array([1.0, 2.0]), np.array([0.5, 3.0]), np.array([0.5, -1.0]))
    assert list(scores.to_pandas().columns) == ["pair_id", "chosen", "rejected", "delta"]
    assert "<td>a</td>" in scores._repr_html_()


def test_session_and_client_records_have_the_same_fields():
    from dataclasses import fields

    import prefsight.records as ours
    import prefsight_client.results as theirs

    for name in ("ConceptStat", "ContrastResult", "PairScores"):
        a = [(f.name, str(f.type)) for f in fields(getattr(ours, name))]
        b = [(f.name, str(f.type)) for f in fields(getattr(theirs, name))]
        assert a == b, name


def test_client_hit_lists_make_tables():
    from prefsight_client._convert import feature_hits
    from prefsight_client._proto.prefsight.v1 import enums_pb2

    class Hit:  # the protobuf shape feature_hits reads
        score = 0.9

        class concept:  # noqa: N801
            id, label, layer, description, source, model_id = "c", "hedging", 2, "", "", "m"
            kind = enums_pb2.CONCEPT_KIND_NAMED

    class Msg:
        hits = [Hit()]

    hits = feature_hits(Msg())
    assert isinstance(hits, list) and hits.to_pandas().loc[0, "label"] == "hedging"
    assert hits[0].concept.kind == "named"


def test_every_command_but_serve_takes_json():
    import typer
    from prefsight.cli import app

    root = typer.main.get_command(app)
    missing = []

    def walk(command, path: str) -> None:
        subs = getattr(command, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, f"{path} {name}")
        elif path != "prefsight serve" and "--json" not in [o for p in command.params for o in p.opts]:
            missing.append(path)

    walk(root, "prefsight")
    assert not missing, f"no --json: {missing}"


def test_filter_and_inoculate_share_their_options_and_only_inoculate_takes_a_template():
    import typer
    from prefsight.cli import app

    commands = typer.main.get_command(app).commands
    options = {name: [o for p in commands[name].params for o in p.opts] for name in ("filter", "inoculate")}
    shared = ["--store", "--concept", "--data", "--out", "--threshold", "--top", "--fraction", "--dry-run", "--json"]
    assert options["filter"] == shared
    assert options["inoculate"] == [*shared[:7], "--template", *shared[7:]]
    dry_run = {name: next(p.help for p in commands[name].params if p.name == "dry_run") for name in options}
    assert "it would drop" in dry_run["filter"] and "it would change" in dry_run["inoculate"]
    assert commands["filter"].help.startswith("Drop the pairs")
    assert commands["inoculate"].help.startswith("Prepend a system prompt")
