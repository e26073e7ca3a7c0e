"""What is wrong with a questionnaire file: one :class:`Problem` per mistake, with a key path.

The loader (:mod:`assess.questionnaire.loader`) and the reference check
(:mod:`assess.questionnaire.references`) both report problems this way, so that
``assess questionnaires validate`` can print every one as ``file: path: message``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

#: A position in a document, as pydantic reports it: keys and list indexes, outermost first.
Loc = Sequence[str | int]

#: pydantic inserts the question's ``type`` after the list index of a question; people do not
#: write it, so paths leave it out.
_UNION_TAGS = frozenset({"single", "multiple", "level", "text", "register"})


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a questionnaire file."""

    #: The file's name, such as ``adoption.yaml``.
    file: str
    #: Where in the file, such as ``sections[2] (mapping) > questions[1] (map-salience) > levels``;
    #: a line number for YAML syntax errors; empty for the file as a whole.
    path: str
    #: What is wrong, in plain words.
    message: str

    def __str__(self) -> str:
        return ": ".join(part for part in (self.file, self.path, self.message) if part)


class QuestionnaireError(Exception):
    """A questionnaire, or a set of them, cannot be used; ``problems`` says why."""

    def __init__(self, problems: Iterable[Problem], heading: str | None = None) -> None:
        self.problems = list(problems)
        self.heading = heading
        lines = [str(problem) for problem in self.problems]
        super().__init__("\n".join([heading, *lines] if heading else lines))


def format_path(loc: Loc, document: Any) -> str:
    """Turn a key path into words: ``sections[2] (mapping) > questions[1] (map-salience) > levels``.

    ``document`` is the data the path points into (the parsed YAML, or a questionnaire dumped with
    ``model_dump(by_alias=True)``); it supplies the ids shown beside list indexes. pydantic's
    union tags (the question ``type``) are left out.
    """
    parts: list[str] = []
    node = document
    for step in loc:
        if step in _UNION_TAGS and isinstance(node, dict) and node.get("type") == step:
            continue
        if isinstance(step, int) and isinstance(node, list):
            label = f"[{step}]"
            node = node[step] if 0 <= step < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("id"), str):
                label += f" ({node['id']})"
            if parts:
                parts[-1] += label
            else:
                parts.append(label)
            continue
        parts.append(str(step))
        node = node.get(step) if isinstance(node, dict) else None
    return " > ".join(parts)
