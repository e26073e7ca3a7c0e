"""Where assess finds the files it ships beside its code.

The questionnaires, the report templates and the web assets live at the top of the repository. A
built wheel carries them inside the package (``assess/_data/...``, see ``pyproject.toml``); a source
checkout or an editable install finds them next to the package.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def shipped_dir(name: str) -> Path:
    """Return the folder ``name`` (``questionnaires``, ``reports`` or ``static``) as installed."""
    inside_wheel = PACKAGE_DIR / "_data" / name
    if inside_wheel.is_dir():
        return inside_wheel
    return PACKAGE_DIR.parent / name


QUESTIONNAIRES_DIR = shipped_dir("questionnaires")
REPORTS_DIR = shipped_dir("reports")
STATIC_DIR = shipped_dir("static")
MIGRATIONS_DIR = PACKAGE_DIR / "migrations"
