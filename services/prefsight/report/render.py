"""Render ``ReportData`` into one self-contained HTML file.

Owns: assembling the page (summary, forest plot and effect vs fire rate, concept
table with drill-downs, topic heatmap, pair map, text checks, provenance) and writing
it. The figures are inline SVG and the CSS and page script are inlined, so the
file opens offline, with no plotting library to load. Leaves the pieces to ``sections``, ``tables``, ``drilldown`` and
``figures``.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from prefsight.errors import InvalidArgument
from prefsight.report import figures
from prefsight.report.assets import CSS, JS
from prefsight.report.badges import BadgeRules, assign_badge
from prefsight.report.fmt import esc, pct, signed
from prefsight.report.model import ReportData
from prefsight.report.rows import ConceptRow
from prefsight.report.sections import card, not_computed, plot_html, provenance_html, summary_html, topbar_html
from prefsight.report.tables import concept_table_html

log = logging.getLogger(__name__)


def _effects_section(rows: list[ConceptRow], badges: list[str]) -> str:
    forest, left_out = figures.forest_figure(rows, badges)
    scatter, unplaced = figures.fire_scatter_figure(rows, badges)
    if forest is None and scatter is None:
        return card("effects", "Effects", "", not_computed("Effect sizes"))
    lead = (
        f"Left: the top {figures.FOREST_TOP} concepts in rank order, Cohen's d of chosen − "
        "rejected with its 95% confidence interval (blue: chosen-leaning, vermillion: "
        "rejected-leaning, by the badge). Right: every listed concept's effect against how "
        "often it fires. Click a point to open the concept."
    )
    if left_out or unplaced:
        lead += f" {max(left_out, unplaced)} concept(s) without a finite d are not shown."
    left = plot_html("forest-plot", forest, clickable=True) if forest else not_computed("Forest plot")
    right = plot_html("fire-scatter", scatter, clickable=True) if scatter else not_computed("Effect vs fire rate")
    body = (
        f'<div class="grid2"><div><h3>Top concepts</h3>{left}</div><div><h3>Effect vs fire rate</h3>{right}</div></div>'
    )
    return card("effects", "Effects", esc(lead), body)


def _concepts_section(rows: list[ConceptRow], badges: list[str]) -> str:
    lead = (
        "Ranked as the analysis ranked them. Click a header to sort, a row to see its "
        "example pairs with the firing tokens highlighted (amber: positive activation, "
        "grey: negative; opacity ∝ |activation|), its top-activating contexts over the "
        "whole dataset and the words enriched where it fires."
    )
    if not rows:
        return card("concepts", "Concepts", "", not_computed("Concept statistics"))
    return card("concepts", "Concepts", esc(lead), concept_table_html("concept-table", rows, badges))


def _topics_section(data: ReportData, labels: dict[str, str]) -> str:
    overall = frozenset(r.id for r in data.overall)
    fig = figures.heatmap_figure(data.topics, labels, exclude=overall)
    skipped = ""
    if data.topics is not None and data.topics.skipped:
        items = "".join(f"<li><b>{esc(t)}</b>: {esc(why)}</li>" for t, why in data.topics.skipped.items())
        skipped = f'<p class="skipped-title">Skipped topics</p><ul class="skipped">{items}</ul>'
    if fig is None:
        return card("topics", "Topics × concepts", "", not_computed("Per-topic breakdown") + skipped)
    lead = (
        "Each cell: how much more (blue) or less (vermillion) chosen-leaning the concept is "
        "inside the topic than overall, as a z-score (the difference over its standard "
        f"error; the scale ends at |z| = {figures.Z_LIMIT:g}), so concepts with large raw "
        "scores do not drown the rest. The overall chosen−rejected directions are left out. "
        "○ marks cells whose random halves disagree. Click a cell to open the concept."
    )
    return card("topics", "Topics × concepts", esc(lead), plot_html("topic-heatmap", fig, clickable=True) + skipped)


def _maps_section(data: ReportData) -> str:
    pair_fig, thinned = figures.pair_map_figure(data.pair_map)
    pair_note = f'<p class="lead">{thinned} pairs thinned out for drawing.</p>' if thinned else ""
    pairs = plot_html("pair-map", pair_fig) + pair_note if pair_fig else not_computed("Pair map")
    lead = (
        "Pairs in 2-D (principal axes of their chosen − rejected concept differences), "
        "coloured by topic. (The unlabelled concept map was dropped: its axes meant nothing.)"
    )
    return card("maps", "Pair map", esc(lead), pairs)


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
        The HTML text.
    """
    rules = rules or BadgeRules()
    rows = data.concepts
    badges = [assign_badge(r, rules) for r in rows]
    everything = [*rows, *data.text_checks, *data.overall]
    labels = {r.id: r.label for r in everything}
    body = "".join(
        (
            summary_html(data.provenance, badges, len(data.text_checks), rules, data.tested),
            _effects_section(rows, badges),
            _concepts_section(rows, badges),
            _overall_section(data.overall),
            _topics_section(data, labels),
            _maps_section(data),
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
        "</head><body>"
        f"{topbar_html(data.provenance)}<main>{body}"
        f"<footer>Generated by prefsight {esc(data.provenance.prefsight_version)}. "
        f"Self-contained: no network access is needed to view this file.</footer>"
        f"</main><script>{JS}</script></body></html>"
    )


def write_report(data: ReportData, path: str | os.PathLike[str], rules: BadgeRules | None = None) -> Path:
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
