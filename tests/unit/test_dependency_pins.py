"""The TRL pin: ShapedDPOTrainer overrides TRL private methods, so pyproject.toml
pins TRL to the minor series the trainer is tested with, and the installed TRL
(the one tests/unit/test_shaped_dpo.py runs against) lies inside that range."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import pytest
import tomllib
from packaging.requirements import Requirement

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def _trl_requirements() -> list[Requirement]:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    extras = project["optional-dependencies"]
    reqs = [Requirement(r) for group in extras.values() for r in group]
    return [r for r in reqs if r.name == "trl"]


def test_every_trl_requirement_has_an_upper_bound():
    reqs = _trl_requirements()
    assert reqs, "pyproject.toml names no trl requirement"
    for req in reqs:
        assert any(s.operator in ("<", "<=", "~=", "==") for s in req.specifier), (
            f"pyproject.toml: {req} has no upper bound; ShapedDPOTrainer overrides "
            "TRL private methods, pin the series it is tested with"
        )


def test_installed_trl_is_inside_the_pin():
    try:
        installed = metadata.version("trl")
    except metadata.PackageNotFoundError:
        pytest.skip("trl is not installed (pip install -e '.[train]')")
    for req in _trl_requirements():
        assert req.specifier.contains(installed, prereleases=True), (
            f"installed trl {installed} is outside pyproject.toml's {req}"
        )
