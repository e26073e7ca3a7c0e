"""A bad questionnaire file is rejected with the file name, the key path and what is wrong."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from assess.questionnaire import loader
from assess.questionnaire.loader import QuestionnaireError, load_directory, load_file
from assess.questionnaire.problems import Problem

DATA = Path(__file__).parent / "data" / "questionnaires"
VALID = DATA / "valid"
BROKEN = DATA / "broken"


def problems_of(name: str) -> list[str]:
    """The problems of one broken fixture, as ``path: message`` lines."""
    problems = loader.validate_paths([BROKEN / name])
    assert all(p.file == name for p in problems)
    return [f"{p.path}: {p.message}" for p in problems]


def write(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return path


def valid_data(name: str) -> dict:
    return yaml.safe_load((VALID / name).read_text())


def copy_valid_set(tmp_path: Path) -> Path:
    target = tmp_path / "questionnaires"
    shutil.copytree(VALID, target)
    return target


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "syntax-error.yaml",
            [
                "line 5, column 1: YAML syntax error: could not find expected ':' "
                "(while scanning a simple key)"
            ],
        ),
        (
            "duplicate-yaml-key.yaml",
            ["line 24: key `max_choices` is written twice (first on line 23)"],
        ),
        (
            "unknown-key.yaml",
            [
                "sections[0] (scope) > questions[1] (def-where): "
                "unknown key `show_iff` (did you mean `show_if`?)"
            ],
        ),
        (
            "missing-key.yaml",
            ["sections[0] (scope) > questions[1] (def-where): missing key `text`"],
        ),
        (
            "plain-string-text.yaml",
            [
                'title: should be text keyed by locale, such as {en: "..."}, not plain text',
                "sections[0] (scope) > questions[0] (def-written) > options[1] > id: should be "
                "text, but YAML read an unquoted yes/no/on/off/true/false as `false`: "
                "put it in quotes",
            ],
        ),
        (
            "unknown-type.yaml",
            [
                "sections[0] (scope) > questions[0] (def-written): `type` is `singel`; "
                "it should be one of single, multiple, level, text, register, statement",
                "sections[0] (scope) > questions[2] (def-link): "
                "missing key `type` (one of single, multiple, level, text, register, statement)",
            ],
        ),
        (
            "duplicate-ids.yaml",
            [
                "sections[0] (scope) > questions[1] (def-where) > options[2] (plan) > id: "
                "option id `plan` is used twice in this list (first at [1])",
                "sections[0] (scope) > questions[2] (def-where) > id: question id `def-where` "
                "is used twice in this file (first at sections[0] (scope) > questions[1] "
                "(def-where))",
                "sections[1] (register) > questions[0] (def-register) > segments[1] (residents) "
                "> id: segment id `residents` is used twice in this list (first at [0])",
            ],
        ),
        (
            "show-if-unknown-question.yaml",
            [
                "sections[0] (scope) > questions[1] (def-where) > show_if > question: "
                "there is no question `def-writen` in this file"
            ],
        ),
        (
            "show-if-later-question.yaml",
            [
                "sections[0] (scope) > questions[1] (def-where) > show_if > question: "
                "`def-link` comes later; a question can only depend on an earlier one"
            ],
        ),
        (
            "show-if-unknown-option.yaml",
            [
                "sections[0] (scope) > questions[2] (def-link) > show_if > any_of[1]: "
                "`newsletter` is not an option of `def-where` (its options are `website`, "
                "`plan`, `intranet`)"
            ],
        ),
        (
            "show-if-level.yaml",
            [
                "sections[0] (leadership) > questions[1] (lead-board) > show_if > any_of[1]: "
                "`high` is not a level of `lead-commitment`: use levels 1 to 5"
            ],
        ),
        (
            "level-missing.yaml",
            [
                "sections[0] (leadership) > questions[0] (lead-commitment) > levels: "
                "levels 1 to 5 are all needed; missing [4]"
            ],
        ),
        (
            "level-out-of-range.yaml",
            [
                "sections[0] (leadership) > questions[0] (lead-commitment) > levels > 6: "
                "the key should be at most 5, not `6`",
                "sections[1] (measurement) > targets > citizen: should be at most 5, not `7`",
            ],
        ),
        (
            "missing-recommendation.yaml",
            [
                "sections[0] (leadership) > recommendations[6] > question: `meas-data` is not a "
                "level question of this dimension; its level questions are `lead-commitment`, "
                "`lead-board`",
                "sections[0] (leadership) > recommendations: question `lead-commitment` needs a "
                "recommendation for each step 1->2, 2->3, 3->4 and 4->5; missing 3->4",
                "sections[0] (leadership) > recommendations: question `lead-board` needs a "
                "recommendation for each step 1->2, 2->3, 3->4 and 4->5; missing 3->4",
                "sections[1] (measurement) > recommendations[0] > to: a step goes up one "
                "level: from 1 the next is 2, not 3",
            ],
        ),
        (
            "adoption-not-level.yaml",
            [
                "sections[1] (measurement): missing key `weight`: every adoption dimension "
                "needs it",
                "sections[1] (measurement): missing key `targets`: every adoption dimension "
                "needs it",
                "sections[1] (measurement) > questions[0] (meas-data) > type: adoption "
                "questions are all `level` questions, not `text`",
            ],
        ),
        (
            "adoption-keys-elsewhere.yaml",
            [
                "sections[0] (scope) > weight: only adoption dimensions have `weight`; this is "
                "a definition questionnaire",
                "sections[0] (scope) > questions[0] (def-written) > options[0] (yes) > fit: "
                "only model-fit options have `fit`",
            ],
        ),
        (
            "model-fit-without-fit.yaml",
            [
                "sections[0] (context) > questions[0] (fit-choice) > options[1] (rarely): "
                "missing key `fit`: give a weight for `customer`, `citizen`",
                "sections[0] (context) > questions[1] (fit-duties) > options[1] (charter) > "
                "fit: no weight for the model(s) `citizen`",
                "sections[0] (context) > questions[1] (fit-duties) > options[1] (charter) > "
                "fit > citizn: there is no model `citizn` in `models` (`customer`, `citizen`)",
            ],
        ),
        (
            "model-fit-without-models.yaml",
            [": a model-fit questionnaire needs `models` (the candidate models)"],
        ),
        (
            "register-columns.yaml",
            [
                "sections[1] (register) > questions[0] (def-register) > attributes: the "
                "register needs the columns `power`, `legitimacy`, `urgency`, `interest`, "
                "`regard`, `engagement`; missing `urgency`",
                "sections[1] (register) > questions[0] (def-register) > attributes[0] (power) "
                "> options: the `power` column's options must be exactly `1`, `2`, `3`, `4`; "
                "unknown `5`",
                # The fixture shares one scale between the rating columns (a YAML anchor).
                "sections[1] (register) > questions[0] (def-register) > attributes[1] "
                "(legitimacy) > options: the `legitimacy` column's options must be exactly "
                "`1`, `2`, `3`, `4`; unknown `5`",
                "sections[1] (register) > questions[0] (def-register) > attributes[2] "
                "(interest) > options: the `interest` column's options must be exactly `1`, "
                "`2`, `3`, `4`; unknown `5`",
            ],
        ),
    ],
)
def test_each_broken_file_is_rejected_with_every_problem_and_its_key_path(name, expected):
    assert problems_of(name) == expected


def test_every_broken_fixture_is_covered_by_a_test():
    names = {p.name for p in BROKEN.iterdir()}
    source = Path(__file__).read_text()
    assert {n for n in names if f'"{n}"' not in source} == set()


def test_load_file_raises_with_the_problems_and_prints_them_one_per_line():
    with pytest.raises(QuestionnaireError) as caught:
        load_file(BROKEN / "duplicate-ids.yaml")
    assert len(caught.value.problems) == 3
    assert all(isinstance(p, Problem) for p in caught.value.problems)
    lines = str(caught.value).splitlines()
    assert lines[0].startswith("duplicate-ids.yaml: sections[0] (scope) > questions[1]")


def test_a_valid_file_loads():
    questionnaire = load_file(VALID / "definition.yaml")
    assert questionnaire.kind == "definition"
    assert [q.id for _s, q in questionnaire.questions()] == [
        "def-written",
        "def-where",
        "def-link",
        "def-register",
    ]


def test_a_missing_file_is_a_problem_not_a_crash(tmp_path):
    problems = loader.validate_paths([tmp_path / "nothing.yaml"])
    assert [str(p) for p in problems] == [
        f"nothing.yaml: there is no such file: {tmp_path / 'nothing.yaml'}"
    ]


def test_a_file_that_is_not_a_mapping_is_rejected(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- one\n- two\n")
    assert [p.message for p in loader.validate_paths([path])] == [
        "the file should be a mapping of keys (id, version, ...)"
    ]


def test_an_unquoted_number_as_version_is_explained(tmp_path):
    data = valid_data("definition.yaml")
    data["version"] = 1.0
    problems = loader.validate_paths([write(tmp_path / "definition.yaml", data)])
    assert [f"{p.path}: {p.message}" for p in problems] == [
        'version: should be text: write it in quotes, such as "1.0"'
    ]


def test_a_show_if_on_its_own_question_and_on_a_text_question_is_rejected(tmp_path):
    data = valid_data("definition.yaml")
    questions = data["sections"][0]["questions"]
    questions[0]["show_if"] = {"question": "def-written", "any_of": ["yes"]}
    data["sections"][1]["questions"][0]["show_if"] = {"question": "def-link", "any_of": ["x"]}
    messages = [p.message for p in loader.validate_paths([write(tmp_path / "d.yaml", data)])]
    assert messages == [
        "`def-written` is this question; a question can only depend on an earlier one",
        "`def-link` is a text question; a condition can only depend on a single, multiple or "
        "level question",
    ]


def test_a_level_in_a_condition_on_a_choice_question_is_rejected(tmp_path):
    data = valid_data("definition.yaml")
    data["sections"][0]["questions"][1]["show_if"]["any_of"] = [1]
    problems = loader.validate_paths([write(tmp_path / "d.yaml", data)])
    assert [p.message for p in problems] == [
        "1 is a level, but `def-written` is a single question: name its option ids"
    ]


def test_yes_written_without_quotes_is_not_taken_for_level_one(tmp_path):
    data = valid_data("adoption.yaml")
    data["sections"][0]["questions"][1]["show_if"]["any_of"] = [True]
    problems = loader.validate_paths([write(tmp_path / "a.yaml", data)])
    assert [p.message for p in problems] == [
        "should be an option id or a level from 1 to 5, not `True`"
    ]


def test_more_choices_than_options_is_rejected(tmp_path):
    data = valid_data("definition.yaml")
    data["sections"][0]["questions"][1]["max_choices"] = 4
    problems = loader.validate_paths([write(tmp_path / "d.yaml", data)])
    assert [p.message for p in problems] == ["4 is more than the 3 options there are"]


def test_duplicate_section_ids_are_rejected(tmp_path):
    data = valid_data("adoption.yaml")
    data["sections"][1]["id"] = "leadership"
    problems = loader.validate_paths([write(tmp_path / "a.yaml", data)])
    assert [str(p) for p in problems] == [
        "a.yaml: sections[1] (leadership) > id: section id `leadership` is used twice in this "
        "list (first at [0])"
    ]


def test_adoption_needs_its_level_names_and_others_must_not_have_them(tmp_path):
    adoption = valid_data("adoption.yaml")
    del adoption["levels"][5]
    definition = valid_data("definition.yaml")
    definition["levels"] = adoption["levels"]
    problems = loader.validate_paths(
        [write(tmp_path / "a.yaml", adoption), write(tmp_path / "d.yaml", definition)]
    )
    assert [str(p) for p in problems] == [
        "a.yaml: levels: levels 1 to 5 are all needed; missing [5]",
        "d.yaml: levels: only the adoption questionnaire has `levels`",
    ]


def test_models_belong_to_model_fit_only(tmp_path):
    definition = valid_data("definition.yaml")
    definition["models"] = valid_data("model-fit.yaml")["models"]
    problems = loader.validate_paths([write(tmp_path / "d.yaml", definition)])
    assert [str(p) for p in problems] == [
        "d.yaml: models: only the model-fit questionnaire has `models`"
    ]


def test_regard_and_engagement_columns_have_fixed_options(tmp_path):
    data = valid_data("definition.yaml")
    attributes = data["sections"][1]["questions"][0]["attributes"]
    attributes[4]["options"][0]["id"] = "client"
    attributes[5]["options"].pop()
    problems = loader.validate_paths([write(tmp_path / "d.yaml", data)])
    assert [p.message for p in problems] == [
        "the `regard` column's options must be exactly `customer`, `citizen`, `stakeholder`; "
        "missing `customer` and unknown `client`",
        "the `engagement` column's options must be exactly `none`, `inform`, `consult`, "
        "`involve`, `collaborate`, `empower`; missing `empower`",
    ]


# -- a set of files ---------------------------------------------------------------------------


def test_the_valid_set_loads_with_each_kind_in_its_place():
    qset = load_directory(VALID)
    assert (qset.definition.kind, qset.model_fit.kind, qset.adoption.kind) == (
        "definition",
        "model-fit",
        "adoption",
    )
    assert sorted(qset.by_id) == ["adoption", "definition", "model-fit"]
    assert qset.by_kind("model-fit") is qset.model_fit
    assert qset.sources["adoption"] == VALID / "adoption.yaml"


def test_a_target_that_points_at_nothing_is_rejected(tmp_path):
    folder = copy_valid_set(tmp_path)
    adoption = valid_data("adoption.yaml")
    adoption["sections"][1]["targets"] = {"customer": 4, "stakeholder": 3}
    write(folder / "adoption.yaml", adoption)
    with pytest.raises(QuestionnaireError) as caught:
        load_directory(folder)
    assert [str(p) for p in caught.value.problems] == [
        "adoption.yaml: sections[1] (measurement) > targets: no target for the model(s) "
        "`citizen` of model-fit.yaml",
        "adoption.yaml: sections[1] (measurement) > targets > stakeholder: the target points "
        "at nothing: model-fit.yaml has no model `stakeholder` (its models are `customer`, "
        "`citizen`)",
    ]


def test_a_set_needs_one_file_of_each_kind(tmp_path):
    folder = copy_valid_set(tmp_path)
    (folder / "model-fit.yaml").unlink()
    with pytest.raises(QuestionnaireError) as caught:
        load_directory(folder)
    assert [str(p) for p in caught.value.problems] == [
        "questionnaires: there is no questionnaire of kind model-fit"
    ]


def test_two_files_of_one_kind_or_with_one_id_are_rejected(tmp_path):
    folder = copy_valid_set(tmp_path)
    shutil.copy(folder / "definition.yaml", folder / "definition-2.yaml")
    with pytest.raises(QuestionnaireError) as caught:
        load_directory(folder)
    assert [str(p) for p in caught.value.problems] == [
        "definition.yaml: id: `definition` is also the id of definition-2.yaml",
        "questionnaires: definition-2.yaml, definition.yaml are all of kind definition; "
        "keep only one",
    ]


def test_problems_in_several_files_are_all_reported(tmp_path):
    folder = copy_valid_set(tmp_path)
    shutil.copy(BROKEN / "missing-key.yaml", folder / "definition.yaml")
    shutil.copy(BROKEN / "model-fit-without-models.yaml", folder / "model-fit.yaml")
    with pytest.raises(QuestionnaireError) as caught:
        load_directory(folder)
    assert [p.file for p in caught.value.problems] == ["definition.yaml", "model-fit.yaml"]


def test_validate_paths_takes_files_and_folders():
    assert loader.validate_paths([VALID]) == []
    assert loader.validate_paths([VALID / "adoption.yaml", BROKEN / "missing-key.yaml"]) == [
        Problem(
            "missing-key.yaml",
            "sections[0] (scope) > questions[1] (def-where)",
            "missing key `text`",
        )
    ]


def test_a_missing_folder_is_reported(tmp_path):
    with pytest.raises(QuestionnaireError, match="there is no such folder"):
        load_directory(tmp_path / "nowhere")


def test_a_key_written_twice_on_one_line_is_reported(tmp_path):
    path = tmp_path / "d.yaml"
    path.write_text(
        (VALID / "definition.yaml")
        .read_text()
        .replace("{question: def-written,", "{question: def-written, question: def-written,")
    )
    assert [str(p) for p in loader.validate_paths([path])] == [
        "d.yaml: line 25: key `question` is written twice (first on line 25)"
    ]


def test_yes_is_not_taken_for_a_number(tmp_path):
    adoption = valid_data("adoption.yaml")
    adoption["sections"][0]["weight"] = True
    model_fit = valid_data("model-fit.yaml")
    model_fit["sections"][0]["questions"][0]["options"][0]["fit"]["customer"] = False
    problems = loader.validate_paths(
        [write(tmp_path / "a.yaml", adoption), write(tmp_path / "m.yaml", model_fit)]
    )
    assert [str(p) for p in problems] == [
        "a.yaml: sections[0] (leadership) > weight: should be a whole number, not `True`",
        "m.yaml: sections[0] (context) > questions[0] (fit-choice) > options[0] (often) > fit > "
        "customer: should be a whole number, not `False`",
    ]
