"""The perception questionnaire is data, checked like the others: at most ten short statements in
plain words, each tied to an adoption area, a five-point agreement scale with "don't know", and
one optional comment."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from assess import paths
from assess.questionnaire import loader
from assess.questionnaire.schema import MAX_STATEMENTS, TextQuestion

SHIPPED = paths.QUESTIONNAIRES_DIR / "perception.yaml"


def _shipped():
    return yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


def _problems(tmp_path: Path, data: dict) -> list[str]:
    """Validate ``data`` as perception.yaml beside the shipped adoption and model-fit files."""
    for name in ("adoption.yaml", "model-fit.yaml", "definition.yaml"):
        shutil.copy(paths.QUESTIONNAIRES_DIR / name, tmp_path / name)
    (tmp_path / "perception.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return [f"{p.path}: {p.message}" for p in loader.validate_paths([tmp_path])]


def test_the_shipped_survey_is_short_plain_and_tied_to_the_adoption_areas():
    qset = loader.load_directory()
    perception = qset.perception
    assert perception is not None and perception.kind == "perception"
    statements = perception.statements()
    assert 5 <= len(statements) <= MAX_STATEMENTS
    areas = {s.id for s in qset.adoption.sections}
    assert {s.area for s in statements} == areas  # every area is asked about
    texts = [s.text.get() for s in statements]
    for wanted in (
        "They know what people like me need.",
        "They tell us what they did with what we said.",
        "People like me are treated fairly.",
        "I can reach them in a way that suits me.",
        "They are honest when they cannot help.",
    ):
        assert wanted in texts
    for text in texts:  # short sentences of everyday words (a reading age of about 9 to 11)
        words = re.findall(r"[A-Za-z']+", text)
        assert len(words) <= 14, text
        assert max(len(w) for w in words) <= 9, text
    assert all(s.allow_dont_know for s in statements)
    assert [perception.scale[n].get() for n in range(1, 6)] == [
        "Strongly disagree",
        "Disagree",
        "Neither agree nor disagree",
        "Agree",
        "Strongly agree",
    ]
    comments = [q for _s, q in perception.questions() if isinstance(q, TextQuestion)]
    assert len(comments) == 1
    assert {s.treated_as for s in statements} == {None, "customer", "citizen"}


def test_the_validate_command_checks_the_survey_too(runner):
    result = runner.invoke(args=["questionnaires", "validate"])
    assert result.exit_code == 0, result.output
    assert any(
        line.startswith("perception.yaml: perception v1.1.0") and line.endswith("OK")
        for line in result.stdout.splitlines()
    ), result.stdout


def test_more_than_ten_statements_is_refused(tmp_path):
    data = _shipped()
    questions = data["sections"][0]["questions"]
    extra = [dict(questions[0], id=f"extra-{n}") for n in range(3)]
    data["sections"][0]["questions"] = questions[:-1] + extra + questions[-1:]
    assert any("12 statements is too many" in p for p in _problems(tmp_path, data))


def test_a_statement_must_name_an_adoption_area(tmp_path):
    data = _shipped()
    data["sections"][0]["questions"][0]["area"] = "marketing"
    problems = _problems(tmp_path, data)
    assert any("`marketing` is not a dimension of adoption.yaml" in p for p in problems)


def test_the_scale_is_needed_and_only_statements_and_one_comment_are_allowed(tmp_path):
    data = _shipped()
    del data["scale"]
    data["sections"][0]["questions"].append(
        {"id": "another-comment", "type": "text", "text": {"en": "More?"}}
    )
    data["sections"][0]["questions"].append(
        {
            "id": "pick",
            "type": "single",
            "text": {"en": "Pick"},
            "options": [{"id": "a", "label": {"en": "A"}}, {"id": "b", "label": {"en": "B"}}],
        }
    )
    problems = _problems(tmp_path, data)
    assert any("needs `scale`" in p for p in problems)
    assert any("at most one comment question" in p for p in problems)
    assert any("not `single`" in p for p in problems)


def test_a_statement_belongs_only_in_a_perception_file(tmp_path):
    adoption = yaml.safe_load((paths.QUESTIONNAIRES_DIR / "definition.yaml").read_text())
    adoption["sections"][0]["questions"].append(
        {"id": "stray", "type": "statement", "area": "leadership", "text": {"en": "Hi."}}
    )
    (tmp_path / "definition.yaml").write_text(yaml.safe_dump(adoption), encoding="utf-8")
    problems = [p.message for p in loader.validate_paths([tmp_path / "definition.yaml"])]
    assert any("belong to a perception questionnaire" in p for p in problems)


def test_a_folder_without_a_survey_still_loads(tmp_path):
    for name in ("adoption.yaml", "model-fit.yaml", "definition.yaml"):
        shutil.copy(paths.QUESTIONNAIRES_DIR / name, tmp_path / name)
    qset = loader.load_directory(tmp_path)
    assert qset.perception is None
    assert len(qset.every) == 3
