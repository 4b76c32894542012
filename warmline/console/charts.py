"""Bar charts drawn on the server as SVG: no script, no third party, readable at a glance.

Every label is escaped; colours come from presentation attributes and the console's
stylesheet, because the Content-Security-Policy refuses inline style.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH = 720
HEIGHT = 220
PAD_LEFT, PAD_BOTTOM, PAD_TOP = 40, 28, 10


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step:
            return step
    return value


def bars(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    every: int = 1,
    summary: str = "",
) -> Markup:
    """Draw grouped bars: one group per label, one bar per series (at most three)."""
    count = max(1, len(labels))
    group = (WIDTH - PAD_LEFT) / count
    bar = max(1.0, group * 0.8 / max(1, len(series)))
    top = _nice_max(max((v for _, values in series for v in values), default=0))
    plot = HEIGHT - PAD_BOTTOM - PAD_TOP
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}{": " if summary else ""}{escape(summary)}">',
        f"<title>{escape(title)}</title>",
        f'<line class="axis" x1="{PAD_LEFT}" y1="{HEIGHT - PAD_BOTTOM}" '
        f'x2="{WIDTH}" y2="{HEIGHT - PAD_BOTTOM}"/>',
        f'<text class="tick" x="{PAD_LEFT - 4}" y="{PAD_TOP + 4}" text-anchor="end">'
        f"{escape(_fmt(top))}</text>",
        f'<text class="tick" x="{PAD_LEFT - 4}" y="{HEIGHT - PAD_BOTTOM}" '
        'text-anchor="end">0</text>',
    ]
    for index, label in enumerate(labels):
        x0 = PAD_LEFT + index * group + group * 0.1
        for number, (name, values) in enumerate(series):
            value = values[index] if index < len(values) else 0
            height = plot * (value / top)
            x = x0 + number * bar
            y = HEIGHT - PAD_BOTTOM - height
            parts.append(
                f'<rect class="s{number}" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" '
                f'height="{height:.1f}"><title>{escape(name)}, {escape(label)}: '
                f"{escape(_fmt(value))}</title></rect>"
            )
        if index % every == 0:
            parts.append(
                f'<text class="tick" x="{x0 + group * 0.4:.1f}" y="{HEIGHT - 10}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    legend_x = PAD_LEFT + 8
    for number, (name, _values) in enumerate(series):
        parts.append(
            f'<rect class="s{number}" x="{legend_x}" y="{PAD_TOP}" width="10" height="10"/>'
            f'<text class="legend" x="{legend_x + 14}" y="{PAD_TOP + 9}">{escape(name)}</text>'
        )
        legend_x += 14 + 9 * len(name) + 16
    parts.append("</svg>")
    return Markup("".join(parts))


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
