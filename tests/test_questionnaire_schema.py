"""The shipped questionnaires are valid and complete; text is per locale; content has a hash."""

from __future__ import annotations

from pathlib import Path

import pytest

from assess import paths
from assess.questionnaire import loader
from assess.questionnaire.schema import (
    ENGAGEMENT_OPTIONS,
    OPTIONAL_REGISTER_ATTRIBUTES,
    RATING_OPTIONS,
    REGARD_OPTIONS,
    REGISTER_ATTRIBUTES,
    LevelQuestion,
    LocalText,
    RegisterQuestion,
)

VALID = Path(__file__).parent / "data" / "questionnaires" / "valid"


@pytest.fixture(scope="module")
def shipped():
    return loader.load_directory(paths.QUESTIONNAIRES_DIR)


def test_the_shipped_questionnaires_validate():
    assert [str(p) for p in loader.validate_paths([paths.QUESTIONNAIRES_DIR])] == []


def test_adoption_has_at_least_seven_dimensions_of_four_questions(shipped):
    adoption = shipped.adoption
    assert len(adoption.sections) >= 7
    for section in adoption.sections:
        assert len(section.questions) >= 4, section.id


def test_every_adoption_question_has_five_descriptors_and_criteria_for_3_to_5(shipped):
    for section, question in shipped.adoption.questions():
        assert isinstance(question, LevelQuestion), question.id
        assert sorted(question.levels) == [1, 2, 3, 4, 5], question.id
        assert sorted(question.criteria or {}) == [3, 4, 5], question.id
        assert all(question.criteria_for(n) for n in (3, 4, 5)), question.id
        assert question.quality_criteria is None, question.id
        assert len({text.get() for text in question.levels.values()}) == 5, question.id
        assert section.weight in {1, 2, 3}


def test_every_adoption_question_has_a_step_for_every_level(shipped):
    model_ids = set(shipped.model_fit.model_ids)
    for section in shipped.adoption.sections:
        for question in section.questions:
            steps = sorted(
                (r.from_level, r.to_level)
                for r in section.recommendations or []
                if r.question == question.id
            )
            assert steps == [(1, 2), (2, 3), (3, 4), (4, 5)], question.id
        assert set(section.targets or {}) == model_ids, section.id


def test_every_step_reads_right_for_any_public_body(shipped):
    # Actions name no council-only body or office; owners are roles every kind of body has
    # (a council's name for the role may follow in brackets, beside the others').
    council_only = ("cabinet", "monitoring officer", "councillor", "manifesto", "school places")
    for section in shipped.adoption.sections:
        for step in section.recommendations or []:
            action = step.action.get().lower()
            owner = step.owner.get().split("(")[0].lower()
            assert not any(word in action for word in council_only), (step.question, action)
            assert not any(word in owner for word in council_only), (step.question, owner)
            assert 1 <= step.months <= 24 and step.action.get().endswith("."), step.question
    assert sorted(shipped.adoption.levels or {}) == [1, 2, 3, 4, 5]


def test_the_register_covers_the_segments_the_method_needs(shipped):
    registers = [q for _s, q in shipped.definition.questions() if isinstance(q, RegisterQuestion)]
    assert len(registers) == 1
    register = registers[0]
    segment_ids = {s.id for s in register.segments}
    needed = {
        "residents",
        "service-users",
        "special-needs",
        "businesses",
        "lobbies",
        "media",
        "elected-members",
        "partners",
        "staff",
    }
    assert needed <= segment_ids
    ids = [a.id for a in register.attributes]
    assert set(ids) == set(REGISTER_ATTRIBUTES) | set(OPTIONAL_REGISTER_ATTRIBUTES)
    kinds = {s.id: s.kind for s in register.segments if s.kind}
    assert kinds == {"media": "media", "special-needs": "extra-support"}
    assert [o.id for o in register.attribute("power").options] == list(RATING_OPTIONS)
    assert [o.id for o in register.attribute("regard").options] == list(REGARD_OPTIONS)
    assert [o.id for o in register.attribute("engagement").options] == list(ENGAGEMENT_OPTIONS)


def test_model_fit_offers_candidate_models_and_every_option_moves_them(shipped):
    model_fit = shipped.model_fit
    assert len(model_fit.model_ids) >= 2
    for _section, question in model_fit.questions():
        for option in getattr(question, "options", []):
            assert set(option.fit or {}) == set(model_fit.model_ids), (question.id, option.id)


def test_a_second_language_needs_no_code_change():
    definition = loader.load_file(VALID / "definition.yaml")
    question = definition.question("def-written")
    assert question.text.get("cy") == "A oes datganiad ysgrifenedig o bwy yw'r rhanddeiliaid?"
    assert question.text.get("en") == "Is there a written statement of who the stakeholders are?"
    assert [o.label.get("cy") for o in question.options] == ["Oes", "Nac oes"]
    # Text with no Welsh falls back to English.
    model_fit = loader.load_file(VALID / "model-fit.yaml")
    assert model_fit.title.get("cy") == "Which model fits"


def test_display_text_needs_english_and_locale_codes():
    assert str(LocalText({"en": "Hello", "cy": "Helo"})) == "Hello"
    with pytest.raises(ValueError, match="needs an 'en' entry"):
        LocalText({"cy": "Helo"})
    with pytest.raises(ValueError, match="'Welsh' is not a locale code"):
        LocalText({"en": "Hello", "Welsh": "Helo"})


