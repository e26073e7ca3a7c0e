"""Rendering: the report context to HTML (Jinja2), and HTML to a tagged PDF/A-3a that also
declares PDF/UA-1 (WeasyPrint, then pikepdf).

WeasyPrint 70 declares one variant per file (``pdf_variant`` takes PDF/A-3a or PDF/UA-1, not
both), and it tags table header cells without the ``/Scope`` attribute PDF/UA asks for. So the
PDF is rendered as PDF/A-3a with full tags (which PDF/UA-1 also needs: a tagged structure, the
document language, ``DisplayDocTitle``, embedded fonts, alternative text for figures), and
:func:`declare_pdf_ua` then adds the PDF/UA-1 identification (``pdfuaid:part`` = 1) to the XMP
metadata and a ``/Scope`` to every ``/TH``: ``/Column`` in a table's head, ``/Row`` elsewhere,
which is how the template's ``scope`` attributes are written.

The report has its own Jinja environment (autoescaping, strict about undefined names) over the
shipped ``reports/`` folder, separate from the web app's templates. WeasyPrint may read files under
``reports/`` and ``static/`` and ``data:`` URLs, nothing else: :class:`ReportFetcher` refuses every
other URL and stops the rendering. The font configuration and the parsed stylesheet are built once
per process and shared, because building them costs more than laying out a page.
"""

from __future__ import annotations

import copy
import gc
import io
import mimetypes
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pikepdf
from flask_babel import force_locale, get_translations, gettext
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from weasyprint import CSS, HTML, Attachment
from weasyprint.css import ColorProfile
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from assess.paths import REPORTS_DIR, STATIC_DIR
from assess.reporting.board import _shorten
from assess.reporting.context import ReportInput, build_context
from assess.reporting.data import FILENAME, data_fingerprint, dump_report_json, report_json
from assess.reporting.page_references import install as _cache_page_references
from assess.templating import bdi_print

_ = gettext
_cache_page_references()

#: The PDF flavour: PDF/A-3 allows embedded files, level A requires a tagged structure.
PDF_VARIANT = "pdf/a-3a"
#: The PDF/UA part declared beside it (ISO 14289-1).
PDF_UA_PART = "1"
#: How the embedded JSON relates to the PDF (ISO 32000-2, 7.11.3): the data the report shows.
ATTACHMENT_RELATIONSHIP = "Data"
#: The key of the output intent's colour profile (sRGB IEC 61966-2.1, shipped with WeasyPrint).
OUTPUT_INTENT = "assess-srgb"
TEMPLATE = "report.html"
#: Page 1 on its own, for the bilingual summary.
BOARD_TEMPLATE = "_board.html"
STYLESHEET = "report.css"


class ReportResourceError(RuntimeError):
    """The report asked for a resource it may not have, or that does not exist."""


class RefusedURLError(ReportResourceError):
    """A URL outside ``reports/`` and ``static/`` (or not a file or data URL) was refused."""


class ReportFetcher(URLFetcher):
    """Serves ``data:`` URLs and files under the allowed folders; refuses everything else.

    Refusals raise :class:`RefusedURLError`; inside WeasyPrint they stop the rendering, because
    the fetcher is built with ``fail_on_errors=True``.
    """

    def __init__(self, roots: Sequence[Path] = (REPORTS_DIR, STATIC_DIR)) -> None:
        super().__init__(fail_on_errors=True)
        self.roots = tuple(Path(root).resolve() for root in roots)

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        """The resource at ``url``, if it is a data URL or a file under an allowed folder."""
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            raise RefusedURLError(f"the report may not fetch {url!r}")
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise RefusedURLError(f"the report may not fetch {url!r}")
        path = Path(unquote(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots):
            raise RefusedURLError(
                f"the report may only read files under reports/ and static/: {url!r}"
            )
        if not path.is_file():
            raise ReportResourceError(f"the report's file {path.name!r} does not exist")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
        )


@dataclass(frozen=True)
class PdfMetadata:
    """The PDF's document information and XMP metadata."""

    title: str
    author: str
    subject: str
    keywords: tuple[str, ...]
    lang: str
    created: datetime
    modified: datetime


