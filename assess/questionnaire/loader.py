"""Read questionnaire files: YAML in, a checked :class:`Questionnaire` out, or every problem found.

A file goes through three checks, and the loader reports every problem of each, not only the first:

1. YAML syntax (with the line and column) and keys written twice in one mapping;
2. the schema (:mod:`assess.questionnaire.schema`): unknown or missing keys, wrong types, ranges;
3. the references (:mod:`assess.questionnaire.references`), once the shape is right.

A set of files (the three kinds) is then checked together (:func:`load_directory`,
:func:`validate_paths`).
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from assess import paths
from assess.questionnaire import references, schema
from assess.questionnaire.problems import Problem, QuestionnaireError, format_path
from assess.questionnaire.schema import Questionnaire

__all__ = [
    "Problem",
    "QuestionnaireError",
    "QuestionnaireSet",
    "canonical_json",
    "content",
    "fingerprint",
    "load_directory",
    "load_file",
    "load_paths",
    "parse",
    "validate_paths",
]

_YAML_SUFFIXES = (".yaml", ".yml")
_KINDS = ("definition", "model-fit", "adoption")
#: Kinds a folder may hold once, or not at all.
_OPTIONAL_KINDS = ("perception",)


# -- YAML ---------------------------------------------------------------------------------------

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """A safe YAML loader that notes keys written twice in one mapping instead of dropping one."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[tuple[Any, int, int]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                if key in seen:
                    self.duplicate_keys.append((key, line, seen[key]))
                else:
                    seen[key] = line
            except TypeError:  # an unhashable key; SafeConstructor reports it
                continue
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


def _read_yaml(path: Path, file: str) -> tuple[Any, list[Problem]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem(file, "", f"there is no such file: {path}")]
    except UnicodeDecodeError as error:
        return None, [Problem(file, "", f"the file is not UTF-8 text ({error.reason})")]
    loader = _Loader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = error.problem or "not valid YAML"
        if error.context:
            what += f" ({error.context})"
        return None, [Problem(file, where, f"YAML syntax error: {what}")]
    except yaml.YAMLError as error:
        return None, [Problem(file, "", f"YAML syntax error: {error}")]
    finally:
        loader.dispose()
    problems = [
        Problem(file, f"line {line}", f"key `{key}` is written twice (first on line {first})")
        for key, line, first in loader.duplicate_keys
    ]
    if not isinstance(data, dict):
        problems.append(
            Problem(file, "", "the file should be a mapping of keys (id, version, ...)")
        )
        return None, problems
    return data, problems


# -- pydantic errors in plain words -------------------------------------------------------------


def _field_names() -> set[str]:
    names: set[str] = set()
    for model in vars(schema).values():
        if isinstance(model, type) and issubclass(model, BaseModel) and model is not BaseModel:
            for name, info in model.model_fields.items():
                names.add(info.alias or name)
    return names - {"root"}


_KNOWN_KEYS = _field_names()
_TEXT_KEYS = frozenset(
    {"text", "title", "label", "guidance", "description", "intro", "help", "name", "summary"}
    | {"action", "rationale", "owner"}
)
_PATTERNS = {
    schema.ID_PATTERN: "is not a valid id: use lower-case letters, digits and hyphens, "
    "starting with a letter",
    r"^[a-z0-9][a-z0-9-]*$": "is not a valid option id: use lower-case letters, digits and hyphens",
    r"^[0-9A-Za-z.+-]+$": "is not a valid version: use digits, letters, dots, + and -, "
    'such as "1.0.0"',
}
#: pydantic's names for the members of a plain union (``show_if.any_of``).
_UNION_MEMBERS = ("constrained-int", "constrained-str", "int", "str")


def _shown(value: Any) -> str:
    if isinstance(value, dict | list):
        return "a mapping" if isinstance(value, dict) else "a list"
    if value is None:
        return "nothing"
    return f"`{value}`"


