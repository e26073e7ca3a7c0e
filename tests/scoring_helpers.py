"""Questionnaires and answers for the scoring tests (no database, no app)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from assess.questionnaire.answers import Answer, CriterionCheck, RegisterRow, Status
from assess.questionnaire.schema import Questionnaire

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "scoring"
QUESTIONNAIRES = ROOT / "questionnaires"


def load(path: Path) -> Questionnaire:
    """A questionnaire file, checked by the schema only (the loader is not needed here)."""
    return Questionnaire.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def example(name: str) -> Questionnaire:
    """One of the worked example's questionnaires: adoption, model-fit or definition."""
    return load(DATA / f"example-{name}.yaml")


def real(name: str) -> Questionnaire:
    """One of the shipped questionnaires in questionnaires/."""
    return load(QUESTIONNAIRES / f"{name}.yaml")


def answered(question_id: str, value: Any) -> Answer:
    """A real answer."""
    return Answer(question_id, value=value)


def evidenced(
    question_id: str, level: int, questionnaire: Questionnaire | None = None, note: str = "Minutes"
) -> Answer:
    """A level answer with every criterion from level 3 up to ``level`` confirmed met.

    Without ``questionnaire``, each level is taken to have one criterion (as ``level_question``
    makes them).
    """
    if questionnaire is not None:
        keys = [(n, i) for n, i, _t in questionnaire.question(question_id).criteria_up_to(level)]
    else:
        keys = [(n, 1) for n in range(3, level + 1)]
    checks = tuple(CriterionCheck(n, i, True) for n, i in keys)
    return Answer(question_id, value=level, note=note, criteria=checks)


def na(question_id: str) -> Answer:
    """A "not applicable" answer."""
    return Answer(question_id, Status.NOT_APPLICABLE)


def dont_know(question_id: str) -> Answer:
    """A "don't know" answer."""
    return Answer(question_id, Status.DONT_KNOW)


def answers(*items: Answer) -> dict[str, Answer]:
    """Answers keyed by question id."""
    return {a.question_id: a for a in items}


def row(segment_id: str, p: int, l: int, u: int, i: int, today: str | None = None, **kw: Any):  # noqa: E741
    """A register row rated power, legitimacy, urgency, interest."""
    return RegisterRow(
        segment_id, power=p, legitimacy=l, urgency=u, interest=i, engagement=today, **kw
    )


def _text(value: str) -> dict[str, str]:
    return {"en": value}


def level_question(question_id: str, **extra: Any) -> dict[str, Any]:
    """A level question as questionnaire data."""
    return {
        "id": question_id,
        "type": "level",
        "text": _text(question_id),
        "levels": {n: _text(f"level {n}") for n in range(1, 6)},
        "criteria": {n: [_text(f"evidence {n}")] for n in (3, 4, 5)},
        **extra,
    }


def choice_question(
    question_id: str, options: dict[str, dict[str, int] | None], kind: str = "single", **extra: Any
) -> dict[str, Any]:
    """A single or multiple question; ``options`` maps option ids to their fit (or None)."""
    return {
        "id": question_id,
        "type": kind,
        "text": _text(question_id),
        "options": [
            {"id": o, "label": _text(o), **({"fit": fit} if fit is not None else {})}
            for o, fit in options.items()
        ],
        **extra,
    }


MODELS = ("customer", "citizen", "stakeholder")


def adoption(*dimensions: tuple[str, int, dict[str, int], list[dict[str, Any]]]) -> Questionnaire:
    """An adoption questionnaire of (id, weight, targets, questions) dimensions."""
    return Questionnaire.model_validate(
        {
            "id": "adoption",
            "version": "1",
            "kind": "adoption",
            "title": _text("Adoption"),
            "levels": {
                n: {"name": _text(name), "summary": _text(name)}
                for n, name in enumerate(
                    ("Initial", "Managed", "Defined", "Measured", "Optimising"), start=1
                )
            },
            "sections": [
                {
                    "id": dimension_id,
                    "title": _text(dimension_id.title()),
                    "weight": weight,
                    "targets": targets,
                    "recommendations": [
                        {
                            "question": question["id"],
                            "from": n,
                            "to": n + 1,
                            "action": _text(f"{question['id']} {n} to {n + 1}"),
                            "owner": _text("owner"),
                            "months": 3 * n,
                        }
                        for question in questions
                        if question["type"] == "level"
                        for n in range(1, 5)
                    ],
                    "questions": questions,
                }
                for dimension_id, weight, targets, questions in dimensions
            ],
        }
    )


def model_fit(*questions: dict[str, Any]) -> Questionnaire:
    """A model-fit questionnaire of ``questions`` with the three usual models."""
    return Questionnaire.model_validate(
        {
            "id": "model-fit",
            "version": "1",
            "kind": "model-fit",
            "title": _text("Model fit"),
            "models": [
                {"id": m, "name": _text(f"{m.title()} model"), "summary": _text(m)} for m in MODELS
            ],
            "sections": [
                {"id": "context", "title": _text("Context"), "questions": list(questions)}
            ],
        }
    )