#: The shared font configuration is not known to be safe across threads (a threaded server may
#: render two reports at once), so WeasyPrint's part runs one report at a time per process.
_WEASYPRINT_LOCK = threading.Lock()


def _gettext(message: str) -> str:
    return get_translations().ugettext(message)


def _ngettext(singular: str, plural: str, count: int) -> str:
    return get_translations().ungettext(singular, plural, count)


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(REPORTS_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        extensions=["jinja2.ext.i18n"],
    )
    # Every sentence is a whole message (``{% trans %}`` blocks are trimmed, as babel.cfg extracts
    # them); the translations are those of the locale being rendered (see :func:`render_report`).
    environment.policies["ext.i18n.trimmed"] = True
    environment.install_gettext_callables(_gettext, _ngettext, newstyle=True)
    # Names the body chose are isolated from the sentence around them, as on the web pages.
    environment.filters["bdi"] = bdi_print
    return environment


@cache
def _fetcher() -> ReportFetcher:
    return ReportFetcher()


@cache
def _font_config() -> FontConfiguration:
    return FontConfiguration()


@cache
def _stylesheet() -> CSS:
    return CSS(
        url=(REPORTS_DIR / STYLESHEET).as_uri(), url_fetcher=_fetcher(), font_config=_font_config()
    )


@cache
def _output_profile() -> ColorProfile:
    # WeasyPrint's own "srgb" output intent opens this profile and never closes the file (a
    # ResourceWarning on every PDF); reading it once here, inside ``with``, avoids both.
    with (files("weasyprint.pdf") / "sRGB2014.icc").open("rb") as icc:
        return ColorProfile(icc, "sRGB2014.icc", "relative-colorimetric", (["r"], ["g"], ["b"]))


def render_html(context: Mapping[str, Any]) -> str:
    """The report as HTML, from :func:`~assess.reporting.context.build_context`'s context.

    The stylesheet is not linked: :func:`render_pdf` applies ``reports/report.css`` itself. Its
    words are in the locale Flask-Babel has now (wrap the call in ``force_locale(context["lang"])``,
    as :func:`render_report` does); outside an application they are in English.
    """
    return _environment().get_template(TEMPLATE).render(context)


def pdf_metadata(report: ReportInput) -> PdfMetadata:
    """The PDF metadata for ``report``: title, author, subject, keywords, language and dates."""
    from assess.reporting.context import STATUSES

    with force_locale(report.locale):
        return PdfMetadata(
            title=_("%(title)s: stakeholder management gap report", title=report.assessment_title),
            author=report.organisation_name,
            subject=_(
                "Self-assessment of stakeholder management by %(organisation)s: maturity, model "
                "fit, gaps and action plan (%(status)s)",
                organisation=report.organisation_name,
                status=_(STATUSES[report.status]).lower(),
            ),
            keywords=(
                _("stakeholder management"),
                _("maturity"),
                _("gap report"),
                "assess",
                report.report_id,
            ),
            lang=report.locale,
            created=report.created_at,
            modified=report.finalised_at or report.updated_at,
        )


