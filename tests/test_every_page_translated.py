"""Every page of the app goes through the catalogue: no word a person reads is left in English.

The demo organisation (as ``make run`` loads it, with its finalised and open assessments, register,
survey, action plan and peers), a workshop with one participant and an installed questionnaire pack
give every page something to show. Every GET route of the app is then visited, with the
throwaway ⟦ ⟧ catalogue of ``test_i18n_coverage.py``: a word outside ⟦ ⟧ that is not something
people entered (any text stored in the database, questionnaire text included) fails the test. The
routes come from ``app.url_map``, so a page added later is checked too, or must be named in
``NOT_PAGES`` (not a page) or ``NOT_SHOWN_HERE`` (a page this world cannot show), with the reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
from zoneinfo import available_timezones

import pytest
from babel import Locale
from helpers import login
from sqlalchemy import select
from test_i18n_coverage import (  # noqa: F401  (catalogue is a fixture)
    CLOSE,
    INNERMOST,
    LOCALE,
    NOT_TRANSLATED,
    OPEN,
    WORD,
    _Text,
    catalogue,
    english_runs,
)
from workshop_helpers import join

from assess import db, i18n
from assess.models import (
    Assessment,
    Base,
    Membership,
    Organisation,
    PlanAction,
    Survey,
    User,
    WorkshopSession,
)
from assess.services import register, workshops

DEMO_PASSWORD = "demo borough 2025"
#: What pages put between a stored text and the words around it.
SEPARATORS = re.compile("[:;,·|()/\u2013\u2014+]+")
URL = re.compile(r"https?://\S+")

#: GET routes that are not pages a person reads, and why.
NOT_PAGES = {
    "/static/<path:filename>": "files (styles, scripts, images)",
    "/healthz": "a machine's health check",
    "/account/consultancy/logo.png": "an image people uploaded",
    "/session/kept": "redirects to the form kept before a sign-in",
}
#: Pages this world cannot show (each is checked in its own tests' i18n guard or browser run),
#: and why. A route missing from here and not shown fails the test.
NOT_SHOWN_HERE = {
    "/account/data": "a download of the person's data (JSON)",
    "/language/<language>": "sets the language and redirects back",
    "/assessments/<int:assessment_id>/marks/<questionnaire_id>/<question_id>": "needs an auditor",
    "/assessments/<int:assessment_id>/preparing/<job_id>": "needs a report job in a queue",
    "/assessments/<int:assessment_id>/review": "needs a finalised assessment with a review due",
    "/operator/packs/<int:pack_id>": "needs an uploaded questionnaire pack",
    "/operator/packs/<int:pack_id>/organisations": "needs an uploaded questionnaire pack",
    "/organisations/invitations/<token>": "needs the token an invitation email carries",
    "/password/reset/<token>": "needs the token a reset email carries",
    "/register/confirm/<token>": "needs the token a confirmation email carries",
    "/plan/actions/<int:action_id>": "the demo's plan belongs to last year's assessment",
    "/s/<survey_token>": "the demo's survey is closed",
    "/s/<survey_token>/<group_token>": "the demo's survey is closed",
    "/workshop/<int:session_id>/<questionnaire_id>/<section_id>": "needs an opened section",
    "/workshop/<int:session_id>/register/add": "needs the register section opened",
    "/workshop/<int:session_id>/register/groups/<segment_id>": "needs the register opened",
    "/workshop/<int:session_id>/register/groups/<segment_id>/remove": "needs the register opened",
    "/workshops/<int:session_id>/consensus/<questionnaire_id>/<question_id>": "needs answers",
    "/workshops/<int:session_id>/consensus/<questionnaire_id>/<question_id>/groups/<segment_id>": (
        "needs answers"
    ),
    "/workshops/<int:session_id>/room/<questionnaire_id>/<question_id>": "needs an opened section",
}
#: Ends of routes that give a file, not a page (JSON, CSV, PDF): their words are checked where
#: they are made (tests/test_report_*.py, tests/test_csv_*.py, tests/test_api*.py).
FILES = (".json", ".csv", ".pdf", ".png", "/api/v1")


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        if value[:1] in "{[":
            try:
                yield from _strings(json.loads(value))
                return
            except ValueError:
                pass
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _stored_texts() -> set[str]:
    """Every text kept in the database: what people entered, and the questionnaires' text."""
    session = db.session()
    texts: set[str] = set()
    for table in Base.metadata.sorted_tables:
        for row in session.execute(select(table)):
            for value in row:
                texts.update(_fold(t) for t in _strings(value) if len(t.strip()) > 1)
    # A text shown with its whitespace folded, or line by line.
    for text in list(texts):
        texts.update(_fold(line) for line in text.splitlines() if len(line.strip()) > 1)
        # A short text a chart wraps over lines: each line is the start or the end of it.
        words = text.split()
        if len(words) <= 8:
            texts.update(" ".join(words[:n]) for n in range(1, len(words)))
            texts.update(" ".join(words[n:]) for n in range(1, len(words)))
        # A text a page shows in pieces (a label's short name before its colon).
        texts.update(_fold(p).strip(" .") for p in SEPARATORS.split(text) if len(p.strip()) > 1)
    return {text.lower() for text in texts}


