"""Charts: valid SVG with a text alternative, no inline style, series told apart without colour."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from assess.charts import fit_chart, power_interest_grid, radar_chart

SVG = "{http://www.w3.org/2000/svg}"

PROFILE = [
    {"title": "Leadership and governance", "floor": 2, "mean": 2.33, "target": 4},
    {"title": "Lobbies, pressure groups and the media", "floor": 3, "mean": 3.4, "target": 4},
    {"title": "Measuring & improving <b>", "floor": None, "mean": None, "target": 3},
]
FIT = [
    {"name": "Customer model", "fit_percent": 31.8, "recommended": False, "chosen": False},
    {"name": "Citizen model", "fit_percent": 87.5, "recommended": True, "chosen": True},
    {"name": "Stakeholder model", "fit_percent": None, "recommended": False, "chosen": False},
]
GRID = [
    {"label": "Residents", "quadrant": "manage_closely"},
    {"label": "Media", "quadrant": "manage_closely"},
    {"label": "Staff", "quadrant": "monitor"},
    {"label": "Council tenants & <friends>", "quadrant": "keep_informed"},
    {"label": "Parish councils", "quadrant": None},
]


def _charts() -> dict[str, Markup]:
    return {
        "radar": radar_chart(PROFILE),
        "fit": fit_chart(FIT),
        "grid": power_interest_grid(GRID),
    }


@pytest.mark.parametrize("name", ["radar", "fit", "grid"])
def test_each_chart_is_an_accessible_svg_without_inline_style(name):
    markup = _charts()[name]
    assert isinstance(markup, Markup)
    root = ET.fromstring(str(markup))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox")
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text
    assert desc is not None and desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    for element in root.iter():
        assert "style" not in element.attrib, element.tag
        assert element.tag != f"{SVG}style"


def test_the_radar_states_every_figure_in_words_and_marks_series_by_shape_and_dash():
    root = ET.fromstring(str(radar_chart(PROFILE)))
    desc = root.find(f"{SVG}desc").text
    assert "Leadership and governance: lowest level 2, target 4, mean 2.33" in desc
    assert "Measuring & improving <b>: lowest level no level, target 3" in desc
    complete = ET.fromstring(str(radar_chart(PROFILE[:2])))
    dashes = {e.get("stroke-dasharray") for e in complete.iter(f"{SVG}polygon")}
    assert {"9 5", "2 4"} <= dashes
    assert root.find(f"{SVG}circle") is not None and root.find(f"{SVG}rect") is not None


def test_the_radar_can_leave_out_the_mean():
    desc = ET.fromstring(str(radar_chart(PROFILE, show_mean=False))).find(f"{SVG}desc").text
    assert "mean" not in desc.lower().replace("maturity", "")


def test_the_fit_chart_names_the_recommended_model_in_words_not_only_by_fill():
    root = ET.fromstring(str(fit_chart(FIT)))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "recommended, chosen" in texts
    assert "87.5%" in texts
    assert "no fit: not enough answers" in texts
    assert root.find(f".//{SVG}pattern") is not None
    assert "Citizen model: 87.5% (recommended) (chosen)" in root.find(f"{SVG}desc").text


def test_the_grid_lists_each_segment_once_inside_its_quadrant():
    root = ET.fromstring(str(power_interest_grid(GRID)))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    for label in ("Residents", "Media", "Staff", "Council tenants & <friends>"):
        assert texts.count(label) == 1
    assert "Not yet rated: Parish councils" in texts
    desc = root.find(f"{SVG}desc").text
    assert "Manage closely: Residents, Media" in desc
    assert "Keep satisfied: none" in desc


def test_the_grid_grows_to_fit_a_crowded_quadrant():
    few = ET.fromstring(str(power_interest_grid(GRID)))
    many = ET.fromstring(
        str(
            power_interest_grid([{"label": f"Group {n}", "quadrant": "monitor"} for n in range(20)])
        )
    )
    height = lambda root: float(root.get("viewBox").split()[3])  # noqa: E731
    assert height(many) > height(few)


def test_a_crowded_quadrant_names_what_fits_and_counts_the_rest():
    rows = [
        {"label": f"Residents' association of ward {n}", "quadrant": "monitor"} for n in range(40)
    ]
    rows += [{"label": "Media", "quadrant": "manage_closely"}]
    root = ET.fromstring(str(power_interest_grid(rows)))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    # Each of these labels wraps onto two lines: five fit in the quadrant's twelve lines with one
    # kept for the count of the others.
    named = [t for t in texts if t and t.startswith("Residents' association of")]
    assert len(named) == 5
    assert "and 35 more in the register" in texts
    assert "40" in texts  # the quadrant's count is every group in it
    assert "Media" in texts  # a quadrant with room names everyone
    desc = root.find(f"{SVG}desc").text
    assert "Monitor: Residents' association of ward 0," in desc
    assert "ward 11 and 28 more" in desc
    assert "ward 12" not in desc


def test_the_grid_stays_one_height_however_large_the_register():
    def height(groups: int) -> float:
        rows = [
            {"label": f"Group {n}", "quadrant": ("monitor", "keep_informed", None)[n % 3]}
            for n in range(groups)
        ]
        root = ET.fromstring(str(power_interest_grid(rows)))
        return float(root.get("viewBox").split()[3])

    assert height(40) == height(500) == height(5000)
    assert height(6) < height(40)
    rows = [{"label": f"Group {n}", "quadrant": None} for n in range(30)]
    texts = [t.text for t in ET.fromstring(str(power_interest_grid(rows))).iter(f"{SVG}text")]
    assert (
        "Not yet rated: Group 0, Group 1, Group 2, Group 3, Group 4, Group 5, Group 6, "
        "Group 7, Group 8, Group 9, Group 10, Group 11 and 18 more" in texts
    )


def test_two_charts_on_one_page_get_distinct_ids():
    first = ET.fromstring(str(fit_chart(FIT, id_prefix="a")))
    second = ET.fromstring(str(fit_chart(FIT, id_prefix="b")))
    ids = lambda root: {e.get("id") for e in root.iter() if e.get("id")}  # noqa: E731
    assert not ids(first) & ids(second)
