"""One password reset link used twice at the same moment: only one use changes the password; the
other is told the link has been used. Two browsers post from two threads, each on its own database
connection, held by a barrier until both have read the link as valid (SQLite and PostgreSQL)."""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

from helpers import csrf_token, login, post
from sqlalchemy import event


def test_a_reset_link_used_twice_at_once_changes_the_password_once(app, make_user, mailbox):
    user = make_user(email="ada@example.org")
    asker = app.test_client()
    post(asker, "/password/forgot", {"email": "ada@example.org"})
    link = mailbox()[-1].link()
    browsers = [app.test_client(), app.test_client()]
    passwords = ["first brand new passphrase", "second brand new passphrase"]
    forms = []
    for browser, password in zip(browsers, passwords, strict=True):
        assert browser.get(link).status_code == 200
        forms.append({"csrf_token": csrf_token(browser), "password": password, "confirm": password})

    # Each use waits, just before it claims the link, until the other has got that far too.
    barrier = threading.Barrier(2, timeout=10)
    engine = app.extensions["assess.db"].kw["bind"]

    def meet(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("UPDATE PASSWORD_RESET"):
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait()

    event.listen(engine, "before_cursor_execute", meet)
    try:
        with ThreadPoolExecutor(2) as pool:
            futures = [
                pool.submit(browser.post, link, data=form)
                for browser, form in zip(browsers, forms, strict=True)
            ]
            responses = [f.result() for f in futures]
    finally:
        event.remove(engine, "before_cursor_execute", meet)

    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 302], codes
    refused = next(r for r in responses if r.status_code == 200).get_data(as_text=True)
    assert "This link has expired or has already been used" in refused
    winner = passwords[[r.status_code for r in responses].index(302)]
    loser = passwords[1 - passwords.index(winner)]
    login(app.test_client(), user, password=winner)
    refused_login = post(app.test_client(), "/login", {"email": user.email, "password": loser})
    assert refused_login.status_code == 401