def _w3c(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def render_pdf(
    html: str,
    *,
    report_json: Mapping[str, Any],
    metadata: PdfMetadata,
    column_languages: Sequence[str] = (),
) -> bytes:
    """``html`` as a tagged PDF/A-3a and PDF/UA-1 with ``report_json`` embedded as
    ``assessment.json``.

    Fonts are embedded (subset) and the output intent is sRGB. Raises
    :class:`RefusedURLError` when the HTML refers to anything outside ``reports/``, ``static/``
    and ``data:`` URLs.
    """
    data = dump_report_json(dict(report_json))
    with _WEASYPRINT_LOCK, _few_collections(), _resource_errors():
        pdf = _write(_layout(html), _attachment(data, metadata), metadata)
    return tag_column_languages(pdf, column_languages) if column_languages else pdf


def _attachment(data: bytes, metadata: PdfMetadata) -> Attachment:
    """The embedded ``assessment.json``, described in the report's language."""
    modified = metadata.modified.astimezone(UTC).replace(tzinfo=None)
    with force_locale(metadata.lang):
        description = _("The answers and figures behind this report, as JSON")
    return Attachment(
        string=data,
        name=FILENAME,
        description=description,
        relationship=ATTACHMENT_RELATIONSHIP,
        created=modified,
        modified=modified,
    )


@contextmanager
def _few_collections() -> Iterator[None]:
    """Keep the cyclic garbage collector out of the way while WeasyPrint lays out a report.

    A report creates hundreds of thousands of short-lived objects, and every few hundred of them
    the collector would walk the whole heap of the process, the application's objects included:
    about a fifth of the rendering time (docs/benchmarks.md). While rendering, objects that existed
    before are frozen out of collection and the collector runs far less often. At the end, one
    collection, made while those objects are still frozen, frees the layout's cycles without
    walking the rest of the heap; then the settings are restored and the objects unfrozen, so
    memory does not grow from one report to the next (tests/test_report_pdf.py checks that).
    """
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(threshold[0], 50_000), threshold[1], threshold[2])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        # The layout's own reference cycles are garbage now: free them before the next report,
        # while the objects from before are still frozen, so the collection walks only what the
        # rendering made rather than the whole process's heap.
        gc.collect()
        gc.unfreeze()


@contextmanager
def _resource_errors() -> Iterator[None]:
    """A refused or missing resource as :class:`ReportResourceError`, whatever WeasyPrint made
    of it."""
    try:
        yield
    except FatalURLFetchingError as error:
        if isinstance(error.__cause__, ReportResourceError):
            raise error.__cause__ from None
        raise ReportResourceError(str(error)) from error


def _layout(html: str, *more_css: str) -> Document:
    """``html`` laid out in pages with the report's stylesheet (and ``more_css`` after it)."""
    stylesheets = [_stylesheet()]
    stylesheets += [CSS(string=css, font_config=_font_config()) for css in more_css]
    return HTML(string=html, base_url=REPORTS_DIR.as_uri() + "/", url_fetcher=_fetcher()).render(
        font_config=_font_config(),
        color_profiles={OUTPUT_INTENT: _output_profile()},
        stylesheets=stylesheets,
        pdf_variant=PDF_VARIANT,
        pdf_tags=True,
        output_intent=OUTPUT_INTENT,
    )


def _write(document: Document, attachment: Attachment, metadata: PdfMetadata) -> bytes:
    """``document``'s pages as the PDF/A-3a and PDF/UA-1 file, with ``metadata``."""
    document.metadata.title = metadata.title
    document.metadata.authors = [metadata.author]
    document.metadata.description = metadata.subject
    document.metadata.keywords = list(metadata.keywords)
    document.metadata.lang = metadata.lang
    document.metadata.created = _w3c(metadata.created)
    document.metadata.modified = _w3c(metadata.modified)
    pdf: bytes = document.write_pdf(
        pdf_variant=PDF_VARIANT,
        pdf_tags=True,
        output_intent=OUTPUT_INTENT,
        attachments=[attachment],
    )
    return declare_pdf_ua(pdf)


def _header_scope(cell: pikepdf.Dictionary) -> pikepdf.Name:
    """``/Column`` for a header cell in a table's head, ``/Row`` for one in its body."""
    row = cell.get("/P")
    group = row.get("/P") if isinstance(row, pikepdf.Dictionary) else None
    in_head = isinstance(group, pikepdf.Dictionary) and group.get("/S") == pikepdf.Name.THead
    return pikepdf.Name.Column if in_head else pikepdf.Name.Row


