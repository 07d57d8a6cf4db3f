"""The report's Plotly figures: forest plot, effect vs fire rate, topic heatmap, pair map.

Owns: turning report data into Plotly figure dicts (``{"data", "layout"}``)
ready to embed. Every string that reaches Plotly goes through
``fmt.plot_text``. Leaves embedding and plotly.js itself to ``render``.
Each builder returns None when its input is missing or empty.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import plotly.graph_objects as go
from plotly.colors import qualitative

from prefsight.report.badges import BADGE_COLOURS, BADGES
from prefsight.report.fmt import plot_text
from prefsight.report.model import ConceptRow, PairMap, TopicTable

Figure = dict[str, Any]

FONT = "Inter, 'Segoe UI', system-ui, -apple-system, Roboto, Helvetica, Arial, sans-serif"
KIND_SYMBOLS = {"sae": "circle", "contrast": "diamond", "named": "square", "text": "triangle-up"}
MAX_PAIR_POINTS = 10_000
"""More pairs than this are thinned evenly; SVG scatter slows down beyond it."""
MAX_TOPIC_TRACES = 10


def _layout(height: int, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "template": "plotly_white",
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 36, "b": 50},
        "font": {"family": FONT, "size": 12, "color": "#1f2933"},
        "hoverlabel": {"font": {"family": FONT, "size": 12}},
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
    }
    layout.update(extra)
    return layout


def _to_dict(fig: go.Figure) -> Figure:
    return fig.to_plotly_json()  # type: ignore[no-any-return]


FOREST_TOP = 30
"""Concepts (in rank order) the forest plot shows; the scatter shows every listed one."""


def _d_interval(row: ConceptRow) -> tuple[float, float] | None:
    """The 95% CI of Δ on the d scale (Δ's interval divided by the paired sd, Δ/d)."""
    if not (math.isfinite(row.d) and math.isfinite(row.delta) and row.delta != 0):
        return None
    if not (math.isfinite(row.ci_low) and math.isfinite(row.ci_high)):
        return None
    scale = row.d / row.delta
    low, high = sorted((row.ci_low * scale, row.ci_high * scale))
    return low, high


def forest_figure(
    rows: list[ConceptRow], badges: list[str], top: int = FOREST_TOP
) -> tuple[Figure | None, int]:
    """The top concepts' effects (Cohen's d) with their 95% CI, one row each, coloured by badge.

    Unlike a volcano plot (with paired tests at a fixed n, q is a function of d, so the
    points fall on one curve), the intervals show which effects are told apart.

    Returns:
        The figure (None if no concept has a finite d) and how many of the top were left out.
    """
    picked = [(r, b) for r, b in zip(rows, badges, strict=True)][:top]
    placed = [(r, b, _d_interval(r)) for r, b in picked if math.isfinite(r.d)]
    if not placed:
        return None, len(picked)
    traces: list[go.Scatter] = []
    names = [plot_text(r.label, 48) for r, _, _ in placed]
    for badge in BADGES:
        idx = [i for i, (_, b, _) in enumerate(placed) if b == badge]
        if not idx:
            continue
        members = [placed[i] for i in idx]
        lows = [r.d - ci[0] if ci else 0.0 for r, _, ci in members]
        highs = [ci[1] - r.d if ci else 0.0 for r, _, ci in members]
        traces.append(go.Scatter(
            x=[r.d for r, _, _ in members], y=idx, mode="markers", name=badge,
            marker={"color": BADGE_COLOURS[badge], "size": 9, "symbol": "square"},
            error_x={"type": "data", "symmetric": False, "array": highs, "arrayminus": lows,
                     "color": BADGE_COLOURS[badge], "thickness": 1.5, "width": 3},
            text=[names[i] for i in idx],
            customdata=[[plot_text(r.id, 60), r.delta, r.q, r.kind, r.d_net, r.id]
                        for r, _, _ in members],
            hovertemplate=("<b>%{text}</b><br>%{customdata[3]} · %{customdata[0]}<br>"
                           "d = %{x:.2f} · Δ = %{customdata[1]:.3g} · q = %{customdata[2]:.2g}"
                           f"<br>net d = %{{customdata[4]:.2f}}<extra>{badge}</extra>"),
        ))
    n = len(placed)
    line = {"color": "#7b8794", "width": 1, "dash": "dash"}
    fig = go.Figure(traces, layout=_layout(
        max(260, 90 + 22 * n),
        margin={"l": 300, "r": 20, "t": 40, "b": 50},
        xaxis={"title": {"text": "Cohen's d, chosen − rejected (95% CI)"}, "zeroline": False},
        yaxis={"tickvals": list(range(n)), "ticktext": names, "autorange": "reversed",
               "showgrid": False, "zeroline": False},
        shapes=[{"type": "line", "yref": "paper", "y0": 0, "y1": 1, "x0": 0, "x1": 0,
                 "line": line}],
    ))
    return _to_dict(fig), len(picked) - n


def fire_scatter_figure(rows: list[ConceptRow], badges: list[str]) -> tuple[Figure | None, int]:
    """Effect (Cohen's d) against fire rate for every listed concept, coloured by badge.

    A large effect of a concept that fires on 2% of responses teaches the model little;
    this plot puts that next to the effect. Returns the figure and how many were left out.
    """
    traces: list[go.Scatter] = []
    placed = 0
    for badge in BADGES:
        members = [r for r, b in zip(rows, badges, strict=True)
                   if b == badge and math.isfinite(r.d) and math.isfinite(r.fire_rate)]
        if not members:
            continue
        placed += len(members)
        traces.append(go.Scatter(
            x=[r.fire_rate for r in members], y=[r.d for r in members], mode="markers",
            name=badge, cliponaxis=False,
            marker={"color": BADGE_COLOURS[badge], "size": 7, "opacity": 0.8,
                    "symbol": [KIND_SYMBOLS[r.kind] for r in members],
                    "line": {"color": "white", "width": 0.5}},
            text=[plot_text(r.label) for r in members],
            customdata=[[plot_text(r.id, 60), r.kind, r.q, r.id] for r in members],
            hovertemplate=("<b>%{text}</b><br>%{customdata[1]} · %{customdata[0]}<br>"
                           "fire rate = %{x:.0%} · d = %{y:.2f} · q = %{customdata[2]:.2g}"
                           f"<extra>{badge}</extra>"),
        ))
    if not traces:
        return None, len(rows)
    line = {"color": "#7b8794", "width": 1, "dash": "dash"}
    fig = go.Figure(traces, layout=_layout(
        420, margin={"l": 60, "r": 20, "t": 40, "b": 50},
        xaxis={"title": {"text": "fire rate (share of responses where the concept fires)"},
               "tickformat": ".0%", "range": [-0.02, 1.02], "zeroline": False},
        yaxis={"title": {"text": "Cohen's d (chosen − rejected)"}, "zeroline": False},
        shapes=[{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": 0, "y1": 0,
                 "line": line}],
    ))
    return _to_dict(fig), len(rows) - placed


def _heatmap_hover(table: TopicTable, labels: list[str]) -> list[list[str]]:
    hover = []
    for i, topic in enumerate(table.topics):
        row = []
        for j, label in enumerate(labels):
            stable = "yes" if table.split_half[i][j] else "no"
            row.append(
                f"<b>{plot_text(label)}</b><br>topic: {plot_text(topic)} "
                f"(n={table.sizes[i]})<br>Δ diff = {table.delta_diff[i][j]:.3g} · "
                f"z = {table.z[i][j]:.2f}<br>halves agree: {stable}"
            )
        hover.append(row)
    return hover


def _finite_or_none(matrix: list[list[float]]) -> list[list[float | None]]:
    return [[v if math.isfinite(v) else None for v in row] for row in matrix]


Z_LIMIT = 4.0
"""The heatmap's colour scale ends at |z| = 4 (larger z saturate, their value is in the hover)."""


def heatmap_figure(
    table: TopicTable | None, labels: dict[str, str], exclude: frozenset[str] = frozenset()
) -> Figure | None:
    """Topic x concept heatmap of the per-topic difference on each concept's own scale (z).

    Raw Δ differences are in each concept's score units, so one concept with large
    scores saturates the scale and whitens every other column; z (the difference over
    its standard error) is comparable across concepts.

    Args:
        table: the topic breakdown, or None.
        labels: concept id -> label (ids without one show the id).
        exclude: concept ids left out (the overall chosen−rejected directions).

    Returns:
        The figure, or None when there is no topic or no concept left.
    """
    if table is None or not table.topics:
        return None
    keep = [j for j, c in enumerate(table.concept_ids) if c not in exclude]
    if not keep:
        return None
    table = TopicTable(
        topics=table.topics, sizes=table.sizes,
        concept_ids=[table.concept_ids[j] for j in keep],
        delta_diff=[[row[j] for j in keep] for row in table.delta_diff],
        z=[[row[j] for j in keep] for row in table.z],
        split_half=[[row[j] for j in keep] for row in table.split_half],
        skipped=table.skipped,
    )
    names = [labels.get(c, c) for c in table.concept_ids]
    cols, rows = list(range(len(names))), list(range(len(table.topics)))
    limit = Z_LIMIT
    heat = go.Heatmap(
        z=_finite_or_none(table.z),
        x=cols,
        y=rows,
        zmid=0,
        zmin=-limit,
        zmax=limit,
        colorscale=[[0, "#D55E00"], [0.5, "#F7F7F7"], [1, "#0072B2"]],
        colorbar={"title": {"text": "z"}, "thickness": 12},
        text=_heatmap_hover(table, names),
        hovertemplate="%{text}<extra></extra>",
        xgap=1,
        ygap=1,
    )
    unstable = [(j, i) for i in rows for j in cols if not table.split_half[i][j]]
    marks = go.Scatter(
        x=[p[0] for p in unstable],
        y=[p[1] for p in unstable],
        mode="markers",
        name="halves disagree",
        hoverinfo="skip",
        showlegend=bool(unstable),
        marker={"symbol": "circle-open", "size": 7, "color": "#52606d"},
    )
    fig = go.Figure(
        [heat, marks],
        layout=_layout(
            max(300, 120 + 30 * len(rows)),
            margin={"l": 160, "r": 20, "t": 36, "b": 150},
            xaxis={
                "tickvals": cols,
                "ticktext": [plot_text(n, 28) for n in names],
                "tickangle": -45,
                "showgrid": False,
                "zeroline": False,
            },
            yaxis={
                "tickvals": rows,
                "ticktext": [plot_text(t, 24) for t in table.topics],
                "autorange": "reversed",
                "showgrid": False,
                "zeroline": False,
            },
            meta={"concept_ids": table.concept_ids},
        ),
    )
    return _to_dict(fig)


def _thin(n: int) -> list[int]:
    """Evenly spaced indices, at most MAX_PAIR_POINTS of them."""
    if n <= MAX_PAIR_POINTS:
        return list(range(n))
    step = n / MAX_PAIR_POINTS
    return [int(i * step) for i in range(MAX_PAIR_POINTS)]


def _topic_groups(topics: list[str]) -> dict[str, str]:
    """topic -> legend group; beyond the biggest few, topics share 'other'."""
    ranked = [t for t, _ in Counter(topics).most_common()]
    keep = set(ranked if len(ranked) <= MAX_TOPIC_TRACES else ranked[: MAX_TOPIC_TRACES - 1])
    return {t: (t if t in keep else "other") for t in ranked}


def pair_map_figure(pairs: PairMap | None) -> tuple[Figure | None, int]:
    """Scatter of pairs in 2-D, coloured by topic.

    Returns:
        The figure (None when there are no pairs) and how many pairs were thinned out.
    """
    if pairs is None or not pairs.x:
        return None, 0
    keep = _thin(len(pairs.x))
    groups = _topic_groups([pairs.topic[i] for i in keep])
    palette = qualitative.Safe
    traces = []
    for k, group in enumerate(dict.fromkeys(groups.values())):
        idx = [i for i in keep if groups[pairs.topic[i]] == group]
        traces.append(
            go.Scatter(
                x=[pairs.x[i] for i in idx],
                y=[pairs.y[i] for i in idx],
                mode="markers",
                name=plot_text(group or "(no topic)", 30),
                marker={"color": palette[k % len(palette)], "size": 5, "opacity": 0.75},
                text=[plot_text(pairs.label[i], 100) for i in idx],
                customdata=[
                    [plot_text(pairs.pair_id[i], 40), plot_text(pairs.topic[i], 40)] for i in idx
                ],
                hovertemplate="%{text}<br>pair %{customdata[0]} · %{customdata[1]}<extra></extra>",
            )
        )
    axis = {"showticklabels": False, "zeroline": False, "title": {"text": ""}}
    fig = go.Figure(traces, layout=_layout(420, xaxis=axis, yaxis=axis))
    return _to_dict(fig), len(pairs.x) - len(keep)
