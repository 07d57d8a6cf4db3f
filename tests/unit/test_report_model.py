"""The report's data model, badge rules, escaping and HTML structure (no browser)."""

from __future__ import annotations

import json
import math
import re
from html.parser import HTMLParser

import numpy as np
import pytest
from prefsight.errors import InvalidArgument
from prefsight.report import (
    BOTH,
    CHOSEN,
    GENERIC,
    NEITHER,
    REJECTED,
    BadgeRules,
    ConceptMap,
    ConceptRow,
    Context,
    ExamplePair,
    PairMap,
    Provenance,
    ReportData,
    TopicTable,
    assign_badge,
    figures,
    render_report,
    write_report,
)
from prefsight.report.drilldown import activation_scale, highlight_tokens
from prefsight.report.fmt import script_json
from prefsight.report.tables import ci_cell, ci_scale

EVIL = '<script>window.__xss=1</script><img src=x onerror="alert(1)">&amp;'
SECTIONS = ("summary", "effects", "concepts", "overall", "topics", "maps", "text-checks", "provenance")


def row(**overrides: object) -> ConceptRow:
    base: dict[str, object] = dict(
        id="sae:L6:1",
        label="refusal",
        kind="sae",
        layer=6,
        delta=0.5,
        d=0.4,
        q=0.01,
        p=0.001,
        ci_low=0.2,
        ci_high=0.8,
        split_half=True,
        fire_rate=0.5,
        d_min=0.1,
    )
    base.update(overrides)
    return ConceptRow(**base)  # type: ignore[arg-type]


def provenance(dataset: str = "hh") -> Provenance:
    return Provenance(
        dataset=dataset,
        fingerprint="abc123",
        n_pairs=3,
        model_id="tiny-llama",
        layers=[1, 2],
        run_times={"ingest": 1.5, "contrast": 0.25},
        created_at="2025-01-01T00:00:00Z",
        command="prefsight analyze x.jsonl",
    )


def example(pair_id: str = "p1", text: str = "yes") -> ExamplePair:
    return ExamplePair(
        pair_id=pair_id,
        prompt="Human: hi",
        chosen=text,
        rejected="no",
        chosen_score=1.0,
        rejected_score=0.25,
        delta=0.75,
        chosen_tokens=[(text, 2.0)],
        rejected_tokens=[],
    )


def full_data(text: str = "plain") -> ReportData:
    """Every section filled; every free-text field carries ``text``."""
    concepts = [
        row(
            id=f"sae:L6:{i}",
            label=f"{text} {i}",
            description=text,
            top_tokens=[text],
            delta=(-1) ** i * 0.5,
            d=(-1) ** i * 0.4,
            examples=[example(f"p{i}", text)],
            contexts=[Context(f"p{i}", "rejected", 2.0, [(text, 0.0), (text, 2.0)])],
            enriched=[(text, 3.5)],
        )
        for i in range(3)
    ]
    ids = [c.id for c in concepts]
    return ReportData(
        provenance=provenance(text),
        concepts=concepts,
        topics=TopicTable(
            topics=[text, "t2"],
            sizes=[2, 1],
            concept_ids=ids,
            delta_diff=[[0.1, -0.2, 0.0], [0.3, 0.0, -0.1]],
            z=[[1.0, -2.0, 0.0], [3.0, 0.0, -1.0]],
            split_half=[[True, False, True], [True, True, True]],
            skipped={text: text},
        ),
        pair_map=PairMap(x=[0.0, 1.0], y=[1.0, 0.0], pair_id=["p0", "p1"], topic=[text, "t2"], label=[text, "b"]),
        concept_map=ConceptMap(x=[0.0, 1.0, 2.0], y=[0.0, 1.0, 0.5], id=ids, kind=["sae"] * 3),
        text_checks=[row(id="text:len", label=text, kind="text", layer=None)],
        overall=[row(id="contrast:L6:mean-diff", label=text, kind="contrast", pair_accuracy=0.8)],
    )


class Tags(HTMLParser):
    """Collects start tags and the text of each <script>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False if tag == "script" else self._in_script

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def _strings(value: object):  # noqa: ANN202
    """Every string inside a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def parse(html: str) -> Tags:
    parser = Tags()
    parser.feed(html)
    return parser


