"""Questionnaires and answers for the scoring tests (no database, no app)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from assess.questionnaire.answers import Answer, RegisterRow, Status
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