def declare_pdf_ua(pdf: bytes) -> bytes:
    """``pdf`` with the PDF/UA-1 identification in its XMP metadata and a scope on every table
    header cell (see the module docstring). The PDF/A identification is kept."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        with document.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta["pdfuaid:part"] = PDF_UA_PART
        # WeasyPrint writes every structure element as an indirect object: scanning the objects
        # is about ten times faster than walking the structure tree in Python.
        for element in document.objects:
            if not isinstance(element, pikepdf.Dictionary) or element.get("/S") != "/TH":
                continue
            attributes = element.get("/A")
            if not isinstance(attributes, pikepdf.Dictionary):
                attributes = pikepdf.Dictionary(O=pikepdf.Name.Table)
                element.A = attributes
            attributes.Scope = _header_scope(element)
        out = io.BytesIO()
        document.save(out)
    return out.getvalue()


def _fingerprinted(report: ReportInput) -> tuple[ReportInput, dict[str, Any]]:
    """``report`` with the fingerprint printed on every page (unless it carries one: the SHA-256
    of the embedded JSON, :func:`~assess.reporting.data.data_fingerprint`), and that JSON's data."""
    data = report_json(report)
    if report.fingerprint is None:
        report = replace(report, fingerprint=data_fingerprint(data))
    return report, data


def render_report(report: ReportInput) -> bytes:
    """The whole report as PDF bytes: context, then HTML, then PDF.

    Unless the input already carries one, the fingerprint printed on every page is the SHA-256 of
    the embedded JSON (:func:`~assess.reporting.data.data_fingerprint`).
    """
    report, data = _fingerprinted(report)
    # The words in the report's locale (the web request's, or the one asked for outside a
    # request); the embedded data is the same whatever the language.
    with force_locale(report.locale):
        context = build_context(report)
        if report.bilingual_summary:
            context["board_columns"] = bilingual_board(report, context)
        html = render_html(context)
    return render_pdf(
        html,
        report_json=data,
        metadata=pdf_metadata(report),
        column_languages=BILINGUAL if report.bilingual_summary else (),
    )


def render_report_with_bilingual(report: ReportInput) -> tuple[bytes, bytes]:
    """``report`` (in Welsh) as PDF bytes, and the bilingual report: the same with page 1, the
    summary for the board, in Welsh and English side by side (:func:`bilingual_board`).

    The two files differ only on page 1, so the Welsh report is laid out once: the bilingual
    summary is laid out alone (its footer given the Welsh report's page count) and put before the
    Welsh report's other pages, when each summary fits its one page (the cover starts page 2).
    Each file is then written with its own metadata, as :func:`render_report` writes it; the
    pages are the ones a full layout of the bilingual report
    gives (tests/test_report_bilingual.py compares them).
    """
    report, data = _fingerprinted(report)
    report = replace(report, bilingual_summary=False)
    bilingual = replace(report, bilingual_summary=True)
    with force_locale(report.locale):
        context = build_context(report)
        html = render_html(context)
        bilingual_context = {**context, "board_columns": bilingual_board(bilingual, context)}
        board_html = render_html({**bilingual_context, "board_only": True})
    metadata, bilingual_metadata = pdf_metadata(report), pdf_metadata(bilingual)
    dumped = dump_report_json(dict(data))

    def whole_bilingual() -> str:
        with force_locale(report.locale):
            return render_html(bilingual_context)

    with _WEASYPRINT_LOCK, _few_collections(), _resource_errors():
        # The layouts live only inside this call, so the collection that ends the rendering
        # frees them (as it frees render_pdf's).
        pdf, bilingual_pdf = _write_with_bilingual(
            html,
            board_html,
            whole_bilingual,
            (_attachment(dumped, metadata), metadata),
            (_attachment(dumped, bilingual_metadata), bilingual_metadata),
        )
    return pdf, tag_column_languages(bilingual_pdf, BILINGUAL)


def _write_with_bilingual(
    html: str,
    board_html: str,
    whole_bilingual: Callable[[], str],
    welsh: tuple[Attachment, PdfMetadata],
    bilingual: tuple[Attachment, PdfMetadata],
) -> tuple[bytes, bytes]:
    """The Welsh report's file and the bilingual one's (see
    :func:`render_report_with_bilingual`)."""
    document = _layout(html)
    board = _layout(board_html, _page_total_css(len(document.pages)))
    if len(board.pages) == 1 and len(document.pages) > 1 and "cover" in document.pages[1].anchors:
        combined = document.copy([board.pages[0], *document.pages[1:]])
        combined.metadata = copy.copy(document.metadata)
    else:
        # Either summary ran over its page (the tests keep the demo's to one), so the pages
        # after it are not the same: the bilingual report is laid out whole.
        combined = _layout(whole_bilingual())
    return _write(document, *welsh), _write(combined, *bilingual)


