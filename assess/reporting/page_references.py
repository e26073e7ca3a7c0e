"""pydyf's page references, built once for each number of pages instead of at every use.

WeasyPrint 70 looks up ``pydyf.PDF.page_references[n]`` for every tagged element and every link
it writes, and pydyf 0.13 builds the tuple of every page's reference anew at each lookup. Tagging
a report then costs pages times elements: for a register of 500 groups (175 pages) it was about
a sixth of the whole render, and the main reason the time per page grew with the register
(``docs/benchmarks.md``, "Big registers").

:func:`install` replaces the property with one that keeps the tuple together with the number of
pages it was built for, and builds it again only after a page has been added. pydyf only ever
appends pages (``PDF.add_page``), so the answer is always the one pydyf's own property gives.
"""

from __future__ import annotations

from typing import Any

import pydyf

#: pydyf's own property, which builds the tuple.
_PYDYF_PROPERTY = pydyf.PDF.__dict__.get("page_references")
_CACHE = "_assess_page_references"


def _page_references(pdf: Any) -> tuple[bytes, ...]:
    count = len(pdf.pages["Kids"])
    cached = pdf.__dict__.get(_CACHE)
    if cached is not None and cached[0] == count:
        return cached[1]
    assert isinstance(_PYDYF_PROPERTY, property) and _PYDYF_PROPERTY.fget is not None
    references = _PYDYF_PROPERTY.fget(pdf)
    pdf.__dict__[_CACHE] = (count, references)
    return references


def install() -> bool:
    """Use the cached property from now on; False (and nothing changed) when pydyf no longer
    has the property this replaces."""
    current = pydyf.PDF.__dict__.get("page_references")
    if isinstance(current, property) and current.fget is _page_references:
        return True
    if not isinstance(_PYDYF_PROPERTY, property) or current is not _PYDYF_PROPERTY:
        return False
    pydyf.PDF.page_references = property(_page_references)  # type: ignore[method-assign]
    return True
