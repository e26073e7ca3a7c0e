"""The suite collects every test file: no two test modules may share a file name.

pytest imports test modules by their base name (the tests folders are not packages), so a
second ``test_x.py`` in another folder stops collection with "import file mismatch" and its
tests never run.
This has happened twice; this test names the clash before a full run finds it.
"""

from collections import defaultdict
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_no_two_test_modules_share_a_file_name():
    by_name = defaultdict(list)
    for path in TESTS.rglob("test_*.py"):
        if "__pycache__" in path.parts:
            continue
        by_name[path.name].append(path.relative_to(TESTS).as_posix())
    clashes = {name: sorted(paths) for name, paths in by_name.items() if len(paths) > 1}
    assert clashes == {}, f"rename one of each: {clashes}"
