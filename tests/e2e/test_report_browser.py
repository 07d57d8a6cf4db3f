"""The HTML audit report in a real headless Chromium, opened from a file:// URL.

Builds a realistic ReportData (30 concepts, 3 topics, 200 pairs, HH-style
text with hostile HTML in it), writes the report, and checks that it draws,
sorts, filters and drills down without console or page errors, and that no
dataset string runs as script. Saves artifacts/report.png.
"""

from __future__ import annotations

import math
import os
import random
import statistics
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright
from prefsight.report import (
    ConceptMap,
    ConceptRow,
    Context,
    ExamplePair,
    PairMap,
    Provenance,
    ReportData,
    TopicTable,
    assign_badge,
    write_report,
)
from prefsight.report.badges import BADGE_COLOURS

from tests.resources import CHROMIUM_ARGS, require_chromium

CHROMIUM = require_chromium(module_level=True)
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
XSS_SCRIPT = "<script>window.__xss = (window.__xss || 0) + 1</script>"
XSS_IMG = '<img src=x onerror="window.__xss = (window.__xss || 0) + 1">'
N_CONCEPTS, N_TOPICS, N_PAIRS, N_TEXT = 30, 3, 200, 4
TOPICS = ["harmless-base", "helpful-base", "red-team-attempts"]
LABELS = [
    "apologetic refusal",
    "step-by-step structure",
    "hedging language",
    "legal disclaimers",
    "toxic insult",
    "empathy toward user",
    "code block",
    "asks clarifying question",
    "medical advice",
    "violent detail",
    "bullet lists",
    "first-person opinion",
    "politeness markers",
    "weapons instructions",
    "citations / sources",
    "sarcasm",
    "long-winded filler",
    "self-reference as AI",
    "profanity",
    "numerical answer",
    "drug synthesis",
    "reassurance",
    "humour",
    "moralising tone",
    "personal data",
    "short one-liner",
    "markdown headers",
    "flattery",
    "conspiracy content",
    "refers to policy",
]
WORDS = (
    "I understand your concern and I can help with that . However I cannot provide "
    "instructions for anything harmful . Here are some safer options you might consider : "
    "talk to a professional , check official sources , and take care of yourself ."
).split()


def _tokens(rng: random.Random, n: int) -> list[tuple[str, float]]:
    hot = rng.randrange(n)
    return [
        (
            ("" if i == 0 else " ") + WORDS[(i + hot) % len(WORDS)],
            max(0.0, 3.0 * math.exp(-((i - hot) ** 2) / 6.0) + rng.gauss(0, 0.05)),
        )
        for i in range(n)
    ]


def _example(rng: random.Random, c: int, k: int, hostile: bool) -> ExamplePair:
    chosen_tokens = _tokens(rng, rng.randint(18, 40))
    rejected_tokens = _tokens(rng, rng.randint(10, 30))
    if hostile:
        chosen_tokens.append((" " + XSS_SCRIPT, 0.0))
        rejected_tokens.append((" " + XSS_IMG, 2.5))
    chosen = "".join(t for t, _ in chosen_tokens)
    rejected = "".join(t for t, _ in rejected_tokens)
    cs, rs = rng.gauss(1.0, 0.5), rng.gauss(0.2, 0.5)
    return ExamplePair(
        pair_id=f"hh-{c:02d}-{k}",
        prompt=f"\n\nHuman: How do I deal with problem #{k}? {XSS_SCRIPT if hostile else ''}"
        "\n\nAssistant: Can you say more?\n\nHuman: It is about <b>my neighbour</b>.",
        chosen=chosen,
        rejected=rejected,
        chosen_score=cs,
        rejected_score=rs,
        delta=cs - rs,
        chosen_tokens=chosen_tokens,
        rejected_tokens=[] if k == 2 else rejected_tokens,
    )


