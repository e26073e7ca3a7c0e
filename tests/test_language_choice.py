"""Choosing the language: the header's switch on every page, the account's language, the ``lang``
cookie, ``Accept-Language`` and English, in that order; the switch goes back to the same page and
never to another site.

Welsh pages are told from English ones by ``<html lang>`` and, where text matters, by a throwaway
catalogue (``welsh_helpers``) rather than by the real translation's wording.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import csrf_token, login, post
from sqlalchemy import select
from welsh_helpers import compile_welsh_catalogue, welsh

from assess import db, i18n
from assess.models import User

WELSH_BROWSER = {"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.5"}


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return compile_welsh_catalogue(tmp_path_factory.mktemp("translations"))


@pytest.fixture
def app(make_app: Callable[..., Flask], catalogue: Path) -> Flask:
    return make_app(BABEL_TRANSLATION_DIRECTORIES=str(catalogue))


class _Page(HTMLParser):
    """The page's language and its language switches (links or buttons)."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.switches: list[dict[str, str | None]] = []
        self._in_switch = False
        self.switch_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.lang = found.get("lang")
        if "language-switch__link" in (found.get("class") or "").split():
            self.switches.append({"tag": tag, **found})
            self._in_switch = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("a", "button"):
            self._in_switch = False

    def handle_data(self, data: str) -> None:
        if self._in_switch:
            self.switch_text += data


def page_of(response) -> _Page:
    parser = _Page()
    parser.feed(response.get_data(as_text=True))
    return parser


def language_of(response) -> str | None:
    return page_of(response).lang


def assert_switch_offers(response, other: str) -> dict[str, str | None]:
    """The page has one switch, offering ``other`` named in itself and marked with its language."""
    page = page_of(response)
    assert page.lang == ("en" if other == "cy" else "cy")
    assert len(page.switches) == 1, page.switches
    (switch,) = page.switches
    assert page.switch_text.strip() == i18n.NAMES[other]
    assert switch["lang"] == other
    if switch["tag"] == "a":
        assert switch["hreflang"] == other
    return switch


def _user(app: Flask, user_id: int) -> User:
    with app.app_context():
        found = db.session().get(User, user_id)
        assert found is not None
        return found


# ---- where the language comes from, in order ----------------------------------------------------


def test_english_when_nothing_says_otherwise(client: FlaskClient):
    response = client.get("/login")
    assert language_of(response) == "en"
    switch = assert_switch_offers(response, "cy")
    assert switch["href"] == "/language/cy?next=/login"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("cy", "cy"),
        ("cy-GB,cy;q=0.9,en;q=0.5", "cy"),
        ("en-GB,en;q=0.9,cy;q=0.8", "en"),
        ("fr-FR,fr;q=0.9,cy;q=0.5", "cy"),
        ("fr-FR,de;q=0.5", "en"),
        ("", "en"),
    ],
)
def test_the_browsers_accept_language_picks_the_best_of_english_and_welsh(
    client: FlaskClient, header: str, expected: str
):
    assert language_of(client.get("/login", headers={"Accept-Language": header})) == expected


def test_the_cookie_comes_before_the_browsers_language(client: FlaskClient):
    client.set_cookie("lang", "en")
    assert language_of(client.get("/login", headers=WELSH_BROWSER)) == "en"
    client.set_cookie("lang", "cy")
    assert language_of(client.get("/login")) == "cy"


def test_a_cookie_of_another_language_is_ignored(client: FlaskClient):
    client.set_cookie("lang", "fr")
    assert language_of(client.get("/login", headers=WELSH_BROWSER)) == "cy"
    assert language_of(client.get("/login")) == "en"


def test_the_accounts_language_comes_before_the_cookie(client: FlaskClient, make_user):
    user = make_user(language="cy")
    login(client, user)
    client.set_cookie("lang", "en")
    response = client.get("/account", headers={"Accept-Language": "en"})
    assert language_of(response) == "cy"
    assert_switch_offers(response, "en")


