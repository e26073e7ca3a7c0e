"""The CSV import against hostile and awkward files: huge, too many rows, binary junk, wrong
encodings, broken quoting, formula cells, Excel's semicolons, line ends and byte-order marks.

Each file is either refused whole with a message a person can act on, or read row by row; never a
500, and nothing is stored by a preview."""

from __future__ import annotations

import codecs
import io
import os

import pytest
from helpers import csrf_token, login, post
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from assess import db
from assess.models import AnswerRecord
from assess.services import assessments, csv_data, csv_import
from assess.services.questionnaires import current_questionnaires

HEADER = "questionnaire,question_id,answer,criteria_met,note"


@pytest.fixture
def draft(app, make_user, make_org):
    admin = make_user(name="Ada Admin")
    org = make_org(members={admin: "admin"})
    with app.app_context():
        assessment_id = assessments.start(org.id, admin, "Paper day", current_questionnaires()).id
    client = app.test_client()
    login(client, admin)
    return {"app": app, "id": assessment_id, "client": client, "admin": admin}


def read(draft, content: bytes, name: str = "file.csv") -> csv_import.Preview:
    with draft["app"].test_request_context():
        return csv_import.preview(assessments.get(draft["id"]), content, name)


def lines(*rows: str, newline: str = "\r\n", bom: bool = True) -> bytes:
    return (("\ufeff" if bom else "") + newline.join(rows) + newline).encode("utf-8")


def upload(draft, content: bytes, name: str = "file.csv", mimetype: str = "text/csv"):
    fields = MultiDict({"csrf_token": csrf_token(draft["client"])})
    fields.add("file", FileStorage(io.BytesIO(content), name, content_type=mimetype))
    # Encoded in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart(fields)
    return draft["client"].post(
        f"/assessments/{draft['id']}/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def nothing_stored(draft) -> bool:
    with draft["app"].app_context():
        count = db.session().scalar(
            select(func.count()).where(AnswerRecord.assessment_id == draft["id"])
        )
    return count == 0


# ---- size -----------------------------------------------------------------------------------


def test_a_file_over_the_limit_is_refused_with_its_size(draft):
    content = lines(HEADER, 'definition,def-written,no,,"' + "x" * 1_100_000 + '"')
    response = upload(draft, content)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "the most accepted is 1000 KB" in page
    assert nothing_stored(draft)


def test_a_file_over_the_request_limit_gets_the_too_large_page_not_a_500(draft):
    # Far over every limit, the request is refused before it is read (a smaller limit than
    # the 2 MB default keeps the test quick).
    draft["app"].config["MAX_CONTENT_LENGTH"] = 100_000
    response = upload(draft, b"a" * 300_000)
    assert response.status_code == 413
    assert "That was too large" in response.get_data(as_text=True)


def test_too_many_rows_are_refused(draft):
    rows = [HEADER] + ["definition,def-written,no,,"] * (csv_import.MAX_ROWS + 1)
    preview = read(draft, lines(*rows))
    assert not preview.ok and not preview.rows
    assert f"more than {csv_import.MAX_ROWS} rows" in preview.file_problems[0]


@pytest.mark.parametrize("length", [30_000, 200_000])
def test_a_cell_longer_than_the_limit_is_refused(draft, length):
    preview = read(draft, lines(HEADER, 'definition,def-written,no,,"' + "y" * length + '"'))
    assert "Row 2 has a cell longer than 20000 characters" in preview.file_problems[0]


# ---- not text, not UTF-8, not CSV -------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        os.urandom(2048).replace(b"\x00", b"") + b"\x00\x01\x02",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",  # an .xlsx renamed .csv
    ],
    ids=["random", "png", "xlsx"],
)
def test_binary_junk_is_refused_as_not_a_csv_file(draft, content):
    response = upload(draft, content)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The file is not a CSV file" in page or "not UTF-8 text" in page
    assert nothing_stored(draft)


def test_a_file_not_named_csv_is_refused(draft):
    response = upload(draft, lines(HEADER), name="answers.xlsx")
    assert response.status_code == 400
    assert "Choose a CSV file" in response.get_data(as_text=True)


def test_windows_1252_is_refused_naming_the_line_rather_than_misreading_letters(draft):
    content = (HEADER + "\r\ndefinition,def-written,no,,Agreed by Siân\r\n").encode("cp1252")
    preview = read(draft, content)
    assert not preview.rows
    assert "not UTF-8 text" in preview.file_problems[0]
    assert "on line 2" in preview.file_problems[0]
    assert "CSV UTF-8" in preview.file_problems[0]


def test_excels_unicode_text_utf16_with_tabs_is_read(draft):
    text = HEADER.replace(",", "\t") + "\r\ndefinition\tdef-written\tno\t\tGwŷr a gwragedd\r\n"
    preview = read(draft, codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert preview.ok, preview.file_problems
    (row,) = preview.rows
    assert row.outcome == "change" and row.answer.note == "Gwŷr a gwragedd"


def test_an_unclosed_quote_names_the_row(draft):
    preview = read(
        draft, lines(HEADER, 'definition,def-written,no,,"ok"', 'definition,"def-owner,')
    )
    assert not preview.rows
    assert preview.file_problems[0].startswith("Row 3 cannot be read as CSV")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "The file is empty."),
        (b"\xef\xbb\xbf\r\n  \r\n", "The file is empty."),
        (lines(HEADER), "no rows below the column names"),
        (lines("question,answer", "def-written,no"), "questionnaire, question_id are missing"),
        (lines("questionnaire,question_id,answer,answer", "a,b,c,d"), "answer appear twice"),
    ],
    ids=["empty", "bom-only", "header-only", "missing-columns", "duplicate-column"],
)
def test_a_file_without_usable_rows_is_refused_whole(draft, content, problem):
    preview = read(draft, content)
    assert not preview.ok and not preview.rows
    assert problem in preview.file_problems[0]


