"""What the read API lists: each list as a query and its sort key, for keyset pages.

The API's views (``assess/api/views.py``) page these with :func:`assess.pagination.page` and turn
each row into its representation; the rows a token may see are decided here and by the access
declaration on the route, never in the view.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from assess import pagination
from assess.models import AnswerRecord, ApiToken, Assessment, Membership, Organisation, PlanAction
from assess.models.api_tokens import api_token_organisation


@dataclass(frozen=True)
class Listing:
    """A list the API pages: the query, its sort key (ending with a unique column) and, when the
    rows are not single objects, how to read a row's sort key."""

    query: Select[Any]
    keys: Sequence[pagination.Key]
    key_of: Callable[[Any], list[Any]] | None = None


def organisations(token: ApiToken) -> Listing:
    """The organisations ``token`` may read, with its person's membership: in the token's scope,
    and the person still a member. Rows are (organisation, membership), by organisation id."""
    query = (
        select(Organisation, Membership)
        .join(api_token_organisation, api_token_organisation.c.organisation_id == Organisation.id)
        .join(
            Membership,
            (Membership.organisation_id == Organisation.id) & (Membership.user_id == token.user_id),
        )
        .where(api_token_organisation.c.token_id == token.id)
    )
    return Listing(query, [(Organisation.id, pagination.ASC)], key_of=lambda row: [row[0].id])


def assessments(organisation: Organisation) -> Listing:
    """The organisation's assessments, newest first, with their questionnaire versions."""
    query = (
        select(Assessment)
        .options(
            selectinload(Assessment.definition_version),
            selectinload(Assessment.model_fit_version),
            selectinload(Assessment.adoption_version),
        )
        .where(Assessment.organisation_id == organisation.id)
    )
    return Listing(
        query, [(Assessment.created_at, pagination.DESC), (Assessment.id, pagination.DESC)]
    )


def answers(assessment: Assessment) -> Listing:
    """The assessment's stored answers, in the order they were first given, with who changed
    each last."""
    query = (
        select(AnswerRecord)
        .options(selectinload(AnswerRecord.updated_by))
        .where(AnswerRecord.assessment_id == assessment.id)
    )
    return Listing(query, [(AnswerRecord.id, pagination.ASC)])


def actions(assessment: Assessment) -> Listing:
    """The actions of the assessment's plan, in the order they were added, with their owners."""
    query = (
        select(PlanAction)
        .options(selectinload(PlanAction.owner_user))
        .where(PlanAction.assessment_id == assessment.id)
    )
    return Listing(query, [(PlanAction.id, pagination.ASC)])
