"""Translations (Flask-Babel): every string a person reads goes through ``gettext``.

assess is offered in English and Welsh (:data:`LOCALES`). A request's language is, in this
order (:func:`select_locale`): a choice made in this very request (:func:`choose`); for a
signed-in person, the language kept in their account; the ``lang`` cookie (:data:`COOKIE`, set by
the header's switch, strictly necessary and listed in the privacy notice); the best match of the
``Accept-Language`` header; English. Questionnaire text is not translated here: it comes from
the questionnaire's own ``LocalText`` in the :func:`current_locale`.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask, Response, current_app, g, has_request_context, request
from flask_babel import Babel, get_locale, gettext, refresh
from flask_login import current_user

from assess.questionnaire.schema import DEFAULT_LOCALE
from assess.questionnaire.validation import Message

babel = Babel()

#: The languages the interface is offered in.
LOCALES = (DEFAULT_LOCALE, "cy")

#: Each language's name in that language: what the switch offers (never translated).
NAMES = {"en": "English", "cy": "Cymraeg"}

#: The cookie that keeps the language of a person who is not signed in (and of anyone's browser).
COOKIE = "lang"
#: How long the cookie is kept: a year.
COOKIE_MAX_AGE = 365 * 24 * 3600

_CHOICE = "assess_language_choice"


def known(language: object) -> str | None:
    """``language`` if assess is offered in it, else None."""
    return language if isinstance(language, str) and language in LOCALES else None


def choose(language: str) -> None:
    """Use ``language`` for the rest of this request: the person has just chosen it."""
    setattr(g, _CHOICE, language)
    refresh()  # forget the language already looked up for this request


def _account_language() -> str | None:
    try:
        user = current_user._get_current_object()
    except Exception:  # a broken database must not stop an error page from being shown
        current_app.logger.warning("the account's language could not be read", exc_info=True)
        return None
    if user is None or not user.is_authenticated:
        return None
    return known(getattr(user, "language", None))


def select_locale() -> str:
    """The request's language: a choice just made, the account's, the cookie's, the browser's
    (``Accept-Language``), then English."""
    if not has_request_context():
        return DEFAULT_LOCALE
    return (
        known(g.get(_CHOICE))
        or _account_language()
        or known(request.cookies.get(COOKIE))
        or request.accept_languages.best_match(LOCALES)
        or DEFAULT_LOCALE
    )


def remember(response: Response, language: str) -> Response:
    """Keep ``language`` in the browser's ``lang`` cookie: first-party, SameSite=Lax, a year,
    Secure when the site's session cookie is."""
    response.set_cookie(
        COOKIE,
        language,
        max_age=COOKIE_MAX_AGE,
        path="/",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )
    return response


def current_locale() -> str:
    """The locale of the request, as questionnaire text (``LocalText.get``) takes it."""
    locale = get_locale()
    return str(locale) if locale else DEFAULT_LOCALE


def translate(text: str) -> str:
    """A message made outside the web layer (a check, a service's refusal) in the person's language.

    A :class:`~assess.questionnaire.validation.Message` is translated from its template and then
    filled in; any other string is looked up as it is (``pybabel extract -k ServiceError -k
    ChoiceError -k Message`` collects both kinds).
    """
    if isinstance(text, Message):
        return gettext(text.template, **text.params)
    return gettext(text)


def N_(text: str) -> str:
    """Mark ``text`` for translation where it is defined (a module-level table), and translate
    it where it is shown, with :func:`translate` or ``gettext``."""
    return text


def join_words(items: Sequence[str]) -> str:
    """``a, b and c`` in the language being rendered."""
    if len(items) <= 1:
        return "".join(items)
    return gettext("%(items)s and %(last)s", items=", ".join(items[:-1]), last=items[-1])


def init_app(app: Flask) -> None:
    """Bind Flask-Babel; ``_`` and ``{% trans %}`` then work in every template."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    babel.init_app(app, locale_selector=select_locale)
    # Flask-Babel keeps one cache of loaded catalogues per Babel object, keyed by locale only, not
    # by app: an app made after another in the same process (the tests make many, each with its
    # own BABEL_TRANSLATION_DIRECTORIES) must not read the catalogue the earlier one loaded.
    # (``domain_instance`` is a cached property: made by the first lookup, in a request.)
    domain = vars(babel).get("domain_instance")
    if domain is not None:
        domain.cache.clear()
    app.jinja_env.globals["current_locale"] = current_locale
    app.jinja_env.globals["language_names"] = NAMES
