"""The report's machine-readable data: every answer and every figure, as deterministic JSON.

The same bytes are embedded in the PDF (``assessment.json``) and offered for download on their
own, so a reader can check the PDF's figures against the answers with any JSON tool. Its values
(times, answers) are written by the rules of :mod:`assess.data_format.values`, as in the export.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from assess.data_format import values
from assess.reporting.context import AnsweredBy, ReportInput

#: The shape of this document; bump when a key changes meaning or disappears.
FORMAT = "assess-report-data/1"
#: The name of the file embedded in the PDF.
FILENAME = "assessment.json"


_utc = values.utc_text_short


def _answer(entry: AnsweredBy) -> dict[str, Any]:
    answer = entry.answer
    return {
        **values.answer_fields(answer.status, answer.value_to_json(), answer.note),
        "answered_by": entry.answered_by,
        "answered_at": _utc(entry.answered_at),
    }


def report_json(report: ReportInput) -> dict[str, Any]:
    """Every answer (status, value, note, who, when) and the whole scoring result, as plain data.

    Times are in UTC (ISO 8601). Serialise with :func:`dump_report_json` for stable bytes. The
    data are the same whatever the report's language (``report.data_result`` when it is set).
    """
    in_english = report.data_result is not None
    result = report.data_result if in_english else report.result
    perception = report.data_perception if in_english else report.perception
    return {
        "format": FORMAT,
        "report_id": report.report_id,
        "method_version": report.result.method_version,
        "organisation": {
            "name": report.organisation_name,
            "time_zone": report.organisation_timezone,
        },
        "assessment": {
            "id": report.assessment_id,
            "title": report.assessment_title,
            "scope": report.assessment_scope,
            "status": report.status,
            "created_at": _utc(report.created_at),
            "updated_at": _utc(report.updated_at),
            "finalised_at": _utc(report.finalised_at),
        },
        "questionnaires": [
            {
                "id": questionnaire.id,
                "version": questionnaire.version,
                "answers": {qid: _answer(entry) for qid, entry in sorted(answers.items())},
            }
            for questionnaire, answers in report.questionnaires()
        ],
        "chosen_models": list(report.chosen_models),
        "choice_reason": report.choice_reason,
        "result": result.to_dict(),
        # The perception survey's results (groups past its threshold only), or None.
        "perception": perception,
    }


def dump_report_json(data: dict[str, Any]) -> bytes:
    """``data`` as UTF-8 JSON with sorted keys and fixed indentation: the same bytes every time."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2, allow_nan=False)
    return (text + "\n").encode("utf-8")


def data_fingerprint(data: dict[str, Any]) -> str:
    """SHA-256 (hex) of the embedded JSON's bytes: printed on every page of the report.

    A file cannot hold its own hash, but it can hold the hash of the data inside it; anyone can
    recompute this one from the attachment.
    """
    return hashlib.sha256(dump_report_json(data)).hexdigest()
