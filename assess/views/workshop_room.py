"""The room view: what the facilitator's screen shows the room, full screen and apart from the
controls.

First the join slide (the address, the join code and a QR code, large, and a live count of who has
joined), then one slide per question opened so far: its spread in type readable from the back of a
room, with level names on level questions, and the spread in words. The arrow keys (and a
presenter's clicker, which sends Page Up and Page Down) move between slides; links do the same
without JavaScript. No participant's name is ever shown.

Only a facilitator (``workshop.run``) opens it: it is shown to the room from their screen, and
the join code it shows is the one their browser was given.
"""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from assess import access
from assess.i18n import current_locale
from assess.models import WorkshopSession
from assess.services import surveys, workshops
from assess.views import agreement
from assess.views.workshops import (
    POLL_MS,
    join_url_for,
    known_code,
    live_question_or_404,
    load_session,
    percent,
    qr_svg,
    spread_statement,
    value_label,
)

bp = Blueprint("workshop_room", __name__)


def _slides(workshop: WorkshopSession) -> list[str]:
    """Every slide's URL in order: the join slide, then each question on the live view."""
    urls = [url_for("workshop_room.join_slide", session_id=workshop.id)]
    for item in workshops.live_summary(workshop).questions:
        urls.append(
            url_for(
                "workshop_room.question_slide",
                session_id=workshop.id,
                questionnaire_id=item.questionnaire.id,
                question_id=item.question.id,
            )
        )
    if surveys.latest_with_results(workshop.assessment) is not None:
        # The stakeholders' own voice, when a survey has a group past its threshold.
        urls.append(url_for("surveys.room", session_id=workshop.id))
    return urls


def _readable(url: str) -> str:
    """The join address as people type it: no scheme, no code (the slide shows the code)."""
    return url.split("?", 1)[0].split("://", 1)[-1]


def position(workshop: WorkshopSession, here: str) -> dict[str, object]:
    slides = _slides(workshop)
    index = slides.index(here)
    return {
        "number": index,
        "questions": sum(1 for url in slides[1:] if not url.endswith("/room/survey")),
        "previous": slides[index - 1] if index else None,
        "next": slides[index + 1] if index + 1 < len(slides) else None,
    }


@bp.get("/workshops/<int:session_id>/room")
@access.requires("workshop.run", load=load_session)
def join_slide(workshop: WorkshopSession, session_id: int) -> ResponseReturnValue:
    """How to join, large: the address, the code and the QR code, and how many have joined."""
    code = known_code(workshop)
    join_url = join_url_for(code) if code else None
    here = url_for("workshop_room.join_slide", session_id=workshop.id)
    return render_template(
        "workshops/room_join.html",
        workshop=workshop,
        code=workshops.format_code(code) if code else None,
        join_url=join_url,
        join_address=_readable(join_url) if join_url else None,
        qr=qr_svg(join_url, gettext("QR code of the join link")) if join_url else None,
        participants=workshops.participant_count(workshop),
        position=position(workshop, here),
        poll_ms=POLL_MS,
    )


@bp.get("/workshops/<int:session_id>/room/<questionnaire_id>/<question_id>")
@access.requires("workshop.run", load=load_session)
def question_slide(
    workshop: WorkshopSession, session_id: int, questionnaire_id: str, question_id: str
) -> ResponseReturnValue:
    """One question's spread, for the room: counts, bars, the spread in words; no names."""
    item = live_question_or_404(workshop, questionnaire_id, question_id)
    groups = agreement.register_groups(item.question, item.answers, current_locale())
    here = url_for(
        "workshop_room.question_slide",
        session_id=workshop.id,
        questionnaire_id=questionnaire_id,
        question_id=question_id,
    )
    return render_template(
        "workshops/room_question.html",
        workshop=workshop,
        item=item,
        statement=spread_statement(item),
        participants=workshops.participant_count(workshop),
        position=position(workshop, here),
        value_label=value_label,
        percent=percent,
        poll_ms=POLL_MS,
        locale=current_locale(),
        register_groups=groups,
        register_columns=agreement.register_columns(item.question, groups, current_locale()),
    )
