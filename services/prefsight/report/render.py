"""Render ``ReportData`` into one self-contained HTML file.

Owns: assembling the page (summary, volcano, concept table with drill-downs,
topic heatmap, pair and concept maps, text checks, provenance) and writing
it. plotly.js, CSS and the page script are inlined once, so the file opens
offline. Leaves the pieces to ``sections``, ``tables``, ``drilldown`` and
``figures``.
"""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path

from plotly.offline import get_plotlyjs

from prefsight.errors import InvalidArgument
from prefsight.report import figures
from prefsight.report.assets import CSS, JS
from prefsight.report.badges import BadgeRules, assign_badge
from prefsight.report.fmt import esc, pct, signed
from prefsight.report.model import ConceptRow, ReportData
from prefsight.report.sections import (
    card,
    not_computed,
    plot_html,
    provenance_html,
    summary_html,
    topbar_html,
)
from prefsight.report.tables import concept_table_html

log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=1)
def _plotly_js() -> str:
    js = get_plotlyjs()
    assert "</script" not in js.lower(), "plotly.js bundle would end its <script> element"
    return js


def _volcano_section(rows: list[ConceptRow], badges: list[str], rules: BadgeRules) -> str:
    fig, left_out = figures.volcano_figure(rows, badges, rules)
    lead = (
        "Effect size against significance; dashed lines at q = alpha and d = 0. "
        "Click a point to open the concept."
    )
    if fig is None:
        return card("volcano", "Volcano plot", "", not_computed("Effect sizes and q-values"))
    if left_out:
        lead += f" {left_out} concept(s) without a finite d or q are not shown."
    return card(
        "volcano", "Volcano plot", esc(lead), plot_html("volcano-plot", fig, clickable=True)
    )


def _concepts_section(rows: list[ConceptRow], badges: list[str]) -> str:
    lead = (
        "Ranked as the analysis ranked them. Click a header to sort, a row to see its "
        "example pairs with the firing tokens highlighted (amber: positive activation, "
        "blue: negative; opacity ∝ |activation|)."
    )
    if not rows:
        return card("concepts", "Concepts", "", not_computed("Concept statistics"))
    return card(
        "concepts", "Concepts", esc(lead), concept_table_html("concept-table", rows, badges)
    )


def _topics_section(data: ReportData, labels: dict[str, str]) -> str:
    fig = figures.heatmap_figure(data.topics, labels)
    skipped = ""
    if data.topics is not None and data.topics.skipped:
        items = "".join(
            f"<li><b>{esc(t)}</b>: {esc(why)}</li>" for t, why in data.topics.skipped.items()
        )
        skipped = f'<p class="skipped-title">Skipped topics</p><ul class="skipped">{items}</ul>'
    if fig is None:
        return card(
            "topics", "Topics × concepts", "", not_computed("Per-topic breakdown") + skipped
        )
    lead = (
        "Each cell: the concept's Δ inside the topic minus its overall Δ (blue: more "
        "chosen-leaning in that topic, vermillion: more rejected-leaning). ○ marks cells whose "
        "random halves disagree. Click a cell to open the concept."
    )
    return card(
        "topics",
        "Topics × concepts",
        esc(lead),
        plot_html("topic-heatmap", fig, clickable=True) + skipped,
    )


def _maps_section(data: ReportData, labels: dict[str, str], by_id: dict[str, str]) -> str:
    pair_fig, thinned = figures.pair_map_figure(data.pair_map)
    concept_fig = figures.concept_map_figure(data.concept_map, labels, by_id)
    pair_note = f'<p class="lead">{thinned} pairs thinned out for drawing.</p>' if thinned else ""
    pairs = plot_html("pair-map", pair_fig) + pair_note if pair_fig else not_computed("Pair map")
    concepts = (
        plot_html("concept-map", concept_fig, clickable=True)
        if concept_fig
        else not_computed("Concept map")
    )
    lead = (
        "2-D embeddings. Pairs are coloured by topic; concepts by badge, with the symbol "
        "giving the kind (● sae, ◆ contrast, ■ named, ▲ text)."
    )
    body = (
        f'<div class="grid2"><div><h3>Pairs</h3>{pairs}</div>'
        f"<div><h3>Concepts</h3>{concepts}</div></div>"
    )
    return card("maps", "Maps", esc(lead), body)


