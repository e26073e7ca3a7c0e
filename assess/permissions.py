"""Who may do what: the roles a person can hold in an organisation and what each allows.

This is the one table of rights. :mod:`assess.access` checks a route's declared permission against
it; nothing else grants or refuses. A later area adds its permissions here, gives them to roles, and
declares them on its routes.
"""

from __future__ import annotations

from typing import Any, Final

from flask_babel import lazy_gettext as _

ADMIN: Final = "admin"
RESPONDENT: Final = "respondent"
FACILITATOR: Final = "facilitator"
AUDITOR: Final = "auditor"

#: The roles a membership can have, in the order they are offered.
ROLES: Final[tuple[str, ...]] = (ADMIN, RESPONDENT, FACILITATOR, AUDITOR)

#: What a person sees for each role (translated when shown).
ROLE_LABELS: Final[dict[str, Any]] = {
    ADMIN: _("Admin"),
    RESPONDENT: _("Respondent"),
    FACILITATOR: _("Facilitator"),
    AUDITOR: _("Auditor"),
}

#: What each role is for, shown where roles are chosen.
ROLE_DESCRIPTIONS: Final[dict[str, Any]] = {
    ADMIN: _(
        "manages members and roles, changes the organisation's details, finalises assessments"
    ),
    RESPONDENT: _("answers the questionnaires"),
    FACILITATOR: _("runs workshops for the organisation and records what the room agrees"),
    AUDITOR: _(
        "reads everything of the organisation and marks answers verified or challenged, "
        "changing no answer"
    ),
}

#: Every permission on an organisation's data, and whether it only reads. An auditor gets exactly
#: the read-only ones.
ORGANISATION_PERMISSIONS: Final[dict[str, bool]] = {
    "org.view": True,
    "org.view_members": True,
    "org.manage": False,
    "org.manage_members": False,
    "assessment.view": True,
    "assessment.answer": False,
    "assessment.finalise": False,
    "report.view": True,
    "workshop.view": True,
    "workshop.run": False,
    "audit.view": True,
    # Perception surveys: open, close and print them (admins); type in paper responses (staff).
    "survey.manage": False,
    "survey.enter": False,
    # The action plan: reading it (and its CSV), and adopting, writing and updating actions.
    "plan.view": True,
    "plan.manage": False,
    # An auditor's own judgement on an answer; it never changes the answer (auditors only).
    "answer.mark": False,
}

#: Permissions over the whole instance; only an instance operator has them.
INSTANCE_PERMISSIONS: Final[frozenset[str]] = frozenset({"instance.operate"})

READ_ONLY: Final[frozenset[str]] = frozenset(p for p, ro in ORGANISATION_PERMISSIONS.items() if ro)

#: The role -> permissions table.
ROLE_PERMISSIONS: Final[dict[str, frozenset[str]]] = {
    ADMIN: frozenset(ORGANISATION_PERMISSIONS) - {"answer.mark"},
    RESPONDENT: frozenset(
        {
            "org.view",
            "assessment.view",
            "assessment.answer",
            "report.view",
            "survey.enter",
            "plan.view",
        }
    ),
    FACILITATOR: frozenset(
        {
            "org.view",
            "assessment.view",
            "assessment.answer",
            "report.view",
            "plan.view",
            "workshop.view",
            "workshop.run",
            "survey.enter",
        }
    ),
    AUDITOR: READ_ONLY | {"answer.mark"},
}


def role_allows(role: str, permission: str) -> bool:
    """Whether a member with ``role`` has ``permission`` on their organisation's data."""
    return permission in ROLE_PERMISSIONS.get(role, frozenset())


def is_known(permission: str) -> bool:
    """Whether ``permission`` is in the table (a typo in a declaration fails at import time)."""
    return permission in ORGANISATION_PERMISSIONS or permission in INSTANCE_PERMISSIONS