# ---- the variants spreadsheets write ------------------------------------------------------------


@pytest.mark.parametrize(
    ("delimiter", "newline", "bom"),
    [
        (",", "\r\n", True),
        (",", "\r\n", False),
        (",", "\n", False),
        (",", "\r", True),
        (";", "\r\n", True),  # Excel in most of Europe
        (";", "\n", False),
        ("\t", "\r\n", True),
    ],
)
def test_commas_semicolons_tabs_line_ends_and_byte_order_marks(draft, delimiter, newline, bom):
    rows = [
        HEADER,
        'definition,def-written,yes-corporate,,"Agreed; by cabinet, 2024"',
        'definition,def-where,"website; corporate-plan",,',
        "adoption,lead-commitment,3,3.1,Gwasanaethau\u2019r Cyngor: ŵ ŷ",
    ]
    if delimiter != ",":
        rows = [
            r.replace(",", delimiter)
            .replace(f"Agreed; by cabinet{delimiter} 2024", "Agreed; by cabinet, 2024")
            .replace(
                f'"website; corporate-plan"{delimiter}', '"website; corporate-plan"' + delimiter
            )
            for r in rows
        ]
    preview = read(draft, lines(*rows, newline=newline, bom=bom))
    assert preview.ok, (preview.file_problems, [r.problems for r in preview.rows])
    assert [r.outcome for r in preview.rows] == ["change", "change", "change"]
    written, where, lead = (r.answer for r in preview.rows)
    assert written.note == "Agreed; by cabinet, 2024"
    assert where.value == ("website", "corporate-plan")
    assert lead.note == "Gwasanaethau\u2019r Cyngor: ŵ ŷ"


def test_columns_in_any_order_any_case_extra_columns_and_blank_lines(draft):
    content = lines(
        "Note, Answer ,My comments,QUESTION_ID,Questionnaire",
        "From the workshop,Drafting,ignored,def-written,definition",
        ",,,,",
        "",
        "  ,  nobody  ,,  def-owner ,definition",
    )
    preview = read(draft, content)
    assert preview.ok, [r.problems for r in preview.rows]
    assert [(r.number, r.question_id) for r in preview.rows] == [
        (2, "def-written"),
        (5, "def-owner"),
    ]
    assert preview.rows[0].answer.value == "drafting"
    assert preview.letters["question_id"] == "D"


def test_a_row_with_more_cells_than_columns_is_an_error(draft):
    preview = read(draft, lines(HEADER, "definition,def-written,no,,note,surplus"))
    (row,) = preview.rows
    assert row.outcome == "error"
    assert "6 cells but the first row names 5 columns" in row.problems[0].message


# ---- formula cells ------------------------------------------------------------------------


def test_formula_cells_are_only_ever_text_and_go_out_defused(draft):
    app = draft["app"]
    payloads = [
        '=HYPERLINK("http://evil.example","click")',
        "+cmd|' /C calc'!A0",
        "@SUM(1+1)",
        "-2+3",
    ]
    rows = [HEADER] + [
        f'definition,{qid},{value},,"{p.replace(chr(34), chr(34) * 2)}"'
        for qid, value, p in zip(
            ["def-written", "def-owner"], ["no", "nobody"], payloads[:2], strict=True
        )
    ]
    rows.append('definition,def-own-words,"' + payloads[2] + '",,"' + payloads[3] + '"')
    response = upload(draft, lines(*rows))
    assert response.status_code == 200, response.get_data(as_text=True)
    import re

    token = re.search(
        r'name="token" type="hidden" value="([^"]+)"', response.get_data(as_text=True)
    )
    response = post(
        draft["client"], f"/assessments/{draft['id']}/import/confirm", {"token": token.group(1)}
    )
    assert response.status_code == 302
    with app.test_request_context():
        assessment = assessments.get(draft["id"])
        stored = assessments.stored_answers(assessment, "definition")
        assert stored["def-written"].answer.note == payloads[0]
        assert stored["def-own-words"].answer.value == payloads[2]
        text = csv_data.answers_text(assessment)
    for payload in payloads:
        assert "'" + payload.split('"')[0] in text
    import csv as csv_module

    for row in csv_module.reader(io.StringIO(text[1:], newline="")):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_a_defused_cell_comes_back_without_its_apostrophe(draft):
    preview = read(draft, lines(HEADER, "definition,def-written,no,,'=A1 is our ref"))
    assert preview.rows[0].answer.note == "=A1 is our ref"
    preview = read(draft, lines(HEADER, "definition,def-written,no,,'quoted' words"))
    assert preview.rows[0].answer.note == "'quoted' words"