def _overall_section(rows: list[ConceptRow]) -> str:
    """The overall chosen−rejected directions: shown with their separation, never ranked."""
    if not rows:
        return card("overall", "Overall preference direction", "", not_computed("Overall directions"))
    lead = (
        "Directions fitted to separate chosen from rejected (difference of means, principal "
        "axes, SAE feature space). They separate by construction, so they are not findings and "
        "are not ranked; their separation is cross-fitted (each half scored by the other half's "
        "fit). Every concept's net effect is measured against the difference-of-means direction."
    )
    body = "".join(
        f"<tr><td>{esc(r.label)}<br><code>{esc(r.id)}</code></td>"
        f'<td class="n">{signed(r.delta)}</td><td class="n">{signed(r.d, "+.2f")}</td>'
        f'<td class="n">{pct(r.pair_accuracy)}</td></tr>'
        for r in rows
    )
    table = (
        '<table class="overall"><thead><tr><th>Direction</th><th>Cross-fitted Δ</th>'
        "<th>Cross-fitted d</th><th>Pairs with chosen above rejected</th></tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )
    return card("overall", "Overall preference direction", esc(lead), table)


def _text_checks_section(rows: list[ConceptRow], rules: BadgeRules) -> str:
    if not rows:
        return card("text-checks", "Text checks", "", not_computed("Text checks"))
    badges = [assign_badge(r, rules) for r in rows]
    lead = "Surface features of the text itself (length, phrases, formatting), same statistics."
    table = concept_table_html("text-table", rows, badges, by_kind=False)
    return card("text-checks", "Text checks", esc(lead), table)


def render_report(data: ReportData, rules: BadgeRules | None = None) -> str:
    """The whole report as one HTML document (no network needed to view it).

    Args:
        data: what to show; optional sections may be None or empty.
        rules: badge thresholds; defaults to ``BadgeRules()``.

    Returns:
        The HTML text (about 5 MB, most of it plotly.js).
    """
    rules = rules or BadgeRules()
    rows = data.concepts
    badges = [assign_badge(r, rules) for r in rows]
    everything = [*rows, *data.text_checks]
    labels = {r.id: r.label for r in everything}
    by_id = {r.id: assign_badge(r, rules) for r in everything}
    body = "".join(
        (
            summary_html(data.provenance, badges, len(data.text_checks), rules),
            _volcano_section(rows, badges, rules),
            _concepts_section(rows, badges),
            _overall_section(data.overall),
            _topics_section(data, labels),
            _maps_section(data, labels, by_id),
            _text_checks_section(data.text_checks, rules),
            provenance_html(data.provenance),
        )
    )
    title = f"prefsight audit — {data.provenance.dataset}"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="generator" content="prefsight">'
        f"<title>{esc(title)}</title><style>{CSS}</style>"
        f"<script>{_plotly_js()}</script></head><body>"
        f"{topbar_html(data.provenance)}<main>{body}"
        f"<footer>Generated by prefsight {esc(data.provenance.prefsight_version)}. "
        f"Self-contained: no network access is needed to view this file.</footer>"
        f"</main><script>{JS}</script></body></html>"
    )


def write_report(
    data: ReportData, path: str | os.PathLike[str], rules: BadgeRules | None = None
) -> Path:
    """Render the report and write it to ``path`` (parent folders are created).

    Args:
        data: what to show.
        path: the .html file to write; an existing file is replaced atomically.
        rules: badge thresholds; defaults to ``BadgeRules()``.

    Returns:
        The path written.

    Raises:
        InvalidArgument: ``path`` is an existing directory.
    """
    target = Path(path)
    if target.is_dir():
        raise InvalidArgument(f"report path {str(target)!r} is a directory; give a file name")
    text = render_report(data, rules)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
    log.info("wrote report %s (%.1f MB, %d concepts)", target, len(text) / 1e6, len(data.concepts))
    return target
