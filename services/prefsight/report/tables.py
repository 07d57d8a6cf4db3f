"""The ranked concept table (and the text-check table, which has the same shape).

Owns: the table's HTML — header with sort keys, one row per concept with its
badge and a 95% CI bar, a hidden drill-down row under each, and the filter
controls. Sorting, filtering and expanding are done by ``assets.JS`` on the
``data-*`` attributes written here. Every dataset string goes through ``esc``.

The CI bars share one scale across the table: Cohen's d units, converting
the Δ interval with the row's own ratio d/Δ (the pooled standard deviation),
so rows with different score units stay comparable. A row whose d or Δ is
0 or missing shows the numbers without a bar.
"""

from __future__ import annotations

from prefsight.report.badges import BADGE_HELP, BADGES
from prefsight.report.drilldown import detail_html
from prefsight.report.fmt import MISSING, esc, is_number, pct, qval, signed, sort_key
from prefsight.report.rows import ConceptRow

COLUMNS = (
    ("#", "num", "Rank by the analysis"),
    ("Concept", "text", "Label; click a row for example pairs"),
    ("Kind", "text", "sae, contrast, named or text"),
    ("Layer", "num", "Decoder layer the concept reads"),
    ("Badge", "text", "Which side the concept leans to (see legend)"),
    ("Δ", "num", "Mean score difference, chosen − rejected, in the concept's units"),
    ("95% CI", "num", "95% CI of Δ; the bar is drawn in Cohen's d units on a shared scale"),
    ("d", "num", "Cohen's d of the paired differences"),
    ("q", "num", "Benjamini–Hochberg adjusted p-value"),
    ("Net d", "num", "Effect net of the overall chosen−rejected direction (d units); the badge's basis"),
    ("Replicates", "text", "Does each random half alone show the effect (same sign, p < 0.05)?"),
    ("Fires", "num", "Share of responses where the concept fires"),
    ("Std effect", "num", "Standardised effect: Δ / pooled sd of the scores (not a calibrated DPO forecast)"),
)


def _ci_in_d(row: ConceptRow) -> tuple[float, float, float] | None:
    """(low, high, point) of the CI in d units, or None when it can't be converted."""
    values = (row.delta, row.d, row.ci_low, row.ci_high)
    if not all(is_number(v) for v in values) or row.delta == 0.0:
        return None
    ratio = row.d / row.delta
    low, high = sorted((row.ci_low * ratio, row.ci_high * ratio))
    return low, high, row.d


def ci_scale(rows: list[ConceptRow]) -> float:
    """Half-width of the shared CI axis: the largest |bound| in d units (>= 0.1)."""
    bounds = [abs(v) for r in rows if (ci := _ci_in_d(r)) for v in ci]
    return max([0.1, *bounds])


def _pos(value: float, scale: float) -> float:
    return max(0.0, min(100.0, (value + scale) / (2 * scale) * 100.0))


def ci_cell(row: ConceptRow, badge: str, scale: float) -> str:
    """The CI cell: a bar with the point estimate over a zero line, and the numbers."""
    numbers = f"[{signed(row.ci_low)}, {signed(row.ci_high)}]"
    if not (is_number(row.ci_low) and is_number(row.ci_high)):
        numbers = MISSING
    ci = _ci_in_d(row)
    bar = ""
    if ci is not None:
        low, high, point = (_pos(v, scale) for v in ci)
        bar = (
            f'<span class="ci b-{badge}" aria-hidden="true"><span class="zero"></span>'
            f'<span class="range" style="left:{low:.1f}%;width:{max(high - low, 0.6):.1f}%">'
            f'</span><span class="pt" style="left:{point:.1f}%"></span></span>'
        )
    return f'<td class="ci-cell" data-sort="{sort_key(row.ci_low)}">{bar}<small>{numbers}</small></td>'