def test_an_account_without_a_language_follows_the_cookie_then_the_browser(
    client: FlaskClient, make_user
):
    login(client, make_user())
    assert language_of(client.get("/account", headers=WELSH_BROWSER)) == "cy"
    client.set_cookie("lang", "en")
    assert language_of(client.get("/account", headers=WELSH_BROWSER)) == "en"


def test_a_choice_just_made_comes_before_everything(app: Flask, make_user):
    user = make_user(language="en")
    client = app.test_client()
    login(client, user)
    client.set_cookie("lang", "en")
    # The account page's form: the confirmation is already in the language just chosen.
    response = post(
        client,
        "/language",
        {"language": "cy", "next": "/account", "from": "account"},
        headers={"Accept-Language": "en"},
        follow_redirects=True,
    )
    assert language_of(response) == "cy"
    assert welsh("Your language has been saved.") in response.get_data(as_text=True)
    with app.test_request_context(headers={"Accept-Language": "en", "Cookie": "lang=en"}):
        i18n.choose("cy")
        assert i18n.select_locale() == "cy"


def test_the_questionnaire_text_follows_the_language(app: Flask):
    with app.test_request_context(headers={"Cookie": "lang=cy"}):
        assert i18n.current_locale() == "cy"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert i18n.current_locale() == "en"


def test_pages_are_translated_in_welsh(client: FlaskClient):
    client.set_cookie("lang", "cy")
    page = client.get("/login").get_data(as_text=True)
    assert welsh("Sign in") in page and '<html lang="cy">' in page


# ---- the switch ---------------------------------------------------------------------------------


def test_the_switch_sets_the_cookie_and_returns_to_the_same_page(client: FlaskClient):
    response = client.get("/language/cy", query_string={"next": "/privacy?x=1&y=2"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/privacy?x=1&y=2"
    (cookie,) = response.headers.getlist("Set-Cookie")
    assert cookie.startswith("lang=cy;")
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert "max-age=31536000" in cookie.lower().replace(" ", "")
    assert "samesite=lax" in cookie.lower().replace(" ", "")
    assert "path" in attributes and "httponly" in attributes
    assert "secure" not in attributes and "domain" not in attributes  # first-party, this host
    following = client.get("/privacy?x=1&y=2")
    assert language_of(following) == "cy"
    assert_switch_offers(following, "en")
    back = client.get(assert_switch_offers(following, "en")["href"])
    assert back.headers["Location"] == "/privacy?x=1&y=2"
    assert language_of(client.get("/privacy")) == "en"


def test_switching_language_needs_no_session_cookie(client: FlaskClient):
    response = client.get("/language/cy", query_string={"next": "/"})
    names = [c.split("=")[0] for c in response.headers.getlist("Set-Cookie")]
    assert names == ["lang"]


def test_the_cookie_is_secure_when_the_site_runs_on_https(make_app: Callable[..., Flask]):
    client = make_app(HTTPS=True).test_client()
    response = client.get("/language/cy?next=/", base_url="https://localhost")
    (cookie,) = response.headers.getlist("Set-Cookie")
    assert "; Secure" in cookie


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/%0a/evil.example",
        "/\t/evil.example",
        "http:/evil.example",
    ],
)
def test_the_switch_never_sends_anyone_to_another_site(client: FlaskClient, target: str):
    response = client.get("/language/cy", query_string={"next": target})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//")
    assert "evil" not in location or location.startswith("/%0a")
    assert "\\" not in location


