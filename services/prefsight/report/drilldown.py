"""A concept's drill-down: its statistics and example pairs, tokens highlighted.

Owns: the HTML of one concept's detail panel and of token highlighting.
Every dataset string is escaped with ``fmt.esc``. Leaves the table the panel
hangs under to ``tables``.

Highlighting: each token's background opacity is |activation| divided by the
largest |activation| over all of the concept's examples (both sides), so
chosen and rejected are on one scale. Positive activations are amber,
negative ones grey (blue means "chosen" everywhere in the report); tokens
under ``MIN_HIGHLIGHT`` of the maximum stay plain.
"""

from __future__ import annotations

import math

from prefsight.report.badges import BADGE_HELP
from prefsight.report.coerce import Token
from prefsight.report.fmt import MISSING, esc, num, pct, qval, signed
from prefsight.report.rows import ConceptRow, ExamplePair

MIN_HIGHLIGHT = 0.05
PROMPT_PREVIEW = 140


def activation_scale(examples: list[ExamplePair]) -> float:
    """The largest finite |activation| over the examples' tokens (0 if none)."""
    values = [abs(a) for ex in examples for _, a in (*ex.chosen_tokens, *ex.rejected_tokens) if math.isfinite(a)]
    return max(values, default=0.0)


def highlight_tokens(tokens: list[Token], scale: float) -> str:
    """Tokens as escaped HTML, firing ones wrapped in ``<mark>`` with opacity ∝ |activation|.

    Args:
        tokens: decoded tokens and activations, in order.
        scale: the activation that gets full opacity (see ``activation_scale``).

    Returns:
        HTML whose text is the concatenation of the token strings.
    """
    parts = []
    for text, act in tokens:
        weight = abs(act) / scale if scale > 0 and math.isfinite(act) else 0.0
        if weight < MIN_HIGHLIGHT:
            parts.append(esc(text))
            continue
        sign = "pos" if act > 0 else "neg"
        # compact markup: a demo report carries thousands of these
        parts.append(f'<mark class="tk {sign}" style="--w:{min(weight, 1.0):.2f}" title="{act:.3g}">{esc(text)}</mark>')
    return "".join(parts)


def _response_html(text: str, tokens: list[Token], scale: float) -> str:
    if tokens:
        return highlight_tokens(tokens, scale)
    return esc(text)


def _side_html(side: str, score: float, text: str, tokens: list[Token], scale: float) -> str:
    title = "Chosen" if side == "chosen" else "Rejected"
    return (
        f'<section class="side {side}"><h5>{title}'
        f'<span class="score">score {signed(score, ".3g")}</span></h5>'
        f'<div class="text">{_response_html(text, tokens, scale)}</div></section>'
    )


def example_html(ex: ExamplePair, scale: float) -> str:
    """One example pair: collapsible prompt, chosen and rejected side by side."""
    preview = ex.prompt if len(ex.prompt) <= PROMPT_PREVIEW else ex.prompt[:PROMPT_PREVIEW] + "…"
    return (
        f'<article class="pair" data-pair="{esc(ex.pair_id)}">'
        f"<header><span>pair <code>{esc(ex.pair_id)}</code></span>"
        f'<span class="pair-delta">Δ score {signed(ex.delta)}</span></header>'
        f'<details class="prompt"><summary><span class="k">Prompt</span> '
        f'<span class="preview">{esc(preview)}</span></summary>'
        f'<div class="text">{esc(ex.prompt)}</div></details>'
        f'<div class="sides">'
        f"{_side_html('chosen', ex.chosen_score, ex.chosen, ex.chosen_tokens, scale)}"
        f"{_side_html('rejected', ex.rejected_score, ex.rejected, ex.rejected_tokens, scale)}"
        f"</div></article>"
    )


def _fire_rates(row: ConceptRow) -> str:
    if row.fire_rate_chosen is None or row.fire_rate_rejected is None:
        return pct(row.fire_rate)
    return f"{pct(row.fire_rate)} (chosen {pct(row.fire_rate_chosen)}, rejected {pct(row.fire_rate_rejected)})"