def _message(error: Mapping[str, Any], key: Any) -> str:
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return f"missing key `{key}`"
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(key), _KNOWN_KEYS, n=1)
        return f"unknown key `{key}`" + (f" (did you mean `{close[0]}`?)" if close else "")
    if kind == "union_tag_invalid":
        types = ", ".join(schema.QUESTION_TYPES)
        return f"`type` is `{ctx.get('tag')}`; it should be one of {types}"
    if kind == "union_tag_not_found":
        return f"missing key `type` (one of {', '.join(schema.QUESTION_TYPES)})"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "string_pattern_mismatch":
        return f"`{value}` " + _PATTERNS.get(ctx.get("pattern", ""), "is not written correctly")
    if kind == "string_type":
        if isinstance(value, bool):
            return (
                "should be text, but YAML read an unquoted yes/no/on/off/true/false as "
                f"`{str(value).lower()}`: put it in quotes"
            )
        if isinstance(value, int | float):
            return f'should be text: write it in quotes, such as "{value}"'
        return f"should be text, not {_shown(value)}"
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        if isinstance(value, str) and key in _TEXT_KEYS:
            return 'should be text keyed by locale, such as {en: "..."}, not plain text'
        return f"should be a mapping of keys to values, not {_shown(value)}"
    if kind == "list_type":
        return f"should be a list (one `- ` line per item), not {_shown(value)}"
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return f"should be a whole number, not {_shown(value)}"
    if kind in {"bool_type", "bool_parsing"}:
        return f"should be true or false, not {_shown(value)}"
    if kind == "less_than_equal":
        return f"should be at most {ctx['le']}, not {_shown(value)}"
    if kind == "greater_than_equal":
        return f"should be at least {ctx['ge']}, not {_shown(value)}"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} item(s)"
    if kind == "too_long":
        return f"has too many items: at most {ctx.get('max_length')}"
    if kind == "string_too_long":
        return f"is too long: at most {ctx.get('max_length')} characters"
    if kind == "literal_error":
        return f"should be {ctx.get('expected')}, not {_shown(value)}"
    message = str(error["msg"])
    return message[len("Input ") :] if message.startswith("Input ") else message


def _schema_problems(error: ValidationError, file: str, data: Any) -> list[Problem]:
    problems: list[Problem] = []
    union_items: set[tuple[Any, ...]] = set()
    for item in error.errors():
        loc = list(item["loc"])
        prefix = ""
        if loc and loc[-1] in _UNION_MEMBERS:
            loc.pop()
            if tuple(loc) in union_items:
                continue
            union_items.add(tuple(loc))
            problems.append(
                Problem(
                    file,
                    format_path(loc, data),
                    f"should be an option id or a level from 1 to 5, not {_shown(item['input'])}",
                )
            )
            continue
        if loc and loc[-1] == "[key]":
            loc.pop()
            prefix = "the key "
        key = loc[-1] if loc else ""
        if item["type"] in {"missing", "extra_forbidden"} and loc:
            loc.pop()
        message = prefix + _message(item, key)
        problems.append(Problem(file, format_path(loc, data), message))
    return problems


def read_mapping(path: Path, file: str) -> tuple[Any, list[Problem]]:
    """Read a YAML mapping with the questionnaire files' checks (UTF-8, syntax, keys written
    twice, safe tags only); the data (None when unusable) and the problems, named ``file``."""
    return _read_yaml(path, file)


def schema_problems(error: ValidationError, file: str, data: Any) -> list[Problem]:
    """pydantic's ``error`` about ``data`` (read from ``file``) as problems in plain words."""
    return _schema_problems(error, file, data)


# -- one file -----------------------------------------------------------------------------------


def _load(path: Path) -> tuple[Questionnaire | None, list[Problem]]:
    file = path.name
    data, problems = _read_yaml(path, file)
    if data is None:
        return None, problems
    try:
        questionnaire = Questionnaire.model_validate(data)
    except ValidationError as error:
        return None, problems + _schema_problems(error, file, data)
    problems += references.check_questionnaire(questionnaire, file)
    return (None if problems else questionnaire), problems


def parse(path: str | Path) -> tuple[Questionnaire | None, list[Problem]]:
    """Read one file: the questionnaire (None when there are problems) and every problem found."""
    return _load(Path(path))


def load_file(path: str | Path) -> Questionnaire:
    """Read and check one questionnaire file; raise :class:`QuestionnaireError` listing problems."""
    questionnaire, problems = _load(Path(path))
    if questionnaire is None:
        raise QuestionnaireError(problems)
    return questionnaire