# --- badges -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, CHOSEN),
        ({"delta": -0.5, "d": -0.4}, REJECTED),
        ({"split_half": False}, BOTH),  # significant but not replicated; common -> both
        ({"q": 0.05}, BOTH),  # q == alpha is not significant; common -> both
        ({"q": 0.05, "fire_rate": 0.1}, NEITHER),  # not significant, rare
        ({"q": math.nan}, BOTH),  # NaN q counts as not significant
        ({"delta": 0.0, "d": 0.0}, NEITHER),  # replicated "difference" of 0 leans nowhere
        ({"q": 0.5, "fire_rate_chosen": 0.9, "fire_rate_rejected": 0.1}, NEITHER),
        ({"q": 0.5, "fire_rate": 0.05, "fire_rate_chosen": 0.3, "fire_rate_rejected": 0.2}, BOTH),
        ({"split_half": False, "fire_rate": 0.1}, NEITHER),  # not replicated and rare
        ({"generic": True}, GENERIC),  # in nearly every pair: not a finding, even if significant
        ({"generic": True, "q": 0.5}, BOTH),  # ... and without a difference, common on both sides
    ],
)
def test_badge_rules(overrides: dict[str, object], expected: str) -> None:
    assert assign_badge(row(**overrides)) == expected


def test_badge_thresholds_are_configurable_and_validated() -> None:
    assert assign_badge(row(q=0.02), BadgeRules(alpha=0.01)) == BOTH
    assert assign_badge(row(q=0.5, fire_rate=0.5), BadgeRules(min_fire_rate=0.6)) == NEITHER
    with pytest.raises(ValueError, match="alpha"):
        BadgeRules(alpha=0.0)
    with pytest.raises(ValueError, match="min_fire_rate"):
        BadgeRules(min_fire_rate=1.5)


# --- model ------------------------------------------------------------------


def test_round_trip_through_dict_and_json_is_identity() -> None:
    data = full_data()
    assert ReportData.from_dict(data.to_dict()) == data
    assert ReportData.from_dict(json.loads(json.dumps(data.to_dict()))) == data
    assert ReportData.from_json(data.to_json()) == data


def test_round_trip_with_missing_sections_and_nan_statistics() -> None:
    data = ReportData(provenance(), [row(q=float("nan"), predicted_shift=np.nan)])
    raw = json.loads(data.to_json())  # strict JSON: NaN became null
    assert raw["concepts"][0]["q"] is None and raw["topics"] is None
    back = ReportData.from_dict(raw)
    assert back == data
    assert math.isnan(back.concepts[0].q)


def test_numpy_inputs_become_builtin_and_serialisable() -> None:
    r = row(delta=np.float32(0.5), layer=np.int64(6), split_half=np.bool_(True), top_tokens=np.array(["a", "b"]))
    ex = ExamplePair("p", "x", "c", "r", np.float64(1), 0, 1, chosen_tokens=[("c", np.float32(1.5))])
    data = ReportData(provenance(), [ConceptRow(**{**r.__dict__, "examples": [ex]})])
    assert type(data.concepts[0].delta) is float and type(data.concepts[0].layer) is int
    assert data.concepts[0].examples[0].chosen_tokens == [("c", 1.5)]
    assert ReportData.from_json(data.to_json()) == data


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: row(kind="sparse"), "kind 'sparse' not in"),
        (lambda: ReportData(provenance(), [row(), row()]), "duplicate concept ids"),
        (lambda: ReportData(provenance(), [], text_checks=[row()]), "kind 'text'"),
        (
            lambda: TopicTable(["a"], [1], ["c1", "c2"], [[0.0]], [[0.0, 0.0]], [[True, True]]),
            r"delta_diff must be \(1, 2\)",
        ),
        (lambda: PairMap([0.0], [0.0, 1.0], ["p"], ["t"], ["l"]), "differ in length"),
        (lambda: ConceptMap([0.0], [0.0], ["c"], ["bogus"]), "not in"),
        (lambda: ExamplePair("p", "", "", "", 0, 0, 0, chosen_tokens=[("a", 1, 2)]), "must be \\(token, activation\\)"),
        (
            lambda: ReportData.from_dict({"provenance": provenance().__dict__, "extra": 1}),
            "unknown fields \\['extra'\\]",
        ),
    ],
)
def test_bad_input_says_what_is_wrong(build, message: str) -> None:  # noqa: ANN001
    with pytest.raises(InvalidArgument, match=message):
        build()


