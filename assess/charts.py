"""Charts as SVG markup, for the web pages and the PDF report alike.

Each function takes the same plain rows that the page shows as a table beside the chart, and
returns an ``<svg>`` with ``role="img"``, a ``<title>`` and a ``<desc>`` that states the figures in
words. The markup uses presentation attributes only (no ``style`` attribute, no ``<style>``
element), because the web pages' Content Security Policy forbids inline styles. Series differ by
line dash, marker shape and fill pattern as well as by colour, and every colour has at least 3:1
contrast against white, so nothing is said by colour alone. Sizes come from the ``viewBox``; the
page decides how wide a chart is drawn.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup, escape

from assess.i18n import N_

#: Colours with at least 3:1 contrast against white (WCAG 2.1, 1.4.11).
INK = "#1a1a1a"
AXIS = "#6b6b6b"  # 5.3:1
RING = "#8a8a8a"  # 3.4:1
FLOOR_COLOUR = "#1f4e79"  # 8.6:1
TARGET_COLOUR = "#a63d00"  # 6.0:1
MEAN_COLOUR = "#2d6a2d"  # 6.5:1
FONT_FAMILY = "Noto Sans, DejaVu Sans, sans-serif"
#: Text sizes in viewBox units; the charts are drawn about 160 mm wide, so 14 units print at
#: roughly 9 pt.
TEXT = 14
SMALL = 12.5

#: Mendelow's quadrants as the grid lays them out: (key, heading, column, row); power rises
#: upwards, interest to the right.
QUADRANT_LAYOUT = (
    ("keep_satisfied", N_("Keep satisfied"), 0, 0),
    ("manage_closely", N_("Manage closely"), 1, 0),
    ("monitor", N_("Monitor"), 0, 1),
    ("keep_informed", N_("Keep informed"), 1, 1),
)
QUADRANT_NAMES = {key: heading for key, heading, _c, _r in QUADRANT_LAYOUT}
#: The most lines of names a quadrant of the grid shows: past it, the quadrant names as many groups
#: as fit and says how many more the register lists, so the grid stays one page tall however large
#: the register grows (the count at the top of each quadrant is always the whole number).
GRID_LINES = 12
#: The most groups named in words under the grid (not yet rated) and in a quadrant's description.
GRID_NAMED = 12


def _num(value: float) -> str:
    """A coordinate with at most one decimal, without a trailing ``.0``."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _attrs(**attributes: Any) -> str:
    parts = []
    for name, value in attributes.items():
        if value is None:
            continue
        key = name.rstrip("_").replace("_", "-")
        shown = _num(value) if isinstance(value, float) else str(value)
        parts.append(f'{key}="{escape(shown)}"')
    return " ".join(parts)


def _text(x: float, y: float, content: str, **attributes: Any) -> str:
    attributes.setdefault("font_size", TEXT)
    attributes.setdefault("fill", INK)
    return f"<text {_attrs(x=float(x), y=float(y), **attributes)}>{escape(content)}</text>"


