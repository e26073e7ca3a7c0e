"""A person's language: kept in their account, so that pages and emails reach them in it."""

from __future__ import annotations

from assess import db, i18n
from assess.models import User
from assess.services import ServiceError


def set_language(user: User, language: str) -> None:
    """Keep ``language`` (one of :data:`assess.i18n.LOCALES`) as ``user``'s language; committed."""
    if i18n.known(language) is None:
        raise ServiceError("Choose English or Welsh.", field="language")
    if user.language != language:
        user.language = language
        db.session().commit()
