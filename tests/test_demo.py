"""``assess demo``: Demo Borough Council, its people and its fully answered assessment.

The figures in docs/demo.md are written out by hand; the tests here rebuild each table row the
document prints from the engine's result and look for it in the document, and check the key
figures against numbers written out below, so that neither the data nor the document can drift.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from scoring_helpers import ROOT, real

from assess import db
from assess.demo import load
from assess.models import Membership, Organisation, User
from assess.questionnaire.answers import Status
from assess.questionnaire.schema import ENGAGEMENT_OPTIONS
from assess.questionnaire.validation import check_answer, visible_questions
from assess.scoring import AssessmentResult
from assess.scoring.engagement import STEP_TEXT
from assess.scoring.gaps import first_steps
from assess.services import ServiceError, accounts, assessments, organisations
from assess.services.questionnaires import current_questionnaires

DOC = (ROOT / "docs" / "demo.md").read_text(encoding="utf-8")
#: The document with its whitespace folded, so a table row can be looked for as one line.
DOC_FLAT = " ".join(DOC.split())
README = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())

DEMO = load()
NAME = "Demo Borough Council"

#: dimension -> (floor, mean, target, gap, priority, rank), worked out by hand in docs/demo.md.
#: Floors and means are of the evidenced levels (method 2.0).
EXPECTED = {
    "leadership": (2, 3.0, 4, 2, 6, 3),
    "strategy": (2, 2.25, 4, 2, 6, 4),
    "mapping": (2, 2.75, 4, 2, 4, 6),
    "engagement": (2, 2.25, 4, 2, 6, 5),
    "fairness": (2, 2.2, 5, 3, 9, 1),
    "responsiveness": (3, 3.5, 3, 0, 0, None),
    "organised-interests": (1, 1.6, 5, 4, 8, 2),
    "measurement": (2, 3.0, 3, 1, 2, 7),
}

_STATUS = {"below_target": "below target", "at_target": "at target"}


def _one(values: list[str] | tuple[str, ...]) -> str:
    return ", ".join(values) or "none"


def _decimal(value: Fraction) -> str:
    # Halves away from zero, as docs/methodology.md rounds (all values here are positive).
    return f"{(value * 100 + Fraction(1, 2)) // 1 / 100:.2f}"


@pytest.fixture
def demo(app, runner):
    """The demo loaded by the command, as ``make run`` does."""
    result = runner.invoke(args=["demo", "--quick"])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def scored(app, demo) -> tuple[AssessmentResult, dict]:
    """The engine's result for the demo, and its stored adoption answers."""
    with app.app_context():
        (assessment,) = assessments.for_organisation(_organisation().id)
        return assessments.score(assessment), assessments.stored_answers(assessment, "adoption")


def _organisation() -> Organisation:
    found = [o for o in organisations.all_organisations() if o.name == NAME]
    assert len(found) == 1, found
    return found[0]


# ---- the command ---------------------------------------------------------------------------


def test_the_command_is_listed_where_make_run_looks_for_it(runner):
    result = runner.invoke(args=["--help"])
    assert any(line.startswith("  demo ") for line in result.output.splitlines())


def test_demo_creates_the_council_its_people_and_prints_how_to_sign_in(app, demo):
    assert "http://127.0.0.1:5000/" in demo
    assert f"password: {DEMO.password}" in demo
    with app.app_context():
        organisation = _organisation()
        assert organisation.status == "active"
        assert (organisation.sector, organisation.size_band) == ("local_government", "1000_4999")
        assert (organisation.country, organisation.time_zone) == ("GB", "Europe/London")
        roles = {m.user.email: m.role for m in organisations.members(organisation)}
        assert roles == {
            "admin@demo.example": "admin",
            "respondent@demo.example": "respondent",
            "engagement@demo.example": "respondent",
            "auditor@demo.example": "auditor",
        }
        for email in roles:
            assert email in demo
            assert accounts.authenticate(email, DEMO.password) is not None


