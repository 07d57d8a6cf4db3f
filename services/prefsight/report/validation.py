"""The validation run as a self-contained HTML page: predicted-vs-measured scatter, interventions, set-up.

Owns: the scatter figure of predicted against measured concept shifts (one marker
per supported concept, the planted traits' best concepts highlighted), and the
page ``prefsight validate`` writes beside ``validate.json`` (``validate.html``):
the agreement with its CIs, the scatter, the interventions side by side with
plain DPO, the planted traits, the hyper-parameters and timings, and a few
generations per run. Reads only the run's JSON document; every string from the
data (concept labels, prompts, generations) goes through ``esc``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from prefsight.report.assets import CSS
from prefsight.report.figures import Scale, marker, svg, x_axis, y_axis
from prefsight.report.fmt import esc
from prefsight.report.sections import card, plot_html

PLANTED_COLOUR = "#D55E00"
CONCEPT_COLOUR = "#0072B2"


def scatter_svg(
    points: list[dict[str, Any]],
    title: str,
    x_title: str = "predicted shift (d)",
    y_title: str = "measured shift (sd units)",
) -> str:
    """Predicted (x) against measured (y), one marker per concept; planted ones highlighted.

    Each point is ``{"id", "kind", "predicted", "measured", "planted": trait or None}``.
    """
    width, height, left, right, top, bottom = 640, 420, 62, 20, 30, 60
    xs = [p["predicted"] for p in points] + [0.0]
    ys = [p["measured"] for p in points] + [0.0]
    pad_x = (max(xs) - min(xs)) * 0.06 or 0.5
    pad_y = (max(ys) - min(ys)) * 0.06 or 0.5
    sx = Scale(min(xs) - pad_x, max(xs) + pad_x, left, width - right)
    sy = Scale(min(ys) - pad_y, max(ys) + pad_y, height - bottom, top)
    parts = [
        f'<text x="{left}" y="18" class="axis-title">{esc(title)}</text>',
        x_axis(sx, height - bottom, x_title, top=top),
        y_axis(sy, left, y_title, left=width - right),
    ]
    for p in sorted(points, key=lambda p: p.get("planted") is not None):
        planted = p.get("planted")
        colour = PLANTED_COLOUR if planted else CONCEPT_COLOUR
        radius = 5.5 if planted else 3.2
        tip = f"{p['id']} ({p['kind']}): predicted {p['predicted']:.3g}, measured {p['measured']:.3g}"
        if planted:
            tip += f"; planted trait {planted}"
        parts.append(
            f'<g data-concept="{esc(p["id"])}" data-predicted="{p["predicted"]:.4g}" '
            f'data-measured="{p["measured"]:.4g}"><title>{esc(tip)}</title>'
            f"{marker(p['kind'], sx(p['predicted']), sy(p['measured']), radius, colour)}</g>"
        )
    parts.append(
        f'<text x="{width - right}" y="18" class="tick" text-anchor="end">'
        "vermillion: best concept of a planted trait</text>"
    )
    body = "".join(parts)
    return svg(width, height, body, title).replace("<svg ", '<svg style="font: 11px sans-serif" ', 1)


def scatter_title(doc: dict[str, Any]) -> str:
    r2 = doc.get("r2")
    return f"Predicted vs measured shift, {doc['n_concepts']} concepts (R² {'—' if r2 is None else f'{r2:.2f}'})"


def _n(value: Any, spec: str = ".3f") -> str:
    return "—" if value is None else format(value, spec)


def _ci(pair: Any, spec: str = ".3f") -> str:
    if not pair or pair[0] is None:
        return ""
    return f" [{_n(pair[0], spec)}, {_n(pair[1], spec)}]"


def _kpi(value: str, label: str) -> str:
    return f'<div class="kpi"><div class="v">{esc(value)}</div><div class="l">{esc(label)}</div></div>'


def _table(table_id: str, head: list[str], rows: list[list[str]]) -> str:
    """A plain table; cells are already-escaped HTML."""
    th = "".join(f"<th>{esc(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return (
        f'<div class="tablewrap"><table id="{table_id}"><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table></div>'
    )


def _summary(doc: dict[str, Any]) -> str:
    target = doc.get("target", {})
    kpis = "".join(
        (
            _kpi(f"{_n(doc.get('r2'))}{_ci(doc.get('r2_ci'))}", "R² predicted vs measured"),
            _kpi(f"{_n(doc.get('spearman'))}{_ci(doc.get('spearman_ci'))}", "Spearman ρ"),
            _kpi(str(doc.get("n_concepts", 0)), f"concepts with support ≥ {doc.get('min_support', '—')}"),
            _kpi(f"{_n(doc.get('shift_scale'), '.3g')}{_ci(doc.get('shift_scale_ci'), '.3g')}", "shift_scale"),
            _kpi(_n((doc.get("measurement") or {}).get("reliability")), "measurement reliability (R² ceiling)"),
        )
    )
    meta = [
        ("Model", doc.get("model", "—")),
        ("Layer", doc.get("layer", "—")),
        ("Device", f"{doc.get('device', '—')} / {doc.get('dtype', '—')}"),
        ("Target", f"{target.get('concept', '—')} — {target.get('label', '')}"),
        ("Trait measured by", target.get("trait", "—")),
    ]
    meta_html = "".join(f"<span>{esc(k)} <b>{esc(v)}</b></span>" for k, v in meta)
    return (
        f'<section class="card head" id="summary"><h1>Validation: predicted against measured DPO shifts</h1>'
        f'<div class="meta">{meta_html}</div><div class="kpis">{kpis}</div>'
        f'<p class="lead">{esc(doc.get("predictor", ""))}. 95% bootstrap CIs over concepts.</p></section>'
    )


def _interventions(doc: dict[str, Any]) -> str:
    rows = []
    for name, run in doc.get("interventions", {}).items():
        inc = run.get("trait_increase", {})
        rows.append(
            [
                esc(name),
                _n(run.get("trait_rate_before")),
                _n(run.get("trait_rate")),
                f"{_n(inc.get('mean'), '+.3f')}{_ci(inc.get('ci'))}",
                f"{_n(run.get('intended_gain'))}{_ci(run.get('intended_gain_ci'))}",
                _n(run.get("preference_accuracy"), ".2f"),
                _n(run.get("off_target_shift")),
                "—" if name == "plain" else _n(run.get("trait_increase_cut"), ".0%"),
                "—" if name == "plain" else _n(run.get("intended_gain_kept"), ".0%"),
                esc(run.get("note", "")),
            ]
        )
    head = [
        "run",
        "trait before",
        "after",
        "increase [95% CI]",
        "intended gain [95% CI]",
        "held-out pref. acc.",
        "off-target |shift|",
        "increase cut",
        "gain kept",
        "note",
    ]
    skipped = doc.get("skipped") or {}
    note = "".join(f"<p class='note'>{esc(k)} skipped: {esc(v)}</p>" for k, v in skipped.items())
    lead = (
        "Each run retrains from the base model. Trait rates over the held-out completions, increase paired "
        "over prompts; intended gain = held-out DPO implicit reward margin on pairs without the trait."
    )
    return card("interventions", "Interventions against plain DPO", esc(lead), _table("runs-table", head, rows) + note)


def _planted(doc: dict[str, Any]) -> str:
    planted = doc.get("planted") or {}
    if not planted or not all(isinstance(v, dict) for v in planted.values()):
        return ""
    rows = [
        [esc(t), f"<code>{esc(v.get('concept'))}</code>", _n(v.get("auroc")), "yes" if v.get("in_comparison") else "no"]
        for t, v in planted.items()
    ]
    table = _table("planted-table", ["trait", "best concept", "AUROC on training responses", "in the comparison"], rows)
    return card("planted", "Planted traits", "", table)


def _setup(doc: dict[str, Any]) -> str:
    plain = doc.get("interventions", {}).get("plain", {}).get("training", {})
    hyper = plain.get("hyperparameters", {})
    rows = [[esc(k), esc(v)] for k, v in hyper.items()]
    rows += [[esc(k), esc(plain.get(k))] for k in ("trainer", "fine_tuning", "autocast", "steps", "seconds_per_step")]
    rows += [[esc(k), esc(v)] for k, v in (doc.get("data") or {}).items()]
    rows += [[esc(f"seconds: {k}"), f"{v:.0f}"] for k, v in (doc.get("timings") or {}).items()]
    return card("setup", "Set-up and cost", "", _table("setup-table", ["setting", "value"], rows))


def _examples(doc: dict[str, Any]) -> str:
    items = []
    for name, run in doc.get("interventions", {}).items():
        for ex in run.get("examples", []):
            items.append(
                f"<li><b>{esc(name)}</b> ({esc(ex.get('mode'))}) — <i>{esc(ex.get('prompt'))}</i><br>"
                f"{esc(ex.get('text'))}</li>"
            )
    if not items:
        return ""
    return card("examples", "Generations after training", "", f"<ul class='examples'>{''.join(items)}</ul>")


def render_validation(doc: dict[str, Any]) -> str:
    """The whole validation page (no network needed to view it)."""
    points = doc.get("concepts") or []
    figure = plot_html("scatter", scatter_svg(points, scatter_title(doc))) if points else ""
    lead = (
        "One marker per concept with enough support; x: predicted shift before training, y: measured shift "
        "of the plain-DPO model's held-out generations against the base model's."
    )
    body = "".join(
        (
            _summary(doc),
            card("comparison", "Predicted against measured", esc(lead), figure or "<p class='note'>no concepts</p>"),
            _interventions(doc),
            _planted(doc),
            _setup(doc),
            _examples(doc),
        )
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="generator" content="prefsight">'
        f"<title>prefsight validation — {esc(doc.get('model', ''))}</title><style>{CSS}</style>"
        f'</head><body><header class="topbar"><span class="brand">prefsight validation</span></header>'
        f"<main>{body}<footer>Self-contained: no network access is needed to view this file.</footer></main>"
        "</body></html>"
    )


def write_validation(doc: dict[str, Any], path: str | os.PathLike[str]) -> Path:
    """Render the page and write it to ``path`` (atomically replaced)."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(render_validation(doc), encoding="utf-8")
    tmp.replace(out)
    return out


__all__ = ["render_validation", "scatter_svg", "scatter_title", "write_validation"]
