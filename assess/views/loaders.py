"""Loaders for :func:`assess.access.requires`: find the object a route is about, and its
organisation, so that access is checked against the object itself."""

from __future__ import annotations

from assess import access
from assess.services import assessments


def load_assessment(assessment_id: int, **_: object) -> access.Loaded | None:
    """The assessment in the URL, or None (a 404) when there is none."""
    assessment = assessments.get(assessment_id)
    return access.Loaded(assessment, assessment.organisation_id) if assessment else None