# --- HTML -------------------------------------------------------------------


def test_report_has_every_section_and_one_row_per_concept() -> None:
    data = full_data()
    html = render_report(data)
    ids = {attrs.get("id") for _, attrs in parse(html).tags}
    assert set(SECTIONS) <= ids
    assert {"forest-plot", "fire-scatter", "topic-heatmap", "pair-map"} <= ids
    assert "concept-map" not in ids  # the unlabelled PCA cloud is gone
    assert html.count('<tr class="row" id="concept-table-') == len(data.concepts)
    assert html.count('<tr class="row" id="text-table-') == len(data.text_checks)
    assert html.count('<article class="pair"') == sum(len(c.examples) for c in data.concepts)
    assert "— not computed" not in html


def test_report_is_self_contained() -> None:
    tags = parse(render_report(full_data())).tags
    assert not [a for t, a in tags if t in ("script", "img", "iframe") and a.get("src")]
    assert not [a for t, a in tags if t == "link"]
    html = render_report(full_data())
    # figures are inline SVG: no plotting library, nothing to fetch, and small
    assert "Plotly" not in html and "plotly" not in html.lower()
    assert html.count('<svg class="fig"') == 4
    assert len(parse(html).scripts) == 1  # the page script only


def test_hostile_text_is_escaped_everywhere() -> None:
    html = render_report(full_data(EVIL))
    parsed = parse(html)
    assert [t for t, _ in parsed.tags if t == "img"] == []
    scripts = [a for t, a in parsed.tags if t == "script"]
    assert len(scripts) == 1  # the page script; figures are inline SVG
    assert "window.__xss" not in "".join(parsed.scripts)
    svgs = re.findall(r'<svg class="fig".*?</svg>', html, re.S)
    assert len(svgs) == 4 and not [x for x in svgs if "<script" in x or "<img" in x]
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
    assert "&amp;amp;" in html  # an entity in the data shows as written, not decoded
    assert all("&lt;script&gt;" in x for x in svgs[:3])  # labels in the figures, escaped


def test_missing_sections_render_a_not_computed_note() -> None:
    html = render_report(ReportData(provenance(), []))
    for what in ("Effect sizes", "Concept statistics", "Per-topic breakdown", "Pair map", "Text checks"):
        assert f"{what} — not computed" in html
    assert '<script type="application/json"' not in html


def test_topic_skip_reasons_show_even_without_a_heatmap() -> None:
    topics = TopicTable([], [], [], [], [], [], skipped={"misc": "only 4 pairs"})
    html = render_report(ReportData(provenance(), [], topics=topics))
    assert "Per-topic breakdown — not computed" in html and "only 4 pairs" in html


def test_write_report_writes_the_rendered_file(tmp_path) -> None:  # noqa: ANN001
    data = full_data()
    path = write_report(data, tmp_path / "out" / "report.html")
    assert path.read_text(encoding="utf-8") == render_report(data)
    assert [p.name for p in path.parent.iterdir()] == ["report.html"]
    with pytest.raises(InvalidArgument, match="is a directory"):
        write_report(data, tmp_path)


# --- pieces -----------------------------------------------------------------


def test_token_highlight_opacity_is_proportional_to_activation() -> None:
    tokens = [("a<", 0.0), (" b", 1.0), (" c", 2.0), (" d", -2.0), (" e", 0.05)]
    ex = ExamplePair("p", "", "", "", 0, 0, 0, chosen_tokens=tokens[:3], rejected_tokens=tokens[3:])
    scale = activation_scale([ex])
    assert scale == 2.0
    html = highlight_tokens(tokens, scale)
    marks = re.findall(r'<mark class="tk (\w+)" style="--w:([\d.]+)"[^>]*>([^<]*)</mark>', html)
    assert marks == [("pos", "0.50", " b"), ("pos", "1.00", " c"), ("neg", "1.00", " d")]
    assert re.sub(r"<[^>]+>", "", html) == "a&lt; b c d e"  # text preserved, escaped