def _stats_html(row: ConceptRow) -> str:
    items = [
        ("Δ (chosen − rejected)", signed(row.delta)),
        ("95% CI of Δ", f"[{signed(row.ci_low)}, {signed(row.ci_high)}]"),
        ("Cohen's d", signed(row.d, "+.2f")),
        ("p", qval(row.p)),
        ("q (BH)", qval(row.q)),
        (
            "Net of the overall direction: Δ / d / q",
            f"{signed(row.delta_net)} / {signed(row.d_net, '+.2f')} / {qval(row.q_net)}",
        ),
        ("Replicates in each half (same sign, p < 0.05)", "yes" if row.split_half else "no"),
        ("Fire rate", _fire_rates(row)),
        ("Margin |Δ|min / |d|min", f"{num(row.delta_min)} / {num(row.d_min, '.2f')}"),
        ("Standardised effect (not a DPO forecast)", signed(row.predicted_shift)),
    ]
    if row.kind == "named":
        auroc = "not validated" if row.heldout_auroc is None else num(row.heldout_auroc, ".2f")
        items.append(("Held-out AUROC on its own examples", auroc))
        items.append(("Reliable", "yes" if row.reliable else "no — below the bar, not badged"))
        if row.overall_cosine is not None:
            items.append(("Cosine with the overall direction", signed(row.overall_cosine, "+.2f")))
    cells = "".join(f"<div><dt>{esc(k)}</dt><dd>{v}</dd></div>" for k, v in items)
    return f'<dl class="stats">{cells}</dl>'


def _enriched_html(row: ConceptRow) -> str:
    """The n-grams enriched where the concept fires (replaces the unembedding "top tokens",
    whose same few fragments repeated across unrelated concepts)."""
    if not row.enriched:
        return ""
    chips = "".join(f'<code class="chip" title="log-odds z = {z:.1f}">{esc(t)}</code>' for t, z in row.enriched)
    return f'<div class="top-tokens"><span class="k">Enriched where it fires</span>{chips}</div>'


def _contexts_html(row: ConceptRow) -> str:
    """Top-activating windows over the whole dataset, firing tokens highlighted."""
    if not row.contexts:
        return ""
    scale = max((abs(a) for c in row.contexts for _, a in c.tokens if math.isfinite(a)), default=0.0)
    items = "".join(
        f'<li class="ctx {c.side}"><span class="k">{esc(c.side)} · '
        f"<code>{esc(c.pair_id)}</code></span> …{highlight_tokens(c.tokens, scale)}…</li>"
        for c in row.contexts
    )
    return f'<div class="contexts"><h5 class="sub">Top-activating contexts</h5><ul>{items}</ul></div>'


def detail_html(row: ConceptRow, badge: str) -> str:
    """The drill-down panel of one concept.

    Args:
        row: the concept.
        badge: its badge (from ``assign_badge``).

    Returns:
        HTML for the inside of the detail cell.
    """
    layer = MISSING if row.layer is None else str(row.layer)
    head = (
        f'<div class="detail-head"><h4>{esc(row.label)}</h4>'
        f'<span class="badge b-{badge}" title="{esc(BADGE_HELP[badge])}">{badge}</span>'
        f'<span class="muted"><code>{esc(row.id)}</code> · {esc(row.kind)} · layer {layer}</span>'
        f"</div>"
    )
    desc = f'<p class="desc">{esc(row.description)}</p>' if row.description else ""
    scale = activation_scale(row.examples)
    if row.examples:
        cards = "".join(example_html(ex, scale) for ex in row.examples)
        examples = f'<div class="examples"><h5 class="sub">Example pairs</h5>{cards}</div>'
    else:
        examples = '<p class="note">No example pairs were stored for this concept.</p>'
    return head + desc + _stats_html(row) + _enriched_html(row) + _contexts_html(row) + examples
