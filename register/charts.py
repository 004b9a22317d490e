"""Charts drawn on the server as inline SVG: no script, no inline style, no outside library.

Each chart is an `<svg role="img">` named by its own `<title>`; the page gives the same
figures as a table, which is the text alternative. The numbers are written next to the
bars and columns, so a chart reads without colour. Colours are presentation attributes
(allowed by a strict Content-Security-Policy) that the stylesheet may override through the
`chart-*` classes.

Empty data gives an empty Markup, which is false: the caller shows its own message
("No meetings match") instead of a chart.
"""

from __future__ import annotations

import hashlib
import math
import textwrap
from collections.abc import Callable, Sequence
from datetime import date

from markupsafe import Markup, escape

SVG_NS = "http://www.w3.org/2000/svg"
BAR_COLOUR = "#0b5a7a"
GRID_COLOUR = "#d5dbe1"
AXIS_COLOUR = "#545e69"

# Bar chart geometry (viewBox units). Each bar has its label on the line(s) above it, so
# a long organisation name has the whole width, also on a phone (where the chart is drawn
# about 280 px wide: small viewBoxes keep the text legible there).
BAR_WIDTH = 320
BAR_FONT = 13
BAR_LABEL_LINE = 16
BAR_HEIGHT = 14
BAR_GAP = 10
# Roughly how many characters of a label fit on one line. A longer label takes two lines,
# and one longer still ends in "…"; the full text is in the bar's tooltip and the page's
# data table.
BAR_LABEL_CHARS = 44
BAR_LABEL_LINES = 2

# Month chart geometry.
MONTH_WIDTH = 400
MONTH_HEIGHT = 200
MONTH_FONT = 13
# The widest month label ("2026-03") with some air, in viewBox units.
MONTH_LABEL_SPACE = 62
# Steps between labelled months: each divides a year or is whole years, so labels fall
# on the same months every year (January, April, July …).
MONTH_LABEL_STEPS = (1, 2, 3, 4, 6, 12, 24, 36, 60, 120, 240, 600)
CHAR_WIDTH = 0.6  # a digit's width as a share of the font size


def bar_chart(
    bars: Sequence[tuple[str, int]],
    *,
    title: str,
    value_label: str,
    chart_id: str | None = None,
    number: Callable[[int], str] = str,
) -> Markup:
    """Horizontal bars, one per (label, value), in the given order; each bar's label on
    the line above it and its value written at its end. For rankings and categories.

    `chart_id` names the `<title>`; by default it is derived from the title and the data.
    `number` writes a value (e.g. the locale's digit grouping).
    """
    if not bars:
        return Markup("")
    svg_id = chart_id or _derive_id("bar", title, bars)
    values = [max(int(value), 0) for _, value in bars]
    texts = [number(value) for value in values]
    highest = max(values)
    value_space = 8 + math.ceil(max(len(text) for text in texts) * BAR_FONT * CHAR_WIDTH)
    longest_bar = BAR_WIDTH - value_space
    label_lines = [_wrap(label) for label, _ in bars]
    top = BAR_FONT + 8
    height = top + sum(BAR_LABEL_LINE * len(lines) + BAR_HEIGHT + BAR_GAP for lines in label_lines)

    parts = [
        _open_svg(svg_id, BAR_WIDTH, height, "chart chart-bars"),
        _title(svg_id, title),
        f'<text class="chart-axis-label" x="{BAR_WIDTH}" y="{BAR_FONT}" '
        f'text-anchor="end" font-size="{BAR_FONT - 1}" fill="{AXIS_COLOUR}">'
        f"{escape(value_label)}</text>",
    ]
    y = top
    for (label, _), lines, value, text in zip(bars, label_lines, values, texts, strict=True):
        length = 0.0 if highest == 0 else longest_bar * value / highest
        bar_y = y + BAR_LABEL_LINE * len(lines)
        parts.append(f'<g class="chart-row"><title>{escape(label)}: {escape(text)}</title>')
        parts.extend(
            f'<text class="chart-label" x="0" y="{y + BAR_LABEL_LINE * number + BAR_FONT - 1}" '
            f'font-size="{BAR_FONT}" fill="currentColor">{escape(line)}</text>'
            for number, line in enumerate(lines)
        )
        parts.append(
            f'<rect class="chart-bar" x="0" y="{bar_y}" width="{length:.1f}" '
            f'height="{BAR_HEIGHT}" fill="{BAR_COLOUR}"/>'
            f'<text class="chart-value" x="{length + 5:.1f}" y="{bar_y + BAR_HEIGHT - 2}" '
            f'font-size="{BAR_FONT}" font-weight="bold" fill="currentColor">'
            f"{escape(text)}</text></g>"
        )
        y = bar_y + BAR_HEIGHT + BAR_GAP
    parts.append("</svg>")
    return Markup("".join(parts))