def test_ci_bars_share_a_scale_in_d_units() -> None:
    wide = row(delta=2.0, d=1.0, ci_low=1.0, ci_high=3.0)  # d units: [0.5, 1.5]
    narrow = row(delta=-0.1, d=-0.2, ci_low=-0.2, ci_high=0.0)  # d units: [-0.4, 0]
    scale = ci_scale([wide, narrow])
    assert scale == pytest.approx(1.5)
    cell = ci_cell(narrow, REJECTED, scale)
    left, width = map(float, re.search(r"left:([\d.]+)%;width:([\d.]+)%", cell).groups())
    assert left == pytest.approx((-0.4 + 1.5) / 3.0 * 100, abs=0.1)
    assert width == pytest.approx(0.4 / 3.0 * 100, abs=0.1)
    assert "range" not in ci_cell(row(delta=0.0), NEITHER, scale)


def _marks(svg: str, tag: str = "g") -> list[dict[str, str]]:
    """The data-* attributes of each marker group in a figure's SVG."""
    out = []
    for attrs in re.findall(rf"<{tag} class=\"(?:pt|cell|pair-pt)\"([^>]*)>", svg):
        out.append(dict(re.findall(r'data-([a-z]+)="([^"]*)"', attrs)))
    return out


def test_forest_plot_shows_d_with_its_ci_on_the_d_scale() -> None:
    rows = [row(id="a"), row(id="b", delta=-1.0, d=-0.8, ci_low=-1.5, ci_high=-0.5), row(id="c", d=math.nan)]
    badges = [assign_badge(r) for r in rows]
    svg, left_out = figures.forest_figure(rows, badges)
    assert left_out == 1 and svg is not None
    marks = _marks(svg)
    assert [m["concept"] for m in marks] == ["a", "b"]  # rank order, top to bottom
    # a: Δ 0.5 with CI [0.2, 0.8], d 0.4 -> d CI [0.16, 0.64]
    got = {m["concept"]: tuple(float(m[k]) for k in ("x", "lo", "hi")) for m in marks}
    assert got["a"] == pytest.approx((0.4, 0.16, 0.64))
    assert got["b"] == pytest.approx((-0.8, -1.2, -0.4))
    assert [m["badge"] for m in marks] == badges[:2]
    assert svg.count('class="lbl"') == 2 and ">refusal</text>" in svg


