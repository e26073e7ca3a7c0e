"""A small SMTP server on 127.0.0.1 for tests: it records what it receives, can be slow, and can
refuse every message; and a port where nothing listens (a mail server that is down)."""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser


@dataclass
class FakeSMTP:
    """What the server received, and how it behaves."""

    port: int = 0
    #: Seconds it waits before accepting each message.
    delay: float = 0.0
    #: Answer every message with a permanent failure.
    refuse: bool = False
    received: list[EmailMessage] = field(default_factory=list)

    def config(self) -> dict[str, object]:
        """App settings that send mail through this server."""
        return {
            "MAIL_BACKEND": "smtp",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": self.port,
            "SMTP_STARTTLS": False,
            "SMTP_TIMEOUT": 5,
        }


class _Handler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def handle(self) -> None:
        state: FakeSMTP = self.server.state  # type: ignore[attr-defined]
        self.reply("220 fake ESMTP")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode(errors="replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.reply("250 fake")
            elif command.startswith(("MAIL", "RCPT", "RSET", "NOOP")):
                self.reply("250 OK")
            elif command == "DATA":
                self.reply("354 go ahead")
                data = b""
                while True:
                    chunk = self.rfile.readline()
                    if not chunk or chunk == b".\r\n":
                        break
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                time.sleep(state.delay)
                if state.refuse:
                    self.reply("554 refused by the test server")
                else:
                    state.received.append(
                        BytesParser(policy=policy.default).parsebytes(data)  # type: ignore[arg-type]
                    )
                    self.reply("250 queued")
            elif command == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # type: ignore[no-untyped-def]
        """A client that went away mid-message (a worker being stopped) is not news."""


@contextmanager
def fake_smtp(delay: float = 0.0, refuse: bool = False) -> Iterator[FakeSMTP]:
    """Run a fake SMTP server on 127.0.0.1 for the duration of the block."""
    server = _Server(("127.0.0.1", 0), _Handler)
    state = FakeSMTP(port=server.server_address[1], delay=delay, refuse=refuse)
    server.state = state  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens, so connecting is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
