"""pydyf's page references are built once for each number of pages
(``assess.reporting.page_references``): WeasyPrint looks them up for every tagged element, and
building them at every lookup made a big register's report cost pages times elements."""

from __future__ import annotations

import io

import pikepdf
import pydyf
from report_helpers import make_report_input

from assess.reporting import page_references, render_report


def _page(pdf: pydyf.PDF) -> None:
    pdf.add_page(pydyf.Dictionary({"Type": "/Page", "Parent": pdf.pages.reference}))


def test_a_report_builds_them_at_most_once_a_page(monkeypatch):
    builds = []
    pydyfs = page_references._PYDYF_PROPERTY
    counting = property(lambda pdf: builds.append(1) or pydyfs.fget(pdf))
    monkeypatch.setattr(page_references, "_PYDYF_PROPERTY", counting)
    data = render_report(make_report_input())
    with pikepdf.open(io.BytesIO(data)) as document:
        pages = len(document.pages)
        assert "/StructTreeRoot" in document.Root  # tagged: every element names its page
    assert 0 < len(builds) <= pages


def test_the_references_are_kept_until_a_page_is_added():
    assert page_references.install()
    pdf = pydyf.PDF()
    _page(pdf)
    _page(pdf)
    first = pdf.page_references
    assert pdf.page_references is first  # kept, not built again
    assert first == page_references._PYDYF_PROPERTY.fget(pdf)  # what pydyf itself gives
    _page(pdf)
    after = pdf.page_references
    assert len(after) == 3 and after[:2] == first
    assert after == page_references._PYDYF_PROPERTY.fget(pdf)


def test_installing_twice_changes_nothing():
    assert page_references.install()
    installed = pydyf.PDF.__dict__["page_references"]
    assert page_references.install()
    assert pydyf.PDF.__dict__["page_references"] is installed