def test_fire_scatter_separates_concepts_that_share_d() -> None:
    rows = [row(id="a", fire_rate=0.05), row(id="b", fire_rate=0.9)]
    svg, left_out = figures.fire_scatter_figure(rows, [assign_badge(r) for r in rows])
    assert svg is not None and left_out == 0
    marks = _marks(svg)
    assert [(float(m["x"]), float(m["y"])) for m in marks] == [(0.05, 0.4), (0.9, 0.4)]
    cx = [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', svg)]
    assert cx[0] < cx[1]


def test_heatmap_is_on_z_and_leaves_out_the_overall_direction() -> None:
    table = TopicTable(
        topics=["a", "b"],
        sizes=[5, 5],
        concept_ids=["contrast:L6:mean-diff", "x", "y"],
        delta_diff=[[168.0, 0.1, -0.2], [-150.0, 0.3, 0.0]],
        z=[[9.0, 1.0, -2.0], [-8.0, 3.0, 0.0]],
        split_half=[[True] * 3, [True] * 3],
    )
    svg = figures.heatmap_figure(table, {}, exclude=frozenset({"contrast:L6:mean-diff"}))
    assert svg is not None
    cells = _marks(svg)
    assert [(c["concept"], float(c["z"])) for c in cells] == [("x", 1.0), ("y", -2.0), ("x", 3.0), ("y", 0.0)]
    fills = re.findall(r'<g class="cell"[^>]*>.*?fill="([^"]+)"', svg, re.S)
    assert fills[3] == "rgb(247,247,247)"  # z = 0 is white
    assert figures._diverging(3.0) != figures._diverging(1.0)  # raw Δ 168 no longer saturates
    assert figures._diverging(9.0) == figures._diverging(figures.Z_LIMIT) == "rgb(0,114,178)"
    assert figures.heatmap_figure(table, {}, exclude=frozenset(table.concept_ids)) is None


def test_summary_counts_cover_every_tested_concept() -> None:
    data = full_data()
    tested = {"total": 2129, CHOSEN: 730, REJECTED: 12, BOTH: 3, NEITHER: 1384}
    html = render_report(ReportData(**{**data.__dict__, "tested": tested}))
    kpis = dict(re.findall(r'<div class="v">([^<]+)</div><div class="l">([^<]+)</div>', html))
    by_label = {v: k for k, v in kpis.items()}
    assert by_label["concepts tested"] == "2,129" and by_label[CHOSEN] == "730"
    assert "Counts are over all 2,129 concepts tested" in html
    plain = dict(
        (v, k) for k, v in re.findall(r'<div class="v">([^<]+)</div><div class="l">([^<]+)</div>', render_report(data))
    )
    assert plain["concepts tested"] == "3"
    assert ReportData.from_json(ReportData(**{**data.__dict__, "tested": tested}).to_json()).tested == tested


def test_negative_activation_is_not_blue_and_contexts_are_shown() -> None:
    from prefsight.report.assets import CSS

    neg = re.search(r"mark\.tk\.neg\{background:rgb\((\d+) (\d+) (\d+)", CSS)
    assert neg is not None
    r, g, b = map(int, neg.groups())
    assert not (b > r + 40 and b > g), "negative activation must not look like 'chosen' blue"
    html = render_report(full_data())
    assert "Top-activating contexts" in html and "Enriched where it fires" in html
    assert "Top tokens (unembedding)" not in html


def test_listed_concepts_keep_named_ones_below_the_cut() -> None:
    from prefsight.audit.to_report import report_data

    records = [
        {"id": f"sae:L6:{i}", "label": f"c{i}", "kind": "sae", "delta": 0.1, "d": 0.1, "q": 0.5, "split_half": False}
        for i in range(5)
    ]
    records.append({**records[0], "id": "named:x", "kind": "named"})
    doc = {"concepts": records[:2], "more_concepts": records[2:], "tested": {"total": 9}}
    data = report_data(doc, listed=3)
    assert [r.id for r in data.concepts] == ["sae:L6:0", "sae:L6:1", "sae:L6:2", "named:x"]
    assert data.tested == {"total": 9}


def test_pair_map_thins_beyond_the_point_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(figures, "MAX_PAIR_POINTS", 10)
    n = 25
    pairs = PairMap([float(i) for i in range(n)], [0.0] * n, [str(i) for i in range(n)], ["t"] * n, ["l"] * n)
    svg, thinned = figures.pair_map_figure(pairs)
    assert svg is not None and thinned == 15
    assert svg.count('class="pair-pt"') == 10


def test_script_json_cannot_close_its_script_element() -> None:
    text = script_json({"a": "</script><!--", "b": "&"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"a": "</script><!--", "b": "&"}


# --- badges rest on the net effect ------------------------------------------


def test_badge_needs_the_net_effect_as_well_as_the_raw_one() -> None:
    from prefsight.report.badges import CHOSEN, NEITHER, REJECTED, assign_badge

    raw = dict(delta=0.5, d=0.6, q=1e-6, split_half=True, fire_rate=0.05)  # rare: never "both"
    assert assign_badge(row(**raw, delta_net=0.3, q_net=0.001)) == CHOSEN
    assert assign_badge(row(**raw, delta_net=0.02, q_net=0.6)) == NEITHER  # only generic chosen-ness
    assert assign_badge(row(**raw, delta_net=-0.3, q_net=0.001)) == NEITHER  # net disagrees in sign
    assert assign_badge(row(**{**raw, "split_half": False}, delta_net=0.3, q_net=0.001)) == NEITHER
    assert assign_badge(row(**raw, delta_net=0.3, q_net=0.001, reliable=False)) == NEITHER
    neg = dict(raw, delta=-0.5, d=-0.6)
    assert assign_badge(row(**neg, delta_net=-0.3, q_net=0.001)) == REJECTED
