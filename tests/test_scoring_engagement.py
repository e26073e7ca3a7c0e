"""Stakeholder segments: salience, quadrants, the engagement table and the engagement gap."""

from __future__ import annotations

import pytest
from scoring_helpers import answered, answers, real, row

from assess.questionnaire.answers import RegisterRow
from assess.questionnaire.schema import RegisterQuestion
from assess.scoring import score_register
from assess.scoring.engagement import (
    AFFECTED_FROM_INTEREST,
    CAP_CONFLICT,
    START,
    STEP_CITIZEN,
    STEP_CUSTOMER,
    WHY_AFFECTED,
    WHY_EXTRA_SUPPORT,
    WHY_GAP,
    WHY_LEGITIMATE,
    quadrant,
    recommended_level,
    salience,
    score_rows,
    score_segment,
)


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


def test_without_the_affected_rating_a_new_register_row_is_not_rated():
    question = real("definition").question("register")
    assert score_segment(question, row("residents", 1, 4, 1, 4)).status == "not_rated"


@pytest.mark.parametrize(
    ("legitimacy", "affected", "expected"),
    [(1, 1, "inform"), (2, 4, "consult"), (3, 2, "consult"), (4, 3, "involve")],
)
def test_the_starting_level_comes_from_legitimacy_and_how_far_the_group_is_affected(
    legitimacy, affected, expected
):
    # Power and interest vary and change nothing.
    for power, interest in ((1, 1), (4, 4), (4, 1)):
        level, _why = recommended_level(row("s", power, legitimacy, 1, interest, affected=affected))
        assert level == expected


def test_power_sets_the_relationship_plan_not_the_level():
    loud = row("s", 4, 2, 4, 4, affected=2)
    quiet = row("s", 1, 4, 1, 1, affected=4)
    assert (quadrant(loud), quadrant(quiet)) == ("manage_closely", "monitor")
    assert recommended_level(loud, ["stakeholder"])[0] == "inform"
    assert recommended_level(quiet, ["stakeholder"])[0] == "involve"


def test_the_citizen_model_raises_every_legitimate_claim():
    for power in (1, 4):
        level, why = recommended_level(row("s", power, 3, 1, 1, affected=1), ["citizen"])
        assert (level, why[-1]) == ("involve", STEP_CITIZEN)
    assert recommended_level(row("s", 4, 2, 4, 4, affected=4), ["citizen"])[0] == "consult"


def test_the_stakeholder_model_raises_a_claim_both_legitimate_and_urgent():
    assert recommended_level(row("s", 1, 3, 3, 1, affected=1), ["stakeholder"])[0] == "involve"
    assert recommended_level(row("s", 4, 3, 2, 4, affected=1), ["stakeholder"])[0] == "consult"


def test_a_blend_adds_at_most_one_level_and_nothing_is_recommended_above_collaborate():
    definitive = row("s", 4, 4, 4, 4, affected=4)
    level, reasons = recommended_level(definitive, ["stakeholder", "citizen"])
    assert level == "collaborate"
    assert reasons == (START[(True, True)], STEP_CITIZEN)


def test_little_legitimacy_is_capped_at_consult():
    assert recommended_level(row("s", 4, 2, 4, 4, affected=4), ["citizen"]) == (
        "consult",
        (START[(False, True)],),
    )


@pytest.mark.parametrize("interest", ["commercial", "regulatory"])
def test_a_group_that_stands_to_gain_is_consulted_at_most(interest):
    firms = row("s", 4, 4, 4, 4, affected=4, conflict=interest)
    level, why = recommended_level(firms, ["citizen"])
    assert (level, why[-1]) == ("consult", CAP_CONFLICT)
    assert recommended_level(row("s", 4, 4, 4, 4, affected=4, conflict="none"), ["citizen"])[0] == (
        "collaborate"
    )


def test_the_media_get_a_media_relations_plan_not_a_level():
    question = real("definition").question("register")
    media = score_segment(question, row("media", 4, 4, 4, 4, "empower", affected=4))
    assert (media.recommended, media.status, media.gap, media.above_by, media.media) == (
        None,
        "media_relations",
        0,
        0,
        True,
    )
    assert media.quadrant == "manage_closely"


def test_over_engagement_is_reported_as_above_what_is_needed_not_a_negative_gap():
    question = real("definition").question("register")
    result = score_segment(question, row("lobbies", 4, 2, 3, 4, "empower", affected=4))
    assert (result.recommended, result.status, result.gap, result.above_by) == (
        "consult",
        "above_needed",
        0,
        3,
    )
    assert result.label == "Lobbies and pressure groups"


