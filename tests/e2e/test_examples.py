"""The examples run end to end with ``--tiny`` and the tiny model, as a user runs them.

Each example is a subprocess. They share one working folder: the first builds
the demo store (audit of 24 pairs) and serves it in-process; the others find it
there and only start their own server, so together they take about a minute.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("examples")


def run_example(name: str, model: Path, workdir: Path, *extra: str) -> str:
    env = {**os.environ, "RAY_AUTH_MODE": "disabled", "TOKENIZERS_PARALLELISM": "false"}
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name), "--tiny", "--model", str(model), "--workdir", str(workdir), *extra],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
        cwd=EXAMPLES,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def test_steer_generation_changes_the_output_and_restores_the_model(tiny_model_dir, workdir):
    out = run_example("steer_generation.py", tiny_model_dir, workdir)
    assert "steering vector: concept" in out and "generates as before" in out
    lines = {line.split(":", 1)[0]: line for line in out.splitlines() if ":" in line}
    assert lines["plain"].split(":", 1)[1] == lines["after"].split(":", 1)[1]
    assert (workdir / "demo").is_dir()


def test_dpo_shaped_trains_with_offsets_from_the_service(tiny_model_dir, workdir):
    out = run_example("dpo_shaped.py", tiny_model_dir, workdir)
    assert "offsets for" in out and "step 2: loss" in out


def test_grpo_reward_trains_with_the_concept_reward(tiny_model_dir, workdir):
    out = run_example("grpo_reward.py", tiny_model_dir, workdir, "--weight", "-2")
    assert "step 2: concept reward" in out