def _num_cell(value: float | None, text: str) -> str:
    return f'<td class="n" data-sort="{sort_key(value)}">{text}</td>'


def _row_html(key: str, rank: int, row: ConceptRow, badge: str, scale: float) -> str:
    search = " ".join((row.label, row.id, row.description, *(t for t, _ in row.enriched))).lower()
    layer = None if row.layer is None else float(row.layer)
    halves = "✓" if row.split_half else '<span class="no">✗</span>'
    cells = [
        _num_cell(rank, str(rank)),
        f'<td class="label"><span class="lbl">{esc(row.label)}</span><span class="cid">{esc(row.id)}</span></td>',
        f'<td><span class="kind k-{esc(row.kind)}">{esc(row.kind)}</span></td>',
        _num_cell(layer, MISSING if row.layer is None else str(row.layer)),
        f'<td data-sort="{BADGES.index(badge)}"><span class="badge b-{badge}" '
        f'title="{esc(BADGE_HELP[badge])}">{badge}</span></td>',
        _num_cell(row.delta, signed(row.delta)),
        ci_cell(row, badge, scale),
        _num_cell(row.d, signed(row.d, "+.2f")),
        _num_cell(row.q, qval(row.q)),
        _num_cell(row.d_net, signed(row.d_net, "+.2f")),
        f'<td data-sort="{int(row.split_half)}" class="c">{halves}</td>',
        _num_cell(row.fire_rate, pct(row.fire_rate)),
        _num_cell(row.predicted_shift, signed(row.predicted_shift)),
    ]
    return (
        f'<tr class="row" id="{key}-row" data-key="{key}" data-concept="{esc(row.id)}" '
        f'data-kind="{esc(row.kind)}" data-badge="{badge}" data-search="{esc(search)}" '
        f'tabindex="0" aria-expanded="false">{"".join(cells)}</tr>'
        f'<tr class="detail" id="{key}-detail" hidden><td colspan="{len(COLUMNS)}">'
        f'<div class="detail-body">{detail_html(row, badge)}</div></td></tr>'
    )


def _controls_html(table_id: str, rows: list[ConceptRow], by_kind: bool) -> str:
    kinds = sorted({r.kind for r in rows})
    kind_select = ""
    if by_kind:
        options = "".join(f'<option value="{esc(k)}">{esc(k)}</option>' for k in kinds)
        kind_select = f'<label>Kind <select class="f-kind"><option value="">all</option>{options}</select></label>'
    badges = "".join(f'<option value="{b}">{b}</option>' for b in BADGES)
    return (
        f'<div class="controls" data-table="{table_id}">'
        f'<input type="search" class="f-text" placeholder="Filter by label, id, token…" '
        f'aria-label="Filter concepts">{kind_select}'
        f'<label>Badge <select class="f-badge"><option value="">all</option>{badges}'
        f'</select></label><span class="count" aria-live="polite">{len(rows)} of {len(rows)}'
        f"</span></div>"
    )


def concept_table_html(table_id: str, rows: list[ConceptRow], badges: list[str], *, by_kind: bool = True) -> str:
    """Controls and the sortable table with one drill-down row per concept.

    Args:
        table_id: DOM id of the table (also prefixes the row ids).
        rows: concepts in rank order.
        badges: ``assign_badge`` of each row.
        by_kind: show the filter-by-kind select.

    Returns:
        HTML; callers handle the empty case.
    """
    scale = ci_scale(rows)
    head = "".join(
        f'<th data-type="{kind}" title="{esc(tip)}" aria-sort="none" scope="col">{esc(name)}</th>'
        for name, kind, tip in COLUMNS
    )
    body = "".join(
        _row_html(f"{table_id}-{i}", i + 1, row, badge, scale)
        for i, (row, badge) in enumerate(zip(rows, badges, strict=True))
    )
    return (
        _controls_html(table_id, rows, by_kind) + f'<div class="table-wrap"><table class="concepts" id="{table_id}">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )
