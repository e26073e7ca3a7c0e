"""Translations (Flask-Babel): every string a person reads goes through ``gettext``.

English is the only language shipped so far; the locale selector is where another would be chosen.
Questionnaire text is not translated here: it comes from the questionnaire's own ``LocalText`` in
the :func:`current_locale`.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import Babel, get_locale, gettext

from assess.questionnaire.schema import DEFAULT_LOCALE
from assess.questionnaire.validation import Message

babel = Babel()

#: The languages the interface is offered in.
LOCALES = (DEFAULT_LOCALE,)


def select_locale() -> str:
    """The interface language: English until another is translated."""
    return DEFAULT_LOCALE


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


def init_app(app: Flask) -> None:
    """Bind Flask-Babel; ``_`` and ``{% trans %}`` then work in every template."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["current_locale"] = current_locale