def test_running_it_twice_duplicates_nothing(app, runner, demo):
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0, again.output
    assert "The demo organisation already exists" in again.output
    with app.app_context():
        session = db.session()
        assert session.query(Organisation).filter_by(name=NAME).count() == 1
        assert session.query(User).count() == 4
        assert len(assessments.for_organisation(_organisation().id)) == 1


def test_reset_recreates_the_demo_from_scratch(app, runner, demo):
    with app.app_context():
        admin = accounts.user_by_email("admin@demo.example")
        assessments.start(_organisation().id, admin, "Scratch", current_questionnaires())
        assert len(assessments.for_organisation(_organisation().id)) == 2
    result = runner.invoke(args=["demo", "--reset", "--quick"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Created Demo Borough Council")
    with app.app_context():
        session = db.session()
        demo_emails = {p.email for p in DEMO.people}
        demo_users = [u for u in session.query(User) if u.email in demo_emails]
        assert len(demo_users) == 4
        assert (
            session.query(Membership)
            .filter(Membership.user_id.in_([u.id for u in demo_users]))
            .count()
            == 4
        )
        assert len(assessments.for_organisation(_organisation().id)) == 1


def test_a_taken_demo_address_is_reported_not_a_traceback(app, runner, make_user):
    make_user(email="auditor@demo.example")
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 1
    assert "already exists" in result.output and "--reset" in result.output


# ---- the assessment ------------------------------------------------------------------------


def test_every_question_is_answered_and_every_answer_validates(app, demo):
    with app.app_context():
        (assessment,) = assessments.for_organisation(_organisation().id)
        counts = {}
        for questionnaire in assessments.questionnaires_of(assessment):
            stored = assessments.stored_answers(assessment, questionnaire.id)
            answers = {qid: s.answer for qid, s in stored.items()}
            ids = [q.id for _section, q in questionnaire.questions()]
            assert set(stored) == set(ids), questionnaire.id
            assert visible_questions(questionnaire, answers) == set(ids)
            for question_id, item in stored.items():
                assert check_answer(questionnaire.question(question_id), item.answer) == []
                if question_id != "map-currency":  # the one answer without evidence, on purpose
                    assert item.answer.note, f"{question_id} has no evidence note"
            counts[questionnaire.id] = len(stored)
        assert counts == {"definition": 13, "model-fit": 14, "adoption": 36}


def test_answers_are_by_different_people_and_one_was_revised(app, demo):
    with app.app_context():
        (assessment,) = assessments.for_organisation(_organisation().id)
        stored = assessments.stored_answers(assessment, "adoption")
        authors = {s.updated_by for s in stored.values()}
        assert authors == {"Priya Shah", "Tom Hughes", "Siân Morgan"}
        assert stored["resp-standards"].revision == 2
        assert stored["resp-standards"].updated_by == "Priya Shah"


def test_the_register_has_the_nine_segments_and_the_councils_own(app, demo):
    with app.app_context():
        (assessment,) = assessments.for_organisation(_organisation().id)
        rows = assessments.answers(assessment, "definition")["register"].value
        assert len(rows) == 10
        assert rows[-1].label == "Parish and town councils"
        assert all(r.power and r.affected and r.engagement for r in rows)


def test_notes_carry_welsh_letters_and_a_right_to_left_quotation():
    notes = " ".join(a.answer.note for a in DEMO.answers)
    assert "Gŵyl Tŷ'r Ffin" in notes
    assert "خواتین کا حلقہ" in notes
    assert '"I filled in your survey twice' in notes


def test_the_council_overrode_the_recommendation_with_a_reason(app, scored):
    result, _stored = scored
    assert result.fit.recommendation.model_ids == ("citizen",)
    assert result.chosen_models == ("citizen", "stakeholder")
    assert result.chosen_by == "body"
    with app.app_context():
        (assessment,) = assessments.for_organisation(_organisation().id)
        assert assessment.recommended_models == ["citizen"]
        assert assessment.choice_reason.startswith("Cabinet (12 June 2025)")
        assert assessment.chosen_by.email == "admin@demo.example"


# ---- the figures in docs/demo.md -----------------------------------------------------------


def test_the_engine_agrees_with_the_hand_calculation(scored):
    result, _stored = scored
    dimensions = {d.dimension_id: d for d in result.maturity.dimensions}
    gaps = {g.dimension_id: g for g in result.gaps}
    for dimension_id, (floor, mean, target, gap, priority, rank) in EXPECTED.items():
        d, g = dimensions[dimension_id], gaps[dimension_id]
        assert (d.floor, d.mean) == (floor, mean), dimension_id
        assert (g.target, g.gap, g.priority, g.rank) == (target, gap, priority, rank), dimension_id
    overall = result.maturity.overall
    assert (overall.level, overall.name, overall.weighted_mean) == (2, "Managed", 2.0)
    assert (overall.lowest_floor, overall.completeness) == (1, 0.94)
    # Method 2.0: (9 + 6.75 + 5.5 + 6.75 + 6.6 + 7 + 3.2 + 6) / 20 = 50.8 / 20 = 2.54 -> 2.5;
    # as claimed, 53.4 / 20 = 2.67 -> 2.7, and the same overall level, 2.
    assert (overall.maturity_score, overall.claimed_maturity_score) == (2.5, 2.7)
    assert overall.claimed_level == 2
    assert (overall.not_evidenced, overall.no_evidence) == (4, 1)
    assert overall.level_reason.startswith(
        "Level 2, because an area counts at the level of its lowest practice"
    )
    assert "The lowest practice is at level 1 in 1 of the 8 areas: Lobbies" in overall.level_reason
    evidence = {
        q.question_id: (q.claimed, q.level, q.unconfirmed, q.evidence_given)
        for d in result.maturity.dimensions
        for q in d.levels
        if q.level < q.claimed or not q.evidence_given
    }
    assert evidence == {
        "strat-decisions": (3, 2, ("3.2",), True),
        "map-currency": (3, 3, (), False),
        "eng-accessible": (3, 2, ("3.2",), True),
        "fair-accessibility": (3, 2, ("3.2",), True),
        "resp-complaints-process": (4, 3, ("4.2",), True),
    }
    assert result.gaps[0].dimension_id == "fairness"
    fits = {m.model_id: m.fit_percent for m in result.fit.models}
    assert fits == {"customer": 42.9, "citizen": 70.6, "stakeholder": 47.1}
    assert result.fit.recommendation.lead == 23.5


def test_the_document_lists_every_adoption_answer_and_who_gave_it(scored):
    result, stored = scored
    shown = {
        Status.ANSWERED: lambda answer: f"level {answer.value}",
        Status.DONT_KNOW: lambda _answer: "don't know",
        Status.NOT_APPLICABLE: lambda _answer: "not applicable",
    }
    rows = []
    for dimension in result.maturity.dimensions:
        question_ids = [q.question_id for q in dimension.levels]
        question_ids += dimension.dont_know_question_ids + dimension.not_applicable_question_ids
        for question_id in question_ids:
            item = stored[question_id]
            answer = shown[item.answer.status](item.answer)
            rows.append(
                f"| {question_id} | {dimension.dimension_id} | {answer} | {item.updated_by} |"
            )
    assert len(rows) == len(stored) == 36
    missing = [row for row in rows if row not in DOC_FLAT]
    assert not missing, "\n".join(missing)


def dimension_row(dimension) -> str:
    """The document's maturity row for one dimension, rebuilt from the engine."""
    levels = [q.level for q in dimension.levels]
    claimed = [q.claimed for q in dimension.levels]
    total = sum(levels)
    completeness = Fraction(dimension.answered, dimension.applicable)
    return (
        f"| {dimension.dimension_id} | {dimension.weight} | {', '.join(map(str, claimed))} | "
        f"{', '.join(map(str, levels))} | "
        f"{_one(dimension.dont_know_question_ids)} | "
        f"{_one(dimension.not_applicable_question_ids)} | "
        f"{dimension.answered} / {dimension.applicable} = {_decimal(completeness)} | "
        f"{dimension.floor} ({dimension.floor_name}) | "
        f"{total} / {len(levels)} = {_decimal(Fraction(total, len(levels)))} |"
    )


def gap_row(gap) -> str:
    """The document's gap row for one dimension, rebuilt from the engine."""
    targets = {t.model_id: t.level for t in gap.targets}
    return (
        f"| {gap.dimension_id} | {gap.current} | {targets['citizen']} | "
        f"{targets['stakeholder']} | {gap.target} | {_STATUS[gap.status]} | {gap.gap} | "
        f"{gap.weight} | {gap.priority} | {gap.rank or 'none'} |"
    )


def overall_line(result: AssessmentResult) -> str:
    """The document's overall-level sentence, rebuilt from the engine."""
    dims = result.maturity.dimensions
    terms = " + ".join(f"{d.weight} x {d.floor}" for d in dims)
    weighted = sum(d.weight * d.floor for d in dims)
    weights = sum(d.weight for d in dims)
    answered = sum(d.answered for d in dims)
    applicable = sum(d.applicable for d in dims)
    overall = result.maturity.overall
    return (
        f"weighted mean = ({terms}) / {weights} = {weighted} / {weights} = "
        f"{_decimal(Fraction(weighted, weights))}, so the overall level is {overall.level} "
        f"({overall.name}); lowest floor {overall.lowest_floor}; overall completeness "
        f"{answered} / {applicable} = {_decimal(Fraction(answered, applicable))}."
    )


def score_line(result: AssessmentResult) -> str:
    """The document's maturity-score sentence, rebuilt from the engine."""
    dims = result.maturity.dimensions
    terms = " + ".join(f"{d.weight} x {d.mean:.2f}" for d in dims)
    total = sum(d.weight * Fraction(sum(q.level for q in d.levels), len(d.levels)) for d in dims)
    weights = sum(d.weight for d in dims)
    overall = result.maturity.overall
    return (
        f"maturity score = ({terms}) / {weights} = {_decimal(total)} / {weights} = "
        f"{_decimal(total / weights)}, shown as {overall.maturity_score:.1f}"
    )


def evidence_row(dimension, q) -> str:
    """The document's row for one answer whose evidence falls short."""
    return (
        f"| {q.question_id} | {dimension.dimension_id} | {q.claimed} | {q.level} | "
        f"{_one(q.unconfirmed)} | {'yes' if q.evidence_given else 'no evidence given'} |"
    )


def fit_row(model) -> str:
    """The document's fit row for one model, rebuilt from the engine."""
    return (
        f"| {model.name} | {model.total} | {model.minimum} | {model.maximum} | "
        f"100 x ({model.total} - {model.minimum}) / ({model.maximum} - {model.minimum}) = "
        f"{model.fit_percent} | {model.rank} |"
    )


def segment_row(segment) -> str:
    """The document's register row for one segment, rebuilt from the engine."""
    ratings = (
        f"{segment.power}, {segment.legitimacy}, {segment.urgency}, {segment.interest}, "
        f"{segment.affected}"
    )
    outcome = {
        "matches": "matches",
        "media_relations": "media relations",
        "below_needed": f"below what is needed by {segment.gap}",
        "above_needed": f"above what is needed by {segment.above_by}",
    }[segment.status]
    recommended = "media relations" if segment.media else segment.recommended
    return (
        f"| {segment.label} | {ratings} | {segment.quadrant.replace('_', ' ')} | "
        f"{'; '.join(STEP_TEXT[r] for r in segment.reasons)} | {recommended} | "
        f"{segment.current} | {outcome} | {segment.gap_rank or 'none'} |"
    )


def test_residents_are_never_suggested_less_than_lobbies_or_the_media(scored):
    result, _stored = scored
    by_id = {s.segment_id: s for s in result.segments}
    levels = ENGAGEMENT_OPTIONS.index
    assert levels(by_id["residents"].recommended) >= levels(by_id["lobbies"].recommended)
    assert (by_id["residents"].recommended, by_id["lobbies"].recommended) == (
        "collaborate",
        "inform",
    )
    assert by_id["media"].recommended is None and by_id["media"].status == "media_relations"
    # Businesses hold the council's licences and bid for its contracts: consult at most.
    assert by_id["businesses"].recommended == "consult"
    # The gap of the people who need extra support is ranked first, though not the only one.
    ranked = sorted((s for s in result.segments if s.gap_rank), key=lambda s: s.gap_rank)
    assert [s.segment_id for s in ranked] == [
        "special-needs",
        "residents",
        "service-users",
        "staff",
        "custom-parish-councils",
        "partners",
        "lobbies",
    ]
    assert [s.segment_id for s in result.segments if s.regard_differs] == [
        "service-users",
        "special-needs",
        "businesses",
    ]


def test_the_documents_tables_match_the_engine(scored):
    result, _stored = scored
    rows = [dimension_row(d) for d in result.maturity.dimensions]
    rows += [gap_row(g) for g in result.gaps]
    rows += [fit_row(m) for m in result.fit.models]
    rows += [segment_row(s) for s in result.segments]
    rows.append(overall_line(result))
    rows.append(score_line(result))
    rows += [
        evidence_row(d, q)
        for d in result.maturity.dimensions
        for q in d.levels
        if q.level < q.claimed or not q.evidence_given
    ]
    missing = [row for row in rows if row not in DOC_FLAT]
    assert not missing, "\n".join(missing)


def step_row(gap, step) -> str:
    """The document's step row for one practice, rebuilt from the engine."""
    return (
        f"| {gap.rank} | {gap.dimension_id} | {step.question_id} | {step.from_level} to "
        f"{step.to_level} | {step.owner} | {step.months} |"
    )


def test_the_steps_follow_from_the_answers_and_match_the_document(scored):
    result, _stored = scored
    rows = [step_row(g, s) for g in result.gaps for s in g.steps]
    # 16: three practices claimed at 3 count at their evidenced 2 and hold their areas down too.
    assert len(rows) == 16
    missing = [row for row in rows if row not in DOC_FLAT]
    assert not missing, "\n".join(missing)
    leadership = {g.dimension_id: g for g in result.gaps}["leadership"]
    # The weak point (nobody knows the total spent) gets a step; the commitment it has does not.
    assert [s.question_id for s in leadership.steps] == ["lead-resources"]
    (resources,) = leadership.steps
    criteria = real("adoption").question("lead-resources").criteria[3]
    assert resources.done_when == tuple(c.get() for c in criteria)
    assert resources.done_when_source == "criteria"
    # A practice claimed higher than its records show is held at its evidenced level.
    steps = {s.question_id: s for g in result.gaps for s in g.steps}
    for claimed_only in ("fair-accessibility", "strat-decisions", "eng-accessible"):
        assert (steps[claimed_only].from_level, steps[claimed_only].to_level) == (2, 3)
    assert not any("corporate commitment" in s.action for g in result.gaps for s in g.steps)
    first = [(s.question_id, s.from_level) for s in first_steps(result.gaps)]
    assert first == [("fair-prioritisation", 2), ("org-contact-record", 1), ("lead-resources", 2)]


def test_the_readme_states_the_demos_size_and_sign_in():
    assert "Demo Borough Council" in README
    assert "admin@demo.example" in README and DEMO.password in README
    assert "63 questions" in README and "10 rows" in README


def test_the_data_file_alone_validates_against_the_shipped_questionnaires(app):
    with app.app_context():
        shipped = current_questionnaires()
    for item in DEMO.answers:
        questionnaire = {
            "definition": shipped.definition,
            "model-fit": shipped.model_fit,
            "adoption": shipped.adoption,
        }[item.questionnaire_id]
        assert check_answer(questionnaire.question(item.answer.question_id), item.answer) == []


def test_the_demo_is_open_at_once_even_when_registration_waits_for_an_operator(make_app):
    app = make_app(OPEN_REGISTRATION=False)
    result = app.test_cli_runner().invoke(args=["demo", "--quick"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert _organisation().status == "active"


def test_a_member_cannot_be_added_twice(app, demo):
    with app.app_context():
        auditor = accounts.user_by_email("auditor@demo.example")
        with pytest.raises(ServiceError, match="already a member"):
            organisations.add_member(_organisation(), auditor, "respondent")


# ---- the stakeholders' own voice (method 2.1) -------------------------------------------------


@pytest.fixture
def survey_results(app, demo) -> dict:
    """The demo survey's results as every output shows them."""
    from assess.services import surveys

    with app.test_request_context():
        (assessment,) = assessments.for_organisation(_organisation().id)
        (survey,) = surveys.for_assessment(assessment)
        assert surveys.state(survey) == "closed"
        return surveys.export(survey)


def _tenth(value: float | None) -> str:
    return "none" if value is None else f"{value:.1f}"


def test_the_demo_survey_is_closed_with_four_groups_past_the_threshold_and_one_below(
    survey_results,
):
    data = survey_results
    assert data["survey"]["threshold"] == 5
    assert [g["label"] for g in data["groups"]] == [
        "Residents",
        "Service users",
        "People who need extra support",
        "Businesses",
    ]
    assert [g["responses"] for g in data["groups"]] == [12, 9, 6, 5]
    assert data["hidden_groups"] == ["Parish and town councils"]
    assert data["responses"] == 32 and data["reliability"] == "fair"
    assert data["blind_spots"] == ["Listening and responding"]
    assert data["least_heard"] == ["People who need extra support"]
    assert "32 responses from 4 groups are counted: a moderate sample, a fair guide" in DOC_FLAT
    listening = next(a for a in data["areas"] if a["area_id"] == "responsiveness")
    assert (listening["ratings"], listening["agreement"], listening["gap"]) == (31, 1.6, 1.9)
    assert "together 51 / 31 = 1.65, shown 1.6" in DOC_FLAT
    comments = [c for g in data["groups"] for c in g["comments"]]
    assert "The parish liaison meetings are excellent." not in comments  # below the threshold
    assert any("[phone number removed]" in c for c in comments)
    assert any("[email address removed]" in c for c in comments)
    assert any("[postcode removed]" in c for c in comments)
    assert not any("07700" in c or "@example.org" in c or "NN1 1AA" in c for c in comments)


def test_the_documents_survey_tables_match_the_engine(survey_results):
    data = survey_results
    rows = [
        f"| {a['title']} | {_tenth(a['body_level'])} | {_tenth(a['agreement'])} | "
        f"{_tenth(a['margin'])} | {a['ratings']} | {_tenth(a['gap'])} | "
        f"{'yes' if a['blind_spot'] else 'no'} |"
        for a in data["areas"]
    ]
    rows += [
        f"| {g['label']} | {g['responses']} | {g['paper']} | {g['possible_duplicates']} | "
        f"{_tenth(g['agreement'])} | {_tenth(g['margin'])} |"
        for g in data["groups"]
    ]
    rows += [
        f"| {c['label']} | {c['regard']} | {' / '.join(c['statements'])} | "
        f"{_tenth(c['agreement'])} | {c['verdict']} |"
        for c in data["regard_checks"]
    ]
    missing = [row for row in rows if row not in DOC_FLAT]
    assert not missing, "\n".join(missing)
    assert len(rows) == 8 + 4 + 4


# ---- last year and the action plan (the full demo, as make run loads it) ----------------------


@pytest.fixture
def history(app, load_demo):
    """The whole demo, with last year's finalised assessment and its plan (what the command
    printed)."""
    return load_demo()


def _by_title(organisation_id: int, year: str):
    found = [a for a in assessments.for_organisation(organisation_id) if a.title.endswith(year)]
    assert len(found) == 1, found
    return found[0]


def trend_row(row) -> str:
    """The document's trend row for one area, rebuilt from the trend."""
    return (
        f"| {row['dimension_id']} | {row['previous_floor']} | {row['current_floor']} | "
        f"{row['floor_change']['text']} | {row['previous_mean']:.2f} | {row['current_mean']:.2f} | "
        f"{row['mean_change']['text']} |"
    )


def test_last_year_is_finalised_with_a_plan_in_every_status_and_a_trend(app, history):
    from assess.services import action_plan, finalising, trends

    assert "Stakeholder management self-assessment 2024" in history
    with app.app_context():
        organisation = _organisation()
        this_year = _by_title(organisation.id, "2025")
        last_year = _by_title(organisation.id, "2024")
        assert (this_year.status, last_year.status) == ("draft", "finalised")
        assert finalising.stored_report(last_year) is not None
        # The figures the document works out by hand (method 2.0 both years).
        found = trends.trend(this_year)
        assert found["previous"]["title"] == last_year.title
        rows = [trend_row(r) for r in found["rows"]]
        missing = [row for row in rows if row not in DOC_FLAT]
        assert not missing, "\n".join(missing)
        overall = found["overall"]
        assert (overall["previous_level"], overall["current_level"]) == (1, 2)
        assert (overall["previous_score"], overall["current_score"]) == (2.4, 2.5)
        assert not found["method_changed"]
        # The plan: every status, two overdue, as the document's table says.
        plan = action_plan.actions(last_year)
        counts = action_plan.counts(last_year)
        assert {k: counts[k] for k in ("not_started", "in_progress", "done", "dropped")} == {
            "not_started": 2,
            "in_progress": 2,
            "done": 1,
            "dropped": 1,
        }
        assert counts["overdue"] == 2
        today = action_plan.organisation_today(organisation)
        overdue = sorted(a.question_id for a in plan if a.is_overdue(today))
        assert overdue == ["map-register", "org-contact-record"]
        for action in plan:
            assert f"| {action.question_id}" in DOC_FLAT
        (dropped,) = [a for a in plan if a.status == "dropped"]
        assert dropped.source == "own" and dropped.dropped_reason
        assert {a.owner_user is not None for a in plan} == {True, False}
        assert action_plan.actions(this_year) == []
        # The stored 2024 report printed the plan as it stood: every action "not started".
        text = " ".join(
            finalising.stored_data(finalising.stored_report(last_year)).decode().split()
        )
        assert last_year.title in text


def test_last_year_is_dated_a_year_back_and_the_trail_still_verifies(app, history):
    from datetime import timedelta

    from assess.services import audit_verification, finalising, trends

    with app.app_context():
        organisation = _organisation()
        last_year = _by_title(organisation.id, "2024")
        this_year = _by_title(organisation.id, "2025")
        loaded = this_year.created_at
        assert abs(loaded - timedelta(days=365) - last_year.finalised_at) < timedelta(minutes=5)
        assert last_year.created_at < last_year.finalised_at
        assert last_year.updated_at <= last_year.finalised_at
        stored = finalising.stored_report(last_year)
        assert stored.created_at == last_year.finalised_at
        assert stored.report_id.startswith(f"R-{last_year.finalised_at:%Y}-")
        dates = [p["label"] for p in trends.trend(this_year)["points"]]
        assert len(set(dates)) == 2, dates
        assert audit_verification.verify().ok


def _peer_row(name: str, sector: str, figures: dict) -> str:
    cells = " | ".join(
        f"{figures[area][0]} / {(figures[area][1] * 10 + 0.5) // 1 / 10:.1f}" for area in EXPECTED
    )
    return f"| {name} | {sector}, 1,000 to 4,999 | {cells} |"


def _standing_row(row: dict) -> str:
    from assess.scoring.benchmark import STANDINGS

    words = dict(
        zip(
            STANDINGS,
            [
                "below the middle half",
                "in the middle half, below the median",
                "at the median",
                "in the middle half, above the median",
                "above the middle half",
            ],
            strict=True,
        )
    )
    if row["withheld"]:
        return (
            f"| {row['dimension_id']} | too alike to show | {row['level']} | | "
            f"too alike to show | {row['score']:.1f} | |"
        )
    lq, sq = row["level_quartiles"], row["score_quartiles"]
    return (
        f"| {row['dimension_id']} | {lq['median']:.0f} ({lq['lower']:.0f} to {lq['upper']:.0f}) | "
        f"{row['level']} | {words[row['level_standing']]} | "
        f"{sq['median']:.1f} ({sq['lower']:.1f} to {sq['upper']:.1f}) | {row['score']:.1f} | "
        f"{words[row['score_standing']]} |"
    )


def test_the_peers_give_the_sector_a_benchmark_and_not_the_size_band(app, history):
    from assess.services import benchmark

    with app.app_context():
        organisation = _organisation()
        this_year = _by_title(organisation.id, "2025")
        names = {o.id: o.name for o in organisations.all_organisations()}
        sectors = {"local_government": "local government", "health": "health"}
        rows = []
        for c in benchmark.contributors():
            name = names[c.contribution.organisation_id]
            if name == NAME:
                name = f"{NAME} (2024)"
            rows.append(_peer_row(name, sectors[c.sector], c.contribution.figures))
        assert len(rows) == 6
        missing = [row for row in rows if row not in DOC_FLAT]
        assert not missing, "\n".join(missing)

        found = benchmark.standing(this_year)
        sector, band = found["groups"]
        assert (sector["shown"], sector["count"], band["shown"]) == (True, 5, False)
        rows = [_standing_row(r) for r in sector["rows"]]
        missing = [row for row in rows if row not in DOC_FLAT]
        assert not missing, "\n".join(missing)
        withheld = [r["dimension_id"] for r in sector["rows"] if r["withheld"]]
        assert withheld == ["organised-interests"]

        states = {(r["value"], r["contributing"], r["state"]) for r in benchmark.operator_summary()}
        assert {
            ("local_government", 5, "shown"),
            ("health", 1, "too_few"),
            ("1000_4999", 6, "waiting"),
        } <= states


def test_reset_retires_a_demo_with_a_finalised_report(app, runner, history):
    from assess.services import finalising

    with app.app_context():
        old = _organisation()
        old_id = old.id
        reports = [r.sha256 for r in finalising.reports_of(old_id)]
    assert len(reports) == 1
    result = runner.invoke(args=["demo", "--reset", "--quick"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        session = db.session()
        retired = session.get(Organisation, old_id)
        assert retired.status == "suspended" and retired.name.startswith(f"{NAME} (replaced")
        assert not retired.memberships
        assert [r.sha256 for r in finalising.reports_of(old_id)] == reports
        assert _organisation().id != old_id
        demo_emails = {p.email for p in DEMO.people}
        demo_users = [u for u in session.query(User) if u.email in demo_emails]
        assert len(demo_users) == 4
        assert (
            session.query(Membership)
            .filter(Membership.user_id.in_([u.id for u in demo_users]))
            .count()
            == 4
        )
