"""The validation page (``validate.html``) in a real headless Chromium, opened from a file:// URL.

A validation document with hostile text in its labels, prompts and generations:
the page draws one scatter marker per compared concept at its predicted and
measured shift (planted traits' concepts highlighted), one table row per run,
no console or page errors, no request off the file, and no dataset string runs.
"""

from __future__ import annotations

import random

import pytest
from playwright.sync_api import sync_playwright
from prefsight.report.validation import PLANTED_COLOUR, write_validation

from tests.resources import CHROMIUM_ARGS, require_chromium

CHROMIUM = require_chromium(module_level=True)
XSS = '<img src=x onerror="window.__xss = (window.__xss || 0) + 1"><script>window.__xss = 1</script>'
N_POINTS = 40
PLANTED = {"sae:L15:3": "apology", "sae:L15:17": "emoji"}


def _run(rng: random.Random, name: str) -> dict:
    before, after = rng.random() * 0.2, rng.random()
    return {
        "trait_rate": after,
        "trait_rate_before": before,
        "trait_increase": {"mean": after - before, "ci": [after - before - 0.1, after - before + 0.1], "n": 20},
        "intended_gain": rng.random() * 5,
        "intended_gain_ci": [0.5, 5.5],
        "preference_accuracy": 0.9,
        "off_target_shift": 0.2,
        "trait_increase_cut": None if name == "plain" else 0.5,
        "intended_gain_kept": None if name == "plain" else 0.95,
        "note": XSS if name == "filter" else "",
        "training": {"hyperparameters": {"learning_rate": 1e-4, "beta": 0.1}, "steps": 16, "seconds_per_step": 9.0},
        "examples": [{"prompt": f"prompt {XSS}", "mode": "greedy", "text": f"I'm sorry {XSS}"}],
    }


def validation_doc(seed: int = 3) -> dict:
    rng = random.Random(seed)
    points = []
    for i in range(N_POINTS):
        cid = f"sae:L15:{i}"
        points.append(
            {
                "id": cid,
                "kind": "sae" if i % 3 else "named",
                "label": f"label {i} {XSS}",
                "predicted": rng.gauss(0, 0.5),
                "measured": rng.gauss(0, 0.3),
                "planted": PLANTED.get(cid),
            }
        )
    runs = ["plain", "filter", "inoculate", "shape(lam=1)"]
    return {
        "r2": 0.12,
        "r2_ci": [0.02, 0.3],
        "spearman": 0.3,
        "spearman_ci": [0.1, 0.5],
        "n_concepts": N_POINTS,
        "shift_scale": 0.4,
        "shift_scale_ci": [0.2, 0.6],
        "min_support": 20,
        "predictor": "diagonal first-order DPO update",
        "target": {"concept": "sae:L15:3", "label": f"apologises {XSS}", "trait": "apology"},
        "planted": {t: {"concept": c, "auroc": 0.99, "in_comparison": True} for c, t in PLANTED.items()},
        "interventions": {name: _run(rng, name) for name in runs},
        "skipped": {"steer": f"no vector {XSS}"},
        "concepts": points,
        "model": "smollm2-135m",
        "layer": 15,
        "data": {"train_pairs": 64},
        "timings": {"audit_and_predict": 120.0},
    }


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    doc = validation_doc()
    path = write_validation(doc, tmp_path_factory.mktemp("validation") / "validate.html")
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        local = ("file:", "data:", "blob:", "about:")
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: None if r.url.startswith(local) else errors.append(f"request {r.url}"))
        page.goto(path.as_uri(), wait_until="load")
        yield doc, page, errors
        browser.close()


def test_page_opens_without_errors_and_runs_no_dataset_string(page):
    _doc, p, errors = page
    assert errors == []
    assert p.evaluate("window.__xss") is None
    assert "<img src=x" in p.locator("#interventions").inner_text()  # shown as text


def test_scatter_has_one_marker_per_concept_at_its_values(page):
    doc, p, _ = page
    markers = p.locator("#scatter svg g[data-concept]")
    assert markers.count() == N_POINTS
    drawn = {
        m.get_attribute("data-concept"): (
            float(m.get_attribute("data-predicted")),
            float(m.get_attribute("data-measured")),
        )
        for m in markers.all()
    }
    for point in doc["concepts"]:
        assert drawn[point["id"]] == pytest.approx((point["predicted"], point["measured"]), rel=1e-3, abs=1e-4)
    highlighted = p.locator(f'#scatter svg g[data-concept] [fill="{PLANTED_COLOUR}"]')
    assert highlighted.count() == len(PLANTED)
    # planted markers are drawn last, i.e. on top
    assert [m.get_attribute("data-concept") for m in markers.all()][-len(PLANTED) :] == sorted(
        PLANTED, key=lambda c: [p["id"] for p in doc["concepts"]].index(c)
    )


def test_one_row_per_run_and_the_planted_traits(page):
    doc, p, _ = page
    rows = p.locator("#runs-table tbody tr")
    assert rows.count() == len(doc["interventions"])
    assert [r.locator("td").first.inner_text() for r in rows.all()] == list(doc["interventions"])
    assert p.locator("#planted-table tbody tr").count() == len(PLANTED)
    assert "steer skipped" in p.locator("#interventions").inner_text()
