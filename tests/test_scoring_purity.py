"""The scoring package is pure: no database, no web framework, no input or output."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from scoring_helpers import ROOT

import assess.questionnaire.validation

SCORING = ROOT / "assess" / "scoring"
#: What a scoring module may import: the standard library, the questionnaire contract and itself.
ALLOWED_PREFIXES = (
    "assess.scoring",
    "assess.questionnaire.schema",
    "assess.questionnaire.answers",
    # The show_if rule: pure as well (checked by test_the_shared_questionnaire_rules_are_pure).
    "assess.questionnaire.validation",
)
#: Standard-library modules that would let scoring reach outside (files, network, processes).
FORBIDDEN_STDLIB = {"os", "io", "pathlib", "socket", "subprocess", "sqlite3", "shutil", "urllib"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_scoring_modules_import_only_the_standard_library_and_the_questionnaire_contract():
    modules = sorted(SCORING.glob("*.py"))
    assert len(modules) >= 7
    for module in modules:
        for name in _imports(module):
            top = name.split(".")[0]
            if name.startswith(ALLOWED_PREFIXES) or top == "__future__":
                continue
            assert top in sys.stdlib_module_names, f"{module.name} imports {name}"
            assert top not in FORBIDDEN_STDLIB, f"{module.name} imports {name}"


def test_the_shared_questionnaire_rules_are_pure():
    path = Path(assess.questionnaire.validation.__file__)
    for name in _imports(path):
        top = name.split(".")[0]
        if name.startswith(ALLOWED_PREFIXES) or top == "__future__":
            continue
        assert top in sys.stdlib_module_names and top not in FORBIDDEN_STDLIB, name
