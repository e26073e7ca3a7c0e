"""The guard that no page slips in raw English: every string a person reads goes through gettext.

A throwaway catalogue is compiled at test time from the strings ``pybabel extract`` finds (with the
keywords CONTRIBUTING.md gives), each translated as "⟦" + msgid + "⟧", for a language assess does
not ship. With the interface forced into that language, every word on a page must then sit inside
⟦ ⟧ — except what people entered (names, addresses), numbers, dates and the name "assess".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from email import policy
from email.parser import BytesParser
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from flask import Flask
from flask.testing import FlaskClient
from helpers import login, post
from smtp_helpers import closed_port

from assess import i18n, mail
from assess.models import Organisation, User

ROOT = Path(__file__).resolve().parent.parent
#: A language with plural rules that no one will ship as assess's interface.
LOCALE = "eo"
OPEN, CLOSE = "⟦", "⟧"
#: The keywords of the extract command in CONTRIBUTING.md.
KEYWORDS = {**DEFAULT_KEYWORDS, "Message": None, "ServiceError": None, "ChoiceError": None}

#: Words that are not translated: the product's name and month abbreviations in dates.
NOT_TRANSLATED = {"assess", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct"}
NOT_TRANSLATED |= {"Nov", "Dec", "UTC"}

USER_NAME = "Ada Lovelace"
OTHER_NAME = "Grace Hopper"
ORG_NAME = "Babbage Borough"
INVITED = "invitee@example.org"

WORD = re.compile("^[A-Za-z][A-Za-z'\u2019-]*[A-Za-z.,:;?!)]*$")
INNERMOST = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")


def _bracketed(text: str) -> str:
    return f"{OPEN}{text}{CLOSE}"


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory of compiled translations: every extracted message, in ⟦ ⟧."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    catalog = Catalog(locale=LOCALE, domain="messages")
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        if isinstance(message, tuple):
            singular, plural = message[0], message[1]
            catalog.add(
                (singular, plural), (_bracketed(singular), _bracketed(plural)), context=context
            )
        else:
            catalog.add(message, _bracketed(message), context=context)
    folder = tmp_path_factory.mktemp("translations")
    target = folder / LOCALE / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)
    return folder


@pytest.fixture
def app(make_app: Callable[..., Flask], catalogue: Path, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """The application, its interface in the throwaway language (the selector is bound at start)."""
    monkeypatch.setattr(i18n, "select_locale", lambda: LOCALE)
    # Emails to someone whose language is not known are written in each of these languages; the
    # guard reads them in the throwaway one.
    monkeypatch.setattr(mail, "BILINGUAL", (LOCALE,))
    return make_app(BABEL_TRANSLATION_DIRECTORIES=str(catalogue))


class _Text(HTMLParser):
    """The text a person reads: the title, the body's text and its aria-labels (not scripts).

    Text in an element whose ``lang`` says it is in another language than the page is left out:
    the language switch names each language in itself ("Cymraeg", "English"), which is never
    translated. The switches found are kept in ``switches``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.switches: list[dict[str, str | None]] = []
        self._skip = 0
        self._in_title = False
        self._page_lang: str | None = None
        self._foreign: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self._page_lang = found.get("lang")
        if tag in ("script", "style"):
            self._skip += 1
        self._in_title = self._in_title or tag == "title"
        if "language-switch__link" in (found.get("class") or "").split():
            self.switches.append(found)
        lang = found.get("lang")
        if tag != "html" and lang and self._page_lang and lang != self._page_lang:
            self._foreign.append(tag)
            return
        if self._foreign and tag == self._foreign[-1]:
            self._foreign.append(tag)
        self.parts.extend(value or "" for name, value in attrs if name == "aria-label")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1
        if tag == "title":
            self._in_title = False
        if self._foreign and tag == self._foreign[-1]:
            self._foreign.pop()

    def handle_data(self, data: str) -> None:
        if not self._skip and not self._foreign:
            self.parts.append(data)


