"""Helpers for the peer benchmark's tests: organisations with finalised assessments, quickly.

Finalising renders the report's PDF; :func:`quick` replaces the layout with a one-page PDF that
carries the same embedded data (the benchmark reads the figures from that data)."""

from __future__ import annotations

import io
from dataclasses import replace

import pikepdf

from assess import db
from assess.models import Assessment, Organisation, User
from assess.questionnaire.answers import Answer, CriterionCheck
from assess.reporting import dump_report_json, report_json
from assess.reporting.data import FILENAME
from assess.services import assessments, finalising, reports
from assess.services.questionnaires import current_questionnaires


def _quick_pdf(report) -> bytes:
    document = pikepdf.new()
    document.add_blank_page()
    # Each language's copy is a different file, as the real ones are (their SHA-256s are unique).
    language = f"{report.locale}{'-en' if report.bilingual_summary else ''}"
    document.docinfo["/Title"] = f"Report {report.report_id} ({language})"
    document.attachments[FILENAME] = pikepdf.AttachedFileSpec(
        document, dump_report_json(report_json(report)), mime_type="application/json"
    )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _quick_pdfs_with_bilingual(report) -> tuple[bytes, bytes]:
    return _quick_pdf(report), _quick_pdf(replace(report, bilingual_summary=True))


def render_quickly(monkeypatch) -> None:
    """Finalise with a one-page PDF carrying the report's data (for the ``quick`` fixtures)."""
    monkeypatch.setattr(reports, "_render_pdf", _quick_pdf)
    monkeypatch.setattr(reports, "_render_pdfs_with_bilingual", _quick_pdfs_with_bilingual)


def _answer(question, level: int) -> Answer:
    checks = tuple(
        CriterionCheck(at, n, True, f"Record {at}.{n}")
        for at, n, _t in (question.criteria_up_to(level) if level >= 3 else [])
    )
    return Answer(question.id, value=level, note="Records", criteria=checks)


def answered(app, organisation: Organisation, user: User, level: int, title: str = "Check") -> int:
    """An assessment whose every practice is at ``level`` but the first of each area, one lower
    (at least 1); its id."""
    with app.app_context():
        user = db.session().get(User, user.id)
        assessment = assessments.start(organisation.id, user, title, current_questionnaires())
        adoption = assessments.questionnaires_of(assessment).adoption
        page = {}
        for section in adoption.sections:
            for i, question in enumerate(section.questions):
                value = max(1, level - 1) if i == 0 else level
                page[question.id] = assessments.Submission(_answer(question, value))
        assert assessments.save_answers(assessment, user, "adoption", page).ok
        return assessment.id


def finalise(app, assessment_id: int, user: User) -> None:
    with app.app_context():
        finalising.finalise(
            db.session().get(Assessment, assessment_id), db.session().get(User, user.id)
        )


def peer_factory(app, make_user, make_org):
    """Make organisations of one sector and size band, each with a finalised assessment at
    the given levels; returns [(organisation, admin, assessment id)]."""

    def factory(levels, sector="local_government", size_band="250_999", start=0):
        made = []
        for i, level in enumerate(levels, start=start):
            admin = make_user(email=f"admin{i}-{sector}-{size_band}@example.org")
            org = make_org(
                name=f"Peer {i} {sector} {size_band}",
                members={admin: "admin"},
                sector=sector,
                size_band=size_band,
            )
            assessment_id = answered(app, org, admin, level)
            finalise(app, assessment_id, admin)
            made.append((org, admin, assessment_id))
        return made

    return factory
