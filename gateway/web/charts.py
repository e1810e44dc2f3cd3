"""Server-side charts as inline SVG: no scripts, no external assets, nothing fetched by the browser.

Each function returns SVG markup with every text escaped; values are percentages or counts only.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape

_COLOURS = {"on_time": "#2e7d32", "early": "#f9a825", "late": "#ef6c00", "incomplete": "#8e24aa", "rejected": "#c62828",
            "missing": "#616161", "duplicate": "#90a4ae", "pending": "#b0bec5", "unexpected": "#90a4ae"}


def colour(status: str) -> str:
    return _COLOURS.get(status, "#455a64")


def bars(points: list[tuple[str, float | None]], *, title: str, width: int = 640, height: int = 180) -> str:
    """A vertical bar chart of percentages (None: no data, drawn as a gap)."""
    left, bottom, top = 36, 28, 22
    inner = height - bottom - top
    step = (width - left - 8) / max(1, len(points))
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}"><title>{escape(title)}</title>',
             f'<text x="{left}" y="14" font-size="12">{escape(title)}</text>']
    for mark in (0, 50, 100):
        y = top + inner * (1 - mark / 100)
        parts.append(f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                     f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{mark}</text>')
    for index, (label, value) in enumerate(points):
        x = left + index * step + step * 0.15
        if value is not None:
            h = inner * value / 100
            parts.append(f'<rect class="bar" x="{x:.1f}" y="{top + inner - h:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}" '
                         f'fill="#1565c0"><title>{escape(label)}: {value:.1f}%</title></rect>')
        parts.append(f'<text x="{x + step * 0.35:.1f}" y="{height - 10}" font-size="9" text-anchor="middle">'
                     f'{escape(label[5:] if len(label) == 10 else label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def hbars(rows: list[tuple[str, float | None]], *, title: str, width: int = 640) -> str:
    """Horizontal bars of percentages, one per row (data-element sufficiency)."""
    height = 26 + 22 * len(rows)
    label_w = 170
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}"><title>{escape(title)}</title>',
             f'<text x="0" y="14" font-size="12">{escape(title)}</text>']
    span = width - label_w - 60
    for index, (label, value) in enumerate(rows):
        y = 24 + index * 22
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" font-size="11" text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{span}" height="16" fill="#eceff1"/>')
        if value is not None:
            parts.append(f'<rect class="bar" x="{label_w}" y="{y}" width="{span * value / 100:.1f}" height="16" fill="#1565c0"/>')
        parts.append(f'<text x="{label_w + span + 6}" y="{y + 13}" font-size="11">'
                     f'{"n/a" if value is None else f"{value:.1f}%"}</text>')
    parts.append("</svg>")
    return "".join(parts)


def stacked(counts: dict[str, int], *, title: str, width: int = 640) -> str:
    """One bar split by outcome, with a legend."""
    total = sum(counts.values())
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" '
             f'width="{width}" height="70" viewBox="0 0 {width} 70"><title>{escape(title)}</title>',
             f'<text x="0" y="14" font-size="12">{escape(title)}</text>']
    x = 0.0
    for status, count in counts.items():
        if not count or not total:
            continue
        w = width * count / total
        parts.append(f'<rect class="bar" x="{x:.1f}" y="20" width="{w:.1f}" height="20" fill="{colour(status)}">'
                     f'<title>{escape(status)}: {count}</title></rect>')
        x += w
    x = 0
    for status, count in counts.items():
        parts.append(f'<rect x="{x}" y="50" width="10" height="10" fill="{colour(status)}"/>'
                     f'<text x="{x + 14}" y="59" font-size="10">{escape(status)} {count}</text>')
        x += 100
    parts.append("</svg>")
    return "".join(parts)


def timeline(rows: list[tuple[str, datetime, datetime, list[tuple[datetime, str, str]]]], departure: datetime,
             *, title: str, width: int = 760) -> str:
    """One row per obligation: its window shaded, each message a dot coloured by its status (with a
    label such as "part 2 late"), the scheduled departure as a line."""
    # the axis spans the messages and due times around departure, not whole windows (a 72 h window
    # would squeeze every message into a few pixels); windows are clipped to it
    moments = [departure, *(b for _, _, b, _ in rows), *(d for _, _, _, dots in rows for d, _, _ in dots)]
    start, end = min(moments), max(moments)
    pad = max((end - start) * 0.08, timedelta(minutes=30))
    start, end = start - pad, end + pad
    span = (end - start).total_seconds()
    left, right = 150, 20

    def x(moment: datetime) -> float:
        clipped = min(max(moment, start), end)
        return left + (width - left - right) * (clipped - start).total_seconds() / span

    depth = max((len(dots) for *_, dots in rows), default=1)
    height = 40 + (34 + 12 * depth) * len(rows)
    parts = [f'<svg class="chart timeline" role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}"><title>{escape(title)}</title>']
    for index, (name, opens, due, dots) in enumerate(rows):
        y = 20 + index * (34 + 12 * depth)
        parts.append(f'<text x="{left - 8}" y="{y + 16}" font-size="11" text-anchor="end">{escape(name)}</text>')
        parts.append(f'<rect class="window" x="{x(opens):.1f}" y="{y + 4}" width="{max(2.0, x(due) - x(opens)):.1f}" '
                     f'height="20" fill="#c8e6c9"><title>window {opens:%d %b %H:%M} – {due:%d %b %H:%M} UTC</title></rect>')
        for order, (moment, status, label) in enumerate(sorted(dots)):
            parts.append(f'<circle class="part {escape(status)}" cx="{x(moment):.1f}" cy="{y + 14}" r="6" '
                         f'fill="{colour(status)}">'
                         f'<title>{escape(label)} at {moment:%d %b %H:%M} UTC</title></circle>'
                         f'<text x="{x(moment) - 4:.1f}" y="{y + 38 + 12 * order}" font-size="10" text-anchor="end">'
                         f'{escape(label)}</text>')
    parts.append(f'<line x1="{x(departure):.1f}" x2="{x(departure):.1f}" y1="10" y2="{height - 6}" stroke="#000" '
                 f'stroke-dasharray="4 3"/><text x="{x(departure) + 3:.1f}" y="12" font-size="10">departure</text></svg>')
    return "".join(parts)
