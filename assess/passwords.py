"""Password rules and hashing.

The rules follow NIST SP 800-63B: at least 12 characters, long passphrases welcome, no composition
rules, and no password that appears in a list of common ones. Hashes are Argon2id at the OWASP
parameters (19 MiB, 2 iterations, 1 lane), configurable so that tests can run fast.
"""

from __future__ import annotations

import string
from functools import cache
from importlib import resources

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app

from assess.questionnaire.validation import Message

MIN_LENGTH = 12
#: Long enough for any passphrase; the cap only stops absurd request bodies being hashed.
MAX_LENGTH = 256

_EXTENSION = "assess.passwords"
_EDGES = string.digits + string.punctuation + string.whitespace


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower-case."""
    text = resources.files("assess").joinpath("data/common-passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().casefold() for line in text.splitlines() if line and not line.startswith("#")
    )


def _repeats_a_short_unit(password: str) -> bool:
    for size in range(1, len(password) // 2 + 1):
        if len(password) % size == 0 and password[:size] * (len(password) // size) == password:
            return size <= 4 or password[:size] in common_passwords()
    return False


def problems(password: str, email: str | None = None) -> list[str]:
    """What is wrong with ``password`` as a new password, as sentences for a person; [] if fine."""
    if len(password) < MIN_LENGTH:
        return [Message("Password must be at least %(least)d characters long.", least=MIN_LENGTH)]
    if len(password) > MAX_LENGTH:
        return [Message("Password must be %(most)d characters or fewer.", most=MAX_LENGTH)]
    folded = password.casefold()
    core = folded.strip(_EDGES)
    if folded in common_passwords() or core in common_passwords():
        return [
            Message(
                "This password is too common. Choose something harder to guess, such as a few "
                "unrelated words."
            )
        ]
    if _repeats_a_short_unit(folded):
        return [Message("This password repeats a short pattern. Choose something harder to guess.")]
    if email and folded in {email.casefold(), email.casefold().split("@")[0]}:
        return [Message("Password must not be your email address.")]
    return []


def init_app(app: Flask) -> None:
    """Build the app's hasher from its configuration, and a dummy hash for unknown accounts."""
    hasher = PasswordHasher(
        time_cost=app.config["PASSWORD_HASH_TIME_COST"],
        memory_cost=app.config["PASSWORD_HASH_MEMORY_COST"],
        parallelism=app.config["PASSWORD_HASH_PARALLELISM"],
        type=Type.ID,
    )
    app.extensions[_EXTENSION] = (hasher, hasher.hash("not a password of anyone"))


def _hasher() -> tuple[PasswordHasher, str]:
    return current_app.extensions[_EXTENSION]


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password`` in PHC format."""
    return _hasher()[0].hash(password)


def verify(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash``.

    With no hash (no such account) a dummy hash is checked all the same, so that the answer takes
    as long whether or not the account exists.
    """
    hasher, dummy = _hasher()
    try:
        return hasher.verify(stored_hash or dummy, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether ``stored_hash`` was made with other parameters than the configured ones."""
    return _hasher()[0].check_needs_rehash(stored_hash)
