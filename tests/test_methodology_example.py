"""The worked example in docs/methodology.md, computed by the engine, figure for figure.

The expected figures are written out here, and each table row the document prints is rebuilt from
the engine's result and looked for in the document, so the document cannot drift from the code.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from scoring_helpers import ROOT, answered, answers, dont_know, example, row

from assess.questionnaire.answers import Answer, CriterionCheck, Status
from assess.scoring import aggregate_question, consensus_answer, score_assessment
from assess.scoring.engagement import STEP_TEXT, WHY_TEXT
from assess.scoring.fit import fit_weights
from assess.scoring.gaps import first_steps

DOC = (ROOT / "docs" / "methodology.md").read_text(encoding="utf-8")
#: The document's tables have their cells separated by " | ".
DOC_FLAT = " ".join(DOC.split())


@pytest.fixture(scope="module")
def result():
    return score_assessment(
        adoption=example("adoption"),
        adoption_answers=answers(
            answered("listen-plan", 2),
            # Level 3 claimed, both of its records confirmed met, with an evidence note.
            Answer(
                "listen-reach",
                value=3,
                note="Consultation plan 2025",
                criteria=(CriterionCheck(3, 1, True), CriterionCheck(3, 2, True)),
            ),
            dont_know("listen-feedback"),
            # Level 4 claimed; level 3's records are met, level 4's is not; no note, no reference.
            Answer(
                "report-board",
                value=4,
                criteria=(
                    CriterionCheck(3, 1, True),
                    CriterionCheck(3, 2, True),
                    CriterionCheck(4, 1, False),
                ),
            ),
            Answer("report-public", Status.NOT_APPLICABLE, note="We publish nothing ourselves."),
        ),
        model_fit=example("model-fit"),
        model_fit_answers=answers(
            answered("ex-choice", "in-principle"),
            answered("ex-lobbies", "strong"),
            answered("ex-checks", ("courts",)),
        ),
        definition=example("definition"),
        definition_answers=answers(
            answered(
                "register",
                (
                    row("residents", 3, 4, 2, 2, "inform", regard="citizen", affected=4),
                    row(
                        "custom-carers",
                        1,
                        4,
                        4,
                        4,
                        "involve",
                        label="Unpaid carers",
                        affected=4,
                        support="yes",
                        regard="customer",
                    ),
                    row("media", 4, 2, 4, 3, "inform", affected=1),
                    row(
                        "custom-developers",
                        3,
                        3,
                        3,
                        4,
                        "involve",
                        label="Developers",
                        affected=3,
                        conflict="commercial",
                    ),
                ),
            )
        ),
    )


def in_doc(text: str) -> bool:
    return " ".join(text.split()) in DOC_FLAT


def cells(*values: object) -> str:
    return "| " + " | ".join(str(v) for v in values) + " |"


def test_dimension_figures(result):
    listening = result.maturity.dimension("listening")
    reporting = result.maturity.dimension("reporting")
    assert (listening.floor, listening.mean, listening.completeness) == (2, 2.5, 0.67)
    assert listening.floor_question_ids == ("listen-plan",)
    assert listening.dont_know_question_ids == ("listen-feedback",)
    assert (reporting.floor, reporting.mean, reporting.completeness) == (3, 3.0, 1.0)
    assert (reporting.claimed_floor, reporting.claimed_mean) == (4, 4.0)
    assert reporting.not_evidenced_question_ids == ("report-board",)
    assert reporting.no_evidence_question_ids == ("report-board",)
    assert listening.not_evidenced_question_ids == listening.no_evidence_question_ids == ()
    assert reporting.not_applicable_question_ids == ("report-public",)
    assert reporting.hidden_question_ids == ("report-why-not",)


def test_the_maturity_table_is_the_engines(result):
    for d in result.maturity.dimensions:
        claimed = ", ".join(f"{q.question_id} {q.claimed}" for q in d.levels)
        given = ", ".join(f"{q.question_id} {q.level}" for q in d.levels)
        assert in_doc(
            cells(
                d.title,
                d.weight,
                claimed,
                given,
                ", ".join(d.dont_know_question_ids) or "none",
                ", ".join(d.not_applicable_question_ids) or "none",
                ", ".join(d.hidden_question_ids) or "none",
                f"{d.answered} / {d.applicable} = {d.completeness:.2f}",
                f"{d.floor} ({d.floor_name})",
                f"{sum(q.level for q in d.levels)} / {d.answered} = {d.mean:.2f}",
            )
        ), d.dimension_id


def test_overall_level(result):
    overall = result.maturity.overall
    assert (overall.level, overall.name, overall.weighted_mean) == (2, "Managed", 2.4)
    assert (overall.lowest_floor, overall.completeness) == (2, 0.75)
    assert in_doc(
        f"weighted mean = (3 x 2 + 2 x 3) / (3 + 2) = 12 / 5 = {overall.weighted_mean:.2f}, so the "
        f"overall level is {overall.level} ({overall.name}); lowest floor {overall.lowest_floor}; "
        f"overall completeness 3 / 4 = {overall.completeness:.2f}"
    )


def test_evidenced_levels_and_the_maturity_score(result):
    reporting = result.maturity.dimension("reporting")
    (board,) = reporting.levels
    assert (board.claimed, board.level, board.unconfirmed) == (4, 3, ("4.1",))
    assert in_doc("| report-board | 4 | 3.1 met, 3.2 met, 4.1 not met | 3 | no evidence given |")
    assert in_doc("| listen-reach | 3 | 3.1 met, 3.2 met | 3 | Consultation plan 2025 |")
    overall = result.maturity.overall
    assert (overall.maturity_score, overall.claimed_maturity_score) == (2.7, 3.1)
    assert overall.claimed_level == 2
    assert in_doc(
        f"maturity score = (3 x 2.50 + 2 x 3.00) / (3 + 2) = 13.50 / 5 = 2.70, shown as "
        f"{overall.maturity_score:.1f}"
    )
    assert in_doc(
        f"(3 x 2.50 + 2 x 4.00) / 5 = 15.50 / 5 = 3.10, shown as "
        f"{overall.claimed_maturity_score:.1f}"
    )
    assert in_doc(f"“{overall.level_reason}”")


def test_fit_figures(result):
    fits = {m.model_id: m for m in result.fit.models}
    assert [(m.total, m.minimum, m.maximum, m.fit_percent, m.rank) for m in fits.values()] == [
        (-1, -3, 7, 20.0, 3),
        (3, -1, 5, 66.7, 2),
        (3, -2, 5, 71.4, 1),
    ]
    for m in fits.values():
        assert in_doc(
            cells(
                m.name,
                m.total,
                m.minimum,
                m.maximum,
                f"100 x ({m.total} - {m.minimum}) / ({m.maximum} - {m.minimum}) = {m.fit_percent}",
                m.rank,
            )
        ), m.model_id


def test_fit_recommendation_and_reasons(result):
    recommendation = result.fit.recommendation
    assert recommendation.kind == "blend"
    assert recommendation.model_ids == ("stakeholder", "citizen")
    assert in_doc(f"the recommendation is **{recommendation.text}**")
    assert in_doc(f"(lead {recommendation.lead})")
    reasons = "; ".join(
        f"{c.question_id} = {c.option_id} ({c.model_id} +{c.weight})"
        for c in recommendation.reasons
    )
    assert in_doc(f"Reasons: {reasons}.")
    assert result.chosen_by == "recommendation"


def test_gap_table(result):
    for g in result.gaps:
        by_model = {t.model_id: t.level for t in g.targets}
        status = {
            "below_target": "below target",
            "at_target": "at target",
            "above_target": f"above target by {g.above_by}",
        }
        assert in_doc(
            cells(
                g.title,
                g.current,
                by_model["stakeholder"],
                by_model["citizen"],
                g.target,
                status[g.status],
                g.gap,
                g.weight,
                g.priority,
                g.rank or "none",
            )
        ), g.dimension_id
    weights = fit_weights(result.fit)
    assert (weights["stakeholder"], weights["citizen"]) == (Fraction(500, 7), Fraction(200, 3))
    for g in result.gaps:
        by_model = {t.model_id: t.level for t in g.targets}
        exact = sum(weights[m] * by_model[m] for m in by_model) / sum(weights[m] for m in by_model)
        assert g.target_rule == "fit_weighted" and g.target == math.ceil(exact)
        assert in_doc(
            f"= {exact.numerator}/{exact.denominator} = {float(exact):.2f}, so {g.target}"
        )
    listening = result.gaps[0]
    # Only listen-plan sits at the floor: listen-reach (3) and listen-feedback (no level) get none.
    assert [(s.question_id, s.from_level, s.to_level) for s in listening.steps] == [
        ("listen-plan", 2, 3)
    ]
    (step,) = listening.steps
    assert in_doc(
        f'listen-plan: step {step.from_level} to {step.to_level}, "{step.action}" ({step.owner}, '
        f"{step.months} months), done when the criteria of listen-plan's level {step.to_level} "
        f'are met: "{step.done_when[0]}" and "{step.done_when[1]}"'
    )
    # "Done when" is the next level's criteria, all of them, not the level's description.
    assert step.done_when_source == "criteria"
    assert step.done_when == tuple(
        c.get() for c in example("adoption").question("listen-plan").criteria_for(3)
    )
    assert first_steps(result.gaps) == (step,)


def test_segment_table(result):
    results = {
        "above_needed": lambda s: f"above what is needed by {s.above_by}",
        "below_needed": lambda s: f"below what is needed by {s.gap}",
        "media_relations": lambda s: "media relations",
    }
    for s in result.segments:
        assert in_doc(
            cells(
                s.label,
                s.quadrant.replace("_", " "),
                "; ".join(STEP_TEXT[r] for r in s.reasons),
                "media relations" if s.media else s.recommended,
                s.current,
                results[s.status](s),
                s.gap_rank or "none",
                "; ".join(WHY_TEXT[w] for w in s.gap_why),
            ).replace("|  |", "| |")
        ), s.segment_id
    assert [(s.recommended, s.gap, s.above_by, s.gap_rank) for s in result.segments] == [
        ("collaborate", 3, 0, 2),
        ("collaborate", 1, 0, 1),
        (None, 0, 0, None),
        ("consult", 0, 1, None),
    ]
    assert [s.regard_differs for s in result.segments] == [False, True, False, False]
    assert [(s.extra_support, s.media, s.conflict) for s in result.segments] == [
        (False, False, None),
        (True, False, None),
        (False, True, None),
        (False, False, "commercial"),
    ]


def test_respondents_example():
    question = example("adoption").question("listen-plan")
    given = [Answer("listen-plan", value=v) for v in (2, 2, 3, 4)]
    summary = aggregate_question(question, given)
    counts = ", ".join(str(c.count) for c in summary.counts)
    assert counts == "0, 2, 1, 1, 0"
    assert (summary.most_common, summary.most_common_share) == ((2,), 0.5)
    assert (summary.range, summary.median, summary.median_level) == (2, 2.5, 2)
    assert consensus_answer(question, given).value == 2
    assert in_doc(
        f"The counts are {counts} for levels 1 to 5; the most common level is 2, with a share of "
        f"2 / 4 = {summary.most_common_share:.2f}; the range is 4 - 2 = {summary.range}; the exact "
        f"median is (2 + 3) / 2 = {summary.median}, and the median level, rounded half down, is "
        f"{summary.median_level}"
    )
    split = [Answer("listen-plan", value=v) for v in (1, 2, 3, 4)]
    assert consensus_answer(question, split) is None
    assert aggregate_question(question, split).most_common == (1, 2, 3, 4)
    assert in_doc("Had the four answered 1, 2, 3 and 4, every level would have one answer: a tie")


def test_the_dimension_table_matches_the_adoption_file():
    from scoring_helpers import real

    adoption = real("adoption")
    assert in_doc(f"The current adoption questionnaire (version {adoption.version}) has")
    for section in adoption.sections:
        targets = section.targets or {}
        assert in_doc(
            cells(
                section.id,
                section.title.get(),
                section.weight,
                targets["customer"],
                targets["citizen"],
                targets["stakeholder"],
            )
        ), section.id
    for level, name in (adoption.levels or {}).items():
        assert in_doc(cells(level, name.name.get())), level


def test_the_stakeholders_voice_example():
    """Section 12's worked example, computed by the engine."""
    from assess.questionnaire import loader
    from assess.scoring.perception import GroupTally, reliability, score_perception

    def counts(*points: int, dont_know: int = 0) -> dict:
        return {
            "know-needs": {**{str(p): points.count(p) for p in range(1, 6)}, "dont_know": dont_know}
        }

    tallies = [
        GroupTally("residents", "Residents", "citizen", 6, counts(1, 2, 2, 3, 2, dont_know=1)),
        GroupTally("businesses", "Businesses", "stakeholder", 5, counts(3, 3, 4, 4, 3)),
        GroupTally("lobbies", "Lobbies", "stakeholder", 2, counts(5, 5)),
    ]
    perception = loader.load_directory().perception
    body = {"mapping": ("Knowing your stakeholders", 3.5)}
    result = score_perception(perception, tallies, body, threshold=5)
    assert result.hidden_groups == ("Lobbies",) and result.responses == 11
    assert reliability(result.responses) == "rough" and in_doc("a small sample, a rough guide")
    residents = result.group("residents").statements[0].agreement
    assert (residents.mean, residents.margin, residents.dont_know) == (2.0, 0.9, 1)
    assert result.group("businesses").overall.mean == 3.4
    area = result.area("mapping")
    assert (area.agreement.ratings, area.agreement.mean, area.agreement.margin) == (10, 2.7, 0.7)
    assert (area.body_level, area.gap, area.blind_spot) == (3.5, 0.8, False)
    assert in_doc("difference 3.5 - 2.7 = 0.8") and in_doc("2.26 x 0.95 / sqrt(10) = 0.7")
    alone = score_perception(perception, tallies[:1], body, threshold=5).area("mapping")
    assert (alone.gap, alone.blind_spot) == (1.5, True)
    assert in_doc("2.0 + 0.9 = 2.9: a blind spot")
    assert result.least_heard == ("residents",)


def test_the_margin_table_follows_from_t():
    from assess.scoring.perception import reliability, t95

    for n, shown in ((5, "1.2"), (10, "0.7"), (20, "0.5"), (30, "0.4"), (50, "0.3"), (100, "0.2")):
        margin = t95(n - 1) * 1.0 / n**0.5
        assert f"{margin + 1e-9:.1f}" == shown
        assert in_doc(f"| {n} | ±{shown} | a")
        assert reliability(n) in {"indicative", "rough", "fair", "firm"}