# -- content and fingerprint ------------------------------------------------------------------


def test_comments_and_layout_do_not_change_the_fingerprint(tmp_path):
    original = (VALID / "model-fit.yaml").read_text()
    reformatted = "# a new comment\n\n" + original.replace(
        'title: {en: "Which model fits"}', "title:\n  en:   'Which model fits'   # same text"
    )
    assert reformatted != original
    path = tmp_path / "model-fit.yaml"
    path.write_text(reformatted)
    before = loader.fingerprint(loader.load_file(VALID / "model-fit.yaml"))
    assert loader.fingerprint(loader.load_file(path)) == before
    assert len(before) == 64


def test_writing_a_default_out_does_not_change_the_fingerprint(tmp_path):
    original = (VALID / "model-fit.yaml").read_text()
    path = tmp_path / "model-fit.yaml"
    path.write_text(
        original.replace(
            "        type: single\n", "        type: single\n        allow_na: false\n"
        )
    )
    assert loader.fingerprint(loader.load_file(path)) == loader.fingerprint(
        loader.load_file(VALID / "model-fit.yaml")
    )


def test_a_content_change_changes_the_fingerprint(tmp_path):
    original = (VALID / "model-fit.yaml").read_text()
    path = tmp_path / "model-fit.yaml"
    path.write_text(
        original.replace("fit: {customer: 2, citizen: 0}", "fit: {customer: 3, citizen: 0}")
    )
    assert loader.fingerprint(loader.load_file(path)) != loader.fingerprint(
        loader.load_file(VALID / "model-fit.yaml")
    )


def test_the_stored_content_rebuilds_the_same_questionnaire(shipped):
    for questionnaire in shipped:
        content = loader.content(questionnaire)
        rebuilt = loader.from_content(content)
        assert rebuilt == questionnaire
        assert loader.fingerprint(rebuilt) == loader.fingerprint(questionnaire)


#: Words that point to one kind of public body (or to "special needs", which the method no
#: longer uses): the adoption questions must read correctly for a council, a national agency,
#: a regulator, an NHS body and a town or parish council.
COUNCIL_ONLY = ("cabinet", "manifesto", "school places", "special needs", "monitoring officer")


def test_adoption_questions_read_correctly_for_any_public_body(shipped):
    for _section, question in shipped.adoption.questions():
        texts = [question.text, question.guidance, *question.levels.values()]
        texts += [c for n in (3, 4, 5) for c in question.criteria_for(n)]
        for text in texts:
            if text is None:
                continue
            lowered = text.get().lower()
            for word in COUNCIL_ONLY:
                assert word not in lowered, (question.id, word)


def test_every_criterion_names_the_record_that_shows_it(shipped):
    """Observable criteria: each names a document or record an auditor can ask for."""
    records = (
        "plan",
        "minute",
        "record",
        "report",
        "log",
        "register",
        "document",
        "policy",
        "procedure",
        "template",
        "guidance",
        "statement",
        "notes",
        "review",
        "form",
        "papers",
        "materials",
        "figures",
        "analysis",
        "results",
        "profile",
        "calendar",
        "clauses",
        "list",
        "standard",
        "job description",
        "check",
        "summary",
        "agendas",
        "set of",
        "data",
        "definition",
        "measures",
        "feedback",
        "assessment",
        "published",
        "responses",
        "terms of reference",
        "work programme",
        "training programme",
        "written",
        "audit",
        "comparison",
    )
    for _section, question in shipped.adoption.questions():
        for level in (3, 4, 5):
            for criterion in question.criteria_for(level):
                text = criterion.get().lower()
                assert any(word in text for word in records), (question.id, level, text)


def test_a_questionnaire_file_may_not_use_the_old_quality_criteria(tmp_path):
    source = (paths.QUESTIONNAIRES_DIR / "adoption.yaml").read_text(encoding="utf-8")
    old = source.replace(
        "        criteria:\n",
        '        quality_criteria:\n          - {en: "Minutes."}\n        criteria:\n',
        1,
    )
    assert old != source
    path = tmp_path / "adoption.yaml"
    path.write_text(old, encoding="utf-8")
    messages = [p.message for p in loader.validate_paths([path])]
    assert any("`quality_criteria` was replaced by `criteria`" in m for m in messages), messages


def test_a_level_question_without_criteria_for_level_5_is_refused(tmp_path):
    source = (paths.QUESTIONNAIRES_DIR / "adoption.yaml").read_text(encoding="utf-8")
    start = source.index("          5:\n            - ")
    end = source.index("\n\n", start)
    path = tmp_path / "adoption.yaml"
    path.write_text(source[:start] + source[end:], encoding="utf-8")
    messages = [p.message for p in loader.validate_paths([path])]
    assert "criteria are needed for levels 3, 4 and 5; missing [5]" in messages, messages


def test_a_version_stored_before_2_0_with_quality_criteria_still_reads():
    from assess.questionnaire.answers import Answer
    from assess.scoring.maturity import evidenced_level

    question = LevelQuestion.model_validate(
        {
            "id": "q",
            "type": "level",
            "text": {"en": "How?"},
            "levels": {n: {"en": f"Level {n}"} for n in range(1, 6)},
            "quality_criteria": [{"en": "Minutes."}],
        }
    )
    # No criteria to confirm: the level claimed is the level evidenced.
    assert evidenced_level(question, Answer("q", value=4)) == 4
