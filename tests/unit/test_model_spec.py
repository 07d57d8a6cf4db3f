"""A model spec that cannot be a path is NOT_FOUND, never an OSError (found by the server fuzz)."""

from __future__ import annotations

import pytest
from prefsight.errors import NotFound
from prefsight.models import resolve_model_path


@pytest.mark.parametrize("spec", ["word " * 300, "a" * 300 + ".gguf"])
def test_a_spec_the_file_system_refuses_is_not_found(spec: str) -> None:
    with pytest.raises(NotFound, match="not a readable path") as info:
        resolve_model_path(spec)
    assert len(str(info.value)) <= 300


def test_an_unknown_hub_id_is_passed_through_for_the_hub_cache() -> None:
    assert resolve_model_path("someone/some-model") == ("someone/some-model", "someone/some-model")
