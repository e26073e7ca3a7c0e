"""A worker lays a report out in a child process with a time and memory ceiling: past either, a
clear message instead of an out-of-memory kill; anything else that goes wrong is an error."""

from __future__ import annotations

import threading

import pytest
from report_helpers import make_report_input

from assess.reporting import render_report
from assess.reporting.bounded import RenderLimitExceeded, render_within, run_within
from assess.services.finalising import embedded_data


def _grow(_argument: object) -> bytes:
    hoard = []
    while True:
        hoard.append(bytearray(8 * 1024 * 1024))


def _hang(_argument: object) -> bytes:
    threading.Event().wait()
    return b"%PDF-never"


def _fail(_argument: object) -> bytes:
    raise ValueError("no such font")


def test_a_render_that_grows_past_the_memory_ceiling_is_stopped_with_a_message():
    with pytest.raises(RenderLimitExceeded) as stopped:
        run_within(_grow, None, memory_bytes=300 * 1024 * 1024, seconds=60)
    assert "needs more than the 300 MiB of memory a report may use" in stopped.value.message
    assert "REPORT_RENDER_MEMORY_MB" in stopped.value.message


def test_a_render_that_runs_past_the_time_ceiling_is_stopped_with_a_message():
    with pytest.raises(RenderLimitExceeded) as stopped:
        run_within(_hang, None, memory_bytes=1024**3, seconds=2)
    assert "takes longer than the 2 seconds a report may take" in stopped.value.message
    assert "REPORT_RENDER_TIMEOUT" in stopped.value.message


def test_an_error_in_the_child_is_an_error_not_a_limit():
    with pytest.raises(RuntimeError, match="ValueError: no such font"):
        run_within(_fail, None, memory_bytes=1024**3, seconds=60)


def test_a_report_within_the_ceilings_is_a_whole_report():
    pdf = render_within(render_report, make_report_input(), memory_mb=1024, seconds=120)
    assert pdf.startswith(b"%PDF-")
    assert embedded_data(pdf) is not None
