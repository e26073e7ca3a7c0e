"""Messages made outside the web layer reach people through gettext, with their values filled in."""

from __future__ import annotations

from assess import i18n
from assess.questionnaire.answers import Answer
from assess.questionnaire.schema import LevelQuestion
from assess.questionnaire.validation import Message, check_answer


def _level_question() -> LevelQuestion:
    text = {"en": "How?"}
    return LevelQuestion.model_validate(
        {
            "id": "q",
            "type": "level",
            "text": text,
            "levels": {n: {"en": f"Level {n}"} for n in range(1, 6)},
            "criteria": {3: [text], 4: [text], 5: [text]},
        }
    )


def test_a_check_message_is_english_text_that_keeps_its_template():
    (problem,) = check_answer(_level_question(), Answer("q", value=7))
    assert problem == "level 7 is out of range: choose a level from 1 to 5"
    assert isinstance(problem, Message)
    assert problem.template == "level %(value)s is out of range: choose a level from 1 to 5"
    assert problem.params == {"value": 7}


def test_translate_looks_the_template_up_then_fills_it_in(app, monkeypatch):
    looked_up: list[str] = []

    def fake_gettext(template: str, **params: object) -> str:
        looked_up.append(template)
        return f"LEFEL {params['value']}" if params else template.upper()

    monkeypatch.setattr(i18n, "gettext", fake_gettext)
    with app.test_request_context():
        assert i18n.translate(Message("level %(value)s is out of range", value=7)) == "LEFEL 7"
        assert i18n.translate("Choose at least one model.") == "CHOOSE AT LEAST ONE MODEL."
    assert looked_up == ["level %(value)s is out of range", "Choose at least one model."]
