"""An answer is checked against its question; ``show_if`` hides questions, chains included."""

from __future__ import annotations

from pathlib import Path

import pytest

from assess.questionnaire import loader
from assess.questionnaire.answers import Answer, RegisterRow, Status
from assess.questionnaire.validation import (
    NOTE_MAX_LENGTH,
    check_answer,
    condition_met,
    is_visible,
    visible_answers,
    visible_questions,
)

VALID = Path(__file__).parent / "data" / "questionnaires" / "valid"


@pytest.fixture(scope="module")
def qset():
    return loader.load_directory(VALID)


@pytest.fixture(scope="module")
def definition(qset):
    return qset.definition


def answer(question_id: str, value=None, status=Status.ANSWERED, note="") -> Answer:
    return Answer(question_id=question_id, status=status, value=value, note=note)


def check(questionnaire, question_id, value=None, **kwargs) -> list[str]:
    question = questionnaire.question(question_id)
    return check_answer(question, answer(question_id, value, **kwargs))


# -- values -----------------------------------------------------------------------------------


def test_a_single_answer_must_be_one_of_the_options(definition):
    assert check(definition, "def-written", "yes") == []
    assert check(definition, "def-written", "maybe") == [
        "'maybe' is not one of this question's options"
    ]
    assert check(definition, "def-written", ("yes",)) == [
        "the answer should be one option, not ('yes',)"
    ]


def test_a_multiple_answer_takes_known_options_up_to_the_limit(definition):
    assert check(definition, "def-where", ("website", "plan")) == []
    assert check(definition, "def-where", ("website", "leaflet")) == [
        "'leaflet' is not one of this question's options"
    ]
    assert check(definition, "def-where", ("website", "plan", "intranet")) == [
        "choose up to 2 options: 3 are chosen"
    ]
    assert check(definition, "def-where", ("plan", "plan")) == ["an option is chosen twice"]


def test_a_level_answer_is_a_level_from_one_to_five(qset):
    adoption = qset.adoption
    assert check(adoption, "lead-commitment", 5) == []
    assert check(adoption, "lead-commitment", 6) == [
        "level 6 is out of range: choose a level from 1 to 5"
    ]
    assert check(adoption, "lead-commitment", 0) == [
        "level 0 is out of range: choose a level from 1 to 5"
    ]
    assert check(adoption, "lead-commitment", "3") == [
        "the answer should be a level from 1 to 5, not '3'"
    ]
    assert check(adoption, "lead-commitment", True) == [
        "the answer should be a level from 1 to 5, not True"
    ]


def test_a_text_answer_has_a_length_limit(definition):
    assert check(definition, "def-link", "x" * 200) == []
    assert check(definition, "def-link", "x" * 201) == [
        "the answer must be 200 characters or fewer: it is 201"
    ]


def test_an_empty_answer_is_simply_unanswered(definition):
    assert check(definition, "def-written", None) == []
    assert check(definition, "def-where", ()) == []
    assert check(definition, "def-link", "") == []


def test_the_evidence_note_has_a_documented_limit(definition):
    assert NOTE_MAX_LENGTH == 5000
    assert check(definition, "def-written", "yes", note="n" * 5000) == []
    assert check(definition, "def-written", "yes", note="n" * 5001) == [
        "the evidence note must be 5000 characters or fewer: it is 5001"
    ]


def test_not_applicable_and_dont_know_only_where_offered(definition, qset):
    # def-written: allow_na false (default), allow_dont_know true (default).
    assert check(definition, "def-written", status=Status.DONT_KNOW) == []
    assert check(definition, "def-written", status=Status.NOT_APPLICABLE) == [
        '"Not applicable" is not an answer to this question'
    ]
    assert check(definition, "def-where", status=Status.NOT_APPLICABLE, note="No plans.") == []
    # Text questions offer no "don't know" unless the file says so.
    assert check(definition, "def-link", status=Status.DONT_KNOW) == [
        '"Don\'t know" is not an answer to this question'
    ]
    assert check(qset.adoption, "lead-board", status=Status.NOT_APPLICABLE, note="No board") == []


def test_not_applicable_needs_its_reason_in_the_evidence_note(definition):
    assert check(definition, "def-where", status=Status.NOT_APPLICABLE) == [
        'say in the evidence note why this does not apply: "not applicable, because …"'
    ]
    assert check(definition, "def-where", status=Status.NOT_APPLICABLE, note="  ") != []