def _page_total_css(pages: int) -> str:
    """Page 1's footer when it is laid out alone: "page 1 of ``pages``", not "of 1"."""
    return (
        "@page board { @bottom-right { content: string(page-before) counter(page) "
        f'string(page-between) "{int(pages)}" string(page-after); }} }}'
    )


def _kids(element: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    kids = element.get("/K")
    if isinstance(kids, pikepdf.Array):
        return [k for k in kids if isinstance(k, pikepdf.Dictionary) and "/S" in k]
    return [kids] if isinstance(kids, pikepdf.Dictionary) and "/S" in kids else []


def _has_heading(element: pikepdf.Dictionary) -> bool:
    return any(k.get("/S") == "/H1" or _has_heading(k) for k in _kids(element))


def tag_column_languages(pdf: bytes, languages: Sequence[str]) -> bytes:
    """``pdf`` with a ``/Lang`` on each column of page 1's bilingual summary, in order.

    WeasyPrint 70 writes the document's language only, not an element's ``lang``; the columns
    are the first structure element of page 1's section with one child per language, each
    holding a heading.
    """
    with pikepdf.open(io.BytesIO(pdf)) as document:
        (top,) = _kids(document.Root.StructTreeRoot)
        pending = _kids(top)[:1]
        while pending:
            element = pending.pop(0)
            children = _kids(element)
            if len(children) == len(languages) and all(_has_heading(c) for c in children):
                for child, language in zip(children, languages, strict=True):
                    child.Lang = pikepdf.String(language)
                break
            pending.extend(children)
        else:
            raise ValueError("the bilingual summary's columns were not found in the PDF")
        out = io.BytesIO()
        document.save(out)
    return out.getvalue()


#: The languages of the bilingual summary, in the order of its columns (Welsh first, as the
#: Welsh Language Standards ask).
BILINGUAL = ("cy", "en")


#: The reason for the choice of model is shortened more in each half-width column (it is printed
#: whole in the model-fit chapter).
BILINGUAL_REASON_CHARACTERS = 90


def _shorter_reason(board: Mapping[str, Any]) -> dict[str, Any]:
    model = dict(board["model"])
    if model["reason"]:
        model["reason"], cut = _shorten(model["reason"], BILINGUAL_REASON_CHARACTERS)
        model["shortened"] = model["shortened"] or cut
    return {**board, "model": model}


def english_input(report: ReportInput) -> ReportInput:
    """``report`` with its words in English: the English scoring result (``data_result``) and
    survey section, for the English column of the bilingual summary."""
    if report.locale == "en":
        return report
    return replace(
        report,
        locale="en",
        result=report.data_result or report.result,
        perception=report.data_perception,
        data_result=None,
        data_perception=None,
        bilingual_summary=False,
    )


def bilingual_board(report: ReportInput, context: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Page 1 rendered in Welsh and in English, as the template's two columns (each with its
    ``lang``). The report's own context gives the Welsh column when the report is in Welsh."""
    columns = []
    for locale in BILINGUAL:
        with force_locale(locale):
            if locale == report.locale:
                column_context = dict(context)
            elif locale == "en":
                column_context = build_context(english_input(report))
            else:
                column_context = build_context(replace(report, locale=locale))
            column_context["board"] = _shorter_reason(column_context["board"])
            html = (
                _environment()
                .get_template(BOARD_TEMPLATE)
                .render({**column_context, "id_suffix": f"-{locale}"})
            )
        # The autoescaping template made it: safe to insert as it is.
        columns.append({"lang": locale, "html": Markup(html)})  # noqa: S704
    return columns
