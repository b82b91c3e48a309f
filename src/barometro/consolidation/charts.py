"""Inline SVG charts for the Relazione: a ring for one %, horizontal bars for many.

Plain SVG 1.1 text (no script, no external font), rendered alike by browsers
and by WeasyPrint.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from barometro import scoring
from barometro.settings import Settings

from .fmt import pct

COLOURS = {"verde": "#2e7d32", "giallo": "#f0a500", "rosso": "#c62828", None: "#9e9e9e"}
TRACK = "#e6e9ee"
INK = "#1f2a37"
MUTED = "#5b6675"


def colour(value: float | None, settings: Settings) -> str:
    return COLOURS[scoring.gauge(value, settings)]


def ring(value: float | None, settings: Settings, *, size: int = 120, label: str = "") -> str:
    """A ring filled to `value` % with the number in the middle."""
    r = size / 2 - 9
    c = size / 2
    circumference = 2 * math.pi * r
    filled = 0.0 if value is None else max(0.0, min(100.0, value)) / 100 * circumference
    text = pct(value) if value is not None else "n.d."
    title = escape(f"{label}: {text}" if label else text)
    return (
        f'<svg class="ring" xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 {size} {size}" role="img" aria-label="{title}"><title>{title}</title>'
        f'<circle cx="{c}" cy="{c}" r="{r:.2f}" fill="none" stroke="{TRACK}" stroke-width="14"/>'
        f'<circle cx="{c}" cy="{c}" r="{r:.2f}" fill="none" stroke="{colour(value, settings)}" '
        f'stroke-width="14" stroke-dasharray="{filled:.2f} {circumference:.2f}" '
        f'transform="rotate(-90 {c} {c})"/>'
        f'<text x="{c}" y="{c + 6}" text-anchor="middle" font-family="DejaVu Sans, Arial, sans-serif" '
        f'font-size="{size * 0.15:.1f}" font-weight="bold" fill="{INK}">{escape(text)}</text></svg>'
    )


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def bars(
    items: Sequence[tuple[str, float | None]],
    settings: Settings,
    *,
    width: int = 1000,
    label_width: int = 470,
    title: str = "",
) -> str:
    """Horizontal bars, one per (label, %), with the value at the end of each bar."""
    row_h, top = 20, 8
    label_chars = int(label_width / 6.2)
    height = top * 2 + row_h * max(1, len(items))
    x0 = label_width
    span = width - x0 - 80
    parts = [
        f'<svg class="bars" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
    ]
    for pos in (0, 50, 100):
        x = x0 + span * pos / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - top + 2}" '
            f'stroke="#c9ced6" stroke-width="0.8" stroke-dasharray="3 3"/>'
        )
    for i, (label, value) in enumerate(items):
        y = top + i * row_h
        w = 0.0 if value is None else span * max(0.0, min(100.0, value)) / 100
        shown = pct(value) if value is not None else "n.d."
        parts.append(
            f'<text x="{x0 - 8}" y="{y + 15}" text-anchor="end" font-family="DejaVu Sans, Arial, sans-serif" '
            f'font-size="10" fill="{INK}"><title>{escape(label)}</title>{escape(_clip(label, label_chars))}</text>'
            f'<rect x="{x0}" y="{y + 4}" width="{span}" height="13" fill="{TRACK}" rx="2"/>'
            f'<rect x="{x0}" y="{y + 4}" width="{w:.1f}" height="13" fill="{colour(value, settings)}" rx="2"/>'
            f'<text x="{x0 + span + 6}" y="{y + 15}" font-family="DejaVu Sans, Arial, sans-serif" '
            f'font-size="10" font-weight="bold" fill="{INK}">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def mini_bar(value: float | None, settings: Settings, *, width: int = 150) -> str:
    """A small inline bar for a table cell."""
    w = 0.0 if value is None else width * max(0.0, min(100.0, value)) / 100
    title = escape(pct(value) if value is not None else "n.d.")
    return (
        f'<svg class="mini" xmlns="http://www.w3.org/2000/svg" width="{width}" height="10" '
        f'viewBox="0 0 {width} 10" role="img" aria-label="{title}"><title>{title}</title>'
        f'<rect x="0" y="1" width="{width}" height="8" fill="{TRACK}" rx="2"/>'
        f'<rect x="0" y="1" width="{w:.1f}" height="8" fill="{colour(value, settings)}" rx="2"/></svg>'
    )


def light(value: float | None, settings: Settings, *, neutralised: bool = False, label: str = "") -> str:
    """The Barometro traffic light of one value: a coloured disc with its meaning as title."""
    fill = COLOURS[None] if neutralised else colour(value, settings)
    mark = "N" if neutralised else ""
    title = escape(label)
    return (
        f'<svg class="light" xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16" '
        f'role="img" aria-label="{title}"><title>{title}</title>'
        f'<circle cx="8" cy="8" r="7" fill="{fill}" stroke="#ffffff" stroke-width="1"/>'
        + (
            f'<text x="8" y="11.5" text-anchor="middle" font-family="DejaVu Sans, Arial, sans-serif" '
            f'font-size="9" font-weight="bold" fill="#ffffff">{mark}</text>'
            if mark
            else ""
        )
        + "</svg>"
    )


def legend(settings: Settings, labels: dict[str, str]) -> str:
    """Small legend of the traffic-light colours with their thresholds."""
    items = []
    for key in ("verde", "giallo", "rosso"):
        items.append(
            f'<span class="legend-item"><svg width="12" height="12" viewBox="0 0 12 12" role="img" '
            f'aria-label="{escape(labels[key])}"><title>{escape(labels[key])}</title>'
            f'<circle cx="6" cy="6" r="5.5" fill="{COLOURS[key]}"/></svg> {escape(labels[key])}</span>'
        )
    items.append(
        f'<span class="legend-item"><svg width="12" height="12" viewBox="0 0 12 12" role="img" '
        f'aria-label="{escape(labels["none"])}"><title>{escape(labels["none"])}</title>'
        f'<circle cx="6" cy="6" r="5.5" fill="{COLOURS[None]}"/></svg> {escape(labels["none"])}</span>'
    )
    return '<div class="legend">' + "".join(items) + "</div>"