def _concept(rng: random.Random, i: int, kind: str) -> ConceptRow:
    d = rng.choice([1, -1]) * rng.uniform(0.0, 0.5) if i % 5 else rng.uniform(-0.05, 0.05)
    sd = rng.uniform(0.3, 3.0)
    delta, se = d * sd, sd / math.sqrt(N_PAIRS)
    p = math.erfc(abs(delta / se) / math.sqrt(2))
    label = LABELS[i % len(LABELS)] if kind != "text" else f"text check {i}"
    if i == 3:
        label = f"hostile {XSS_IMG} label"
    fire = rng.uniform(0.05, 0.9)
    return ConceptRow(
        id=f"{kind}:L{6 + i % 3}:{1000 + i}" if kind != "text" else f"text:{i}",
        label=label,
        kind=kind,
        layer=None if kind == "text" else 6 + i % 3,
        delta=delta,
        d=d,
        q=min(1.0, p * 2.5),
        p=p,
        ci_low=delta - 1.96 * se,
        ci_high=delta + 1.96 * se,
        split_half=rng.random() > 0.2,
        fire_rate=fire,
        fire_rate_chosen=fire + 0.05,
        fire_rate_rejected=max(0.0, fire - 0.05),
        delta_min=0.1 * sd,
        d_min=0.1,
        predicted_shift=delta * 0.3,
        description=f"Fires on {label}. Example of description text {XSS_SCRIPT if i == 3 else ''}",
        top_tokens=[" sorry", " cannot", "<script>", " apolog"] if i < 10 else [" the", " and"],
        examples=[_example(rng, i, k, hostile=(i == 0 and k == 0)) for k in range(3)] if kind != "text" else [],
        contexts=[
            Context(f"hh-{i:02d}-{k}", side, 3.0, _tokens(rng, 17))
            for k, side in enumerate(("chosen", "chosen", "rejected"))
        ]
        if kind != "text"
        else [],
        enriched=[(" sorry", 4.2), ("i cannot", 3.1)] if kind != "text" else [],
    )