def untranslated(page: str, *data: str) -> list[str]:
    """The words of ``page`` outside ⟦ ⟧, leaving out ``data`` (what people entered)."""
    parser = _Text()
    parser.feed(page)
    text = " ".join(parser.parts)
    assert OPEN in text, "nothing on the page was translated"
    for item in sorted(data, key=len, reverse=True):
        text = text.replace(item, " ")
    while INNERMOST.search(text):
        text = INNERMOST.sub(" ", text)
    assert OPEN not in text and CLOSE not in text, f"unbalanced brackets in: {text!r}"
    words = [token for token in text.split() if WORD.match(token)]
    return [w for w in words if w.rstrip(".,:;?!)") not in NOT_TRANSLATED]


def english_runs(words: list[str]) -> list[str]:
    """Runs of three or more words in a row: an English sentence that was not translated."""
    return [" ".join(words[i : i + 3]) for i in range(len(words) - 2)]


def assert_has_language_switch(page: str) -> None:
    """Every page offers the other language in its header, named in itself (here, in the
    throwaway language, Welsh), as a link (or a signed-in person's button) marked with its
    language."""
    parser = _Text()
    parser.feed(page)
    assert f'<html lang="{LOCALE}"' in page
    assert len(parser.switches) == 1, parser.switches
    (switch,) = parser.switches
    assert switch.get("lang") == "cy"
    assert ">Cymraeg</" in page
    if "href" in switch:
        assert switch.get("hreflang") == "cy"
        assert switch["href"].startswith("/language/cy?next=")


def assert_translated(response, *data: str) -> None:
    assert response.status_code < 500, response.status_code
    page = response.get_data(as_text=True)
    if response.mimetype == "text/html":
        assert_has_language_switch(page)
    left = untranslated(page, *data)
    assert not english_runs(left), f"untranslated sentences: {english_runs(left)}"
    assert not left, f"untranslated words: {left}"


# ---- the pages ----------------------------------------------------------------------------------

PUBLIC_PAGES = ["/", "/login", "/register", "/password/forgot", "/privacy", "/no-such-page"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_go_through_gettext(client: FlaskClient, path: str):
    # The privacy notice's cookie table names each cookie as the browser shows it.
    cookies = ("session", "lang")
    assert_translated(client.get(path), "noreply@example.org", "assess@localhost", *cookies)


def test_a_refused_form_shows_its_messages_through_gettext(client: FlaskClient):
    assert_translated(post(client, "/login", {"email": "", "password": ""}))
    assert_translated(post(client, "/login", {"email": "x@example.org", "password": "wrong"}))
    response = post(
        client,
        "/register",
        {"name": "", "email": "not-an-address", "password": "short", "confirm": "other"},
    )
    assert_translated(response, "not-an-address")


@pytest.fixture
def signed_in(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
) -> Iterator[tuple[FlaskClient, Organisation, User]]:
    """An admin (and an operator) of an organisation with a colleague and an open invitation."""
    admin = make_user(name=USER_NAME, email="ada@example.org", operator=True)
    colleague = make_user(name=OTHER_NAME, email="grace@example.org")
    organisation = make_org(ORG_NAME, members={admin: "admin", colleague: "respondent"})
    make_org("Pending Parish", status="pending")
    login(client, admin)
    response = post(
        client,
        f"/organisations/{organisation.id}/invitations/new",
        {"email": INVITED, "role": "auditor"},
        follow_redirects=True,
    )
    assert_translated(response, *USER_DATA)
    yield client, organisation, admin


USER_DATA = (
    USER_NAME,
    OTHER_NAME,
    ORG_NAME,
    "Pending Parish",
    "ada@example.org",
    "grace@example.org",
    INVITED,
    "Europe/London",
    "noreply@example.org",
    "assess@localhost",
)


#: Values the audit trail shows as stored (ids, not sentences).
STORED_VALUES = (" invitation ", " account ", " auditor ")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/account",
        "/account/password",
        "/account/delete",
        "/organisations",
        "/organisations/new",
        "/organisations/{org}",
        "/organisations/{org}/settings",
        "/organisations/{org}/members",
        "/organisations/{org}/invitations/new",
        "/organisations/{org}/audit",
        "/organisations/{org}/audit?from=yesterday&action=nonsense",
        "/organisations/{org}/plan-reminders",
        "/operator/organisations",
        "/operator/organisations/{org}/delete",
        "/operator/people/erase",
        "/clients",
        "/account/consultancy",
        "/account/api-tokens",
    ],
)
def test_signed_in_pages_go_through_gettext(signed_in, path: str):
    client, organisation, _admin = signed_in
    response = client.get(path.format(org=organisation.id))
    assert response.status_code == 200
    # The audit trail shows stored values as they are: the kind of object an event is about and
    # the old and new value (here the invitation's role).
    stored = STORED_VALUES if "/audit" in path else ()
    assert_translated(response, *USER_DATA, *stored)


