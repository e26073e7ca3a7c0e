"""A realistic report input over the real questionnaires, for the report tests (no database)."""

from __future__ import annotations

import dataclasses
import subprocess
from datetime import UTC, datetime, timedelta
from typing import Any

from scoring_helpers import real, row

from assess.questionnaire.answers import Answer, CriterionCheck, Status
from assess.questionnaire.schema import LevelQuestion, Questionnaire
from assess.reporting import AnsweredBy, ReportInput
from assess.scoring import score_assessment

#: Typed into evidence notes to check the report shows text as text.
INJECTION = "<script>alert(1)</script><b>x</b>"
WELSH = "Cyngor Sir Ddinbych: ŵyr ac ŷd, gwasanaethau yn Gymraeg"
ARABIC = "ملاحظة من فريق الخدمة"
HEBREW = "הערה מצוות השירות"
LONG_NOTE = " ".join(
    f"Paragraph {n}: the consultation log for this period records the meetings held with each "
    "group, who attended, what was asked and what changed as a result, with dates and owners."
    for n in range(1, 40)
)

#: The floor each dimension gets: below, at and above the citizen model's targets.
FLOORS = {
    "leadership": 2,
    "strategy": 3,
    "mapping": 3,
    "engagement": 2,
    "fairness": 2,
    "responsiveness": 4,
    "organised-interests": 3,
    "measurement": 1,
}
PEOPLE = ("Alex Morgan", "Bethan Jones", "Chris Patel")
START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def questionnaires() -> dict[str, Questionnaire]:
    """The three shipped questionnaires."""
    return {name: real(name) for name in ("definition", "model-fit", "adoption")}


