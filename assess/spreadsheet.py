"""CSV files that spreadsheet programs open safely: the one place that writes and defuses them.

Every CSV the application sends (the audit trail, the action plan, survey results, an
assessment's answers and register, the import template) goes through :func:`defuse` and
:func:`rows_to_text` / :func:`line_writer`: UTF-8 with a byte-order mark, so that Excel reads
Welsh and other accented letters right; CRLF line ends; and every cell that a spreadsheet would
run as a formula (CSV injection) starts with an apostrophe, which shows it as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence

#: A cell starting with one of these is read as a formula by spreadsheets (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: The byte-order mark every CSV file starts with.
BOM = "\ufeff"


def defuse(cell: str) -> str:
    """``cell`` made safe to open in a spreadsheet: a leading apostrophe stops a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def undefuse(cell: str) -> str:
    """The inverse of :func:`defuse`, for a file coming back: ``'=x`` is ``=x`` again.

    Only an apostrophe that :func:`defuse` would have added is removed.
    """
    if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


def line_writer() -> Callable[[Sequence[object]], str]:
    """A function turning one row of cells into one defused CSV line (ending CRLF).

    ``None`` is an empty cell; anything else is written as ``str(cell)``.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells: Sequence[object]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([defuse("" if cell is None else str(cell)) for cell in cells])
        return buffer.getvalue()

    return line


def rows_to_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A whole CSV file: the byte-order mark, ``header``, then ``rows``, every cell defused."""
    line = line_writer()
    return BOM + line(header) + "".join(line(row) for row in rows)
