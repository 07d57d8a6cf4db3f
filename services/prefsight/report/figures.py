"""The report's figures as inline SVG: forest plot, effect vs fire rate, topic heatmap, pair map.

Owns: turning report data into SVG text (no plotting library in the page: a plotly.js
bundle, even the cartesian-only one, cost 1.5 MB and over a second of script compile
before the first plot showed). Every marker is a ``<g>``/shape carrying its values as
``data-*`` attributes, a ``<title>`` for the native tooltip and, where it stands for a
concept, ``data-concept`` so the page script opens that concept on click. Every string
is escaped with ``fmt.esc``. Each builder returns None when its input is missing or empty.

Colours: blue (#0072B2) means chosen and vermillion (#D55E00) rejected everywhere.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

from prefsight.report.badges import BADGE_COLOURS, BADGES
from prefsight.report.fmt import esc
from prefsight.report.model import ConceptRow, PairMap, TopicTable

FOREST_TOP = 30
"""Concepts (in rank order) the forest plot shows; the scatter shows every listed one."""
MAX_PAIR_POINTS = 10_000
"""More pairs than this are thinned evenly."""
MAX_TOPIC_TRACES = 10
Z_LIMIT = 4.0
"""The heatmap's colour scale ends at |z| = 4 (larger z saturate; the value is in the tooltip)."""
KIND_SYMBOLS = {"sae": "circle", "contrast": "diamond", "named": "square", "text": "triangle"}
TOPIC_COLOURS = (
    "#88CCEE",
    "#CC6677",
    "#DDCC77",
    "#117733",
    "#332288",
    "#AA4499",
    "#44AA99",
    "#999933",
    "#882255",
    "#661100",
    "#888888",
)
AXIS = "#7b8794"
CHOSEN_RGB, REJECTED_RGB = (0, 114, 178), (213, 94, 0)


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if math.isfinite(value) else "0"


def _g(value: float) -> str:
    return f"{value:.4g}" if math.isfinite(value) else "nan"