def test_under_engagement_and_a_match():
    question = real("definition").question("register")
    below = score_segment(question, row("special-needs", 1, 4, 4, 4, "none", affected=4))
    assert (below.recommended, below.status, below.gap) == ("involve", "below_needed", 3)
    assert below.extra_support
    matches = score_segment(question, row("residents", 1, 1, 1, 1, "inform", affected=1))
    assert (matches.status, matches.gap, matches.above_by) == ("matches", 0, 0)


def test_under_the_customer_model_people_needing_support_are_never_below_others():
    question = real("definition").question("register")
    rows = [
        row("businesses", 4, 4, 4, 4, "consult", affected=4),
        row("special-needs", 1, 3, 1, 1, "inform", affected=1),
        row("custom-deaf", 1, 3, 1, 1, "inform", label="Deaf BSL users", affected=1, support="yes"),
    ]
    scored = score_rows(question, rows, ["customer"])
    assert [s.recommended for s in scored] == ["involve", "involve", "involve"]
    assert scored[1].reasons[-1] == STEP_CUSTOMER
    # Without the Customer model nobody is raised past their own claim.
    assert [s.recommended for s in score_rows(question, rows, ["stakeholder"])] == [
        "collaborate",
        "consult",
        "consult",
    ]


def test_engagement_gaps_are_ranked_people_needing_support_first_and_say_why():
    question = real("definition").question("register")
    rows = [
        row("residents", 3, 4, 2, 2, "none", affected=4),
        row("staff", 2, 3, 2, 3, "inform", affected=2),
        row("special-needs", 1, 4, 4, 4, "consult", affected=4),
        row("partners", 3, 4, 2, 3, "consult", affected=4),
    ]
    scored = score_rows(question, rows, ["citizen"])
    assert [(s.segment_id, s.gap, s.gap_rank) for s in scored] == [
        ("residents", 4, 2),
        ("staff", 2, 4),
        ("special-needs", 2, 1),
        ("partners", 2, 3),
    ]
    assert scored[2].gap_why == (WHY_EXTRA_SUPPORT, WHY_GAP, WHY_LEGITIMATE, WHY_AFFECTED)
    assert scored[1].gap_why == (WHY_GAP, WHY_LEGITIMATE)


def test_regard_is_flagged_when_it_differs_from_the_chosen_model():
    question = real("definition").question("register")
    rows = [
        row("residents", 3, 4, 2, 2, regard="customer", affected=4),
        row("staff", 2, 3, 2, 3, regard="citizen", affected=2),
        row("partners", 2, 3, 2, 3, affected=2),
    ]
    assert [s.regard_differs for s in score_rows(question, rows, ["citizen"])] == [
        True,
        False,
        False,
    ]
    assert not any(s.regard_differs for s in score_rows(question, rows, ()))


def test_an_older_register_reads_interest_for_how_far_a_group_is_affected():
    older = RegisterQuestion.model_validate(
        {
            **real("definition").question("register").model_dump(by_alias=True),
            "attributes": [
                a.model_dump(by_alias=True)
                for a in real("definition").question("register").attributes
                if a.id not in ("affected", "conflict", "support")
            ],
            "segments": [
                {"id": s.id, "label": s.label.root}
                for s in real("definition").question("register").segments
            ],
        }
    )
    scored = score_rows(older, [row("residents", 1, 4, 1, 4, "inform"), row("media", 4, 2, 4, 4)])
    assert scored[0].recommended == "involve"
    assert scored[0].reasons == (AFFECTED_FROM_INTEREST, START[(True, True)])
    assert scored[1].media


def test_without_todays_level_there_is_a_recommendation_but_no_gap():
    question = real("definition").question("register")
    result = score_segment(question, row("staff", 3, 3, 1, 3, affected=3))
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
    rows = (
        row("media", 4, 2, 3, 4, "inform", affected=1),
        row("residents", 3, 4, 2, 3, "consult", affected=4),
    )
    segments = score_register(real("definition"), answers(answered("register", rows)))
    assert [s.segment_id for s in segments] == ["media", "residents"]
    assert {s.question_id for s in segments} == {"register"}


@pytest.mark.parametrize("rating", [0, 5])
def test_a_rating_outside_one_to_four_is_refused(rating):
    question = real("definition").question("register")
    with pytest.raises(ValueError, match="power"):
        score_segment(question, row("residents", rating, 1, 1, 1))
