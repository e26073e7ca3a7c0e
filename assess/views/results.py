"""Where the body stands, in the browser: the results page (the overall level, each area against
the chosen model's targets, the ranked gaps, the stakeholder groups), the answers behind one
area's figures, and the method page.

Reading needs ``assessment.view``; the method page is public. Every figure links to the answers
behind it (see :mod:`assess.views.assessment_pages`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from assess import access
from assess.charts import power_interest_grid, radar_chart
from assess.figures import contradiction_rows, evidence_rows, fit_rows, profile_rows, segment_rows
from assess.i18n import current_locale, translate
from assess.models import Assessment
from assess.questionnaire.schema import LevelQuestion, Question, Questionnaire, Section
from assess.scoring import METHOD_VERSION
from assess.scoring.gaps import first_steps
from assess.services import answer_marks, assessments
from assess.services.assessments import StoredAnswer
from assess.views import answer_marks as answer_mark_views
from assess.views import assessment_pages as pages
from assess.views import register as register_views
from assess.views.forms import answers as answer_forms
from assess.views.loaders import load_assessment

bp = Blueprint("results", __name__)

#: How many steps the top of the results page names (as on the report's first page).
FIRST_STEPS = 3


@bp.get("/assessments/<int:assessment_id>/results")
@access.requires("assessment.view", load=load_assessment)
def index(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    """Where the body stands: the overall level, each area against the chosen model's targets
    (chart and table), the ranked gaps with what to do first, and the stakeholder groups (grid and
    table). Every figure links to the answers behind it."""
    pages.record_step(assessment, "results", None)
    locale = current_locale()
    result = assessments.score(assessment, locale)
    qset = assessments.questionnaires_of(assessment)
    profile = profile_rows(result)
    segments = segment_rows(result)
    chosen = pages.models_text(result.chosen_models)
    target_label = gettext("Target of %(models)s", models=chosen) if chosen else gettext("Target")
    register = _register_section(qset.definition)
    overall = result.maturity.overall
    evidence = evidence_rows(result)
    for row in evidence:
        row["text"] = qset.adoption.question(row["question_id"]).text.get(locale)
    marks = answer_marks.marks_for(assessment)
    # Asked once for the page, not once for each stakeholder group the page links to.
    can_answer = pages.can_answer(assessment)
    return render_template(
        "assessments/results.html",
        assessment=assessment,
        result=result,
        level_reason=translate(overall.level_reason) if overall.level_reason else None,
        evidence=evidence,
        marks=[
            {
                "mark": m,
                "text": qset.by_id(m.questionnaire_id).question(m.question_id).text.get(locale),
            }
            for m in marks.values()
        ],
        mark_url=lambda m: answer_mark_views.back_url(
            assessment, m.questionnaire_id, m.question_id
        ),
        levels=qset.adoption.levels or {},
        model_names=pages.model_names(assessment),
        locale=locale,
        steps=pages.steps(assessment),
        labels=_result_labels(),
        profile=profile,
        segments=segments,
        contradictions=contradiction_rows(result, qset.definition, qset.adoption, locale),
        answer_url=lambda questionnaire, question_id: pages.answer_url(
            assessment, questionnaire, question_id
        ),
        qset=qset,
        fit_rows=fit_rows(result),
        first=first_steps(result.gaps, FIRST_STEPS),
        area_titles={g.dimension_id: g.title for g in result.gaps},
        above=[row for row in profile if row["status"] == "above_target"],
        charts={
            "radar": radar_chart(profile, target_label=target_label, id_prefix="radar-chart"),
            "grid": power_interest_grid(segments, id_prefix="grid-chart") if segments else None,
        },
        area_url=lambda dimension_id: url_for(
            "results.area", assessment_id=assessment.id, section_id=dimension_id
        ),
        register_url=lambda segment_id: (
            f"{pages.section_url(assessment, qset.definition, register)}"
            f"#{register_views.row_anchor(segment_id)}"
            if register is not None and can_answer
            else pages.answer_url(assessment, qset.definition, "register")
        ),
        choice_url=url_for("assessments.choice", assessment_id=assessment.id),
        can_download=access.can("report.view", assessment.organisation_id),
    )


def _register_section(definition: Questionnaire) -> Section | None:
    for section, question in definition.questions():
        if question.type == "register":
            return section
    return None


@dataclass(frozen=True)
class AreaAnswer:
    """One adoption question of an area, as the "answers behind this figure" page lists it."""

    question: Question
    #: floor, answered, dont_know, unanswered, not_applicable or hidden.
    kind: str
    level: int | None
    lines: list[str]
    stored: StoredAnswer | None
    #: The level claimed and the records behind levels 3 and up: (key, text, check or None).
    claimed: int | None = None
    criteria: tuple[tuple[str, str, Any], ...] = ()
    #: A level of 3 or above with neither an evidence note nor a document reference.
    no_evidence: bool = False


@bp.get("/assessments/<int:assessment_id>/results/areas/<section_id>")
@access.requires("assessment.view", load=load_assessment)
def area(assessment: Assessment, assessment_id: int, section_id: str) -> ResponseReturnValue:
    """The answers behind one area's figures: those holding it at its lowest level first, then
    the other levels given, then the questions without a level; with the figures worked out."""
    locale = current_locale()
    adoption = assessments.questionnaires_of(assessment).adoption
    found = pages.section_or_404(adoption, section_id)
    result = assessments.score(assessment, locale)
    dimension = result.maturity.dimension(found.id)
    gap = next(g for g in result.gaps if g.dimension_id == found.id)
    stored = assessments.stored_answers(assessment, adoption.id)
    given = {q.question_id: q.level for q in dimension.levels}
    scored = {q.question_id: q for q in dimension.levels}
    kinds = {
        **dict.fromkeys(dimension.hidden_question_ids, "hidden"),
        **dict.fromkeys(dimension.not_applicable_question_ids, "not_applicable"),
        **dict.fromkeys(dimension.unanswered_question_ids, "unanswered"),
        **dict.fromkeys(dimension.dont_know_question_ids, "dont_know"),
        **dict.fromkeys(given, "answered"),
        **dict.fromkeys(dimension.floor_question_ids, "floor"),
    }
    order = ("floor", "answered", "dont_know", "unanswered", "not_applicable", "hidden")
    rows = sorted(
        (
            AreaAnswer(
                question=question,
                kind=kinds[question.id],
                level=given.get(question.id),
                lines=answer_forms.describe(
                    question, stored[question.id].answer if question.id in stored else None, locale
                ),
                stored=stored.get(question.id),
                claimed=scored[question.id].claimed if question.id in scored else None,
                criteria=_criteria_rows(question, stored.get(question.id), locale),
                no_evidence=question.id in dimension.no_evidence_question_ids,
            )
            for question in found.questions
            if question.id in kinds
        ),
        key=lambda row: (order.index(row.kind), row.level or 0),
    )
    return render_template(
        "assessments/area.html",
        assessment=assessment,
        dimension=dimension,
        gap=gap,
        rows=rows,
        levels=[q.level for q in dimension.levels],
        level_names={n: level.name.get(locale) for n, level in (adoption.levels or {}).items()},
        model_names=pages.model_names(assessment),
        chosen=result.chosen_models,
        labels=_result_labels(),
        section_url=pages.section_url(assessment, adoption, found),
        can_answer=pages.can_answer(assessment),
        can_mark=pages.can_mark(assessment),
        marks=answer_marks.marks_for(assessment),
        questionnaire_id=adoption.id,
        locale=locale,
    )


def _criteria_rows(
    question: Question, stored: StoredAnswer | None, locale: str
) -> tuple[tuple[str, str, Any], ...]:
    """The records behind a level of 3 or above: (key, text, the confirmation or None)."""
    if not isinstance(question, LevelQuestion) or stored is None:
        return ()
    answer = stored.answer
    if not isinstance(answer.value, int) or isinstance(answer.value, bool):
        return ()
    return tuple(
        (f"{level}.{number}", text.get(locale), answer.check(level, number))
        for level, number, text in question.criteria_up_to(answer.value)
    )


@bp.get("/method")
@access.public
def method() -> ResponseReturnValue:
    """How the figures on the results and recommendation pages are worked out, in brief (the
    full method is docs/methodology.md)."""
    return render_template("assessments/method.html", method_version=METHOD_VERSION)


def _result_labels() -> dict[str, dict[str, str]]:
    """What a person reads for the scoring's codes."""
    return {
        "gap_status": {
            "below_target": gettext("Below target"),
            "at_target": gettext("At target"),
            "above_target": gettext("Above target"),
            "no_level": gettext("No level yet"),
            "no_target": gettext("No target: no model chosen"),
        },
        "segment_status": {
            "below_needed": gettext("Less than suggested"),
            "matches": gettext("As suggested"),
            "above_needed": gettext("More than suggested"),
            "not_recorded": gettext("Not recorded"),
            "not_rated": gettext("Not fully rated"),
            "media_relations": gettext("Media relations plan"),
        },
        "engagement": {
            "none": gettext("None"),
            "inform": gettext("Inform"),
            "consult": gettext("Consult"),
            "involve": gettext("Involve"),
            "collaborate": gettext("Collaborate"),
            "empower": gettext("Empower"),
        },
        "quadrants": {
            "manage_closely": gettext("Manage closely"),
            "keep_satisfied": gettext("Keep satisfied"),
            "keep_informed": gettext("Keep informed"),
            "monitor": gettext("Monitor"),
        },
        "plans": {
            "manage_closely": gettext(
                "Manage closely: a named contact, regular meetings and early warning of "
                "decisions that touch it."
            ),
            "keep_satisfied": gettext(
                "Keep satisfied: brief it before decisions that touch it, and watch for its "
                "interest rising."
            ),
            "keep_informed": gettext(
                "Keep informed: regular updates through the channels it uses, and an easy way to "
                "raise concerns."
            ),
            "monitor": gettext(
                "Monitor: general information, and a check now and then that its power or "
                "interest has not changed."
            ),
        },
        "why": {
            "needs-extra-support": gettext("needs extra support to take part"),
            "legitimate-claim": gettext("its claim is legitimate"),
            "highly-affected": gettext("your decisions affect it a great deal"),
        },
        "conflict": {
            "commercial": gettext("Stands to gain commercially from decisions about itself"),
            "regulatory": gettext("You regulate it: it has an interest in decisions about itself"),
        },
        "contradictions": {
            "register-listed-but-none-kept": gettext(
                "The stakeholder register in this assessment rates groups, yet the adoption "
                "answer says the organisation keeps no register: check whether this list is "
                "kept and used anywhere."
            ),
            "written-statement-but-no-definition": gettext(
                "One agreed statement of who the stakeholders are is said to cover the whole "
                "organisation, yet the adoption answer says there is no single written "
                "definition."
            ),
            "no-statement-but-agreed-definition": gettext(
                "No written statement of who the stakeholders are is said to exist, yet the "
                "adoption answer describes an agreed, published definition."
            ),
            "senior-owner-but-nobody-accountable": gettext(
                "A named senior manager is said to answer for stakeholder management, yet the"
                " adoption answer says nobody is named as responsible."
            ),
            "nobody-owns-but-accountability-written": gettext(
                "No one is said to look across the organisation, yet the adoption answer "
                "names an accountable director written into their job description."
            ),
            "corporate-segments-but-none-shared": gettext(
                "One agreed set of groups is said to be used across the organisation, yet the"
                " adoption answer says groupings are not shared, or that people are treated "
                "as one population."
            ),
            "no-segments-but-corporate-set": gettext(
                "The same service is said to be offered to everyone, yet the adoption answer "
                "describes an agreed corporate set of segments."
            ),
            "published-priority-but-case-by-case": gettext(
                "Priority is said to follow published, need-based rules, yet the adoption "
                "answer says priorities are set case by case or that the rules are not "
                "published."
            ),
            "priority-by-pressure-but-written-criteria": gettext(
                "Priority is said to go by staff judgement or to those who press hardest, yet"
                " the adoption answer describes written, published, need-based criteria in "
                "every service."
            ),
            "lobbies-recorded-but-no-record": gettext(
                "The lobbies and pressure groups are said to be listed with their contacts "
                "recorded, yet the adoption answer says no record of contacts is kept."
            ),
            "lobbies-rule-but-no-policy": gettext(
                "A stated rule for weighing the views of lobbies is said to exist, yet the "
                "adoption answer says there is no policy on dealing with organised interests."
            ),
            "media-planned-but-handled-ad-hoc": gettext(
                "Media work is said to be planned alongside major decisions, yet the adoption"
                " answer says media enquiries are answered by whoever picks them up."
            ),
            "media-ad-hoc-but-written-protocol": gettext(
                "Media enquiries are said to be answered by whoever is available, yet the "
                "adoption answer describes a written media protocol."
            ),
        },
        "regard": {
            "customer": gettext("customers"),
            "citizen": gettext("citizens"),
            "stakeholder": gettext("stakeholders"),
        },
    }