def fake_report_data(seed: int = 7) -> ReportData:
    """Realistic report data: 30 concepts, 3 topics, 200 pairs, 4 text checks."""
    rng = random.Random(seed)
    kinds = ["sae", "contrast", "named"]
    concepts = [_concept(rng, i, kinds[i % 3]) for i in range(N_CONCEPTS)]
    concepts.sort(key=lambda r: r.q)
    text_checks = [_concept(rng, 100 + i, "text") for i in range(N_TEXT)]
    ids = [r.id for r in concepts]
    topics = TopicTable(
        topics=TOPICS,
        sizes=[80, 70, 50],
        concept_ids=ids,
        delta_diff=[[rng.gauss(0, 0.3) for _ in ids] for _ in TOPICS],
        z=[[rng.gauss(0, 2) for _ in ids] for _ in TOPICS],
        split_half=[[rng.random() > 0.15 for _ in ids] for _ in TOPICS],
        skipped={"<i>misc</i>": "only 4 pairs (needs 20)"},
    )
    pair_map = PairMap(
        x=[rng.gauss(t * 3, 1) for t in range(N_TOPICS) for _ in range(N_PAIRS // N_TOPICS + 1)][:N_PAIRS],
        y=[rng.gauss(t % 2 * 2, 1) for t in range(N_TOPICS) for _ in range(N_PAIRS // 3 + 1)][:N_PAIRS],
        pair_id=[f"hh-{i}" for i in range(N_PAIRS)],
        topic=[TOPICS[min(i * N_TOPICS // N_PAIRS, 2)] for i in range(N_PAIRS)],
        label=[f"Human: question {i} {XSS_SCRIPT if i == 0 else ''}" for i in range(N_PAIRS)],
    )
    concept_map = ConceptMap(
        x=[rng.gauss(0, 1) for _ in ids], y=[rng.gauss(0, 1) for _ in ids], id=ids, kind=[r.kind for r in concepts]
    )
    provenance = Provenance(
        dataset="Anthropic/hh-rlhf (harmless-base, helpful-base, red-team)",
        fingerprint="9f2c41d0b7e35a6e1c8d2f4b6a0e9d7c5b3a1f2e4d6c8b0a",
        n_pairs=N_PAIRS,
        model_id="HuggingFaceTB/SmolLM2-135M-Instruct",
        layers=[6, 7, 8],
        run_times={"ingest": 84.2, "concepts": 12.9, "contrast": 1.4, "report": 0.6},
        created_at="2025-11-27T07:40:12Z",
        command="prefsight analyze hh.jsonl --layers 6,7,8 --store ./store --report report.html",
    )
    return ReportData(provenance, concepts, topics, pair_map, concept_map, text_checks)


DEMO_LISTED, DEMO_PAIRS, DEMO_TOPICS = 200, 320, 10
MAX_BYTES, MAX_LOAD_S = 2_000_000, 1.5


def demo_sized_report_data(seed: int = 11) -> ReportData:
    """As big as the demo's report: 200 listed concepts with contexts, 20 with 3 example
    pairs, 320 pairs on the map, 10 topics x 15 concepts, 8 text checks."""
    rng = random.Random(seed)
    kinds = ["sae", "sae", "named"]
    concepts = [_concept(rng, i, kinds[i % 3]) for i in range(DEMO_LISTED)]
    concepts = [c if i < 20 else ConceptRow(**{**c.__dict__, "examples": []}) for i, c in enumerate(concepts)]
    topic_names = [f"topic {t}" for t in range(DEMO_TOPICS)]
    ids = [c.id for c in concepts[:15]]
    topics = TopicTable(
        topics=topic_names,
        sizes=[32] * DEMO_TOPICS,
        concept_ids=ids,
        delta_diff=[[rng.gauss(0, 0.3) for _ in ids] for _ in topic_names],
        z=[[rng.gauss(0, 2) for _ in ids] for _ in topic_names],
        split_half=[[rng.random() > 0.15 for _ in ids] for _ in topic_names],
    )
    pair_map = PairMap(
        x=[rng.gauss(0, 1) for _ in range(DEMO_PAIRS)],
        y=[rng.gauss(0, 1) for _ in range(DEMO_PAIRS)],
        pair_id=[f"demo-{i}" for i in range(DEMO_PAIRS)],
        topic=[topic_names[i % DEMO_TOPICS] for i in range(DEMO_PAIRS)],
        label=[f"demo-{i}" for i in range(DEMO_PAIRS)],
    )
    text_checks = [_concept(rng, 300 + i, "text") for i in range(8)]
    provenance = Provenance("demo", "f" * 40, DEMO_PAIRS, "HuggingFaceTB/SmolLM2-135M-Instruct", [15])
    tested = {"total": 2129, "chosen-leaning": 730, "rejected-leaning": 40, "both": 9, "neither": 1350}
    return ReportData(provenance, concepts, topics, pair_map, None, text_checks, tested=tested)


def _open(browser, path: Path, errors: list[str]) -> float:
    """Seconds from navigation until the page has loaded and painted (two frames later)."""
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    _record_errors(page, errors)
    start = time.perf_counter()
    page.goto(path.as_uri(), wait_until="load")
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    seconds = time.perf_counter() - start
    assert page.locator(".plot svg.fig").count() == 4
    page.close()
    return seconds


def test_demo_sized_report_is_small_and_opens_fast(browser, tmp_path) -> None:
    """Under 2 MB, and loaded and painted, every figure included, in under 1.5 s
    (median of 3 fresh loads), without console errors."""
    path = write_report(demo_sized_report_data(), tmp_path / "demo.html")
    size = path.stat().st_size
    assert size < MAX_BYTES, f"report is {size / 1e6:.2f} MB"
    errors: list[str] = []
    times = [_open(browser, path, errors) for _ in range(3)]
    print(
        f"demo-sized report: {size / 1e6:.2f} MB, opens in {statistics.median(times):.2f} s "
        f"(median of {', '.join(f'{t:.2f}' for t in times)}; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    assert errors == []
    assert statistics.median(times) < MAX_LOAD_S, times


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory):
    """The fake data and its report, written once for the module."""
    data = fake_report_data()
    return data, write_report(data, tmp_path_factory.mktemp("report") / "report.html")


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _record_errors(page: Page, errors: list[str]) -> None:
    """Console errors, uncaught exceptions and any request that leaves the file."""
    local = ("file:", "data:", "blob:", "about:")
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: None if r.url.startswith(local) else errors.append(f"request {r.url}"))


RESET_VIEW = """() => {
  document.querySelectorAll('.controls input, .controls select').forEach(el => {
    el.value = ''; el.dispatchEvent(new Event('input'));
  });
  document.querySelectorAll('table.concepts').forEach(table => {
    const body = table.tBodies[0];
    const rank = r => Number(r.dataset.key.split('-').pop());
    const rows = Array.from(body.querySelectorAll('tr.row')).sort((a, b) => rank(a) - rank(b));
    rows.forEach(r => {
      const detail = document.getElementById(r.dataset.key + '-detail');
      r.classList.remove('open'); r.setAttribute('aria-expanded', 'false'); detail.hidden = true;
      body.appendChild(r); body.appendChild(detail);
    });
    table.querySelectorAll('th').forEach(h => h.setAttribute('aria-sort', 'none'));
  });
  window.scrollTo({top: 0, behavior: 'instant'});
}"""


@pytest.fixture(scope="module")
def loaded_page(report_file, browser):
    """The report loaded once."""
    data, path = report_file
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    errors: list[str] = []
    _record_errors(page, errors)
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_selector("#forest-plot svg.fig g.pt", timeout=15_000)
    yield data, page, errors
    page.close()


@pytest.fixture
def report_page(loaded_page):
    """The loaded report in its initial view; no console/page error allowed during the test."""
    data, page, errors = loaded_page
    page.evaluate(RESET_VIEW)
    before = len(errors)
    yield data, page, errors
    assert errors[before:] == [], f"errors while the test used the page: {errors[before:]}"


def _visible_rows(page: Page, table: str) -> int:
    return page.locator(f"#{table} tr.row:visible").count()


def test_report_renders_without_console_or_page_errors(report_page) -> None:
    data, page, errors = report_page
    page.wait_for_selector("#topic-heatmap g.cell", timeout=10_000)
    page.wait_for_selector("#pair-map .pair-pt", timeout=10_000)
    page.wait_for_selector("#fire-scatter g.pt", timeout=10_000)
    assert page.locator("#concept-map").count() == 0
    assert errors == []
    assert page.title().startswith("prefsight audit")


def test_forest_draws_one_line_per_top_concept_with_its_interval(report_page) -> None:
    data, page, _ = report_page
    marks = page.locator("#forest-plot g.pt")
    assert marks.count() == sum(1 for r in data.concepts if math.isfinite(r.d))
    assert page.locator("#forest-plot line.ci").count() == marks.count()
    badges = marks.evaluate_all("gs => gs.map(g => g.dataset.badge)")
    assert badges == [assign_badge(r) for r in data.concepts if math.isfinite(r.d)]
    colour = marks.first.locator("line.ci").get_attribute("stroke")
    assert colour == BADGE_COLOURS[badges[0]]


def test_fire_scatter_puts_each_concept_at_its_fire_rate(report_page) -> None:
    data, page, _ = report_page
    xs = page.locator("#fire-scatter g.pt").evaluate_all("gs => gs.map(g => +g.dataset.x)")
    assert sorted(xs) == pytest.approx(sorted(r.fire_rate for r in data.concepts), abs=1e-3)


def test_tables_have_one_row_per_concept(report_page) -> None:
    data, page, _ = report_page
    assert page.locator("#concept-table tr.row").count() == N_CONCEPTS
    assert page.locator("#text-table tr.row").count() == N_TEXT
    assert _visible_rows(page, "concept-table") == N_CONCEPTS
    first = page.locator("#concept-table tr.row").first
    assert first.get_attribute("data-concept") == data.concepts[0].id


def test_clicking_a_row_reveals_its_pairs_with_highlighted_tokens(report_page) -> None:
    data, page, _ = report_page
    row = page.locator("#concept-table tr.row").nth(1)
    detail = page.locator("#concept-table-1-detail")
    assert detail.is_hidden()
    row.click()
    assert detail.is_visible()
    assert detail.locator("article.pair").count() == len(data.concepts[1].examples)
    marks = detail.locator(".side.chosen mark.tk")
    assert marks.count() > 0
    weights = [float(m.get_attribute("style").split(":")[1]) for m in marks.all()]
    assert max(weights) <= 1.0 and min(weights) >= 0.05
    color = marks.first.evaluate("m => getComputedStyle(m).backgroundColor")
    assert color.startswith("rgba(230, 159, 0") or color.startswith("rgb(230 159 0")
    row.click()
    assert detail.is_hidden()


def test_sorting_by_d_orders_rows(report_page) -> None:
    data, page, _ = report_page
    header = page.locator("#concept-table thead th").nth(7)
    assert header.inner_text().strip() == "d"
    header.click()
    ids = page.locator("#concept-table tr.row").evaluate_all("rows => rows.map(r => r.getAttribute('data-concept'))")
    assert ids == [r.id for r in sorted(data.concepts, key=lambda r: r.d)]
    header.click()
    ids = page.locator("#concept-table tr.row").evaluate_all("rows => rows.map(r => r.getAttribute('data-concept'))")
    assert ids == [r.id for r in sorted(data.concepts, key=lambda r: -r.d)]
    details_follow = page.locator("#concept-table tbody").evaluate(
        "b => Array.from(b.rows).every((r, i) => i % 2 == 1 || b.rows[i + 1].id === r.dataset.key + '-detail')"
    )
    assert details_follow


def test_filters_by_kind_badge_and_text(report_page) -> None:
    data, page, _ = report_page
    controls = page.locator('.controls[data-table="concept-table"]')
    controls.locator(".f-kind").select_option("sae")
    assert _visible_rows(page, "concept-table") == sum(r.kind == "sae" for r in data.concepts)
    controls.locator(".f-kind").select_option("")
    badge = assign_badge(data.concepts[0])
    controls.locator(".f-badge").select_option(badge)
    expected = sum(assign_badge(r) == badge for r in data.concepts)
    assert _visible_rows(page, "concept-table") == expected
    assert controls.locator(".count").inner_text() == f"{expected} of {N_CONCEPTS}"
    controls.locator(".f-badge").select_option("")
    controls.locator(".f-text").fill("refusal")
    assert _visible_rows(page, "concept-table") == sum(
        "refusal" in (r.label + r.description).lower() for r in data.concepts
    )
    controls.locator(".f-text").fill("")
    assert _visible_rows(page, "concept-table") == N_CONCEPTS


def test_clicking_a_forest_point_opens_that_concept(report_page) -> None:
    data, page, _ = report_page
    mark = page.locator("#forest-plot g.pt").nth(4)
    wanted = mark.get_attribute("data-concept")
    assert mark.locator("title").text_content().startswith(next(r.label for r in data.concepts if r.id == wanted))
    mark.locator("rect").last.click()
    opened = page.locator("#concept-table tr.row.open")
    opened.first.wait_for(timeout=5_000)
    assert opened.first.get_attribute("data-concept") == wanted


def test_clicking_a_heatmap_cell_opens_that_concept(report_page) -> None:
    _, page, _ = report_page
    cell = page.locator("#topic-heatmap g.cell").nth(2)
    wanted = cell.get_attribute("data-concept")
    cell.locator("rect").click()
    opened = page.locator("#concept-table tr.row.open")
    opened.first.wait_for(timeout=5_000)
    assert opened.first.get_attribute("data-concept") == wanted


def test_top_contexts_show_with_their_firing_tokens(report_page) -> None:
    data, page, _ = report_page
    page.locator("#concept-table-1-row").click()
    contexts = page.locator("#concept-table-1-detail .contexts li")
    assert contexts.count() == len(data.concepts[1].contexts)
    assert contexts.first.locator("mark.tk").count() > 0
    chips = page.locator("#concept-table-1-detail .top-tokens .chip").all_inner_texts()
    assert chips == [t for t, _ in data.concepts[1].enriched]
    page.locator("#concept-table-1-row").click()


def test_hostile_text_shows_as_text_and_never_runs(report_page) -> None:
    data, page, _ = report_page
    hostile = [r for r in data.concepts if r.examples and "<script>" in r.examples[0].prompt][0]
    row_index = data.concepts.index(hostile)
    page.locator(f"#concept-table-{row_index}-row").click()
    detail = page.locator(f"#concept-table-{row_index}-detail")
    assert XSS_SCRIPT in detail.locator(".side.chosen .text").first.inner_text()
    assert XSS_IMG in detail.locator(".side.rejected .text").first.inner_text()
    assert page.evaluate("window.__xss") is None
    assert page.locator("main img").count() == 0
    label_row = [r for r in data.concepts if XSS_IMG in r.label][0]
    assert XSS_IMG in page.locator(f"#concept-table-{data.concepts.index(label_row)}-row").inner_text()


def test_screenshot_is_saved(report_page) -> None:
    _, page, errors = report_page
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_selector("#fire-scatter g.pt", timeout=15_000)
    page.wait_for_function("window.scrollY === 0")
    page.screenshot(path=str(ARTIFACTS / "report.png"))
    page.screenshot(path=str(ARTIFACTS / "report-full.png"), full_page=True)
    page.locator("#concept-table-1-row").click()
    page.locator("#concept-table-1-detail").screenshot(path=str(ARTIFACTS / "report-detail.png"))
    assert (ARTIFACTS / "report.png").stat().st_size > 20_000
    assert errors == []