def _answers(
    questionnaire: Questionnaire, given: dict[str, Answer], notes: dict[str, str]
) -> dict[str, AnsweredBy]:
    result = {}
    for index, (question_id, answer) in enumerate(given.items()):
        note = notes.get(question_id, answer.note)
        result[question_id] = AnsweredBy(
            answer=dataclasses.replace(answer, note=note),
            answered_by=PEOPLE[index % len(PEOPLE)],
            answered_at=START + timedelta(days=1 + index // 10, minutes=7 * index),
        )
    assert set(given) <= {q.id for _s, q in questionnaire.questions()}
    return result


def full_answers(qs: dict[str, Questionnaire]) -> dict[str, dict[str, Answer]]:
    """Every question of the three questionnaires answered, as a county council might."""
    adoption: dict[str, Answer] = {}
    for section in qs["adoption"].sections:
        floor = FLOORS[section.id]
        for index, question in enumerate(section.questions):
            assert isinstance(question, LevelQuestion)
            level = min(floor + (1 if index % 3 == 1 else 0), 5)
            # Every record of the level confirmed met, so that the levels given are evidenced.
            checks = tuple(
                CriterionCheck(n, i, True, "Minutes") for n, i, _t in question.criteria_up_to(level)
            )
            adoption[question.id] = Answer(question.id, value=level, criteria=checks)
    adoption["lead-resources"] = Answer("lead-resources", Status.DONT_KNOW)
    adoption["eng-commissioned"] = Answer(
        "eng-commissioned", Status.NOT_APPLICABLE, note="We commission no engagement."
    )
    model_fit = {
        a.question_id: a
        for a in (
            Answer("mf-choice", value="sole-provider"),
            Answer("mf-statutory", value="duty-entitlement"),
            Answer("mf-charging", value="free"),
            Answer("mf-special-needs", value="many"),
            Answer("mf-needs-variety", value="individual"),
            Answer("mf-political", value="regular"),
            Answer("mf-member-decisions", value="elected-members"),
            Answer("mf-media", value="occasional"),
            Answer("mf-lobbies", value="established"),
            Answer("mf-checks", value=("courts-ombudsman", "inspectors", "elected-members")),
            Answer("mf-cost", value="severe"),
            Answer("mf-partners", value="some"),
            Answer("mf-channels", value=("casework", "intermediary")),
        )
    }
    definition = {
        a.question_id: a
        for a in (
            Answer("def-own-words", value="Residents, and service users when they use a service."),
            Answer("def-written", value="yes-corporate"),
            Answer("def-where", value=("website", "corporate-plan")),
            Answer("def-reviewed", value="one-to-three-years"),
            Answer("def-owner", value="corporate-team"),
            Answer(
                "register",
                value=(
                    row("residents", 3, 4, 2, 3, "consult", regard="citizen", affected=4),
                    row("service-users", 2, 4, 3, 4, "consult", regard="customer", affected=4),
                    row("special-needs", 1, 4, 4, 4, "inform", regard="citizen", affected=4),
                    row(
                        "businesses",
                        3,
                        3,
                        2,
                        2,
                        "inform",
                        regard="customer",
                        affected=3,
                        conflict="commercial",
                    ),
                    row("lobbies", 3, 2, 3, 4, "involve", regard="stakeholder", affected=2),
                    row("media", 4, 2, 3, 4, "inform", regard="stakeholder", affected=1),
                    row(
                        "elected-members",
                        4,
                        4,
                        3,
                        4,
                        "collaborate",
                        regard="stakeholder",
                        affected=3,
                    ),
                    row("partners", 3, 3, 2, 3, "involve", regard="stakeholder", affected=3),
                    row("staff", 2, 3, 2, 2, "consult", regard="stakeholder", affected=2),
                    row(
                        "custom-tenants", 2, 4, 3, 3, "empower", label="Council tenants", affected=4
                    ),
                ),
            ),
            Answer("def-segmentation", value="yes-some-services"),
            Answer("def-segmentation-basis", value=("place", "need", "service-use")),
            Answer("def-segmentation-use", value=("service-design", "communication")),
            Answer("def-priority", Status.DONT_KNOW),
            Answer("def-lobbies", Status.NOT_APPLICABLE),
            Answer("def-media", value=_first_option(qs["definition"], "def-media")),
            Answer("def-media-users", value=_first_option(qs["definition"], "def-media-users")),
        )
    }
    return {"definition": definition, "model-fit": model_fit, "adoption": adoption}


def _first_option(questionnaire: Questionnaire, question_id: str) -> str:
    question = questionnaire.question(question_id)
    return question.options[0].id  # type: ignore[union-attr]


NOTES = {
    "def-own-words": WELSH,
    "def-written": INJECTION,
    "register": f"{ARABIC}. {HEBREW}.",
    "lead-commitment": "Senior management team minutes, 12 January and 9 June.",
    "strat-definition": LONG_NOTE,
    "map-register": "Register kept by the policy team; last updated in the spring.",
}


def make_report_input(**overrides: Any) -> ReportInput:
    """A fully answered assessment of a fictional council, scored; ``overrides`` replace fields.

    ``chosen_models`` in ``overrides`` also re-scores the result with the body's choice.
    """
    qs = questionnaires()
    given = full_answers(qs)
    chosen = tuple(overrides.pop("chosen_models", ()))
    result = score_assessment(
        adoption=qs["adoption"],
        adoption_answers=given["adoption"],
        model_fit=qs["model-fit"],
        model_fit_answers=given["model-fit"],
        definition=qs["definition"],
        definition_answers=given["definition"],
        chosen_models=chosen or None,
    )
    fields: dict[str, Any] = {
        "report_id": "R-2026-0042",
        "organisation_name": "Denbighshire County Council",
        "organisation_timezone": "Europe/London",
        "assessment_id": "A-17",
        "assessment_title": "Stakeholder management self-assessment 2026",
        "status": "draft",
        "created_at": START,
        "updated_at": START + timedelta(days=20, hours=5),
        "finalised_at": None,
        "definition": qs["definition"],
        "model_fit": qs["model-fit"],
        "adoption": qs["adoption"],
        "definition_answers": _answers(qs["definition"], given["definition"], NOTES),
        "model_fit_answers": _answers(qs["model-fit"], given["model-fit"], NOTES),
        "adoption_answers": _answers(qs["adoption"], given["adoption"], NOTES),
        "chosen_models": chosen,
        "choice_reason": None,
        "result": result,
        "locale": "en",
        "instance": "https://assess.example.org",
    }
    fields.update(overrides)
    return ReportInput(**fields)


def page_texts(pdf: bytes) -> list[str]:
    """The text of each page of ``pdf``, as poppler's pdftotext extracts it."""
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")
    return text.split("\f")[:-1]
