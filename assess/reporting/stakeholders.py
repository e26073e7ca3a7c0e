"""The stakeholder register in the report: the words for its ratings, salience, regard and
levels of engagement; the register table; each group's row (salience, relationship plan, the
engagement recommended against today's, and the gap with why); and a register answer as a line of
text. :func:`assess.reporting.context.build_context` puts them in the report's context.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from flask_babel import ngettext

from assess.charts import QUADRANT_NAMES
from assess.i18n import N_, join_words, translate
from assess.questionnaire.answers import RegisterRow
from assess.questionnaire.schema import RegisterQuestion
from assess.scoring.engagement import STEP_TEXT, WHY_GAP, WHY_TEXT

if TYPE_CHECKING:
    from assess.reporting.context import ReportInput

#: The salience classes of a group, by name (docs/methodology.md).
SALIENCE = {
    "non_stakeholder": N_("Not a stakeholder by salience"),
    "latent": N_("Latent"),
    "expectant": N_("Expectant"),
    "definitive": N_("Definitive"),
}
#: The levels of engagement (IAP2's spectrum, with "none"), as a table names them.
ENGAGEMENT = {
    "none": N_("None"),
    "inform": N_("Inform"),
    "consult": N_("Consult"),
    "involve": N_("Involve"),
    "collaborate": N_("Collaborate"),
    "empower": N_("Empower"),
}
#: The same levels inside a sentence (lower case in English, as Welsh may differ).
ENGAGEMENT_IN_TEXT = {
    "none": N_("none"),
    "inform": N_("inform"),
    "consult": N_("consult"),
    "involve": N_("involve"),
    "collaborate": N_("collaborate"),
    "empower": N_("empower"),
}
#: How a body regards a group, as a table names it ...
REGARD = {
    "customer": N_("Customers"),
    "citizen": N_("Citizens"),
    "stakeholder": N_("Stakeholders"),
}
#: ... one of them inside a sentence ...
REGARD_ONE = {
    "customer": N_("customer"),
    "citizen": N_("citizen"),
    "stakeholder": N_("stakeholder"),
}
#: ... and several inside a sentence.
REGARD_IN_TEXT = {
    "customer": N_("customers"),
    "citizen": N_("citizens"),
    "stakeholder": N_("stakeholders"),
}

#: The relationship plan for each quadrant of the power/interest grid, in plain words.
RELATIONSHIP_PLANS = {
    "manage_closely": N_(
        "Manage closely: a named contact, regular meetings and early warning of decisions that "
        "touch it"
    ),
    "keep_satisfied": N_(
        "Keep satisfied: brief it before decisions that touch it, and watch for its interest rising"
    ),
    "keep_informed": N_(
        "Keep informed: regular updates through the channels it uses, and an easy way to raise "
        "concerns"
    ),
    "monitor": N_(
        "Monitor: general information, and a check now and then that its power or interest has "
        "not changed"
    ),
}
CONFLICT = {
    "commercial": N_("Commercial interest in decisions about itself"),
    "regulatory": N_("Regulated by the organisation: an interest in decisions about itself"),
}
CONFLICT_IN_TEXT = {
    "commercial": N_("commercial interest in decisions about itself"),
    "regulatory": N_("regulated by the organisation: an interest in decisions about itself"),
}


#: Mitchell, Agle and Wood's seven salience types, by name.
SALIENCE_TYPES = {
    "dormant": N_("dormant"),
    "discretionary": N_("discretionary"),
    "demanding": N_("demanding"),
    "dominant": N_("dominant"),
    "dangerous": N_("dangerous"),
    "dependent": N_("dependent"),
    "definitive": N_("definitive"),
}
#: The salience attributes inside a sentence.
ATTRIBUTES = {"power": N_("power"), "legitimacy": N_("legitimacy"), "urgency": N_("urgency")}
#: The register's ratings inside a sentence.
RATING_NAMES = {**ATTRIBUTES, "interest": N_("interest"), "affected": N_("affected")}


def segment_rows(report: ReportInput) -> list[dict[str, Any]]:
    """Each group of the register as the report's engagement table shows it: salience, quadrant
    and relationship plan, the engagement recommended against today's, the result, the flags
    and why the gap ranks where it does (docs/methodology.md, the engagement recommendation)."""
    rows = []
    for s in report.result.segments:
        if s.status == "below_needed":
            result = _("Below what is needed by %(levels)s", levels=_levels(s.gap))
        elif s.status == "above_needed":
            result = _("Above what is needed by %(levels)s", levels=_levels(s.above_by))
        elif s.status == "matches":
            result = _("Matches what is needed")
        elif s.status == "not_recorded":
            result = _("Today's level not recorded")
        elif s.status == "media_relations":
            result = _("Media relations, not a participation level")
        else:
            result = _("Not rated")
        salience = _(SALIENCE.get(s.salience or "", N_("Not rated")))
        if s.salience_type and s.salience_type != s.salience:
            salience += f" ({_(SALIENCE_TYPES.get(s.salience_type, s.salience_type))})"
        flags = []
        if s.extra_support:
            flags.append(_("Needs extra support"))
        if s.conflict in CONFLICT:
            flags.append(_(CONFLICT[s.conflict]))
        if s.regard_differs and s.regard in REGARD_IN_TEXT:
            flags.append(
                _(
                    "Regarded as %(regard)s, which differs from the chosen model",
                    regard=_(REGARD_IN_TEXT[s.regard]),
                )
            )
        rows.append(
            {
                "segment_id": s.segment_id,
                "label": s.label,
                "salience": salience,
                "held": join_words([_(ATTRIBUTES.get(a, a)) for a in s.held]) or _("none"),
                "quadrant_name": _(QUADRANT_NAMES.get(s.quadrant or "", N_("Not rated"))),
                "relationship": _(RELATIONSHIP_PLANS.get(s.quadrant or "", N_("Not rated"))),
                "recommended": (
                    _("Media relations")
                    if s.media
                    else _(ENGAGEMENT.get(s.recommended or "", N_("None")))
                ),
                "recommended_in_text": (
                    _("media relations")
                    if s.media
                    else _(ENGAGEMENT_IN_TEXT.get(s.recommended or "", N_("none")))
                ),
                "current": _(ENGAGEMENT.get(s.current or "", N_("Not recorded"))),
                "current_in_text": _(ENGAGEMENT_IN_TEXT.get(s.current or "", N_("not recorded"))),
                "status": s.status,
                "result": result,
                "reasons": [translate(STEP_TEXT[r]) if r in STEP_TEXT else r for r in s.reasons],
                "flags": flags,
                "gap_rank": s.gap_rank,
                "gap": s.gap,
                "why": [
                    ngettext(
                        "%(num)d level below what is needed",
                        "%(num)d levels below what is needed",
                        s.gap,
                    )
                    if code == WHY_GAP
                    else translate(WHY_TEXT[code])
                    for code in s.gap_why
                ],
            }
        )
    return rows


def _levels(count: int) -> str:
    return ngettext("%(num)d level", "%(num)d levels", count)


def _rating(question: RegisterQuestion, attribute: str, value: int | None, locale: str) -> dict:
    if value is None:
        return {"value": None, "label": _("not rated")}
    labels = {o.id: o.label.get(locale) for o in question.attribute(attribute).options}
    return {"value": value, "label": labels.get(str(value), str(value))}


def register_row_text(question: RegisterQuestion, row: RegisterRow, locale: str) -> str:
    listed = {s.id: s.label.get(locale) for s in question.segments}
    name = listed.get(row.segment_id) or row.label or row.segment_id
    ratings = ", ".join(
        f"{_(RATING_NAMES[attribute])} "
        f"{row.rating(attribute) if row.rating(attribute) is not None else '-'}"
        for attribute in ("power", "legitimacy", "urgency", "interest", "affected")
        if question.has_attribute(attribute)
    )
    parts = [f"{name}: {ratings}"]
    if row.conflict in CONFLICT_IN_TEXT:
        parts.append(_(CONFLICT_IN_TEXT[row.conflict]))
    if row.support == "yes":
        parts.append(_("needs extra support"))
    parts.append(
        _("regarded as %(regard)s", regard=_(REGARD_IN_TEXT[row.regard]))
        if row.regard in REGARD_IN_TEXT
        else _("how it is regarded is not recorded")
    )
    today = ENGAGEMENT_IN_TEXT.get(row.engagement or "")
    parts.append(_("involved today: %(level)s", level=_(today) if today else _("not recorded")))
    return "; ".join(parts)


def register_table(report: ReportInput) -> dict[str, Any]:
    """The register as recorded: each group's ratings with their labels, regard, today's
    engagement and quadrant; and the rating scales, for the table's key."""
    locale = report.locale
    register = next(
        (q for _s, q in report.definition.questions() if isinstance(q, RegisterQuestion)), None
    )
    rows = []
    for segment in report.result.segments:
        rows.append(
            {
                "segment_id": segment.segment_id,
                "label": segment.label,
                "power": _rating(register, "power", segment.power, locale) if register else None,
                "legitimacy": (
                    _rating(register, "legitimacy", segment.legitimacy, locale)
                    if register
                    else None
                ),
                "urgency": (
                    _rating(register, "urgency", segment.urgency, locale) if register else None
                ),
                "interest": (
                    _rating(register, "interest", segment.interest, locale) if register else None
                ),
                "affected": (
                    _rating(register, "affected", segment.affected, locale)
                    if register and register.has_attribute("affected")
                    else None
                ),
                "regard": _(REGARD.get(segment.regard or "", N_("Not recorded"))),
                "current": _(ENGAGEMENT.get(segment.current or "", N_("Not recorded"))),
                "quadrant": segment.quadrant,
                "quadrant_name": _(QUADRANT_NAMES.get(segment.quadrant or "", N_("Not rated"))),
            }
        )
    scale = []
    if register:
        for attribute in ("power", "legitimacy", "urgency", "interest", "affected"):
            if not register.has_attribute(attribute):
                continue
            column = register.attribute(attribute)
            scale.append(
                {
                    "attribute": column.label.get(locale),
                    "levels": [f"{o.id} {o.label.get(locale)}" for o in column.options],
                }
            )
    return {
        "rows": rows,
        "scale": scale,
        "has_affected": bool(register and register.has_attribute("affected")),
    }


def engagement_gaps(segments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The register's engagement gaps, closest to close first (groups needing support first)."""
    return sorted((s for s in segments if s["gap_rank"] is not None), key=lambda s: s["gap_rank"])