def test_the_api_tokens_page_goes_through_gettext(signed_in):
    import re

    client, organisation, _admin = signed_in
    refused = post(client, "/account/api-tokens", {"name": "", "lifetime": "30"})
    assert refused.status_code == 400
    assert_translated(refused, *USER_DATA)
    made = post(
        client,
        "/account/api-tokens",
        {"name": "Zyx", "lifetime": "90", "organisations": organisation.id},
    )
    secret = re.search(r'value="(assess_[^"]+)"', made.get_data(as_text=True)).group(1)
    assert_translated(made, *USER_DATA, "Zyx", secret, secret[:11])
    token_id = re.search(r"/account/api-tokens/(\d+)/revoke", made.get_data(as_text=True))
    response = post(client, token_id.group(0), follow_redirects=True)
    assert_translated(response, *USER_DATA, "Zyx", secret[:11])


def test_the_remove_member_confirmation_goes_through_gettext(app: Flask, signed_in):
    from sqlalchemy import select

    from assess import db
    from assess.models import Membership

    client, organisation, _admin = signed_in
    with app.app_context():
        ids = list(
            db.session().scalars(
                select(Membership.id).where(Membership.organisation_id == organisation.id)
            )
        )
    for membership_id in ids:
        response = client.get(f"/organisations/{organisation.id}/members/{membership_id}/remove")
        assert response.status_code == 200, membership_id
        assert_translated(response, *USER_DATA)


def test_flashed_messages_go_through_gettext(signed_in):
    client, organisation, _admin = signed_in
    response = post(client, f"/organisations/{organisation.id}/switch", follow_redirects=True)
    assert_translated(response, *USER_DATA)
    response = post(client, "/logout", follow_redirects=True)
    assert_translated(response, *USER_DATA)


def test_emails_go_through_gettext(app: Flask, signed_in):
    (path,) = Path(app.config["MAIL_FILE_DIR"]).glob("*.eml")
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    subject = str(message["Subject"])
    assert subject.startswith(OPEN) and subject.endswith(CLOSE)
    for kind in ("plain", "html"):
        body = message.get_body(preferencelist=(kind,))
        assert body is not None
        text = body.get_content()
        text = re.sub(r"https?://\S+", " ", text)
        left = untranslated(text if kind == "html" else f"<p>{text}</p>", *USER_DATA)
        assert not left, f"untranslated words in the {kind} part: {left}"


def test_the_default_language_is_untouched(make_app: Callable[..., Flask]):
    """Without the throwaway catalogue, the pages are in plain English as before."""
    page = make_app().test_client().get("/login").get_data(as_text=True)
    assert "Forgotten your password?" in page and OPEN not in page


