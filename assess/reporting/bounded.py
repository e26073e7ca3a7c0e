"""Rendering a report within a time and memory ceiling, for ``assess worker``.

A very large register makes a very large report (issue 21: 500 groups, 133 pages, about half a
gigabyte at its peak). Left alone, a report past what the machine can hold would get the worker
killed by the kernel's out-of-memory killer, and the person would learn nothing. Here the report is
laid out in a child process that the caller watches: if the child's resident memory passes the
ceiling, or it runs past the time allowed, it is stopped and :class:`RenderLimitExceeded` says so
in a sentence a person can act on. Nothing else in the caller's process is touched.

The child is forked, so it starts with the fonts, stylesheet and templates already loaded, and it
reads nothing from the database: it gets the plain report input and sends back the PDF's bytes
(or, for the Welsh and bilingual reports laid out together, both files).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from typing import Any, TypeVar

from assess.questionnaire.validation import Message
from assess.reporting.context import ReportInput
from assess.services import ServiceError

#: How often the child's memory and time are checked, in seconds.
_POLL = 0.05
#: What the child sends back with its result, or with its error's description.
_DONE, _FAILED = "done", "failed"

Result = TypeVar("Result")


class RenderLimitExceeded(ServiceError):
    """The report needed more time or memory than the worker allows (the message says which)."""


def _resident_bytes(pid: int) -> int:
    """The resident memory of process ``pid``, in bytes (0 once it has gone)."""
    try:
        with open(f"/proc/{pid}/statm") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def _child(render: Callable[[Any], Any], argument: Any, sender: Any) -> None:
    try:
        result = render(argument)
    except BaseException as error:  # everything goes back to the parent, which decides
        sender.send((_FAILED, f"{type(error).__name__}: {error}"))
    else:
        sender.send((_DONE, result))
    finally:
        sender.close()


def run_within(
    render: Callable[[Any], Result],
    argument: Any,
    *,
    memory_bytes: int,
    seconds: float,
) -> tuple[Result, int]:
    """``render(argument)`` in a forked child: its result and the child's peak resident memory.

    Raises :class:`RenderLimitExceeded` when the child passes ``memory_bytes`` of resident memory
    or ``seconds``; :class:`RuntimeError` when it fails in any other way (its error is given).
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(render, argument, sender), daemon=True)
    started = time.monotonic()
    process.start()
    sender.close()
    peak = 0
    try:
        while True:
            if receiver.poll(_POLL):
                try:
                    outcome, value = receiver.recv()
                except EOFError:
                    raise RuntimeError(
                        "the report's rendering process ended without a result"
                    ) from None
                if outcome == _DONE:
                    return value, max(peak, _resident_bytes(process.pid or 0))
                raise RuntimeError(f"rendering the report failed: {value}")
            peak = max(peak, _resident_bytes(process.pid or 0))
            if peak > memory_bytes:
                raise RenderLimitExceeded(
                    Message(
                        "This report is too large to prepare on this server: it needs more than "
                        "the %(limit)s MiB of memory a report may use. Ask the people who run "
                        "this service to raise REPORT_RENDER_MEMORY_MB, or make the register "
                        "smaller.",
                        limit=memory_bytes // (1024 * 1024),
                    )
                )
            if time.monotonic() - started > seconds:
                raise RenderLimitExceeded(
                    Message(
                        "This report is too large to prepare on this server: it takes longer "
                        "than the %(limit)s seconds a report may take. Ask the people who run "
                        "this service to raise REPORT_RENDER_TIMEOUT, or make the register "
                        "smaller.",
                        limit=int(seconds),
                    )
                )
            if not process.is_alive() and not receiver.poll(0):
                raise RuntimeError(
                    f"the report's rendering process stopped (exit code {process.exitcode})"
                )
    finally:
        receiver.close()
        if process.is_alive():
            os.kill(process.pid or 0, signal.SIGKILL)
        process.join()
        process.close()


def render_within(
    render: Callable[[ReportInput], Result], report: ReportInput, *, memory_mb: int, seconds: float
) -> Result:
    """``render(report)`` (one of :mod:`assess.reporting.render`'s functions) within the ceilings
    (see the module)."""
    memory_bytes = memory_mb * 1024 * 1024
    result, _peak = run_within(render, report, memory_bytes=memory_bytes, seconds=seconds)
    return result
