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


def test_every_adoption_question_has_five_descriptors_and_quality_criteria(shipped):
    for section, question in shipped.adoption.questions():
        assert isinstance(question, LevelQuestion), question.id
        assert sorted(question.levels) == [1, 2, 3, 4, 5], question.id
        assert question.quality_criteria, question.id
        assert len({text.get() for text in question.levels.values()}) == 5, question.id
        assert section.weight in {1, 2, 3}


def test_every_adoption_dimension_has_a_recommendation_for_every_step(shipped):
    model_ids = set(shipped.model_fit.model_ids)
    for section in shipped.adoption.sections:
        steps = sorted((r.from_level, r.to_level) for r in section.recommendations or [])
        assert steps == [(1, 2), (2, 3), (3, 4), (4, 5)], section.id
        assert set(section.targets or {}) == model_ids, section.id
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
