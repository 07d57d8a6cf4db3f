"""The report's Plotly figures: volcano, topic heatmap, pair and concept maps.

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

from prefsight.report.badges import BADGE_COLOURS, BADGES, BadgeRules
from prefsight.report.fmt import plot_text
from prefsight.report.model import ConceptMap, ConceptRow, PairMap, TopicTable

Figure = dict[str, Any]

FONT = "Inter, 'Segoe UI', system-ui, -apple-system, Roboto, Helvetica, Arial, sans-serif"
KIND_SYMBOLS = {"sae": "circle", "contrast": "diamond", "named": "square", "text": "triangle-up"}
MAX_PAIR_POINTS = 10_000
"""More pairs than this are thinned evenly; SVG scatter slows down beyond it."""
MAX_TOPIC_TRACES = 10
Q_FLOOR = 1e-300


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


def _volcano_point(row: ConceptRow) -> tuple[float, float] | None:
    if not (math.isfinite(row.d) and math.isfinite(row.q)):
        return None
    return row.d, -math.log10(max(row.q, Q_FLOOR))


def _volcano_trace(badge: str, rows: list[ConceptRow], ys: list[float]) -> go.Scatter:
    return go.Scatter(
        x=[r.d for r in rows],
        y=ys,
        mode="markers",
        name=badge,
        cliponaxis=False,
        marker={
            "color": BADGE_COLOURS[badge],
            "size": 9,
            "opacity": 0.85,
            "line": {"color": "white", "width": 0.6},
        },
        text=[plot_text(r.label) for r in rows],
        customdata=[[plot_text(r.id, 60), r.delta, r.q, r.kind, r.id] for r in rows],
        hovertemplate=(
            "<b>%{text}</b><br>%{customdata[3]} · %{customdata[0]}<br>"
            "d = %{x:.2f} · Δ = %{customdata[1]:.3g}<br>q = %{customdata[2]:.2g}"
            f"<extra>{badge}</extra>"
        ),
    )


def volcano_figure(
    rows: list[ConceptRow], badges: list[str], rules: BadgeRules
) -> tuple[Figure | None, int]:
    """Effect size against significance, one trace per badge.

    Args:
        rows: concepts; those with a non-finite d or q are left out.
        badges: ``assign_badge`` of each row.
        rules: for the significance line at q = alpha.

    Returns:
        The figure (None if no concept can be placed) and how many were left out.
    """
    traces: list[go.Scatter] = []
    x_by_trace: list[tuple[list[float], list[float]]] = []
    placed = 0
    for badge in BADGES:
        members, ys = [], []
        for row, row_badge in zip(rows, badges, strict=True):
            point = _volcano_point(row) if row_badge == badge else None
            if point is not None:
                members.append(row)
                ys.append(point[1])
        if not members:
            continue
        traces.append(_volcano_trace(badge, members, ys))
        x_by_trace.append(([r.d for r in members], [r.delta for r in members]))
        placed += len(members)
    if not traces:
        return None, len(rows)
    line = {"color": "#7b8794", "width": 1, "dash": "dash"}
    fig = go.Figure(
        traces,
        layout=_layout(
            460,
            margin={"l": 60, "r": 20, "t": 64, "b": 50},
            xaxis={"title": {"text": "Cohen's d (chosen − rejected)"}, "zeroline": False},
            yaxis={"title": {"text": "−log10 q"}, "rangemode": "tozero"},
            shapes=[
                {
                    "type": "line",
                    "xref": "paper",
                    "x0": 0,
                    "x1": 1,
                    "y0": -math.log10(rules.alpha),
                    "y1": -math.log10(rules.alpha),
                    "line": line,
                },
                {"type": "line", "yref": "paper", "y0": 0, "y1": 1, "x0": 0, "x1": 0, "line": line},
            ],
            updatemenus=[_x_switch(x_by_trace)],
        ),
    )
    return _to_dict(fig), len(rows) - placed


def _x_switch(x_by_trace: list[tuple[list[float], list[float]]]) -> dict[str, Any]:
    """A dropdown that puts Cohen's d or raw Δ on the x axis."""

    def button(label: str, axis: str, which: int) -> dict[str, Any]:
        xs = [pair[which] for pair in x_by_trace]
        return {"label": label, "method": "update", "args": [{"x": xs}, {"xaxis.title.text": axis}]}

    return {
        "buttons": [
            button("x: Cohen's d", "Cohen's d (chosen − rejected)", 0),
            button("x: Δ", "Δ score (chosen − rejected)", 1),
        ],
        "direction": "down",
        "x": 1,
        "xanchor": "right",
        "y": 1.02,
        "yanchor": "bottom",
        "showactive": True,
        "bgcolor": "white",
        "bordercolor": "#cbd2d9",
    }


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


def heatmap_figure(table: TopicTable | None, labels: dict[str, str]) -> Figure | None:
    """Topic x concept heatmap of the per-topic Δ difference.

    Args:
        table: the topic breakdown, or None.
        labels: concept id -> label (ids without one show the id).

    Returns:
        The figure, or None when there is no topic or no concept.
    """
    if table is None or not table.topics or not table.concept_ids:
        return None
    names = [labels.get(c, c) for c in table.concept_ids]
    cols, rows = list(range(len(names))), list(range(len(table.topics)))
    limit = max((abs(v) for r in table.delta_diff for v in r if math.isfinite(v)), default=1.0)
    heat = go.Heatmap(
        z=_finite_or_none(table.delta_diff),
        x=cols,
        y=rows,
        zmid=0,
        zmin=-limit,
        zmax=limit,
        colorscale=[[0, "#D55E00"], [0.5, "#F7F7F7"], [1, "#0072B2"]],
        colorbar={"title": {"text": "Δ diff"}, "thickness": 12},
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


def concept_map_figure(
    concepts: ConceptMap | None, labels: dict[str, str], badges: dict[str, str]
) -> Figure | None:
    """Scatter of concepts in 2-D: colour = badge, symbol = kind.

    Args:
        concepts: the coordinates, or None.
        labels: concept id -> label.
        badges: concept id -> badge (ids not in the table count as 'neither').
    """
    if concepts is None or not concepts.x:
        return None
    traces = []
    for badge in BADGES:
        idx = [i for i, c in enumerate(concepts.id) if badges.get(c, "neither") == badge]
        if not idx:
            continue
        traces.append(
            go.Scatter(
                x=[concepts.x[i] for i in idx],
                y=[concepts.y[i] for i in idx],
                mode="markers",
                name=badge,
                marker={
                    "color": BADGE_COLOURS[badge],
                    "size": 9,
                    "opacity": 0.85,
                    "symbol": [KIND_SYMBOLS[concepts.kind[i]] for i in idx],
                    "line": {"color": "white", "width": 0.6},
                },
                text=[plot_text(labels.get(concepts.id[i], concepts.id[i])) for i in idx],
                customdata=[
                    [plot_text(concepts.id[i], 60), concepts.kind[i], concepts.id[i]] for i in idx
                ],
                hovertemplate="<b>%{text}</b><br>%{customdata[1]} · %{customdata[0]}"
                f"<extra>{badge}</extra>",
            )
        )
    axis = {"showticklabels": False, "zeroline": False, "title": {"text": ""}}
    return _to_dict(go.Figure(traces, layout=_layout(420, xaxis=axis, yaxis=axis)))
