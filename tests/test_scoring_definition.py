"""What the definition answers show, and the contradictions with the adoption answers."""

from __future__ import annotations

import pytest
from scoring_helpers import answered, answers, dont_know, real, row

from assess.questionnaire.schema import LevelQuestion, RegisterQuestion, SingleQuestion
from assess.scoring import score_assessment
from assess.scoring.definition import (
    REGISTER_RULE,
    RULES,
    find_contradictions,
    summarise_definition,
)

DEFINITION = real("definition")
ADOPTION = real("adoption")


@pytest.mark.parametrize("rule", [REGISTER_RULE, *RULES], ids=lambda r: r.id)
def test_every_rule_names_questions_and_options_the_questionnaires_have(rule):
    left = DEFINITION.question(rule.definition_question)
    right = ADOPTION.question(rule.adoption_question)
    assert isinstance(right, LevelQuestion)
    assert 1 <= rule.lowest <= rule.highest <= 5
    if isinstance(left, RegisterQuestion):
        assert rule.options == ()
    else:
        assert isinstance(left, SingleQuestion)
        assert set(rule.options) <= {o.id for o in left.options}


def _contradictions(definition_answers, adoption_answers):
    return find_contradictions(
        DEFINITION, answers(*definition_answers), ADOPTION, answers(*adoption_answers)
    )


def test_a_named_senior_owner_contradicts_nobody_being_accountable():
    found = _contradictions(
        [answered("def-owner", "senior-named")], [answered("lead-accountability", 1)]
    )
    assert [(c.rule_id, c.definition_options, c.adoption_level) for c in found] == [
        ("senior-owner-but-nobody-accountable", ("senior-named",), 1)
    ]
    assert "nobody is named" in found[0].text


def test_consistent_answers_raise_nothing():
    assert not _contradictions(
        [answered("def-owner", "senior-named"), answered("def-written", "yes-corporate")],
        [answered("lead-accountability", 3), answered("strat-definition", 3)],
    )


@pytest.mark.parametrize(
    ("definition", "adoption", "rule_id"),
    [
        (("def-written", "yes-corporate"), ("strat-definition", 2), "written-statement-but-no"),
        (("def-written", "no"), ("strat-definition", 4), "no-statement-but-agreed"),
        (("def-segmentation", "yes-corporate"), ("map-segmentation", 1), "corporate-segments"),
        (("def-priority", "pressure"), ("fair-prioritisation", 3), "priority-by-pressure"),
        (("def-media", "ad-hoc"), ("org-media", 5), "media-ad-hoc-but-written"),
    ],
)
def test_each_pair_that_cannot_both_be_true_is_flagged(definition, adoption, rule_id):
    found = _contradictions([answered(*definition)], [answered(*adoption)])
    assert len(found) == 1 and found[0].rule_id.startswith(rule_id)


def test_a_planned_approach_to_lobbies_contradicts_no_record_and_no_policy():
    found = _contradictions(
        [answered("def-lobbies", "planned")],
        [answered("org-contact-record", 1), answered("org-policy", 1)],
    )
    assert [c.rule_id for c in found] == [
        "lobbies-recorded-but-no-record",
        "lobbies-rule-but-no-policy",
    ]


def test_a_filled_in_register_contradicts_keeping_no_register():
    register = answered("register", (row("residents", 3, 4, 2, 2, affected=4),))
    found = _contradictions([register], [answered("map-register", 1)])
    assert [(c.rule_id, c.definition_options) for c in found] == [
        ("register-listed-but-none-kept", ("1",))
    ]
    assert not _contradictions([register], [answered("map-register", 2)])


def test_dont_know_and_hidden_answers_contradict_nothing():
    assert not _contradictions([dont_know("def-owner")], [answered("lead-accountability", 1)])
    assert not _contradictions(
        [answered("def-owner", "senior-named")], [dont_know("lead-accountability")]
    )


def test_the_summary_gives_each_choice_question_and_its_answer_in_plain_words():
    items = summarise_definition(
        DEFINITION,
        answers(answered("def-written", "no"), answered("def-owner", "senior-named")),
    )
    by_id = {i.question_id: i for i in items}
    assert by_id["def-written"].answer[0].startswith("No: who counts as a stakeholder")
    assert by_id["def-where"].status == "hidden"  # shown only when a statement exists
    assert by_id["def-owner"].option_ids == ("senior-named",)
    assert by_id["def-media"].status == "unanswered"
    assert "register" not in by_id and "def-own-words" not in by_id


def test_the_assessment_result_carries_both():
    result = score_assessment(
        adoption=ADOPTION,
        adoption_answers=answers(answered("lead-accountability", 1)),
        definition=DEFINITION,
        definition_answers=answers(answered("def-owner", "senior-named")),
    )
    assert [c.rule_id for c in result.contradictions] == ["senior-owner-but-nobody-accountable"]
    assert any(i.question_id == "def-owner" for i in result.definition_summary)


def test_the_method_document_lists_every_rule():
    from scoring_helpers import ROOT

    doc = " ".join((ROOT / "docs" / "methodology.md").read_text(encoding="utf-8").split())
    for rule in (REGISTER_RULE, *RULES):
        assert f"| {rule.id} |" in doc and rule.text in doc, rule.id