def _mail_translated(path: Path, *data: str) -> None:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    subject = str(message["Subject"])
    assert subject.startswith(OPEN) and subject.endswith(CLOSE)
    for kind in ("plain", "html"):
        body = message.get_body(preferencelist=(kind,))
        assert body is not None
        text = re.sub(r"https?://\S+", " ", body.get_content())
        left = untranslated(text if kind == "html" else f"<p>{text}</p>", *data)
        assert not left, f"untranslated words in the {kind} part of {subject}: {left}"


def test_registration_and_confirmation_go_through_gettext(
    app: Flask, client: FlaskClient, make_user: Callable[..., User]
):
    make_user(name=USER_NAME, email="ada@example.org")
    password = "correct horse battery staple"
    form = {"name": "Nia", "password": password, "confirm": password}
    assert_translated(client.get("/register/confirm"))
    assert_translated(
        post(client, "/register", {**form, "email": "nia@example.org"}), "nia@example.org"
    )
    assert_translated(
        post(client, "/register", {**form, "email": "ada@example.org"}), "ada@example.org"
    )
    assert_translated(
        post(client, "/login", {"email": "nia@example.org", "password": password}),
        "nia@example.org",
    )
    assert_translated(client.get("/register/confirm/not-a-token"))
    messages = sorted(Path(app.config["MAIL_FILE_DIR"]).glob("*.eml"))
    assert len(messages) == 2
    for path in messages:
        _mail_translated(path, "nia@example.org", "ada@example.org", "Nia", USER_NAME)
    link = re.search(
        r"http://localhost(/register/confirm/\S+)",
        b"".join(path.read_bytes() for path in messages).decode(errors="replace"),
    )
    assert link
    assert_translated(client.get(link.group(1)), "nia@example.org")


def test_an_invitations_failed_email_goes_through_gettext(app: Flask, signed_in):
    client, organisation, _admin = signed_in
    app.config.update(
        MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=closed_port(), SMTP_STARTTLS=False
    )
    response = post(
        client,
        f"/organisations/{organisation.id}/invitations/new",
        {"email": "failed@example.org", "role": "auditor"},
        follow_redirects=True,
    )
    assert_translated(response, *USER_DATA, "failed@example.org")
    assert "/resend" in response.get_data(as_text=True)


def test_survey_pages_go_through_gettext(app: Flask, make_user, make_org):
    """Perception surveys: the admin's pages, the results, the paper version, the respondent's
    pages and a refused response. Questionnaire text comes from the YAML file, not gettext."""
    from survey_helpers import assessment_with_levels, everything, open_survey, respond

    from assess import db
    from assess.models import Survey
    from assess.services.questionnaires import current_questionnaires

    setup = assessment_with_levels(app, make_user, make_org)
    survey_id = open_survey(app, setup, threshold=3)
    respond(app, survey_id, "residents", 3, everything(2), comment="Kept comment")
    respond(app, survey_id, "service-users", 3, everything(4))
    with app.app_context():
        survey = db.session().get(Survey, survey_id)
        token, group = survey.token, survey.groups[0].token
        qset = current_questionnaires()
        perception = qset.perception
        texts = [q.text.get() for _s, q in perception.questions()]
        texts += [q.guidance.get() for _s, q in perception.questions() if q.guidance]
        texts += [t.get() for t in perception.scale.values()]
        texts += [perception.title.get(), perception.description.get()]
        texts += [g.label for g in survey.groups] + [s.title.get() for s in qset.adoption.sections]
        org_name = survey.assessment.organisation.name
    data = (*texts, "Spring survey", "Survey test", org_name, "Kept comment", "localhost", "http")
    admin = app.test_client()
    login(admin, setup.admin)
    for path in (
        f"/assessments/{setup.assessment_id}/surveys",
        f"/surveys/{survey_id}",
        f"/surveys/{survey_id}/results",
        f"/surveys/{survey_id}/paper",
        f"/surveys/{survey_id}/paper-entry",
    ):
        response = admin.get(path)
        assert response.status_code == 200, path
        assert_translated(response, *data)
    refused = post(admin, f"/assessments/{setup.assessment_id}/surveys", {"title": ""})
    assert_translated(refused, *data)
    person = app.test_client()
    for path in (f"/s/{token}", f"/s/{token}/{group}", f"/s/{token}/privacy", f"/s/{token}/thanks"):
        assert_translated(person.get(path), *data, "noreply@example.org", "assess@localhost")
    assert_translated(post(person, f"/s/{token}/{group}", {}), *data)


