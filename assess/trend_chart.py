"""The trend chart: the overall level and maturity score of each finalised assessment, in order.

Drawn with the same conventions as :mod:`assess.charts` (presentation attributes only,
``role="img"`` with a ``<title>`` and a ``<desc>`` that gives every figure in words, series told
apart by dash and marker shape as well as colour). Each point is labelled with its date and the
method version its figures were worked out with; where the method changes, a dashed vertical line
says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup

from assess.charts import (
    AXIS,
    FLOOR_COLOUR,
    MEAN_COLOUR,
    RING,
    SMALL,
    TARGET_COLOUR,
    _attrs,
    _marker,
    _num,
    _svg,
    _text,
)


def trend_chart(points: Sequence[Mapping[str, Any]], *, id_prefix: str = "trend") -> Markup:
    """A line chart of ``points`` (oldest first): each a mapping with ``label`` (the date),
    ``method_version``, ``level`` (1 to 5 or None) and ``score`` (1.0 to 5.0 or None)."""
    width, height = 680, 360
    left, right, top, bottom = 70, 620, 40, 250
    count = len(points)
    step = (right - left) / max(count - 1, 1)

    def x_of(index: int) -> float:
        return left + (index * step if count > 1 else (right - left) / 2)

    def y_of(value: float) -> float:
        return bottom - (value - 1) * (bottom - top) / 4

    body: list[str] = []
    for level in range(1, 6):
        y = y_of(level)
        body.append(
            f'<line {_attrs(x1=float(left), y1=y, x2=float(right), y2=y)} stroke="{RING}" '
            'stroke-width="1" stroke-dasharray="3 3"/>'
        )
        body.append(
            _text(
                left - 12,
                y + 5,
                _("Level %(level)d", level=level),
                text_anchor="end",
                font_size=SMALL,
            )
        )
    for index, point in enumerate(points):
        x = x_of(index)
        body.append(
            _text(x, bottom + 24, str(point["label"]), text_anchor="middle", font_size=SMALL)
        )
        body.append(
            _text(
                x,
                bottom + 42,
                _("method %(version)s", version=point["method_version"]),
                text_anchor="middle",
                font_size=SMALL,
                fill=AXIS,
            )
        )
        if index and point["method_version"] != points[index - 1]["method_version"]:
            between = (x + x_of(index - 1)) / 2
            body.append(
                f"<line {_attrs(x1=between, y1=float(top - 20), x2=between, y2=float(bottom))} "
                f'stroke="{TARGET_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>'
            )
            body.append(
                _text(
                    between + 6,
                    top - 8,
                    _("Method %(version)s from here", version=point["method_version"]),
                    font_size=SMALL,
                    fill=TARGET_COLOUR,
                )
            )
    series = (
        ("score", _("Maturity score"), MEAN_COLOUR, None, "circle"),
        ("level", _("Overall level"), FLOOR_COLOUR, "8 5", "square"),
    )
    for key, _label, colour, dash, shape in series:
        placed = [(x_of(i), y_of(p[key])) for i, p in enumerate(points) if p.get(key) is not None]
        if len(placed) > 1:
            path = " ".join(f"{_num(x)},{_num(y)}" for x, y in placed)
            body.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"'
                + (f' stroke-dasharray="{dash}"' if dash else "")
                + "/>"
            )
        for (x, y), point in zip(
            placed, [p for p in points if p.get(key) is not None], strict=True
        ):
            body.append(_marker(shape, x, y, colour))
            if key == "score":
                body.append(
                    _text(x, y - 12, f"{point[key]:.1f}", text_anchor="middle", font_size=SMALL)
                )
    legend_y = bottom + 72
    for index, (_key, label, colour, dash, shape) in enumerate(series):
        x = left + index * 230
        ends = _attrs(x1=float(x), y1=float(legend_y), x2=float(x + 34), y2=float(legend_y))
        body.append(
            f'<line {ends} stroke="{colour}" stroke-width="2.5"'
            + (f' stroke-dasharray="{dash}"' if dash else "")
            + "/>"
        )
        body.append(_marker(shape, x + 17, legend_y, colour))
        body.append(_text(x + 44, legend_y + 5, label, font_size=SMALL))

    def point_words(p: Mapping[str, Any]) -> str:
        if p.get("level") is None:
            return _(
                "%(label)s (method %(version)s): no level",
                label=p["label"],
                version=p["method_version"],
            )
        if p.get("score") is None:
            return _(
                "%(label)s (method %(version)s): level %(level)s",
                label=p["label"],
                version=p["method_version"],
                level=p["level"],
            )
        return _(
            "%(label)s (method %(version)s): level %(level)s, maturity score %(score)s",
            label=p["label"],
            version=p["method_version"],
            level=p["level"],
            score=f"{p['score']:.1f}",
        )

    changes = [
        _(
            "the method changed to %(version)s at %(label)s",
            version=p["method_version"],
            label=p["label"],
        )
        for i, p in enumerate(points)
        if i and p["method_version"] != points[i - 1]["method_version"]
    ]
    desc = _(
        "The overall level and maturity score of each finalised assessment, oldest first. "
        "%(described)s.",
        described="; ".join(point_words(p) for p in points),
    )
    if changes:
        desc += " " + _(
            "Note: %(changes)s, so figures either side are not worked out the same way.",
            changes="; ".join(changes),
        )
    return _svg(id_prefix, width, height, _("Maturity over time"), desc, body)