def _wrap(text: str, width: int) -> list[str]:
    """``text`` broken into lines of at most ``width`` characters, at spaces where possible."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(current)
    return lines or [""]


def _lines(x: float, y: float, lines: Sequence[str], line_height: float, **attributes: Any) -> str:
    return "".join(
        _text(x, y + i * line_height, line, **attributes) for i, line in enumerate(lines)
    )


def _svg(
    id_prefix: str, width: int, height: int, title: str, desc: str, body: Iterable[str]
) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" class="chart" '
        f'aria-labelledby="{id_prefix}-title {id_prefix}-desc" '
        f'font-family="{FONT_FAMILY}">'
        f'<title id="{id_prefix}-title">{escape(title)}</title>'
        f'<desc id="{id_prefix}-desc">{escape(desc)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704 - every text is escaped above


def _marker(shape: str, x: float, y: float, colour: str, size: float = 5) -> str:
    """A point marker: ``circle``, ``square`` or ``triangle``, so series differ by shape."""
    if shape == "circle":
        return f"<circle {_attrs(cx=float(x), cy=float(y), r=float(size), fill=colour)}/>"
    if shape == "square":
        side = size * 1.7
        return (
            f"<rect {_attrs(x=x - side / 2, y=y - side / 2, width=side, height=side)} "
            f'fill="white" stroke="{colour}" stroke-width="2.5"/>'
        )
    points = " ".join(
        f"{_num(x + size * 1.3 * math.cos(a))},{_num(y + size * 1.3 * math.sin(a))}"
        for a in (-math.pi / 2, math.pi / 6, 5 * math.pi / 6)
    )
    return f'<polygon points="{points}" fill="{colour}"/>'


#: The radar's series: (row key, legend label, colour, dash pattern, marker shape, line width).
_RADAR_SERIES = (
    ("floor", N_("Lowest level (level reached)"), FLOOR_COLOUR, None, "circle", 3),
    ("target", N_("Target of the chosen model"), TARGET_COLOUR, "9 5", "square", 2.5),
    ("mean", N_("Mean of the answers"), MEAN_COLOUR, "2 4", "triangle", 2),
)


def _level_words(value: float | int | None) -> str:
    return _("no level") if value is None else f"{value:g}"


def radar_chart(
    rows: Sequence[Mapping[str, Any]],
    *,
    show_mean: bool = True,
    id_prefix: str = "radar",
    target_label: str | None = None,
) -> Markup:
    """A radar chart of the maturity profile: one axis per dimension, levels 1 to 5.

    ``rows`` are the profile table's rows: ``title``, ``floor``, ``target`` and ``mean`` (each a
    level or None). The floor is a solid line with round markers, the target a dashed line with
    square markers, the mean (when ``show_mean``) a dotted line with triangles.
    """
    width, height = 760, 600
    cx, cy, radius = 380.0, 270.0, 175.0
    count = max(len(rows), 1)
    series = [s for s in _RADAR_SERIES if show_mean or s[0] != "mean"]
    labels = {"target": target_label} if target_label else {}

    def point(index: int, level: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / count
        return cx + radius * level / 5 * math.cos(angle), cy + radius * level / 5 * math.sin(angle)

    body: list[str] = []
    for level in range(1, 6):
        ring = " ".join(f"{_num(x)},{_num(y)}" for x, y in (point(i, level) for i in range(count)))
        body.append(
            f'<polygon points="{ring}" fill="none" stroke="{RING}" stroke-width="1"'
            + (' stroke-dasharray="3 3"/>' if level < 5 else "/>")
        )
        x, y = point(0, level)
        # Level numbers sit just left of the first axis, clear of the markers on it.
        body.append(_text(x - 9, y + 4, str(level), font_size=SMALL, fill=AXIS, text_anchor="end"))
    for index, row in enumerate(rows):
        x, y = point(index, 5)
        body.append(f'<line {_attrs(x1=cx, y1=cy, x2=x, y2=y)} stroke="{AXIS}" stroke-width="1"/>')
        lx, ly = point(index, 5.75)
        anchor = "middle" if abs(lx - cx) < 20 else ("start" if lx > cx else "end")
        lines = _wrap(str(row["title"]), 20)
        top = (
            ly - (len(lines) - 1) * 8
            if abs(lx - cx) >= 20
            else (ly - (len(lines) - 1) * 16 if ly < cy else ly + 6)
        )
        body.append(_lines(lx, top + 5, lines, 16, text_anchor=anchor))
    for key, _label, colour, dash, shape, stroke in series:
        values = [row.get(key) for row in rows]
        present = [(i, v) for i, v in enumerate(values) if v is not None]
        if len(present) == len(values) and values:
            outline = " ".join(f"{_num(x)},{_num(y)}" for x, y in (point(i, v) for i, v in present))
            body.append(
                f'<polygon points="{outline}" fill="none" stroke="{colour}" '
                f'stroke-width="{stroke}" stroke-linejoin="round"'
                + (f' stroke-dasharray="{dash}"/>' if dash else "/>")
            )
        body.extend(_marker(shape, *point(i, v), colour) for i, v in present)
    # Legend, one row per series, under the chart.
    legend_y = height - 28 * len(series) + 6
    for n, (key, label, colour, dash, shape, stroke) in enumerate(series):
        y = legend_y + 28 * n
        body.append(
            f'<line {_attrs(x1=cx - 170, y1=float(y), x2=cx - 110, y2=float(y))} stroke="{colour}" '
            f'stroke-width="{stroke}"' + (f' stroke-dasharray="{dash}"/>' if dash else "/>")
        )
        body.append(_marker(shape, cx - 140, y, colour))
        body.append(_text(cx - 98, y + 5, labels.get(key) or _(label)))
    described = "; ".join(
        _(
            "%(area)s: lowest level %(floor)s, target %(target)s, mean %(mean)s",
            area=row["title"],
            floor=_level_words(row.get("floor")),
            target=_level_words(row.get("target")),
            mean=_level_words(row.get("mean")),
        )
        if show_mean
        else _(
            "%(area)s: lowest level %(floor)s, target %(target)s",
            area=row["title"],
            floor=_level_words(row.get("floor")),
            target=_level_words(row.get("target")),
        )
        for row in rows
    )
    desc = _(
        "Maturity level by dimension, on a scale of 1 to 5. %(described)s.", described=described
    )
    return _svg(
        id_prefix, width, height, _("Maturity profile: lowest level against target"), desc, body
    )


def fit_chart(rows: Sequence[Mapping[str, Any]], *, id_prefix: str = "fit") -> Markup:
    """A horizontal bar chart of model fit, 0 to 100 %, one bar per candidate model.

    ``rows`` are the fit table's rows: ``name``, ``fit_percent`` (or None), ``recommended`` and
    ``chosen`` (booleans). Recommended models have solid bars, the others hatched bars, and each
    bar says in words whether its model is recommended or chosen.
    """
    bar_height, gap, left, right = 34, 30, 210, 600
    top = 40
    height = top + len(rows) * (bar_height + gap) + 80
    width = 680
    span = right - left

    def x_of(percent: float) -> float:
        return left + span * percent / 100

    body = [
        f'<defs><pattern id="{id_prefix}-hatch" width="8" height="8" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="8" height="8" fill="white"/>'
        f'<line x1="0" y1="0" x2="0" y2="8" stroke="{FLOOR_COLOUR}" stroke-width="3"/>'
        "</pattern></defs>"
    ]
    axis_bottom = top + len(rows) * (bar_height + gap) - gap / 2
    for tick in range(0, 101, 25):
        x = x_of(tick)
        body.append(
            f'<line {_attrs(x1=x, y1=float(top - 10), x2=x, y2=axis_bottom)} stroke="{RING}" '
            'stroke-width="1" stroke-dasharray="3 3"/>'
        )
        body.append(
            _text(x, axis_bottom + 20, f"{tick}%", font_size=SMALL, fill=AXIS, text_anchor="middle")
        )
    for index, row in enumerate(rows):
        y = top + index * (bar_height + gap)
        notes = [
            w
            for w, on in (
                (_("recommended"), row.get("recommended")),
                (_("chosen"), row.get("chosen")),
            )
            if on
        ]
        body.append(
            _text(
                left - 12,
                y + bar_height / 2 + 1,
                str(row["name"]),
                text_anchor="end",
                font_weight="bold" if notes else None,
            )
        )
        if notes:
            body.append(
                _text(
                    left - 12,
                    y + bar_height / 2 + 18,
                    ", ".join(notes),
                    text_anchor="end",
                    font_size=SMALL,
                    fill=AXIS,
                )
            )
        percent = row.get("fit_percent")
        if percent is None:
            body.append(_text(left + 6, y + bar_height / 2 + 5, _("no fit: not enough answers")))
            continue
        fill = FLOOR_COLOUR if row.get("recommended") else f"url(#{id_prefix}-hatch)"
        body.append(
            f"<rect {_attrs(x=float(left), y=float(y), width=max(x_of(percent) - left, 1.0))} "
            f'height="{bar_height}" fill="{fill}" stroke="{FLOOR_COLOUR}" stroke-width="1.5"/>'
        )
        body.append(
            _text(x_of(percent) + 8, y + bar_height / 2 + 5, f"{percent:g}%", font_weight="bold")
        )
    # Legend.
    legend_y = axis_bottom + 42
    body.append(
        f'<rect x="{left}" y="{_num(legend_y)}" width="28" height="16" fill="{FLOOR_COLOUR}"/>'
    )
    body.append(_text(left + 36, legend_y + 13, _("recommended"), font_size=SMALL))
    body.append(
        f'<rect x="{left + 170}" y="{_num(legend_y)}" width="28" height="16" '
        f'fill="url(#{id_prefix}-hatch)" stroke="{FLOOR_COLOUR}" stroke-width="1.5"/>'
    )
    body.append(_text(left + 206, legend_y + 13, _("not recommended"), font_size=SMALL))

    def row_words(row: Mapping[str, Any]) -> str:
        fit = _("no fit") if row.get("fit_percent") is None else f"{row['fit_percent']:g}%"
        if row.get("recommended") and row.get("chosen"):
            return _("%(model)s: %(fit)s (recommended) (chosen)", model=row["name"], fit=fit)
        if row.get("recommended"):
            return _("%(model)s: %(fit)s (recommended)", model=row["name"], fit=fit)
        if row.get("chosen"):
            return _("%(model)s: %(fit)s (chosen)", model=row["name"], fit=fit)
        return f"{row['name']}: {fit}"

    desc = _(
        "How well each model fits, from 0 to 100 per cent. %(described)s.",
        described="; ".join(row_words(row) for row in rows),
    )
    return _svg(id_prefix, width, int(height), _("Model fit by candidate model"), desc, body)


def _names_that_fit(labels: Sequence[str]) -> list[list[str]]:
    """The first of ``labels``, each wrapped, that fit in :data:`GRID_LINES` lines; when some are
    left out, one line is kept for saying how many."""
    wrapped = [_wrap(label, 30) for label in labels]
    if sum(len(w) for w in wrapped) <= GRID_LINES:
        return wrapped
    kept: list[list[str]] = []
    used = 0
    for lines in wrapped:
        if used + len(lines) > GRID_LINES - 1:
            break
        kept.append(lines)
        used += len(lines)
    return kept


def _some_names(labels: Sequence[str]) -> str:
    """``labels`` joined with commas; past :data:`GRID_NAMED`, the first of them and how many
    more there are."""
    if len(labels) <= GRID_NAMED:
        return ", ".join(labels)
    return _(
        "%(groups)s and %(count)s more",
        groups=", ".join(labels[:GRID_NAMED]),
        count=len(labels) - GRID_NAMED,
    )


def power_interest_grid(rows: Sequence[Mapping[str, Any]], *, id_prefix: str = "grid") -> Markup:
    """Mendelow's power/interest grid with the register's segments listed in their quadrants.

    ``rows`` are register rows with ``label`` and ``quadrant`` (``manage_closely``,
    ``keep_satisfied``, ``keep_informed``, ``monitor`` or None for an unrated segment). Segments
    are listed inside each quadrant, so labels never overlap; unrated segments are named under
    the grid. A crowded quadrant names the groups that fit in :data:`GRID_LINES` lines, in the
    register's order, and says how many more the register lists.
    """
    by_quadrant: dict[str, list[str]] = {key: [] for key, *_rest in QUADRANT_LAYOUT}
    unrated: list[str] = []
    for row in rows:
        by_quadrant.get(str(row.get("quadrant")), unrated).append(str(row["label"]))
    shown = {key: _names_that_fit(labels) for key, labels in by_quadrant.items()}
    line, heading = 20, 46
    most = max(
        (
            sum(len(w) for w in items) + (1 if len(items) < len(by_quadrant[key]) else 0)
            for key, items in shown.items()
        ),
        default=0,
    )
    cell_h = max(130.0, heading + most * line + 16)
    cell_w = 285.0
    left, top = 84.0, 20.0
    width = int(left + 2 * cell_w + 20)
    height = int(top + 2 * cell_h + 70 + (24 if unrated else 0))
    body: list[str] = []
    for key, name, column, row_index in QUADRANT_LAYOUT:
        x, y = left + column * cell_w, top + row_index * cell_h
        shade = "#eef3f8" if key == "manage_closely" else "white"
        body.append(
            f'<rect {_attrs(x=x, y=y, width=cell_w, height=cell_h)} fill="{shade}" '
            f'stroke="{AXIS}" stroke-width="1.5"/>'
        )
        body.append(_text(x + 14, y + 26, _(name), font_weight="bold"))
        body.append(
            _text(
                x + cell_w - 14,
                y + 26,
                f"{len(by_quadrant[key])}",
                text_anchor="end",
                fill=AXIS,
                font_size=SMALL,
            )
        )
        offset = y + heading + 4
        for lines in shown[key]:
            body.append(_marker("circle", x + 20, offset - 5, FLOOR_COLOUR, 3.5))
            body.append(_lines(x + 32, offset, lines, line))
            offset += len(lines) * line
        more = len(by_quadrant[key]) - len(shown[key])
        if more:
            body.append(
                _text(
                    x + 32,
                    offset,
                    _("and %(count)s more in the register", count=more),
                    fill=AXIS,
                    font_style="italic",
                )
            )
        if not by_quadrant[key]:
            body.append(_text(x + 14, offset, _("none"), fill=AXIS, font_style="italic"))
    bottom = top + 2 * cell_h
    # Axes: power upwards on the left, interest rightwards along the bottom.
    body.append(
        f'<line {_attrs(x1=left - 52, y1=bottom, x2=left - 52, y2=top + 8)} stroke="{INK}" '
        'stroke-width="2"/>'
        f'<polygon points="{_num(left - 58)},{_num(top + 12)} {_num(left - 52)},{_num(top)} '
        f'{_num(left - 46)},{_num(top + 12)}" fill="{INK}"/>'
    )
    body.append(
        _text(
            left - 60,
            top + cell_h,
            _("Power"),
            text_anchor="middle",
            font_weight="bold",
            transform=f"rotate(-90 {_num(left - 60)} {_num(top + cell_h)})",
        )
    )
    body.append(
        _text(left - 8, top + cell_h / 2, _("high"), text_anchor="end", font_size=SMALL, fill=AXIS)
    )
    body.append(
        _text(left - 8, top + 1.5 * cell_h, _("low"), text_anchor="end", font_size=SMALL, fill=AXIS)
    )
    axis_y = bottom + 24
    body.append(
        f"<line {_attrs(x1=left, y1=axis_y, x2=left + 2 * cell_w - 8, y2=axis_y)} "
        f'stroke="{INK}" stroke-width="2"/>'
        f'<polygon points="{_num(left + 2 * cell_w - 12)},{_num(axis_y - 6)} '
        f"{_num(left + 2 * cell_w)},{_num(axis_y)} {_num(left + 2 * cell_w - 12)},"
        f'{_num(axis_y + 6)}" fill="{INK}"/>'
    )
    body.append(
        _text(
            left + cell_w / 2,
            axis_y + 22,
            _("low"),
            text_anchor="middle",
            font_size=SMALL,
            fill=AXIS,
        )
    )
    body.append(
        _text(left + cell_w, axis_y + 22, _("Interest"), text_anchor="middle", font_weight="bold")
    )
    body.append(
        _text(
            left + 1.5 * cell_w,
            axis_y + 22,
            _("high"),
            text_anchor="middle",
            font_size=SMALL,
            fill=AXIS,
        )
    )
    if unrated:
        body.append(
            _text(
                left,
                axis_y + 48,
                _("Not yet rated: %(groups)s", groups=_some_names(unrated)),
                font_size=SMALL,
            )
        )
    described = "; ".join(
        f"{_(name)}: " + (_some_names(by_quadrant[key]) if by_quadrant[key] else _("none"))
        for key, name, _c, _r in QUADRANT_LAYOUT
    )
    if unrated:
        described += "; " + _("not yet rated: %(groups)s", groups=_some_names(unrated))
    desc = _(
        "Stakeholder segments by power (up) and interest (right), in Mendelow's four quadrants. "
        "%(described)s.",
        described=described,
    )
    return _svg(
        id_prefix,
        width,
        height,
        _("Power and interest grid of the stakeholder register"),
        desc,
        body,
    )
