"""Hostile and damaged files for ``assess import``: each is refused with a sentence that says why
(naming the record where there is one), and nothing is stored."""

from __future__ import annotations

import copy
import json

import pytest
from export_helpers import export, import_file, signed
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from assess import db
from assess.models import AnswerRecord, AuditEvent, Organisation, User


@pytest.fixture
def exported(app, runner, tmp_path):
    """The demo council's whole instance as an export document."""
    assert runner.invoke(args=["demo", "--quick"]).exit_code == 0
    return export(app, tmp_path / "all.json", "--all")


@pytest.fixture
def target(make_app):
    return make_app()


def _refused(target, tmp_path, content: bytes, *args: str) -> str:
    path = tmp_path / "hostile.json"
    path.write_bytes(content)
    result = import_file(target, path, *args)
    assert result.exit_code == 1, result.output
    assert "Nothing was imported." in result.output
    with target.app_context():
        session = db.session()
        assert session.scalar(select(func.count()).select_from(Organisation)) == 0
        assert session.scalar(select(func.count()).select_from(User)) == 0
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0
    return " ".join(result.output.split())


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(target, tmp_path, exported):
    output = _refused(target, tmp_path, signed(exported), "--max-bytes", "1000")
    assert "larger than the import limit of 1000 bytes" in output


def test_a_cut_off_file_is_refused(target, tmp_path, exported):
    content = signed(exported)
    assert "ends too soon: it was cut off" in _refused(
        target, tmp_path, content[: len(content) // 2]
    )


def test_a_file_that_is_not_json_is_refused(target, tmp_path):
    assert "not valid JSON (line 1, column 1" in _refused(target, tmp_path, b"PK\x03\x04 zip")


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-16", "looks like UTF-16 or UTF-32"), ("latin-1", "not valid UTF-8 (at byte")],
)
def test_a_file_in_another_encoding_is_refused(target, tmp_path, exported, encoding, expected):
    exported = copy.deepcopy(exported)
    exported["records"]["organisations"][0]["name"] = "Cyngor Bwrdeistref Môn"
    content = json.dumps(exported, ensure_ascii=False).encode(encoding, errors="replace")
    assert expected in _refused(target, tmp_path, content)


def test_deeply_nested_json_is_refused(target, tmp_path, exported):
    assert "nests data more than 64 levels deep" in _refused(
        target, tmp_path, b"[" * 200_000 + b"]" * 200_000
    )
    exported = copy.deepcopy(exported)
    nested: object = "deep"
    for _ in range(100):
        nested = [nested]
    exported["records"]["answers"][0]["value"] = nested
    assert "nests data more than 64 levels deep" in _refused(target, tmp_path, signed(exported))


def test_an_unknown_format_version_is_refused(target, tmp_path, exported):
    exported = copy.deepcopy(exported)
    exported["format_version"] = 2
    output = _refused(target, tmp_path, signed(exported))
    assert "export format version 2, which this version of assess cannot read" in output


def test_a_file_that_is_not_an_export_is_refused(target, tmp_path):
    output = _refused(target, tmp_path, b'{"format": "assess-report-data/1"}')
    assert "not an assess export" in output


def test_a_changed_file_fails_its_checksum(target, tmp_path, exported):
    exported = copy.deepcopy(exported)
    exported["records"]["answers"][0]["note"] = "Quietly changed"
    content = json.dumps(exported).encode()
    assert "checksum does not match its content" in _refused(target, tmp_path, content)


def test_duplicate_ids_are_refused_naming_the_record(target, tmp_path, exported):
    exported = copy.deepcopy(exported)
    answers = exported["records"]["answers"]
    answers.append(dict(answers[0]))
    output = _refused(target, tmp_path, signed(exported))
    assert f"answers record {answers[0]['id']} twice" in output


def test_a_key_given_twice_in_one_object_is_refused(target, tmp_path, exported):
    content = signed(exported).replace(
        b'"format": "assess-export"', b'"format": "x", "format": "assess-export"', 1
    )
    assert 'names "format" twice in one object' in _refused(target, tmp_path, content)


def test_a_reference_to_a_record_not_in_the_file_is_refused(target, tmp_path, exported):
    exported = copy.deepcopy(exported)
    assessment = exported["records"]["assessments"][0]
    exported["records"]["assessments"] = []
    output = _refused(target, tmp_path, signed(exported))
    assert f"refers to assessments record {assessment['id']} (assessment_id)" in output
    assert "which is not in the file" in output


def test_valid_json_that_fails_the_schema_names_the_record_and_member(target, tmp_path, exported):
    exported = copy.deepcopy(exported)
    answer = exported["records"]["answers"][3]
    answer["status"] = "maybe"
    output = _refused(target, tmp_path, signed(exported))
    assert f"answers record {answer['id']}, status: 'maybe' is not one of" in output


def test_a_changed_audit_event_is_refused_even_when_the_file_is_signed_again(
    target, tmp_path, exported
):
    exported = copy.deepcopy(exported)
    event = exported["records"]["audit_events"][1]
    event["new_value"] = {"status": "answered", "value": 5, "note": "not what was said"}
    output = _refused(target, tmp_path, signed(exported))
    assert f"audit_events record {event['id']} does not match its own hash" in output


def test_a_failure_inside_the_database_rolls_everything_back_and_keeps_the_guards(
    target, tmp_path, exported
):
    # A check the schema cannot express: a first version that corrects another assessment.
    exported = copy.deepcopy(exported)
    assessment = exported["records"]["assessments"][0]
    assessment["version"] = 2
    output = _refused(target, tmp_path, signed(exported))
    assert f"assessments record {assessment['id']}" in output
    assert "could not be stored, so nothing was" in output
    with target.app_context():
        assert db.session().scalar(select(func.count()).select_from(AnswerRecord)) == 0
        # The append-only trail is still guarded after the failed import.
        with pytest.raises(DBAPIError):
            db.session().execute(text("DELETE FROM audit_chain"))
        db.session().rollback()