def test_action_plan_reminders_go_through_gettext(app: Flask, signed_in):
    """The reminder to an action's owner and the admins' digest of overdue actions."""
    from datetime import date, timedelta

    from assess import db
    from assess.services import action_plan, assessments, outbox, plan_reminders
    from assess.services.questionnaires import current_questionnaires

    _client, organisation, admin = signed_in
    title, done = "Brief Babbage cabinet", "Babbage minutes record it"
    with app.test_request_context():
        assessment = assessments.start(
            organisation.id, admin, "Babbage check", current_questionnaires()
        )
        today = action_plan.organisation_today(assessments.get(assessment.id).organisation)
        for due in (today, today - timedelta(days=3)):
            action_plan.add_own(
                assessment,
                db.session().get(User, admin.id),
                action_plan.OwnAction(
                    question_id="lead-commitment",
                    title=title,
                    done_when=done,
                    owner=action_plan.Owner(user_id=admin.id),
                    due_on=due,
                ),
            )
        assert (
            plan_reminders.reminders_for(
                db.session().get(Organisation, organisation.id), db.utcnow()
            )
            == 2
        )
        outbox.send_due()
    folder = Path(app.config["MAIL_FILE_DIR"])
    reminders = [
        p
        for p in folder.glob("*.eml")
        if "Brief Babbage" in p.read_text(encoding="utf-8", errors="ignore")
    ]
    assert len(reminders) == 2
    for path in reminders:
        _mail_translated(path, *USER_DATA, title, done, str(date.today().year))


def test_the_being_prepared_page_goes_through_gettext(app: Flask, signed_in, monkeypatch):
    """With a job queue: the page while the report is prepared, and when it is too large."""
    import fakeredis
    from finalise_helpers import answered_draft

    from assess import jobs

    client, organisation, admin = signed_in
    app.config["REDIS_URL"] = "redis://fake.invalid:6379/0"
    redis = fakeredis.FakeRedis()
    app.extensions["assess.redis"] = redis
    assessment_id = answered_draft(app, organisation, admin)
    asked = client.get(f"/assessments/{assessment_id}/report.pdf")
    status_url = asked.headers["Location"]
    assert_translated(client.get(status_url), *USER_DATA, "Annual check")
    app.config["REPORT_RENDER_MEMORY_MB"] = 1
    jobs.run_worker(app, burst=True, connection_=redis)
    refused = client.get(status_url)
    assert "1" in refused.get_data(as_text=True)
    assert_translated(refused, *USER_DATA, "Annual check", "REPORT_RENDER_MEMORY_MB")


