"""The one CSV helper: cells a spreadsheet would run are defused, and come back as they were."""

from __future__ import annotations

import csv
import io

import pytest

from assess import spreadsheet


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+41 22", "'+41 22"),
        ("-3", "'-3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain, with comma", "plain, with comma"),
        ("'already quoted", "'already quoted"),
        ("", ""),
    ],
)
def test_cells_a_spreadsheet_would_run_are_defused_and_come_back(cell, safe):
    assert spreadsheet.defuse(cell) == safe
    assert spreadsheet.undefuse(spreadsheet.defuse(cell)) == cell


def test_a_file_has_a_byte_order_mark_crlf_and_only_defused_cells():
    text = spreadsheet.rows_to_text(("a", "b"), [("=cmd|' /C calc'!A0", None), ("Siân", 3)])
    assert text.startswith("\ufeffa,b\r\n")
    rows = list(csv.reader(io.StringIO(text[1:], newline="")))
    assert rows == [["a", "b"], ["'=cmd|' /C calc'!A0", ""], ["Siân", "3"]]
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")