@pytest.fixture
def world(make_app, catalogue, monkeypatch):  # noqa: F811
    monkeypatch.setattr(i18n, "select_locale", lambda: LOCALE)
    app = make_app(BABEL_TRANSLATION_DIRECTORIES=str(catalogue))
    result = app.test_cli_runner().invoke(args=["demo", "--quick"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        session = db.session()
        organisation = session.scalars(
            select(Organisation).where(Organisation.name == "Demo Borough Council")
        ).one()
        admin = session.scalars(select(User).where(User.email == "admin@demo.example")).one()
        admin.is_operator = True
        session.commit()
        assessments = session.scalars(
            select(Assessment)
            .where(Assessment.organisation_id == organisation.id)
            .order_by(Assessment.id)
        ).all()
        draft = next(a for a in assessments if a.finalised_at is None)
        workshop, code = workshops.open_session(draft, admin, "Corporate management team")
        values = {
            "org_id": organisation.id,
            "assessment_id": [a.id for a in assessments],
            "membership_id": session.scalars(
                select(Membership.id).where(
                    Membership.organisation_id == organisation.id,
                    Membership.user_id != admin.id,
                )
            ).first(),
            "action_id": session.scalars(select(PlanAction.id)).first(),
            "survey_id": session.scalars(select(Survey.id)).first(),
            "session_id": workshop.id,
            "questionnaire_id": ["adoption", "definition", "model-fit"],
            "section_id": ["leadership", "stakeholders", "context"],
            "question_id": ["lead-commitment"],
        }
        survey = session.scalars(select(Survey)).first()
        values["survey_token"] = survey.token
        values["group_token"] = survey.groups[0].token
        place = register.find(draft)
        rows = register.rows_of(register.stored(draft, place).answer if place else None)
        values["segment_id"] = sorted(rows)[:1] or ["none"]
        workshop_id = workshop.id
        assert isinstance(workshop, WorkshopSession)
    return app, values, workshop_id, code


def _fold(text: str) -> str:
    return " ".join(text.split())


def _is_stored(piece: str, stored: set[str]) -> bool:
    """A stored text, or the start of one shortened with an ellipsis."""
    if piece in stored:
        return True
    if piece.endswith("…") and len(piece) > 10:
        start = piece[:-1].rstrip()
        return any(text.startswith(start) for text in stored)
    return False


def _untranslated(page: str, stored: set[str], long_data: list[str]) -> list[str]:
    """The words of ``page`` outside ⟦ ⟧ that are not stored text.

    A piece of the page's text that is, whole, a stored text (a name, a note, a question) is left
    out; within the other pieces, only long stored texts are cut out, so that a short one ("Users")
    cannot hide English around it.
    """
    parser = _Text()
    parser.feed(page)
    kept = []
    for part in parser.parts:
        while INNERMOST.search(part):
            part = INNERMOST.sub("\x00", part)
        for segment in part.split("\x00"):
            # A stored text whole; else long stored texts cut out, and what is left between the
            # separators, piece by piece.
            segment = _fold(URL.sub(" ", segment)).lower()
            if _is_stored(segment.strip(" .:;,"), stored):
                continue
            for piece in SEPARATORS.split(segment):
                piece = _fold(piece).strip(" .")
                # A stored text with its figure ("Citizen model 4") is still a stored text.
                bare = re.sub(r"\s+[\d.%]+$", "", piece)
                if not piece or _is_stored(piece, stored) or _is_stored(bare, stored):
                    continue
                for item in long_data:
                    if item in piece:
                        piece = piece.replace(item, " ")
                kept.append(piece)
    text = " ".join(kept)
    while INNERMOST.search(text):
        text = INNERMOST.sub(" ", text)
    assert OPEN not in text and CLOSE not in text, f"unbalanced brackets in: {text!r}"
    words = [token for token in text.split() if WORD.match(token)]
    known = {word.lower() for word in NOT_TRANSLATED}
    return [w for w in words if w.rstrip(".,:;?!)").lower() not in known]


def _urls(rule: Any, values: dict[str, Any]) -> list[str]:
    """The rule filled with each combination of the world's values (a few at most)."""
    combos: list[dict[str, Any]] = [{}]
    for name in sorted(rule.arguments):
        options = values.get(name, "not-a-token")
        options = options if isinstance(options, list) else [options]
        combos = [{**c, name: o} for c in combos for o in options]
    urls = []
    for combo in combos:
        try:
            urls.append(rule.build(combo)[1])
        except Exception:
            continue
    return urls


def test_every_page_goes_through_the_catalogue(world):
    app, values, workshop_id, code = world
    with app.app_context():
        stored = _stored_texts()
    admin = app.test_client()
    with app.app_context():
        admin_user = (
            db.session().scalars(select(User).where(User.email == "admin@demo.example")).one()
        )
    login(admin, admin_user, DEMO_PASSWORD)
    participant = join(app, code, "Rhian Participant")
    anonymous = app.test_client()
    stored |= {"Rhian Participant", "localhost", code, *available_timezones()}
    # Dates are written by babel in the page's language (its month names are the locale's), and
    # the privacy notice names the cookies assess sets by their names.
    babel_locale = Locale.parse(LOCALE)
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            stored |= set(babel_locale.months[context][width].values())
    stored |= {app.config["SESSION_COOKIE_NAME"], "lang"}
    stored |= {part for zone in available_timezones() for part in zone.replace("_", " ").split("/")}
    stored = {text.lower() for text in stored}
    long_data = sorted((t for t in stored if len(t) >= 16), key=len, reverse=True)

    seen: list[str] = []
    failures: list[str] = []
    unvisited: list[str] = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.rule in NOT_PAGES:
            continue
        if any(part in rule.rule for part in FILES):
            continue
        if rule.rule.startswith("/workshop/"):
            client = participant if "join" not in rule.rule else anonymous
        elif rule.rule.startswith(("/s/", "/verify", "/login", "/register", "/password")):
            client = anonymous
        else:
            client = admin
        shown = 0
        for url in _urls(rule, values):
            response = client.get(url)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            shown += 1
            left = _untranslated(response.get_data(as_text=True), stored, long_data)
            if left:
                runs = english_runs(left)
                failures.append(f"{url}: {' | '.join(runs[:3]) if runs else ' '.join(left[:12])}")
        if shown:
            seen.append(rule.rule)
        else:
            unvisited.append(rule.rule)
    assert not failures, "words outside the catalogue:\n" + "\n".join(failures)
    unexplained = sorted(set(unvisited) - set(NOT_SHOWN_HERE))
    assert not unexplained, f"no page could be shown for: {unexplained}"
    assert len(seen) > 60, seen
    assert re.search(r"\d", str(workshop_id))