# -- a set of files -----------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionnaireSet:
    """The three questionnaires an assessment uses, checked together."""

    definition: Questionnaire
    model_fit: Questionnaire
    adoption: Questionnaire
    #: Where each questionnaire was read from, by questionnaire id.
    sources: Mapping[str, Path] = field(default_factory=dict)
    #: The stakeholders' perception survey, when the folder has one (surveys need it).
    perception: Questionnaire | None = None
    #: The installed questionnaire pack (its row id) these came from; None: the instance's own.
    pack_id: int | None = None

    def __iter__(self) -> Iterator[Questionnaire]:
        """The three questionnaires an assessment answers (not the survey)."""
        return iter((self.definition, self.model_fit, self.adoption))

    @property
    def every(self) -> tuple[Questionnaire, ...]:
        """Every questionnaire of the folder, the survey's included."""
        return (*self, *([self.perception] if self.perception else []))

    @property
    def by_id(self) -> dict[str, Questionnaire]:
        """The questionnaires by their ids."""
        return {q.id: q for q in self}

    def by_kind(self, kind: str) -> Questionnaire:
        """The questionnaire of ``kind`` (definition, model-fit or adoption)."""
        return {q.kind: q for q in self}[kind]


def _yaml_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in _YAML_SUFFIXES and p.is_file())
    return [path]


def load_paths(
    paths_: Iterable[str | Path],
) -> tuple[list[tuple[Path, Questionnaire]], list[Problem]]:
    """Read the given files and folders (a folder means its ``*.yaml`` files), checked together.

    Returns the (path, questionnaire) pairs that passed on their own, and every problem found,
    including those between files (see :func:`validate_paths`).
    """
    files = [f for p in paths_ for f in _yaml_files(Path(p))]
    loaded: list[tuple[Path, Questionnaire]] = []
    problems: list[Problem] = []
    for path in files:
        questionnaire, found = _load(path)
        problems += found
        if questionnaire is not None:
            loaded.append((path, questionnaire))
    problems += references.check_set([(p.name, q) for p, q in loaded])
    return loaded, problems


def validate_paths(paths_: Iterable[str | Path]) -> list[Problem]:
    """Every problem in the given files and folders (a folder means its ``*.yaml`` files).

    The files are also checked against each other: ids are unique and, when exactly one model-fit
    file is among them, every adoption target names one of its models.
    """
    _loaded, problems = load_paths(paths_)
    return problems


def load_directory(path: str | Path | None = None) -> QuestionnaireSet:
    """Load and check the folder's questionnaires: one file of each kind, consistent together.

    ``path`` defaults to the shipped ``questionnaires/`` folder. Raises :class:`QuestionnaireError`
    with every problem found in any of the files.
    """
    directory = Path(path) if path is not None else paths.QUESTIONNAIRES_DIR
    if not directory.is_dir():
        raise QuestionnaireError([Problem(str(directory), "", "there is no such folder")])
    loaded, problems = load_paths([directory])
    by_kind: dict[str, list[tuple[Path, Questionnaire]]] = {
        kind: [] for kind in (*_KINDS, *_OPTIONAL_KINDS)
    }
    for item in loaded:
        by_kind[item[1].kind].append(item)
    for kind, items in by_kind.items():
        if len(items) > 1:
            names = ", ".join(p.name for p, _q in items)
            problems.append(
                Problem(directory.name, "", f"{names} are all of kind {kind}; keep only one")
            )
    if not problems:
        for kind, items in by_kind.items():
            if not items and kind in _KINDS:
                problems.append(
                    Problem(directory.name, "", f"there is no questionnaire of kind {kind}")
                )
    if problems:
        raise QuestionnaireError(problems)
    return QuestionnaireSet(
        definition=by_kind["definition"][0][1],
        model_fit=by_kind["model-fit"][0][1],
        adoption=by_kind["adoption"][0][1],
        sources={q.id: p for p, q in loaded},
        perception=by_kind["perception"][0][1] if by_kind["perception"] else None,
    )


# -- content and fingerprint --------------------------------------------------------------------


def content(questionnaire: Questionnaire) -> dict[str, Any]:
    """The questionnaire as JSON-ready data: what the database stores and the fingerprint covers.

    Keys left at their defaults are omitted, so that a later release of assess that adds an
    optional key does not count as a change to every questionnaire.
    """
    data: dict[str, Any] = questionnaire.model_dump(
        mode="json", by_alias=True, exclude_defaults=True
    )
    return data


def canonical_json(questionnaire: Questionnaire) -> str:
    """:func:`content` as JSON with sorted keys and no spaces: equal content, equal text."""
    return json.dumps(
        content(questionnaire), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def fingerprint(questionnaire: Questionnaire) -> str:
    """SHA-256 of :func:`canonical_json`: comments, layout and key order do not change it."""
    return hashlib.sha256(canonical_json(questionnaire).encode("utf-8")).hexdigest()


def from_content(data: Mapping[str, Any]) -> Questionnaire:
    """Rebuild a questionnaire from :func:`content` (for example a copy kept in the database)."""
    return Questionnaire.model_validate(dict(data))