def test_the_signed_in_form_refuses_another_site_too(client: FlaskClient, make_user):
    login(client, make_user())
    response = post(client, "/language", {"language": "cy", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_an_unknown_language_is_not_found(client: FlaskClient):
    assert client.get("/language/fr?next=/").status_code == 404
    assert "Set-Cookie" not in client.get("/language/fr?next=/").headers


def test_a_signed_in_persons_switch_is_a_form_with_its_csrf_token(
    app: Flask, client: FlaskClient, make_user
):
    user = make_user()
    login(client, user)
    response = client.get("/account?tab=1")
    switch = assert_switch_offers(response, "cy")
    assert switch["tag"] == "button" and switch["name"] == "language" and switch["value"] == "cy"
    page = response.get_data(as_text=True)
    form = re.search(r'<form method="post" action="/language"[^>]*>(.*?)</form>', page, re.S)
    assert form and 'name="csrf_token"' in form.group(1)
    assert 'name="next" value="/account?tab=1"' in form.group(1)
    saved = post(client, "/language", {"language": "cy", "next": "/account?tab=1"})
    assert saved.headers["Location"] == "/account?tab=1"
    assert any(c.startswith("lang=cy;") for c in saved.headers.getlist("Set-Cookie"))
    assert _user(app, user.id).language == "cy"
    # Kept in the account: another browser, without the cookie, shows Welsh too.
    elsewhere = app.test_client()
    login(elsewhere, user)
    assert language_of(elsewhere.get("/account")) == "cy"


def test_the_signed_in_form_is_refused_without_its_csrf_token(
    app: Flask, client: FlaskClient, make_user
):
    user = make_user()
    login(client, user)
    response = client.post("/language", data={"language": "cy", "next": "/account"})
    assert response.status_code == 400
    assert _user(app, user.id).language is None
    assert not response.headers.getlist("Set-Cookie") or all(
        not c.startswith("lang=") for c in response.headers.getlist("Set-Cookie")
    )


def test_an_unknown_language_sent_to_the_form_is_refused_and_changes_nothing(
    app: Flask, client: FlaskClient, make_user
):
    user = make_user(language="en")
    login(client, user)
    response = post(client, "/language", {"language": "fr", "next": "/account"})
    assert response.status_code == 400
    assert "English or Welsh" in response.get_data(as_text=True)
    assert _user(app, user.id).language == "en"


def test_a_link_does_not_change_a_signed_in_persons_account(
    app: Flask, client: FlaskClient, make_user
):
    user = make_user(language="en")
    login(client, user)
    response = client.get("/language/cy?next=/account")
    assert response.status_code == 200
    assert _user(app, user.id).language == "en"
    page = response.get_data(as_text=True)
    assert language_of(response) == "cy"  # the question is asked in the language asked for
    assert 'value="cy" checked' in page
    assert re.search(r'name="next" type="hidden" value="/account"', page)
    post(client, "/language", {"language": "cy", "next": "/account"})
    assert _user(app, user.id).language == "cy"


def test_the_account_page_has_the_language_setting(app: Flask, client: FlaskClient, make_user):
    user = make_user()
    login(client, user)
    client.set_cookie("lang", "cy")
    page = client.get("/account").get_data(as_text=True)
    # Not chosen yet: the language in use is ticked; each language is named in itself.
    assert re.search(r'value="cy" checked', page)
    assert '<label class="radios__label" for="language-0" lang="cy">Cymraeg</label>' in page
    assert '<label class="radios__label" for="language-1" lang="en">English</label>' in page
    response = post(
        client,
        "/language",
        {"language": "en", "next": "/account", "from": "account"},
        follow_redirects=True,
    )
    assert language_of(response) == "en"
    assert "Your language has been saved." in response.get_data(as_text=True)
    assert _user(app, user.id).language == "en"


# ---- registration keeps the language in use -----------------------------------------------------


def test_registering_keeps_the_language_in_use(app: Flask, client: FlaskClient):
    client.set_cookie("lang", "cy")
    password = "correct horse battery staple"
    post(
        client,
        "/register",
        {"name": "Nia", "email": "nia@example.org", "password": password, "confirm": password},
    )
    english = app.test_client()
    post(
        english,
        "/register",
        {"name": "Ann", "email": "ann@example.org", "password": password, "confirm": password},
    )
    with app.app_context():
        languages = dict(db.session().execute(select(User.email, User.language)).all())
    assert languages == {"nia@example.org": "cy", "ann@example.org": "en"}


def test_an_invited_persons_new_account_keeps_the_language_in_use(
    app: Flask, client: FlaskClient, make_user, make_org, mailbox
):
    admin = make_user()
    organisation = make_org(members={admin: "admin"})
    login(client, admin)
    post(
        client,
        f"/organisations/{organisation.id}/invitations/new",
        {"email": "gwen@example.org", "role": "auditor"},
    )
    (invitation,) = mailbox()
    link = invitation.link().removeprefix("http://localhost")
    invited = app.test_client()
    invited.set_cookie("lang", "cy")
    password = "correct horse battery staple"
    response = post(invited, link, {"name": "Gwen", "password": password, "confirm": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        gwen = db.session().scalar(select(User).where(User.email == "gwen@example.org"))
        assert gwen is not None and gwen.language == "cy"


# ---- every kind of page has the switch and its language -----------------------------------------


def test_error_pages_have_the_switch_and_the_language(client: FlaskClient):
    response = client.get("/no-such-page", headers=WELSH_BROWSER)
    assert response.status_code == 404
    switch = assert_switch_offers(response, "en")
    assert switch["href"] == "/language/en?next=/no-such-page"
    refused = client.post("/login", data={"email": "x"}, headers=WELSH_BROWSER)
    assert language_of(refused) == "cy"


def test_workshop_participants_and_the_room_view_have_the_switch(app: Flask, make_user, make_org):
    from workshop_helpers import join, open_room

    room = open_room(app, make_user, make_org)
    device = join(app, room.code, "Dewi")
    device.set_cookie("lang", "cy")
    page = device.get(f"/workshop/{room.session_id}", follow_redirects=True)
    assert page.status_code == 200
    assert_switch_offers(page, "en")
    # The facilitator's full-screen room view (no site header) has it too.
    slide = room.client.get(f"/workshops/{room.session_id}/room", follow_redirects=True)
    assert slide.status_code == 200
    assert_switch_offers(slide, "cy")


def test_survey_respondents_and_the_verify_page_keep_their_language_in_the_cookie(
    app: Flask, make_user, make_org
):
    from survey_helpers import assessment_with_levels, open_survey

    from assess.models import Survey

    setup = assessment_with_levels(app, make_user, make_org)
    survey_id = open_survey(app, setup)
    with app.app_context():
        token = db.session().get(Survey, survey_id).token
    person = app.test_client()
    switched = person.get(f"/language/cy?next=/s/{token}")
    assert switched.headers["Location"] == f"/s/{token}"
    response = person.get(f"/s/{token}")
    assert response.status_code == 200
    assert_switch_offers(response, "en")
    assert_switch_offers(person.get("/verify"), "en")
    assert_switch_offers(app.test_client().get("/verify"), "cy")


def test_the_switch_does_not_need_a_csrf_token_for_people_not_signed_in(client: FlaskClient):
    """A person not signed in follows a plain link (no form, so no token to expire)."""
    page = client.get("/").get_data(as_text=True)
    assert 'action="/language"' not in page
    assert csrf_token(client)  # the sign-in form still has its token


# ---- the privacy notice ----------------------------------------------------------------------


def test_the_privacy_notice_lists_every_cookie_as_strictly_necessary(
    make_app: Callable[..., Flask],
):
    for config, session_cookie in (({}, "session"), ({"HTTPS": True}, "__Host-assess-session")):
        client = make_app(**config).test_client()
        page = client.get("/privacy", base_url="https://localhost").get_data(as_text=True)
        table = re.search(r'<h2 id="cookies">.*?</table>', page, re.S)
        assert table, "no cookie table"
        rows = re.findall(
            r"<tr>\s*<th scope=\"row\"><code>([^<]+)</code></th>(.*?)</tr>", table.group(0), re.S
        )
        names = [name for name, _ in rows]
        assert names == [
            session_cookie,
            "lang",
            "assess_workshop_&lt;n&gt;",
            "assess_surveys_answered",
        ]
        for _name, cells in rows:
            assert "Strictly necessary" in cells
        lang_row = dict(rows)["lang"]
        assert "A year" in lang_row