def month_chart(
    counts: Sequence[tuple[date, int]],
    *,
    title: str,
    value_label: str,
    chart_id: str | None = None,
    number: Callable[[int], str] = str,
) -> Markup:
    """Vertical columns, one per month from the first month given to the last; months
    missing in between count 0. Months are labelled "2026-03" (every Nth when there are
    many), the value scale has a few gridlines, and each column's value is written above
    it when there is room (always in its tooltip).

    The dates may be any day of their month; they need not be sorted.
    """
    if not counts:
        return Markup("")
    svg_id = chart_id or _derive_id("months", title, counts)
    months = fill_months(counts)
    highest = max(value for _, value in months)
    step, top_value = _scale(highest)
    ticks = list(range(0, top_value + 1, step))

    scale_space = 8 + math.ceil(max(len(number(tick)) for tick in ticks) * MONTH_FONT * CHAR_WIDTH)
    left = max(scale_space, 28)
    right = MONTH_WIDTH - 24
    plot_top = MONTH_FONT + 14
    plot_bottom = MONTH_HEIGHT - MONTH_FONT - 10
    plot_height = plot_bottom - plot_top
    slot = (right - left) / len(months)
    column = max(slot * 0.7, 1.0)
    label_every = _label_step(len(months), (right - left) / MONTH_LABEL_SPACE)
    texts = [number(value) for _, value in months]
    values_fit = slot >= max(len(text) for text in texts) * MONTH_FONT * CHAR_WIDTH + 3

    parts = [
        _open_svg(svg_id, MONTH_WIDTH, MONTH_HEIGHT, "chart chart-months"),
        _title(svg_id, title),
        f'<text class="chart-axis-label" x="0" y="{MONTH_FONT}" font-size="{MONTH_FONT}" '
        f'fill="{AXIS_COLOUR}">{escape(value_label)}</text>',
    ]
    for tick in ticks:
        y = plot_bottom - plot_height * tick / top_value
        parts.append(
            f'<line class="chart-grid" x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{AXIS_COLOUR if tick == 0 else GRID_COLOUR}" stroke-width="1"/>'
            f'<text class="chart-scale" x="{left - 6}" y="{y + MONTH_FONT * 0.35:.1f}" '
            f'text-anchor="end" font-size="{MONTH_FONT}" fill="currentColor">'
            f"{escape(number(tick))}</text>"
        )
    for index, ((month, value), text) in enumerate(zip(months, texts, strict=True)):
        centre = left + slot * (index + 0.5)
        column_height = plot_height * value / top_value
        label = month_label(month)
        parts.append(
            f'<g class="chart-column"><title>{label}: {escape(text)}</title>'
            f'<rect class="chart-bar" x="{centre - column / 2:.1f}" '
            f'y="{plot_bottom - column_height:.1f}" width="{column:.1f}" '
            f'height="{column_height:.1f}" fill="{BAR_COLOUR}"/>'
        )
        if values_fit:
            parts.append(
                f'<text class="chart-value" x="{centre:.1f}" '
                f'y="{plot_bottom - column_height - 3:.1f}" text-anchor="middle" '
                f'font-size="{MONTH_FONT}" fill="currentColor">{escape(text)}</text>'
            )
        if (month.year * 12 + month.month - 1) % label_every == 0:
            parts.append(
                f'<text class="chart-scale" x="{centre:.1f}" y="{MONTH_HEIGHT - 4}" '
                f'text-anchor="middle" font-size="{MONTH_FONT}" fill="currentColor">'
                f"{label}</text>"
            )
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


def fill_months(counts: Sequence[tuple[date, int]]) -> list[tuple[date, int]]:
    """Every month from the earliest to the latest given, as (first of the month, count);
    a month given twice adds up, a month not given counts 0."""
    totals: dict[date, int] = {}
    for day, value in counts:
        month = day.replace(day=1)
        totals[month] = totals.get(month, 0) + max(int(value), 0)
    if not totals:
        return []
    month, last = min(totals), max(totals)
    filled = []
    while month <= last:
        filled.append((month, totals.get(month, 0)))
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return filled


def month_label(month: date) -> str:
    """A month written short and the same in every language: "2026-03"."""
    return f"{month.year:04d}-{month.month:02d}"


def _open_svg(svg_id: str, width: int, height: int, css_class: str) -> str:
    return (
        f'<svg xmlns="{SVG_NS}" class="{css_class}" role="img" '
        f'aria-labelledby="{escape(svg_id)}-title" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" focusable="false">'
    )


def _title(svg_id: str, title: str) -> str:
    return f'<title id="{escape(svg_id)}-title">{escape(title)}</title>'


def _derive_id(kind: str, title: str, data: Sequence[tuple[object, int]]) -> str:
    """An id that differs between charts of one page: from the title and the figures."""
    digest = hashlib.sha1(repr((kind, title, list(data))).encode(), usedforsecurity=False)
    return f"chart-{digest.hexdigest()[:10]}"


def _wrap(label: str) -> list[str]:
    """A label on at most BAR_LABEL_LINES lines, broken between words; "…" ends one that
    does not fit, and a word longer than a line is broken where it must."""
    lines = textwrap.wrap(label, BAR_LABEL_CHARS, max_lines=BAR_LABEL_LINES, placeholder=" …")
    return lines or [""]


def _scale(highest: int) -> tuple[int, int]:
    """A step of 1, 2 or 5 times a power of ten giving at most five gridlines above zero,
    and the top of the scale (a multiple of the step, at least the highest value)."""
    if highest <= 0:
        return 1, 1
    rough = highest / 5
    power = 10 ** max(math.floor(math.log10(rough)), 0) if rough >= 1 else 1
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
    return step, step * math.ceil(highest / step)


def _label_step(months: int, room: float) -> int:
    """The smallest step between labelled months that leaves room for each label."""
    fits = max(int(room), 1)
    return next(
        (step for step in MONTH_LABEL_STEPS if math.ceil(months / step) <= fits),
        MONTH_LABEL_STEPS[-1],
    )
