"""The report's framing sections: top bar, summary header, plot cards, provenance.

Owns: HTML of everything that is not the concept table or a drill-down;
a plot card embeds its inline SVG figure. Every dataset string goes through ``esc``.
"""

from __future__ import annotations

from collections import Counter

from prefsight.report.badges import BADGE_HELP, BADGES, BadgeRules
from prefsight.report.fmt import esc, seconds
from prefsight.report.model import Provenance

NAV = (
    ("summary", "Summary"),
    ("effects", "Effects"),
    ("concepts", "Concepts"),
    ("overall", "Overall direction"),
    ("topics", "Topics"),
    ("maps", "Pair map"),
    ("text-checks", "Text checks"),
    ("provenance", "Provenance"),
)


def not_computed(what: str) -> str:
    """The note an optional section shows when its data is missing."""
    return f'<p class="note">{esc(what)} — not computed for this run.</p>'


def card(section_id: str, title: str, lead: str, body: str) -> str:
    """A titled section; ``title``/``lead`` are our own text, ``body`` is HTML."""
    lead_html = f'<p class="lead">{lead}</p>' if lead else ""
    return f'<section class="card" id="{section_id}"><h2>{esc(title)}</h2>{lead_html}{body}</section>'


def plot_html(div_id: str, figure: str, *, clickable: bool = False) -> str:
    """A plot container holding its SVG (from ``figures``; already escaped)."""
    click = " data-click" if clickable else ""
    return f'<div class="plot" id="{div_id}"{click}>{figure}</div>'


def topbar_html(prov: Provenance) -> str:
    links = "".join(f'<a href="#{key}">{esc(name)}</a>' for key, name in NAV)
    return (
        f'<header class="topbar"><span class="brand">prefsight audit'
        f"<small>{esc(prov.dataset)}</small></span><nav>{links}</nav></header>"
    )


def _kpi(value: object, label: str, cls: str = "") -> str:
    return f'<div class="kpi {cls}"><div class="v">{esc(value)}</div><div class="l">{esc(label)}</div></div>'


def legend_html(rules: BadgeRules) -> str:
    """What each badge means, with the thresholds used."""
    items = "".join(f'<span><span class="badge b-{b}">{b}</span> {esc(BADGE_HELP[b])}</span>' for b in BADGES)
    return (
        f'<div class="legend">{items}<span>alpha = {rules.alpha:g}; "both" needs a fire rate '
        f"≥ {rules.min_fire_rate:.0%} on each side and no replicated difference (q ≥ alpha "
        f"or the effect does not replicate in each half: same sign, p < 0.05).</span></div>"
    )


def summary_html(
    prov: Provenance, badges: list[str], n_text: int, rules: BadgeRules, tested: dict[str, int] | None = None
) -> str:
    """The header card: what was analysed and how many concepts lean which way.

    ``tested`` (``total`` and a count per badge over every concept the analysis
    tested) is preferred to counting ``badges``, which covers only the listed rows.
    """
    layers = ", ".join(str(x) for x in prov.layers) or "—"
    meta = [
        ("Model", prov.model_id),
        ("Layers", layers),
        ("Fingerprint", prov.fingerprint[:16]),
        ("Finished", prov.created_at or "—"),
        ("prefsight", prov.prefsight_version),
    ]
    meta_html = "".join(f"<span>{esc(k)} <b>{esc(v)}</b></span>" for k, v in meta)
    counts: dict[str, int] = dict(Counter(badges))
    total = len(badges)
    if tested:
        counts, total = {b: int(tested.get(b, 0)) for b in BADGES}, int(tested["total"])
    kpis = _kpi(f"{prov.n_pairs:,}", "pairs") + _kpi(f"{total:,}", "concepts tested")
    kpis += "".join(_kpi(f"{counts.get(b, 0):,}", b, b) for b in BADGES)
    kpis += _kpi(n_text, "text checks")
    shown = ""
    if total > len(badges):
        shown = (
            f'<p class="lead">Counts are over all {total:,} concepts tested; the plots '
            f"and the table list the top {len(badges):,}.</p>"
        )
    return (
        f'<section class="card head" id="summary"><h1>{esc(prov.dataset)}</h1>'
        f'<div class="meta">{meta_html}</div><div class="kpis">{kpis}</div>'
        f"{shown}{legend_html(rules)}</section>"
    )


def provenance_html(prov: Provenance) -> str:
    """The full provenance: every field, the command, and time per stage."""
    fields = [
        ("Dataset", esc(prov.dataset)),
        ("Fingerprint", f"<code>{esc(prov.fingerprint)}</code>"),
        ("Pairs", f"{prov.n_pairs:,}"),
        ("Model", esc(prov.model_id)),
        ("Layers", esc(", ".join(str(x) for x in prov.layers) or "—")),
        ("Finished", esc(prov.created_at or "—")),
        ("prefsight version", esc(prov.prefsight_version)),
    ]
    if prov.command:
        fields.append(("Command", f'<pre class="cmd">{esc(prov.command)}</pre>'))
    if prov.run_times:
        rows = "".join(
            f'<tr><td>{esc(stage)}</td><td class="n">{seconds(t)}</td></tr>' for stage, t in prov.run_times.items()
        )
        total = sum(prov.run_times.values())
        rows += f'<tr><td><b>total</b></td><td class="n"><b>{seconds(total)}</b></td></tr>'
        fields.append(("Run time", f'<table class="times">{rows}</table>'))
    body = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in fields)
    return card("provenance", "Provenance", "", f'<dl class="prov">{body}</dl>')
