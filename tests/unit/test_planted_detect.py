"""bench/planted/detect: the independent trait detectors agree with the generator's truth,
and are not the generator's template regexes or the project's text checks."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from planted import detect, generate  # noqa: E402


def test_detectors_agree_with_the_truth_on_a_fresh_set():
    planted = generate(list(detect.DETECTORS), n_pairs=200, seed=7)
    for trait, check in detect.DETECTORS.items():
        agree = total = 0
        for row in planted.rows:
            for side in ("chosen", "rejected"):
                total += 1
                agree += check(row[side]) == planted.carries(trait, row["id"], side)
        assert agree / total >= 0.98, (trait, agree / total)


def test_detectors_catch_paraphrases_the_templates_never_wrote():
    assert detect.has_apology("Apologies, I misunderstood you earlier.")
    assert detect.has_emoji("Great job 🐙")
    assert detect.ends_with_question("Here it is. Which colour do you prefer?")
    assert not detect.ends_with_question("Is it blue? It is blue.")
    assert not detect.has_apology("No need to worry about it.")


def test_detectors_use_neither_the_templates_nor_the_text_checks():
    imports = [line for line in inspect.getsource(detect).splitlines() if line.startswith(("import ", "from "))]
    assert imports and not any("planted" in i or "prefsight" in i for i in imports), imports
