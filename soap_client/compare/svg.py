"""Grouped bar charts as SVG, written by hand: no plotting library for three bars a group."""

from __future__ import annotations

from html import escape

COLOURS = {"SOAP": "#4062bb", "REST": "#59c3c3", "XML": "#f45b69"}


def grouped_bars(
    title: str,
    unit: str,
    groups: list[str],
    series: dict[str, list[float]],
    width: int = 760,
    height: int = 360,
) -> str:
    """Bars for each group (x axis) and each series (colour), with their values written on."""
    left, right, top, bottom = 64, 16, 48, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((v for values in series.values() for v in values), default=0.0) or 1.0
    scale = plot_h / (peak * 1.12)
    group_w = plot_w / max(1, len(groups))
    bar_w = group_w * 0.8 / max(1, len(series))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" '
        'font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="24" font-size="16" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        'stroke="#333"/>',
        f'<text x="12" y="{top + plot_h / 2}" transform="rotate(-90 12 {top + plot_h / 2})" '
        f'text-anchor="middle">{escape(unit)}</text>',
    ]
    for step in range(5):
        value = peak * 1.1 * step / 4
        y = top + plot_h - value * scale
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#eee"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{_short(value)}</text>'
        )
    for g, group in enumerate(groups):
        x0 = left + g * group_w + group_w * 0.1
        for s, (name, values) in enumerate(series.items()):
            value = values[g]
            h = value * scale
            x = x0 + s * bar_w
            y = top + plot_h - h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
                f'fill="{COLOURS.get(name, "#888")}"><title>{escape(name)} {escape(group)}: '
                f"{_short(value)} {escape(unit)}</title></rect>"
            )
            parts.append(
                f'<text x="{x + bar_w / 2 - 1:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
                f'font-size="10">{_short(value)}</text>'
            )
        parts.append(
            f'<text x="{x0 + group_w * 0.4:.1f}" y="{top + plot_h + 18}" '
            f'text-anchor="middle">{escape(group)}</text>'
        )
    for s, name in enumerate(series):
        x = left + s * 110
        y = height - 16
        parts.append(
            f'<rect x="{x}" y="{y - 10}" width="12" height="12" '
            f'fill="{COLOURS.get(name, "#888")}"/>'
        )
        parts.append(f'<text x="{x + 18}" y="{y}">{escape(name)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _short(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"