def test_the_csv_pages_go_through_gettext(app: Flask, signed_in):
    """The spreadsheets page, a preview with a problem in every kind of cell, a file refused
    whole, and the message after storing."""
    import io
    import re

    from werkzeug.datastructures import FileStorage, MultiDict
    from werkzeug.test import encode_multipart

    from assess.services import assessments
    from assess.services.questionnaires import current_questionnaires

    client, organisation, admin = signed_in
    with app.test_request_context():
        assessment_id = assessments.start(
            organisation.id, admin, "Babbage check", current_questionnaires()
        ).id

    def upload(content: bytes):
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").text)
        fields = MultiDict({"csrf_token": token.group(1) if token else ""})
        fields.add("file", FileStorage(io.BytesIO(content), "babbage.csv", "text/csv"))
        boundary, body = encode_multipart(fields)
        return client.post(
            f"/assessments/{assessment_id}/import",
            data=body,
            content_type=f"multipart/form-data; boundary={boundary}",
        )

    with app.test_request_context():
        qset = assessments.questionnaires_of(assessments.get(assessment_id))
        # Questionnaire text is translated in the questionnaire files, not by gettext.
        shown = [q.title.get("en") for q in qset]
        shown += [question.text.get("en") for q in qset for _s, question in q.questions()]
        shown.append("Babbage check")
    assert_translated(client.get(f"/assessments/{assessment_id}/spreadsheets"), *USER_DATA, *shown)
    bad = (
        b"questionnaire,question_id,answer,criteria_met,note\r\n"
        b"definition,def-written,maybe,,\r\n"
        b"definition,def-nonsense,no,,\r\n"
        b"budget,def-owner,no,,\r\n"
        b"adoption,lead-commitment,2,3.1,\r\n"
        b"definition,def-written,no,,\r\n"
        b"definition,register,x,,\r\n"
        b"definition,def-owner,nobody,,\x07\r\n"
        b"definition,def-where,website,,,surplus\r\n"
    )
    # The cells of a row with a problem are shown as the file has them.
    ids = (
        "nobody",
        "x",
        "maybe",
        "def-nonsense",
        "budget",
        "def-written",
        "def-owner",
        "def-where",
    )
    ids += ("lead-commitment", "definition", "adoption", "register", "babbage.csv", "3.1")
    ids += ("model-fit", "yes-corporate", "yes-services", "drafting", "no", "website")
    response = upload(bad)
    assert response.status_code == 422
    assert_translated(response, *USER_DATA, *ids, *shown)
    assert_translated(upload("Siân".encode("cp1252")), *USER_DATA, *shown)
    good = b"questionnaire,question_id,answer\r\ndefinition,def-written,no\r\n"
    response = upload(good)
    assert_translated(response, *USER_DATA, *ids, *shown)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', response.text).group(1)
    response = post(
        client,
        f"/assessments/{assessment_id}/import/confirm",
        {"token": token},
        follow_redirects=True,
    )
    assert_translated(response, *USER_DATA, *shown)


def test_the_questionnaire_pack_pages_go_through_gettext(app: Flask, signed_in):
    import io

    from pack_helpers import SHIPPED, pack_zip, rename_first_adoption_question

    from assess.services.questionnaires import current_questionnaires

    client, _organisation, _admin = signed_in
    renamed = "New words"
    qset = current_questionnaires(app)
    data = [
        *USER_DATA,
        "Parish light",
        "parish-light",
        "parish-light.zip",
        renamed,
        *(q.title.get("en") for q in qset.every),
        *(str(f["sections"][0]["questions"][0]["text"]["en"]) for f in SHIPPED.values()),
    ]

    def upload(content: bytes):
        return client.post(
            "/operator/packs",
            data={"csrf_token": _token(client), "pack": (io.BytesIO(content), "parish-light.zip")},
            content_type="multipart/form-data",
        )

    def wrong_version(files):
        files["definition.yaml"]["version"] = "9.9.9"

    assert_translated(client.get("/operator/packs"), *data)
    refused = upload(pack_zip(wrong_version))
    assert refused.status_code == 400
    assert_translated(refused, *data, "definition.yaml", "(version)")
    response = upload(pack_zip(rename_first_adoption_question(renamed)))
    assert response.status_code == 302
    shown = client.get(response.headers["Location"])
    first = SHIPPED["adoption.yaml"]["sections"][0]["questions"][0]["id"]
    assert_translated(shown, *data, first)
    pack_url = response.headers["Location"]
    installed = post(client, f"{pack_url}/install", follow_redirects=True)
    assert_translated(installed, *data)
    assert_translated(client.get("/operator/packs"), *data)


def _token(client: FlaskClient) -> str:
    from helpers import csrf_token

    return csrf_token(client)
