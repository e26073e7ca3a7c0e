"""Stakeholder segments: salience, quadrants, the engagement table and the engagement gap."""

from __future__ import annotations

import pytest
from scoring_helpers import answered, answers, real, row

from assess.questionnaire.answers import RegisterRow
from assess.scoring import score_register
from assess.scoring.engagement import quadrant, recommended_level, salience, score_segment


@pytest.mark.parametrize(
    ("p", "l", "u", "held", "klass", "kind"),
    [
        (1, 2, 2, (), "non_stakeholder", None),
        (3, 1, 1, ("power",), "latent", "dormant"),
        (2, 4, 2, ("legitimacy",), "latent", "discretionary"),
        (1, 1, 3, ("urgency",), "latent", "demanding"),
        (4, 3, 2, ("power", "legitimacy"), "expectant", "dominant"),
        (3, 2, 4, ("power", "urgency"), "expectant", "dangerous"),
        (2, 3, 3, ("legitimacy", "urgency"), "expectant", "dependent"),
        (3, 3, 3, ("power", "legitimacy", "urgency"), "definitive", "definitive"),
    ],
)
def test_salience_counts_the_attributes_rated_three_or_more(p, l, u, held, klass, kind):  # noqa: E741
    assert salience(row("s", p, l, u, 1)) == (held, klass, kind)


@pytest.mark.parametrize(
    ("p", "i", "expected"),
    [
        (3, 3, "manage_closely"),
        (4, 2, "keep_satisfied"),
        (2, 4, "keep_informed"),
        (2, 2, "monitor"),
    ],
)
def test_the_power_interest_grid(p, i, expected):
    assert quadrant(row("s", p, 1, 1, i)) == expected


def test_an_unrated_segment_has_no_class_and_no_recommendation():
    unrated = RegisterRow("s", power=3, interest=3)
    assert salience(unrated) == ((), None, None)
    assert recommended_level(unrated) == (None, ())
    assert score_segment(real("definition").question("register"), unrated).status == "not_rated"


@pytest.mark.parametrize(
    ("p", "l", "u", "i", "expected"),
    [
        (1, 1, 1, 1, "inform"),  # monitor
        (1, 3, 3, 1, "consult"),  # monitor, legitimate and urgent
        (1, 1, 1, 3, "consult"),  # keep informed
        (1, 3, 3, 3, "involve"),  # keep informed, legitimate and urgent
        (3, 1, 1, 1, "consult"),  # keep satisfied
        (3, 3, 3, 1, "involve"),  # keep satisfied, legitimate and urgent
        (3, 1, 1, 3, "involve"),  # manage closely
        (3, 3, 3, 3, "collaborate"),  # manage closely, legitimate and urgent
    ],
)
def test_the_engagement_table_without_a_model(p, l, u, i, expected):  # noqa: E741
    assert recommended_level(row("s", p, l, u, i))[0] == expected


def test_the_stakeholder_model_adds_a_level_for_power_with_legitimacy():
    dominant = row("s", 3, 3, 1, 1)
    assert recommended_level(dominant, ["stakeholder"])[0] == "involve"
    assert recommended_level(dominant, ["citizen"])[0] == "consult"
    assert recommended_level(dominant, ["customer"])[0] == "consult"


def test_the_citizen_model_adds_a_level_for_legitimacy_without_power():
    discretionary = row("s", 1, 3, 1, 3)
    assert recommended_level(discretionary, ["citizen"])[0] == "involve"
    assert recommended_level(discretionary, ["stakeholder"])[0] == "consult"


def test_a_blend_adds_at_most_one_level_and_nothing_is_recommended_above_collaborate():
    definitive = row("s", 4, 4, 4, 4)
    level, reasons = recommended_level(definitive, ["stakeholder", "citizen"])
    assert level == "collaborate"
    assert reasons[-1] == "capped at collaborate"


def test_over_engagement_is_reported_as_above_what_is_needed_not_a_negative_gap():
    question = real("definition").question("register")
    result = score_segment(question, row("media", 4, 2, 3, 4, "empower"))
    assert (result.recommended, result.status, result.gap, result.above_by) == (
        "involve",
        "above_needed",
        0,
        2,
    )
    assert result.label == "Media"


def test_under_engagement_and_a_match():
    question = real("definition").question("register")
    below = score_segment(question, row("special-needs", 1, 4, 4, 4, "none"))
    assert (below.recommended, below.status, below.gap) == ("involve", "below_needed", 3)
    matches = score_segment(question, row("residents", 1, 1, 1, 1, "inform"))
    assert (matches.status, matches.gap, matches.above_by) == ("matches", 0, 0)


def test_without_todays_level_there_is_a_recommendation_but_no_gap():
    question = real("definition").question("register")
    result = score_segment(question, row("staff", 3, 3, 1, 3))
    assert (result.recommended, result.status) == ("involve", "not_recorded")


def test_a_custom_segment_keeps_the_bodys_own_name():
    question = real("definition").question("register")
    result = score_segment(question, row("custom-tenants", 1, 1, 1, 1, label="Council tenants"))
    assert result.label == "Council tenants"


def test_an_unknown_engagement_level_is_refused():
    question = real("definition").question("register")
    with pytest.raises(ValueError, match="residents"):
        score_segment(question, row("residents", 1, 1, 1, 1, "shout"))


def test_the_register_is_scored_in_the_order_given():
    rows = (row("media", 4, 2, 3, 4, "inform"), row("residents", 3, 4, 2, 3, "consult"))
    segments = score_register(real("definition"), answers(answered("register", rows)))
    assert [s.segment_id for s in segments] == ["media", "residents"]
    assert {s.question_id for s in segments} == {"register"}


@pytest.mark.parametrize("rating", [0, 5])
def test_a_rating_outside_one_to_four_is_refused(rating):
    question = real("definition").question("register")
    with pytest.raises(ValueError, match="power"):
        score_segment(question, row("residents", rating, 1, 1, 1))
