"""Two first saves of the same question at the same moment: one is stored, the other is told of
a conflict like any other concurrent edit, with what was typed kept; never a 500.

The race is real: two browsers (test clients) post from two threads on their own database
connections, and a barrier holds each save just before its commit until both have read that no
answer exists yet, so both try to insert the first one. The suite runs this on SQLite and, with
ASSESS_DATABASE_URL set, on PostgreSQL.
"""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from answering import hidden_fields, section_url, start
from helpers import csrf_token, login
from sqlalchemy import event, func, select
from workshop_helpers import join, open_room

from assess import db
from assess.models import AnswerRecord, AuditEvent, ParticipantAnswer


class _Meeting:
    """Holds each thread the first time it calls :meth:`reach` until ``parties`` threads have;
    ``met`` lists the threads that met. A lock that made one wait before it got there breaks the
    barrier after its timeout: the race still ran, and ``met`` shows it did not meet."""

    def __init__(self, parties: int) -> None:
        self.barrier = threading.Barrier(parties, timeout=10)
        self.seen = threading.local()
        self.met: list[int] = []

    def reach(self) -> None:
        if getattr(self.seen, "met", False):
            return
        self.seen.met = True
        with contextlib.suppress(threading.BrokenBarrierError):
            self.barrier.wait()
            self.met.append(threading.get_ident())


@contextlib.contextmanager
def _meetings(target, event_name: str):
    """``install(reached, parties)`` holds each thread the first time an ``event_name`` event of
    ``target`` satisfies ``reached(*arguments)``, until ``parties`` threads have, and returns the
    list of threads that met. What was installed is removed on leaving."""
    installed = []

    def install(reached, parties: int = 2) -> list[int]:
        meeting = _Meeting(parties)

        def listener(*arguments):
            if reached(*arguments):
                meeting.reach()

        event.listen(target, event_name, listener)
        installed.append(listener)
        return meeting.met

    try:
        yield install
    finally:
        for listener in installed:
            event.remove(target, event_name, listener)


@pytest.fixture
def meet_before_commit(app):
    """Hold every first commit that adds ``model`` rows until ``parties`` threads reach it."""
    with _meetings(app.extensions["assess.db"], "before_commit") as install:
        yield lambda model, parties=2: install(
            lambda session: any(isinstance(o, model) for o in session.new), parties
        )


@pytest.fixture
def meet_before_insert(app):
    """Hold every thread's first INSERT into ``table`` until ``parties`` threads reach it: each
    has read that there is no row yet, so both insert one (for saves that write with plain
    statements, which leave no new object in the session for ``meet_before_commit`` to see).
    Returns the list of threads that met."""
    with app.app_context():
        engine = db.engine(app)
    with _meetings(engine, "before_cursor_execute") as install:
        yield lambda table, parties=2: install(
            lambda conn, cursor, statement, *rest: statement.startswith(f"INSERT INTO {table} "),
            parties,
        )


def _race(*calls):
    with ThreadPoolExecutor(len(calls)) as pool:
        return [f.result() for f in [pool.submit(call) for call in calls]]


@pytest.fixture
def pair(app, make_user, make_org):
    alice_user = make_user(name="Alice Adams")
    bob_user = make_user(name="Bob Brown")
    org = make_org(members={alice_user: "admin", bob_user: "respondent"})
    alice, bob = app.test_client(), app.test_client()
    login(alice, alice_user)
    login(bob, bob_user)
    return alice, bob, start(alice, org.id)


def test_two_first_saves_of_one_question_on_the_page_give_one_save_and_one_conflict(
    app, pair, meet_before_commit
):
    alice, bob, assessment_id = pair
    url = section_url(assessment_id, "definition", "scope")
    forms = []
    for client, owner, words in ((alice, "senior-named", "Residents"), (bob, "nobody", "Tenants")):
        fields = hidden_fields(client.get(url).get_data(as_text=True))
        fields.update(
            {"csrf_token": csrf_token(client), "q_def-owner": owner, "q_def-own-words": words}
        )
        forms.append(fields)
    meet_before_commit(AnswerRecord)

    responses = _race(
        lambda: alice.post(url, data=forms[0]),
        lambda: bob.post(url, data=forms[1]),
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [302, 409], codes
    loser = next(r for r in responses if r.status_code == 409)
    page = loser.get_data(as_text=True)
    assert "A colleague changed some of these answers" in page
    with app.app_context():
        stored = {
            r.question_id: r
            for r in db.session().scalars(select(AnswerRecord).order_by(AnswerRecord.question_id))
        }
        events = db.session().scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.question_id == "def-owner")
        )
    assert set(stored) == {"def-owner", "def-own-words"}
    winner_owner = stored["def-owner"].value
    loser_owner = "nobody" if winner_owner == "senior-named" else "senior-named"
    loser_words = "Tenants" if loser_owner == "nobody" else "Residents"
    # The one who lost the race keeps what they typed, and sees the stored answer as a choice.
    assert f'value="{loser_owner}" checked' in page
    assert loser_words in page
    assert "Keep my answer" in page
    assert stored["def-owner"].revision == 1
    assert events == 1  # one change, one event: the losing page left nothing half-written


