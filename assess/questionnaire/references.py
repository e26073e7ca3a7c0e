"""Checks that relate one part of a questionnaire to another, and one questionnaire to the others.

:mod:`assess.questionnaire.schema` checks the shape of a file. This module checks what shape alone
cannot: ids are unique, a ``show_if`` points at an earlier question and at answers it has, each kind
of questionnaire has the keys it needs (and not the ones that belong to another kind), the register
has its fixed columns, and the adoption targets name the model-fit file's models.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from assess.questionnaire.problems import Loc, Problem, format_path
from assess.questionnaire.schema import (
    MAX_STATEMENTS,
    OPTIONAL_REGISTER_ATTRIBUTES,
    REGISTER_ATTRIBUTES,
    REGISTER_OPTIONS,
    LevelQuestion,
    MultipleQuestion,
    Option,
    Questionnaire,
    RegisterQuestion,
    SingleQuestion,
    StatementQuestion,
    TextQuestion,
)

#: The steps every adoption level question needs a recommendation for: (from, to).
RECOMMENDATION_STEPS = ((1, 2), (2, 3), (3, 4), (4, 5))
LEVELS = (1, 2, 3, 4, 5)
#: The levels every level question needs criteria for.
CRITERIA_LEVELS = (3, 4, 5)


def _ids(values: Iterable[object]) -> str:
    return ", ".join(f"`{v}`" for v in values) or "none"


class _Checker:
    """Collects the problems of one questionnaire; each rule is one method."""

    def __init__(self, questionnaire: Questionnaire, file: str) -> None:
        self.q = questionnaire
        self.file = file
        self.document = questionnaire.model_dump(by_alias=True)
        self.problems: list[Problem] = []

    def add(self, loc: Loc, message: str) -> None:
        self.problems.append(Problem(self.file, format_path(loc, self.document), message))

    def run(self) -> list[Problem]:
        self.unique_ids()
        self.show_ifs()
        self.registers()
        self.choice_limits()
        self.level_criteria()
        if self.q.kind == "adoption":
            self.adoption()
        else:
            self.not_adoption()
        if self.q.kind == "model-fit":
            self.model_fit()
        else:
            self.not_model_fit()
        if self.q.kind == "perception":
            self.perception()
        else:
            self.not_perception()
        self.carry_over()
        return self.problems

    # -- carrying answers over from earlier versions -----------------------------------------------

    def carry_over(self) -> None:
        """Each entry carries to questions of this version; no old or new id is in two entries;
        an old id that is still a question here is not also mapped away."""
        present = {question.id for _si, _qi, question in self.each_question()}
        seen_from: dict[str, int] = {}
        seen_to: dict[str, int] = {}
        for index, entry in enumerate(self.q.carry_over or ()):
            for target in entry.to:
                if target not in present:
                    self.add(
                        ("carry_over", index, "to"),
                        f"`{target}` is not a question of this version, so nothing can carry "
                        "over to it",
                    )
                if target in seen_to:
                    self.add(
                        ("carry_over", index, "to"),
                        f"`{target}` is already the target of carry_over[{seen_to[target]}]",
                    )
                seen_to.setdefault(target, index)
            for source in entry.from_:
                if source in seen_from:
                    self.add(
                        ("carry_over", index, "from"),
                        f"`{source}` is already mapped by carry_over[{seen_from[source]}]",
                    )
                seen_from.setdefault(source, index)
                if source in present and source not in entry.to:
                    self.add(
                        ("carry_over", index, "from"),
                        f"`{source}` is still a question of this version: its answers carry "
                        "over to it by its id, so it cannot also be mapped to another question",
                    )

    # -- ids -------------------------------------------------------------------------------------

    def duplicates(self, loc: Loc, ids: Sequence[str], what: str) -> None:
        """Report each id in ``ids`` (the items of the list at ``loc``) that was used before."""
        first: dict[str, int] = {}
        for index, item_id in enumerate(ids):
            if item_id in first:
                self.add(
                    (*loc, index, "id"),
                    f"{what} id `{item_id}` is used twice in this list "
                    f"(first at [{first[item_id]}])",
                )
            else:
                first[item_id] = index

    def unique_ids(self) -> None:
        self.duplicates(("sections",), [s.id for s in self.q.sections], "section")
        self.duplicates(("models",), self.q.model_ids, "model")
        seen: dict[str, str] = {}
        for si, section in enumerate(self.q.sections):
            for qi, question in enumerate(section.questions):
                loc = ("sections", si, "questions", qi)
                if question.id in seen:
                    self.add(
                        (*loc, "id"),
                        f"question id `{question.id}` is used twice in this file "
                        f"(first at {seen[question.id]})",
                    )
                else:
                    seen[question.id] = format_path(loc, self.document)
                if isinstance(question, SingleQuestion | MultipleQuestion):
                    self.duplicates((*loc, "options"), [o.id for o in question.options], "option")
                if isinstance(question, RegisterQuestion):
                    self.duplicates(
                        (*loc, "segments"), [s.id for s in question.segments], "segment"
                    )
                    self.duplicates(
                        (*loc, "attributes"), [a.id for a in question.attributes], "attribute"
                    )
                    for ai, attribute in enumerate(question.attributes):
                        self.duplicates(
                            (*loc, "attributes", ai, "options"),
                            [o.id for o in attribute.options],
                            "option",
                        )

    # -- conditions ------------------------------------------------------------------------------

    def show_ifs(self) -> None:
        position: dict[str, int] = {}
        questions = [question for _section, question in self.q.questions()]
        for index, question in enumerate(questions):
            position.setdefault(question.id, index)
        index = -1
        for si, section in enumerate(self.q.sections):
            for qi, question in enumerate(section.questions):
                index += 1
                if question.show_if is None:
                    continue
                loc = ("sections", si, "questions", qi, "show_if")
                target_id = question.show_if.question
                if target_id not in position:
                    self.add((*loc, "question"), f"there is no question `{target_id}` in this file")
                    continue
                if position[target_id] >= index:
                    where = "is this question" if target_id == question.id else "comes later"
                    self.add(
                        (*loc, "question"),
                        f"`{target_id}` {where}; a question can only depend on an earlier one",
                    )
                    continue
                self.condition_values(loc, questions[position[target_id]], question.show_if.any_of)

    def condition_values(self, loc: Loc, target: Any, any_of: Sequence[int | str]) -> None:
        if isinstance(target, SingleQuestion | MultipleQuestion):
            option_ids = [o.id for o in target.options]
            for i, value in enumerate(any_of):
                if isinstance(value, int):
                    hint = f' (write "{value}" in quotes)' if str(value) in option_ids else ""
                    self.add(
                        (*loc, "any_of", i),
                        f"{value} is a level, but `{target.id}` is a {target.type} question: "
                        f"name its option ids{hint}",
                    )
                elif value not in option_ids:
                    self.add(
                        (*loc, "any_of", i),
                        f"`{value}` is not an option of `{target.id}` "
                        f"(its options are {_ids(option_ids)})",
                    )
        elif isinstance(target, LevelQuestion):
            for i, value in enumerate(any_of):
                if not isinstance(value, int) or value not in target.levels:
                    self.add(
                        (*loc, "any_of", i),
                        f"`{value}` is not a level of `{target.id}`: use levels 1 to 5",
                    )
        else:
            self.add(
                (*loc, "question"),
                f"`{target.id}` is a {target.type} question; a condition can only depend on a "
                "single, multiple or level question",
            )

    # -- question types --------------------------------------------------------------------------

    def registers(self) -> None:
        for si, qi, question in self.each_question():
            if not isinstance(question, RegisterQuestion):
                continue
            loc = ("sections", si, "questions", qi, "attributes")
            present = [a.id for a in question.attributes]
            missing = [a for a in REGISTER_ATTRIBUTES if a not in present]
            if missing:
                self.add(
                    loc,
                    f"the register needs the columns {_ids(REGISTER_ATTRIBUTES)}; "
                    f"missing {_ids(missing)}",
                )
            twice = sorted({a for a in present if present.count(a) > 1})
            if twice:
                self.add(loc, f"each register column appears once; repeated {_ids(twice)}")
            optional = [a for a in OPTIONAL_REGISTER_ATTRIBUTES if a in present]
            if optional and len(optional) != len(OPTIONAL_REGISTER_ATTRIBUTES):
                absent = [a for a in OPTIONAL_REGISTER_ATTRIBUTES if a not in present]
                self.add(
                    loc,
                    f"the columns {_ids(OPTIONAL_REGISTER_ATTRIBUTES)} go together; "
                    f"missing {_ids(absent)}",
                )
            for ai, attribute in enumerate(question.attributes):
                expected = REGISTER_OPTIONS[attribute.id]
                actual = [o.id for o in attribute.options]
                if set(actual) != set(expected):
                    unknown = [o for o in actual if o not in expected]
                    absent = [o for o in expected if o not in actual]
                    details = []
                    if absent:
                        details.append(f"missing {_ids(absent)}")
                    if unknown:
                        details.append(f"unknown {_ids(unknown)}")
                    self.add(
                        (*loc, ai, "options"),
                        f"the `{attribute.id}` column's options must be exactly "
                        f"{_ids(expected)}; {' and '.join(details)}",
                    )

    def choice_limits(self) -> None:
        for si, qi, question in self.each_question():
            if (
                isinstance(question, MultipleQuestion)
                and question.max_choices is not None
                and question.max_choices > len(question.options)
            ):
                self.add(
                    ("sections", si, "questions", qi, "max_choices"),
                    f"{question.max_choices} is more than the {len(question.options)} "
                    "options there are",
                )

    # -- kinds -----------------------------------------------------------------------------------

    def adoption(self) -> None:
        if self.q.levels is None:
            self.add((), "an adoption questionnaire needs `levels` (the names of levels 1 to 5)")
        else:
            missing = [n for n in LEVELS if n not in self.q.levels]
            if missing:
                self.add(("levels",), f"levels 1 to 5 are all needed; missing {missing}")
        for si, section in enumerate(self.q.sections):
            loc = ("sections", si)
            for key in ("weight", "targets", "recommendations"):
                if getattr(section, key) is None:
                    self.add(loc, f"missing key `{key}`: every adoption dimension needs it")
            self.recommendations(loc, section)
            for qi, question in enumerate(section.questions):
                if not isinstance(question, LevelQuestion):
                    self.add(
                        (*loc, "questions", qi, "type"),
                        f"adoption questions are all `level` questions, not `{question.type}`",
                    )

    def level_criteria(self) -> None:
        """Every level question in a file has criteria for levels 3, 4 and 5, and no old key."""
        for si, qi, question in self.each_question():
            if not isinstance(question, LevelQuestion):
                continue
            loc = ("sections", si, "questions", qi)
            if question.quality_criteria is not None:
                self.add(
                    (*loc, "quality_criteria"),
                    "`quality_criteria` was replaced by `criteria` (levels 3, 4 and 5, each a "
                    "list of records that show the level)",
                )
            missing = [n for n in CRITERIA_LEVELS if n not in (question.criteria or {})]
            if missing:
                where = (*loc, "criteria") if question.criteria is not None else loc
                self.add(
                    where,
                    f"criteria are needed for levels 3, 4 and 5; missing {missing}",
                )

    def recommendations(self, loc: Loc, section: Any) -> None:
        recommendations: Sequence[Any] = section.recommendations or []
        if not recommendations:
            return
        level_ids = [q.id for q in section.questions if isinstance(q, LevelQuestion)]
        if not level_ids:
            return  # the questions' own type problems say what is wrong
        seen: dict[str, set[int]] = {qid: set() for qid in level_ids}
        for ri, step in enumerate(recommendations):
            here = (*loc, "recommendations", ri)
            if step.question not in seen:
                self.add(
                    (*here, "question"),
                    f"`{step.question}` is not a level question of this dimension; "
                    f"its level questions are {_ids(level_ids)}",
                )
                continue
            if step.to_level != step.from_level + 1:
                self.add(
                    (*here, "to"),
                    f"a step goes up one level: from {step.from_level} the next is "
                    f"{step.from_level + 1}, not {step.to_level}",
                )
            if step.from_level in seen[step.question]:
                self.add(
                    (*here, "from"),
                    f"there are two recommendations for `{step.question}` from level "
                    f"{step.from_level}",
                )
            seen[step.question].add(step.from_level)
        for question_id, found in seen.items():
            missing = [f"{a}->{b}" for a, b in RECOMMENDATION_STEPS if a not in found]
            if missing:
                self.add(
                    (*loc, "recommendations"),
                    f"question `{question_id}` needs a recommendation for each step 1->2, "
                    f"2->3, 3->4 and 4->5; missing {', '.join(missing)}",
                )

    def not_adoption(self) -> None:
        if self.q.levels is not None:
            self.add(("levels",), "only the adoption questionnaire has `levels`")
        for si, section in enumerate(self.q.sections):
            for key in ("weight", "targets", "recommendations"):
                if getattr(section, key) is not None:
                    self.add(
                        ("sections", si, key),
                        f"only adoption dimensions have `{key}`; this is a {self.q.kind} "
                        "questionnaire",
                    )

    def model_fit(self) -> None:
        model_ids = self.q.model_ids
        if not model_ids:
            self.add((), "a model-fit questionnaire needs `models` (the candidate models)")
            return
        for si, qi, question in self.each_question():
            if not isinstance(question, SingleQuestion | MultipleQuestion):
                continue
            for oi, option in enumerate(question.options):
                loc = ("sections", si, "questions", qi, "options", oi)
                if option.fit is None:
                    self.add(loc, f"missing key `fit`: give a weight for {_ids(model_ids)}")
                else:
                    self.fit_names_models(loc, option, model_ids)

    def fit_names_models(self, loc: Loc, option: Option, model_ids: Sequence[str]) -> None:
        fit = option.fit or {}
        missing = [m for m in model_ids if m not in fit]
        unknown = [m for m in fit if m not in model_ids]
        if missing:
            self.add((*loc, "fit"), f"no weight for the model(s) {_ids(missing)}")
        for model in unknown:
            self.add(
                (*loc, "fit", model),
                f"there is no model `{model}` in `models` ({_ids(model_ids)})",
            )

    def not_model_fit(self) -> None:
        if self.q.models is not None:
            self.add(("models",), "only the model-fit questionnaire has `models`")
        for si, qi, question in self.each_question():
            loc = ("sections", si, "questions", qi)
            if isinstance(question, SingleQuestion | MultipleQuestion):
                for oi, option in enumerate(question.options):
                    if option.fit is not None:
                        self.add(
                            (*loc, "options", oi, "fit"),
                            "only model-fit options have `fit`",
                        )
            if isinstance(question, RegisterQuestion):
                for ai, attribute in enumerate(question.attributes):
                    for oi, option in enumerate(attribute.options):
                        if option.fit is not None:
                            self.add(
                                (*loc, "attributes", ai, "options", oi, "fit"),
                                "register options have no `fit`",
                            )

    def perception(self) -> None:
        """A short survey: statements on the agreement scale, and at most one comment box."""
        if self.q.scale is None:
            self.add(
                (),
                "a perception questionnaire needs `scale` (the labels of agreement 1 to 5)",
            )
        else:
            missing = [n for n in LEVELS if n not in self.q.scale]
            if missing:
                self.add(("scale",), f"points 1 to 5 are all needed; missing {missing}")
        statements = 0
        texts = 0
        for si, qi, question in self.each_question():
            loc = ("sections", si, "questions", qi)
            if isinstance(question, StatementQuestion):
                statements += 1
                if question.show_if is not None:
                    self.add((*loc, "show_if"), "a survey statement is always asked")
            elif isinstance(question, TextQuestion):
                texts += 1
                if texts > 1:
                    self.add(loc, "a perception questionnaire has at most one comment question")
            else:
                self.add(
                    (*loc, "type"),
                    f"perception questions are `statement` questions and one optional `text` "
                    f"comment, not `{question.type}`",
                )
        if statements == 0:
            self.add(("sections",), "a perception questionnaire needs at least one statement")
        if statements > MAX_STATEMENTS:
            self.add(
                ("sections",),
                f"{statements} statements is too many for a short survey: at most {MAX_STATEMENTS}",
            )

    def not_perception(self) -> None:
        if self.q.scale is not None:
            self.add(("scale",), "only the perception questionnaire has `scale`")
        for si, qi, question in self.each_question():
            if isinstance(question, StatementQuestion):
                self.add(
                    ("sections", si, "questions", qi, "type"),
                    f"`statement` questions belong to a perception questionnaire; this is a "
                    f"{self.q.kind} questionnaire",
                )

    def each_question(self) -> Iterable[tuple[int, int, Any]]:
        for si, section in enumerate(self.q.sections):
            for qi, question in enumerate(section.questions):
                yield si, qi, question


def check_questionnaire(questionnaire: Questionnaire, file: str) -> list[Problem]:
    """Every cross-reference problem inside one questionnaire that passed the schema."""
    return _Checker(questionnaire, file).run()


def check_set(questionnaires: Sequence[tuple[str, Questionnaire]]) -> list[Problem]:
    """Problems between files: each kind once, ids unique, adoption targets name the models.

    ``questionnaires`` are (file name, questionnaire) pairs that each passed
    :func:`check_questionnaire`. The targets are checked when exactly one model-fit file is among
    them.
    """
    problems: list[Problem] = []
    by_id: dict[str, str] = {}
    for file, questionnaire in questionnaires:
        if questionnaire.id in by_id:
            problems.append(
                Problem(
                    file,
                    "id",
                    f"`{questionnaire.id}` is also the id of {by_id[questionnaire.id]}",
                )
            )
        by_id.setdefault(questionnaire.id, file)
    problems += _perception_areas(questionnaires)
    model_fits = [(f, q) for f, q in questionnaires if q.kind == "model-fit"]
    if len(model_fits) != 1:
        return problems
    fit_file, model_fit = model_fits[0]
    model_ids = model_fit.model_ids
    for file, questionnaire in questionnaires:
        if questionnaire.kind != "adoption":
            continue
        document = questionnaire.model_dump(by_alias=True)
        for si, section in enumerate(questionnaire.sections):
            targets = section.targets or {}
            loc = ("sections", si, "targets")
            missing = [m for m in model_ids if m not in targets]
            if section.targets is not None and missing:
                problems.append(
                    Problem(
                        file,
                        format_path(loc, document),
                        f"no target for the model(s) {_ids(missing)} of {fit_file}",
                    )
                )
            for model in targets:
                if model not in model_ids:
                    problems.append(
                        Problem(
                            file,
                            format_path((*loc, model), document),
                            f"the target points at nothing: {fit_file} has no model `{model}` "
                            f"(its models are {_ids(model_ids)})",
                        )
                    )
    return problems


def _perception_areas(questionnaires: Sequence[tuple[str, Questionnaire]]) -> list[Problem]:
    """Each perception statement's ``area`` names a dimension of the adoption file (checked when
    exactly one adoption file is among them)."""
    adoptions = [(f, q) for f, q in questionnaires if q.kind == "adoption"]
    if len(adoptions) != 1:
        return []
    adoption_file, adoption = adoptions[0]
    areas = [s.id for s in adoption.sections]
    problems: list[Problem] = []
    for file, questionnaire in questionnaires:
        if questionnaire.kind != "perception":
            continue
        document = questionnaire.model_dump(by_alias=True)
        for si, section in enumerate(questionnaire.sections):
            for qi, question in enumerate(section.questions):
                if isinstance(question, StatementQuestion) and question.area not in areas:
                    problems.append(
                        Problem(
                            file,
                            format_path(("sections", si, "questions", qi, "area"), document),
                            f"`{question.area}` is not a dimension of {adoption_file} "
                            f"(its dimensions are {_ids(areas)})",
                        )
                    )
    return problems