def nice_ticks(low: float, high: float, n: int = 5) -> list[float]:
    """About ``n`` round tick values covering [low, high]."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return [low] if math.isfinite(low) else []
    raw = (high - low) / max(n - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(low / step) * step
    return [round(first + i * step, 10) for i in range(int((high - first) / step + 1e-9) + 1)]


class Scale:
    def __init__(self, low: float, high: float, start: float, end: float) -> None:
        if not high > low:
            low, high = low - 1.0, high + 1.0
        self.low, self.high, self.start, self.end = low, high, start, end

    def __call__(self, value: float) -> float:
        return self.start + (value - self.low) / (self.high - self.low) * (self.end - self.start)


def _padded(values: Iterable[float], include_zero: bool = True) -> tuple[float, float]:
    vs = [v for v in values if math.isfinite(v)] + ([0.0] if include_zero else [])
    low, high = min(vs, default=-1.0), max(vs, default=1.0)
    pad = (high - low) * 0.06 or 0.5
    return low - pad, high + pad


def svg(width: int, height: int, body: str, label: str) -> str:
    return (
        f'<svg class="fig" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{esc(label)}" xmlns="http://www.w3.org/2000/svg">{body}</svg>'
    )


def x_axis(scale: Scale, y: float, title: str, fmt: str = "g", top: float | None = None) -> str:
    parts = [f'<line x1="{_n(scale.start)}" x2="{_n(scale.end)}" y1="{_n(y)}" y2="{_n(y)}" stroke="{AXIS}"/>']
    for tick in nice_ticks(scale.low, scale.high):
        x = scale(tick)
        text = f"{tick:.0%}" if fmt == "%" else f"{tick:g}"
        if top is not None:
            parts.append(f'<line x1="{_n(x)}" x2="{_n(x)}" y1="{_n(top)}" y2="{_n(y)}" stroke="#eef0f2"/>')
        parts.append(f'<text x="{_n(x)}" y="{_n(y + 15)}" class="tick" text-anchor="middle">{esc(text)}</text>')
    mid = (scale.start + scale.end) / 2
    parts.append(f'<text x="{_n(mid)}" y="{_n(y + 33)}" class="axis-title" text-anchor="middle">{esc(title)}</text>')
    return "".join(parts)


def y_axis(scale: Scale, x: float, title: str, left: float | None = None) -> str:
    parts = [f'<line x1="{_n(x)}" x2="{_n(x)}" y1="{_n(scale.end)}" y2="{_n(scale.start)}" stroke="{AXIS}"/>']
    for tick in nice_ticks(scale.low, scale.high):
        y = scale(tick)
        if left is not None:
            parts.append(f'<line x1="{_n(x)}" x2="{_n(left)}" y1="{_n(y)}" y2="{_n(y)}" stroke="#eef0f2"/>')
        parts.append(f'<text x="{_n(x - 6)}" y="{_n(y + 4)}" class="tick" text-anchor="end">{tick:g}</text>')
    mid = (scale.start + scale.end) / 2
    parts.append(
        f'<text x="14" y="{_n(mid)}" class="axis-title" text-anchor="middle" '
        f'transform="rotate(-90 14 {_n(mid)})">{esc(title)}</text>'
    )
    return "".join(parts)


def _legend(entries: list[tuple[str, str]], x: float, y: float) -> str:
    parts, cx = [], x
    for name, colour in entries:
        parts.append(
            f'<rect x="{_n(cx)}" y="{_n(y - 9)}" width="10" height="10" rx="2" '
            f'fill="{colour}"/><text x="{_n(cx + 14)}" y="{_n(y)}" class="tick">'
            f"{esc(name)}</text>"
        )
        cx += 24 + 6.5 * len(name)
    return f'<g class="legend">{"".join(parts)}</g>'


def marker(kind: str, x: float, y: float, r: float, colour: str) -> str:
    symbol = KIND_SYMBOLS.get(kind, "circle")
    fill = f'fill="{colour}" stroke="white" stroke-width="0.6"'
    if symbol == "square":
        return f'<rect x="{_n(x - r)}" y="{_n(y - r)}" width="{_n(2 * r)}" height="{_n(2 * r)}" {fill}/>'
    if symbol == "diamond":
        return (
            f'<path d="M{_n(x)} {_n(y - r * 1.3)}L{_n(x + r * 1.3)} {_n(y)}L{_n(x)} '
            f'{_n(y + r * 1.3)}L{_n(x - r * 1.3)} {_n(y)}Z" {fill}/>'
        )
    if symbol == "triangle":
        return (
            f'<path d="M{_n(x)} {_n(y - r * 1.3)}L{_n(x + r * 1.2)} {_n(y + r)}L{_n(x - r * 1.2)} '
            f'{_n(y + r)}Z" {fill}/>'
        )
    return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" {fill}/>'


def _short(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def d_interval(row: ConceptRow) -> tuple[float, float] | None:
    """The 95% CI of Δ on the d scale (Δ's interval times d/Δ, i.e. over the paired sd)."""
    if not (math.isfinite(row.d) and math.isfinite(row.delta) and row.delta != 0):
        return None
    if not (math.isfinite(row.ci_low) and math.isfinite(row.ci_high)):
        return None
    scale = row.d / row.delta
    low, high = sorted((row.ci_low * scale, row.ci_high * scale))
    return low, high


def forest_figure(rows: list[ConceptRow], badges: list[str], top: int = FOREST_TOP) -> tuple[str | None, int]:
    """The top concepts' effects (Cohen's d) with their 95% CI, one line each, by badge colour.

    Unlike a volcano plot (with paired tests at a fixed n, q is a function of d, so the
    points fall on one curve), the intervals show which effects are told apart.

    Returns:
        The SVG (None if no concept has a finite d) and how many of the top were left out.
    """
    picked = list(zip(rows, badges, strict=True))[:top]
    placed = [(r, b, d_interval(r)) for r, b in picked if math.isfinite(r.d)]
    if not placed:
        return None, len(picked)
    left, right, row_h, head = 290, 680, 22, 26
    height = head + row_h * len(placed) + 48
    xs = [v for r, _, ci in placed for v in ((r.d,) + (ci or ()))]
    sx = Scale(*_padded(xs), left, right)
    bottom = head + row_h * len(placed)
    parts = [_legend([(b, BADGE_COLOURS[b]) for b in BADGES if any(p[1] == b for p in placed)], left, 14)]
    parts.append(
        f'<line x1="{_n(sx(0))}" x2="{_n(sx(0))}" y1="{head - 4}" y2="{_n(bottom)}" '
        f'stroke="{AXIS}" stroke-dasharray="4 3"/>'
    )
    for i, (row, badge, ci) in enumerate(placed):
        y = head + row_h * i + row_h / 2
        colour = BADGE_COLOURS[badge]
        low, high = ci if ci else (row.d, row.d)
        tip = (
            f"{row.label}\n{row.kind} · {row.id}\nd = {row.d:+.2f} [{low:+.2f}, {high:+.2f}]"
            f" · Δ = {_g(row.delta)} · q = {row.q:.2g}\nnet d = {_g(row.d_net)} · {badge}"
        )
        parts.append(
            f'<g class="pt" data-concept="{esc(row.id)}" data-badge="{badge}" '
            f'data-x="{_g(row.d)}" data-lo="{_g(low)}" data-hi="{_g(high)}" tabindex="0">'
            f"<title>{esc(tip)}</title>"
            f'<rect x="0" y="{_n(y - row_h / 2)}" width="{right}" height="{row_h}" fill="transparent"/>'
            f'<text x="{left - 10}" y="{_n(y + 4)}" class="lbl" text-anchor="end">'
            f"{esc(_short(row.label, 40))}</text>"
            f'<line class="ci" x1="{_n(sx(low))}" x2="{_n(sx(high))}" y1="{_n(y)}" y2="{_n(y)}" '
            f'stroke="{colour}" stroke-width="2"/>'
            f'<rect x="{_n(sx(row.d) - 4.5)}" y="{_n(y - 4.5)}" width="9" height="9" fill="{colour}"/>'
            "</g>"
        )
    parts.append(x_axis(sx, bottom + 4, "Cohen's d, chosen − rejected (95% CI)"))
    return svg(right + 20, height, "".join(parts), "forest plot of the top concepts"), (len(picked) - len(placed))


def fire_scatter_figure(rows: list[ConceptRow], badges: list[str]) -> tuple[str | None, int]:
    """Effect (Cohen's d) against fire rate for every listed concept, by badge colour.

    A large effect of a concept that fires on 2% of responses teaches the model little;
    this puts that next to the effect. Returns the SVG and how many were left out.
    """
    placed = [(r, b) for r, b in zip(rows, badges, strict=True) if math.isfinite(r.d) and math.isfinite(r.fire_rate)]
    if not placed:
        return None, len(rows)
    left, right, top, bottom = 60, 660, 30, 330
    sx = Scale(-0.02, 1.02, left, right)
    sy = Scale(*_padded([r.d for r, _ in placed]), bottom, top)
    parts = [_legend([(b, BADGE_COLOURS[b]) for b in BADGES if any(p[1] == b for p in placed)], left, 14)]
    parts.append(y_axis(sy, left, "Cohen's d (chosen − rejected)", right))
    parts.append(x_axis(sx, bottom, "fire rate (share of responses where it fires)", "%", top))
    parts.append(
        f'<line x1="{left}" x2="{right}" y1="{_n(sy(0))}" y2="{_n(sy(0))}" stroke="{AXIS}" stroke-dasharray="4 3"/>'
    )
    for row, badge in placed:
        x, y = sx(row.fire_rate), sy(row.d)
        tip = (
            f"{row.label}\n{row.kind} · {row.id}\nfire rate {row.fire_rate:.0%} · "
            f"d = {row.d:+.2f} · q = {row.q:.2g} · {badge}"
        )
        parts.append(
            f'<g class="pt" data-concept="{esc(row.id)}" data-badge="{badge}" '
            f'data-x="{_g(row.fire_rate)}" data-y="{_g(row.d)}" tabindex="0">'
            f"<title>{esc(tip)}</title>{marker(row.kind, x, y, 4.5, BADGE_COLOURS[badge])}</g>"
        )
    note = "● sae  ◆ contrast  ■ named  ▲ text"
    parts.append(f'<text x="{right}" y="14" class="tick" text-anchor="end">{esc(note)}</text>')
    return svg(right + 20, bottom + 45, "".join(parts), "effect against fire rate"), (len(rows) - len(placed))


def _diverging(z: float) -> str:
    """White at 0, blue (chosen) for positive z, vermillion (rejected) for negative."""
    if not math.isfinite(z):
        return "#eef0f2"
    t = min(abs(z) / Z_LIMIT, 1.0)
    target = CHOSEN_RGB if z > 0 else REJECTED_RGB
    r, g, b = (round(247 + (c - 247) * t) for c in target)
    return f"rgb({r},{g},{b})"


def heatmap_figure(
    table: TopicTable | None, labels: dict[str, str], exclude: frozenset[str] = frozenset()
) -> str | None:
    """Topic x concept heatmap of the per-topic difference on each concept's own scale (z).

    Raw Δ differences are in each concept's score units, so one concept with large
    scores saturates the scale and whitens every other column; z (the difference over
    its standard error) is comparable across concepts.

    Args:
        table: the topic breakdown, or None.
        labels: concept id -> label (ids without one show the id).
        exclude: concept ids left out (the overall chosen−rejected directions).

    Returns:
        The SVG, or None when there is no topic or no concept left.
    """
    if table is None or not table.topics:
        return None
    keep = [j for j, c in enumerate(table.concept_ids) if c not in exclude]
    if not keep:
        return None
    cell, left, top = 26, 170, 150
    width = left + cell * len(keep) + 90
    height = top + cell * len(table.topics) + 20
    parts = []
    for k, j in enumerate(keep):
        cid = table.concept_ids[j]
        x = left + k * cell + cell / 2
        parts.append(
            f'<text x="{_n(x)}" y="{top - 6}" class="tick" '
            f'transform="rotate(-45 {_n(x)} {top - 6})">'
            f"{esc(_short(labels.get(cid, cid), 26))}</text>"
        )
    for i, topic in enumerate(table.topics):
        y = top + i * cell
        parts.append(
            f'<text x="{left - 6}" y="{_n(y + cell / 2 + 4)}" class="tick" '
            f'text-anchor="end">{esc(_short(topic, 24))} ({table.sizes[i]})</text>'
        )
        for k, j in enumerate(keep):
            cid, z = table.concept_ids[j], table.z[i][j]
            stable = table.split_half[i][j]
            tip = (
                f"{labels.get(cid, cid)}\ntopic: {topic} (n={table.sizes[i]})\n"
                f"z = {_g(z)} · Δ diff = {_g(table.delta_diff[i][j])}\n"
                f"halves agree: {'yes' if stable else 'no'}"
            )
            x = left + k * cell
            mark = (
                ""
                if stable
                else f'<circle cx="{_n(x + cell / 2)}" cy="{_n(y + cell / 2)}" r="4" fill="none" stroke="#52606d"/>'
            )
            parts.append(
                f'<g class="cell" data-concept="{esc(cid)}" data-z="{_g(z)}">'
                f"<title>{esc(tip)}</title>"
                f'<rect x="{x}" y="{y}" width="{cell - 1}" height="{cell - 1}" '
                f'fill="{_diverging(z)}"/>{mark}</g>'
            )
    bar_x = left + cell * len(keep) + 20
    for s in range(9):
        z = Z_LIMIT - s * Z_LIMIT / 4
        parts.append(f'<rect x="{bar_x}" y="{top + s * 12}" width="12" height="12" fill="{_diverging(z)}"/>')
    parts.append(
        f'<text x="{bar_x + 16}" y="{top + 10}" class="tick">z ≥ {Z_LIMIT:g}</text>'
        f'<text x="{bar_x + 16}" y="{top + 58}" class="tick">0</text>'
        f'<text x="{bar_x + 16}" y="{top + 106}" class="tick">≤ −{Z_LIMIT:g}</text>'
    )
    return svg(width, max(height, top + 120), "".join(parts), "topic by concept heatmap")


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


def pair_map_figure(pairs: PairMap | None) -> tuple[str | None, int]:
    """Pairs in 2-D, coloured by topic.

    Returns:
        The SVG (None when there are no pairs) and how many pairs were thinned out.
    """
    if pairs is None or not pairs.x:
        return None, 0
    keep = [i for i in _thin(len(pairs.x)) if math.isfinite(pairs.x[i]) and math.isfinite(pairs.y[i])]
    groups = _topic_groups([pairs.topic[i] for i in keep])
    colour = {g: TOPIC_COLOURS[k % len(TOPIC_COLOURS)] for k, g in enumerate(dict.fromkeys(groups.values()))}
    left, right, top, bottom = 20, 660, 40, 400
    sx = Scale(*_padded([pairs.x[i] for i in keep], False), left, right)
    sy = Scale(*_padded([pairs.y[i] for i in keep], False), bottom, top)
    parts = [_legend([(_short(g or "(no topic)", 24), c) for g, c in colour.items()], left, 14)]
    for i in keep:
        tip = f"{pairs.label[i]}\npair {pairs.pair_id[i]} · {pairs.topic[i]}"
        parts.append(
            f'<circle class="pair-pt" cx="{_n(sx(pairs.x[i]))}" cy="{_n(sy(pairs.y[i]))}" r="3" '
            f'fill="{colour[groups[pairs.topic[i]]]}" fill-opacity="0.8">'
            f"<title>{esc(_short(tip, 160))}</title></circle>"
        )
    return svg(right + 20, bottom + 10, "".join(parts), "pair map"), len(pairs.x) - len(keep)