def test_not_applicable_carries_no_value(definition):
    assert check(definition, "def-where", ("plan",), status=Status.NOT_APPLICABLE, note="n") == [
        "an answer that is not applicable or not known carries no value"
    ]


def test_an_answer_to_another_question_is_rejected(definition):
    question = definition.question("def-written")
    assert check_answer(question, answer("def-where", "yes")) == [
        "this answer is for question def-where, not def-written"
    ]


# -- the register -----------------------------------------------------------------------------


def test_a_complete_register_row_is_accepted(definition):
    rows = (
        RegisterRow(
            "residents",
            power=2,
            legitimacy=4,
            urgency=1,
            interest=3,
            regard="citizen",
            engagement="consult",
        ),
        RegisterRow("custom-tenants", label="Council tenants", power=1, regard="customer"),
    )
    assert check(definition, "def-register", rows) == []


def test_register_rows_are_checked_segment_by_segment(definition):
    rows = (
        RegisterRow("tourists", power=1),
        RegisterRow("residents", power=5, urgency=0, regard="client", engagement="dictate"),
        RegisterRow("residents"),
        RegisterRow("custom-tenants"),
    )
    assert check(definition, "def-register", rows) == [
        "'tourists' is not a segment of the register",
        "residents: power should be rated from 1 to 4, not 5",
        "residents: urgency should be rated from 1 to 4, not 0",
        "residents: 'client' is not a choice for regard (customer, citizen, stakeholder)",
        "residents: 'dictate' is not a choice for engagement "
        "(none, inform, consult, involve, collaborate, empower)",
        "segment residents has two rows",
        "segment custom-tenants of your own needs a name",
    ]


def test_custom_segments_only_when_the_register_allows_them(definition):
    question = definition.question("def-register").model_copy(
        update={"allow_custom_segments": False}
    )
    rows = (RegisterRow("custom-tenants", label="Tenants"),)
    assert check_answer(question, answer("def-register", rows)) == [
        "this register takes no segments of your own, such as 'custom-tenants'"
    ]


def test_the_register_answer_must_be_rows(definition):
    assert check(definition, "def-register", ("residents",)) == [
        "the answer should be the register's rows"
    ]


# -- conditions -------------------------------------------------------------------------------


def answers(*items: Answer) -> dict[str, Answer]:
    return {a.question_id: a for a in items}


def test_a_question_whose_condition_is_not_met_is_hidden(definition):
    given = answers(answer("def-written", "no"))
    assert visible_questions(definition, given) == {"def-written", "def-register"}
    assert not is_visible(definition, "def-where", given)


def test_a_question_whose_condition_is_met_is_shown(definition):
    given = answers(answer("def-written", "yes"))
    assert is_visible(definition, "def-where", given)
    assert not is_visible(definition, "def-link", given)


def test_any_chosen_option_of_a_multiple_question_meets_the_condition(definition):
    given = answers(answer("def-written", "yes"), answer("def-where", ("plan", "website")))
    assert is_visible(definition, "def-link", given)
    given = answers(answer("def-written", "yes"), answer("def-where", ("plan",)))
    assert not is_visible(definition, "def-link", given)


def test_a_question_is_hidden_when_the_question_it_depends_on_is_hidden(definition):
    # def-where still holds "website" from before the person changed def-written to "no".
    given = answers(answer("def-written", "no"), answer("def-where", ("website",)))
    assert condition_met(definition.question("def-link"), given)
    assert visible_questions(definition, given) == {"def-written", "def-register"}


def test_dont_know_or_not_applicable_does_not_meet_a_condition(definition, qset):
    given = answers(answer("def-written", status=Status.DONT_KNOW))
    assert not is_visible(definition, "def-where", given)
    assert not is_visible(definition, "def-where", {})


def test_conditions_on_levels(qset):
    adoption = qset.adoption
    assert is_visible(adoption, "lead-board", answers(answer("lead-commitment", 3)))
    assert not is_visible(adoption, "lead-board", answers(answer("lead-commitment", 2)))


def test_hidden_answers_are_left_out_of_what_counts(definition):
    given = answers(
        answer("def-written", "no"),
        answer("def-where", ("website",)),
        answer("def-link", "https://example.org"),
    )
    assert visible_answers(definition, given) == answers(answer("def-written", "no"))