def test_two_first_autosaves_of_one_question_give_one_save_and_one_conflict(
    app, pair, meet_before_commit
):
    alice, bob, assessment_id = pair
    url = f"/assessments/{assessment_id}/definition/answers/def-owner"
    data = [
        {"csrf_token": csrf_token(alice), "q_def-owner": "senior-named", "q_def-owner__rev": ""},
        {"csrf_token": csrf_token(bob), "q_def-owner": "nobody", "q_def-owner__rev": ""},
    ]
    meet_before_commit(AnswerRecord)
    headers = {"Accept": "application/json"}
    responses = _race(
        lambda: alice.post(url, data=data[0], headers=headers),
        lambda: bob.post(url, data=data[1], headers=headers),
    )
    by_code = {r.status_code: r.get_json() for r in responses}
    assert sorted(by_code) == [200, 409], by_code
    assert by_code[409]["status"] == "conflict"
    assert "Save the page to choose" in by_code[409]["message"]
    with app.app_context():
        (stored,) = db.session().scalars(select(AnswerRecord)).all()
    assert by_code[409]["theirs"]  # the stored answer, in words, for the person to compare
    assert stored.revision == 1 and by_code[200]["revision"] == 1


def _two_tabs(app, make_user, make_org):
    """One participant's device in two tabs (two clients with the same cookie), and the address
    their page's script saves a level question to."""
    room = open_room(app, make_user, make_org)
    first = join(app, room.code, "Pat Participant")
    second = app.test_client()
    cookie = first.get_cookie(f"assess_workshop_{room.session_id}", path="/workshop/")
    second.set_cookie(cookie.key, cookie.value, path="/workshop/")
    return first, second, f"/workshop/{room.session_id}/adoption/answers/lead-commitment"


def test_the_same_participant_saving_one_question_from_two_tabs_at_once_keeps_one_answer(
    app, make_user, make_org, meet_before_insert
):
    first, second, url = _two_tabs(app, make_user, make_org)
    data = [
        {"csrf_token": csrf_token(first), "q_lead-commitment": "2"},
        {"csrf_token": csrf_token(second), "q_lead-commitment": "4"},
    ]
    met = meet_before_insert(ParticipantAnswer.__tablename__)
    headers = {"Accept": "application/json"}
    responses = _race(
        lambda: first.post(url, data=data[0], headers=headers),
        lambda: second.post(url, data=data[1], headers=headers),
    )
    assert [r.status_code for r in responses] == [200, 200]
    # Both reached their insert having read that there was no answer: the race really ran.
    assert len(met) == 2
    with app.app_context():
        rows = db.session().scalars(select(ParticipantAnswer)).all()
    # Their own answer, not a colleague's: the later of the two stands, as with any re-save.
    assert len(rows) == 1 and rows[0].value in (2, 4)


def test_a_change_saved_as_another_tab_clears_the_answer_is_stored_not_lost(
    app, make_user, make_org
):
    """One tab changes an answer while another clears it: the change reads the answer, the clear
    lands, then the change writes. It must store the change (or say it did not), never report
    "saved" for an answer that is no longer there."""
    first, second, url = _two_tabs(app, make_user, make_org)
    headers = {"Accept": "application/json"}
    assert (
        first.post(
            url, data={"csrf_token": csrf_token(first), "q_lead-commitment": "2"}, headers=headers
        ).status_code
        == 200
    )
    change = {"csrf_token": csrf_token(first), "q_lead-commitment": "4"}
    clear = {"csrf_token": csrf_token(second), "q_lead-commitment": ""}
    with app.app_context():
        engine = db.engine(app)
    at_update, cleared = threading.Event(), threading.Event()
    held = []

    def hold(conn, cursor, statement, parameters, context, executemany):
        # The change's first UPDATE waits until the other tab's clear has committed.
        if statement.startswith("UPDATE workshop_answer ") and not held:
            held.append(threading.get_ident())
            at_update.set()
            cleared.wait(10)

    event.listen(engine, "before_cursor_execute", hold)
    try:
        with ThreadPoolExecutor(1) as pool:
            changing = pool.submit(lambda: first.post(url, data=change, headers=headers))
            assert at_update.wait(10)
            assert second.post(url, data=clear, headers=headers).status_code == 200
            cleared.set()
            response = changing.result(timeout=30)
    finally:
        event.remove(engine, "before_cursor_execute", hold)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["status"] == "saved"
    with app.app_context():
        rows = db.session().scalars(select(ParticipantAnswer)).all()
    assert [(r.question_id, r.value) for r in rows] == [("lead-commitment", 4)]
