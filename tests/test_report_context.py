"""The report context is plain, display-ready data; the report's JSON is complete and stable."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

import pytest
from markupsafe import Markup
from report_helpers import INJECTION, WELSH, make_report_input

from assess.reporting import build_context, dump_report_json, render_html, report_json
from assess.reporting.formatting import format_datetime
from assess.scoring import score_assessment


@pytest.fixture(scope="module")
def report():
    return make_report_input()


@pytest.fixture(scope="module")
def context(report):
    return build_context(report)


def _plain(value) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return value is None or type(value) in (str, int, float, bool)


def test_the_context_is_plain_data_apart_from_the_charts(context):
    charts = context["charts"]
    assert all(isinstance(svg, Markup) for svg in charts.values())
    rest = {k: v for k, v in context.items() if k != "charts"}
    assert _plain(rest)
    assert json.loads(json.dumps(rest)) == rest


def test_dates_are_shown_in_the_organisations_zone_with_the_offset():
    summer = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
    assert format_datetime(summer, "Europe/London") == "1 July 2026, 09:00 BST (UTC+01:00)"
    assert format_datetime(summer, "Asia/Kolkata") == "1 July 2026, 13:30 IST (UTC+05:30)"
    assert format_datetime(None, "Europe/London") is None


def test_answers_are_shown_as_labels_not_ids(context):
    definition = context["appendix"][0]
    questions = {q["id"]: q for s in definition["sections"] for q in s["questions"]}
    assert questions["def-written"]["answer_lines"][0].startswith("Yes: one statement covers")
    assert questions["def-written"]["note"] == INJECTION
    assert questions["def-own-words"]["note"] == WELSH
    assert questions["def-priority"]["answer_lines"] == ["Don't know."]
    assert questions["def-lobbies"]["answer_lines"] == ["Not applicable."]
    assert questions["def-written"]["answered_by"] == "Bethan Jones"
    adoption = {q["id"]: q for s in context["appendix"][2]["sections"] for q in s["questions"]}
    assert adoption["lead-commitment"]["answer_lines"][0].startswith("Level 2 (Managed): ")


def test_the_profile_and_gaps_carry_the_results_figures(context, report):
    rows = {r["dimension_id"]: r for r in context["profile"]}
    for gap in report.result.gaps:
        row = rows[gap.dimension_id]
        assert (row["floor"], row["target"], row["gap"], row["rank"]) == (
            gap.current,
            gap.target,
            gap.gap,
            gap.rank,
        )
    assert rows["responsiveness"]["status_text"] == "Above target by 1"
    assert rows["mapping"]["status_text"] == "At target"


def test_the_summary_names_the_level_the_model_and_the_five_largest_gaps(context):
    summary = context["summary"]
    assert summary["level"] == 2
    assert any("maturity level 2 of 5, Managed" in s for s in summary["sentences"])
    assert any("the citizen model (best fit 87.5%)" in s for s in summary["sentences"])
    assert len(summary["gaps"]) == 5
    assert summary["gaps"][0].startswith("Fairness and extra support: at level 2 (Managed)")


def test_an_overridden_recommendation_shows_the_body_s_reason():
    report = make_report_input(
        chosen_models=("customer",), choice_reason="Our members asked for service standards."
    )
    context = build_context(report)
    assert context["fit"]["overridden"] is True
    assert context["fit"]["choice_reason"] == "Our members asked for service standards."
    assert any("chose the Customer model instead" in s for s in context["summary"]["sentences"])


def test_the_json_holds_every_answer_and_the_whole_result(report):
    data = report_json(report)
    assert data["report_id"] == "R-2026-0042"
    assert data["result"] == report.result.to_dict()
    versions = [(q["id"], q["version"]) for q in data["questionnaires"]]
    assert versions == [(q.id, q.version) for q, _answers in report.questionnaires()]
    assert versions[0] == ("definition", "2.1.0")
    written = data["questionnaires"][0]["answers"]["def-written"]
    assert written == {
        "status": "answered",
        "value": "yes-corporate",
        "note": INJECTION,
        "answered_by": "Bethan Jones",
        "answered_at": "2026-03-03T09:37:00Z",
    }
    assert data["questionnaires"][0]["answers"]["def-priority"]["status"] == "dont_know"
    assert json.loads(dump_report_json(data)) == data


def test_the_json_is_the_same_bytes_every_time(report):
    assert dump_report_json(report_json(report)) == dump_report_json(report_json(report))
    assert dump_report_json(report_json(make_report_input())) == dump_report_json(
        report_json(report)
    )


def test_a_report_input_refuses_naive_dates_and_unknown_statuses():
    with pytest.raises(ValueError, match="aware"):
        make_report_input(created_at=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="status"):
        make_report_input(status="archived")


def test_an_assessment_with_no_answers_yet_still_renders_and_says_so():
    report = make_report_input(
        definition_answers={}, model_fit_answers={}, adoption_answers={}, status="superseded"
    )
    empty = dataclasses.replace(
        report,
        result=score_assessment(
            adoption=report.adoption,
            adoption_answers={},
            model_fit=report.model_fit,
            model_fit_answers={},
            definition=report.definition,
            definition_answers={},
        ),
    )
    context = build_context(empty)
    assert context["watermark"] == "SUPERSEDED"
    assert context["summary"]["level"] is None
    html = render_html(context)
    assert "No adoption question has been answered yet" in html
    assert "The stakeholder register has not been filled in" in html
    assert "Not answered." in html
    assert "Not enough of the model-fit questionnaire has been answered" in html


def test_notes_carry_their_writing_direction(context):
    definition = {q["id"]: q for s in context["appendix"][0]["sections"] for q in s["questions"]}
    assert definition["register"]["note_dir"] == "rtl"
    assert definition["def-own-words"]["note_dir"] == "ltr"
    assert definition["def-written"]["note_dir"] == "ltr"


def test_steps_are_dated_from_the_reports_day_in_the_organisations_zone():
    from datetime import date

    from assess.reporting.board import add_months, report_date

    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2026, 3, 22), 12) == date(2027, 3, 22)
    # 23:30 UTC on 31 May is already 1 June in London (summer time).
    late = make_report_input(updated_at=datetime(2026, 5, 31, 23, 30, tzinfo=UTC))
    assert report_date(late) == date(2026, 6, 1)
    finalised = make_report_input(
        status="finalised", finalised_at=datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
    )
    actions = build_context(finalised)["board"]["actions"]
    assert (actions[0]["months"], actions[0]["due"]) == (6, "1 October 2026")


def test_the_board_summary_names_the_first_actions_the_answers_and_the_decision(context, report):
    board = context["board"]
    assert board["level_text"] == "2 (Managed)"
    overall = report.result.maturity.overall
    # The maturity score, the reason in words, and the level and score as claimed beside them.
    assert board["score"] == f"{overall.maturity_score:.1f}" == "2.8"
    assert board["reason"].startswith("Level 2, because an area counts at the level of its")
    assert type(board["reason"]) is str
    assert board["claimed_level"] == overall.claimed_level
    assert board["claimed_score"] == f"{overall.claimed_maturity_score:.1f}"
    assert board["not_evidenced"] == overall.not_evidenced
    assert [a["area"] for a in board["actions"]] == [g.title for g in report.result.gaps[:3]]
    assert all(a["owner"] and a["due"] and a["done_when"] for a in board["actions"])
    answers = board["answers"]
    assert (answers["answered"], answers["applicable"], answers["dont_know"]) == (58, 61, 2)
    assert answers["levels_given"] == 34
    assert answers["with_evidence"] == 3  # the adoption answers given a note in the fixture
    assert board["decision"][0].startswith("Choose the model the organisation will follow")
    assert "Approve the three actions above" in board["decision"][1]
    assert board["decision"][2].startswith("Ask for a progress report by 22 September 2026")


def test_a_chosen_model_with_a_long_reason_is_confirmed_and_the_reason_shortened():
    reason = "Our members asked for service standards. " * 20
    report = make_report_input(chosen_models=("customer",), choice_reason=reason)
    board = build_context(report)["board"]
    assert board["model"]["name"] == "the Customer model"
    assert board["model"]["why"].startswith("Chosen by the organisation although the answers")
    assert board["model"]["shortened"] is True
    assert len(board["model"]["reason"]) <= 201 and board["model"]["reason"].endswith("\u2026")
    assert board["decision"][0].startswith("Confirm the Customer model as the way")


def test_with_nothing_below_target_there_is_no_action_and_the_decision_says_so():
    report = make_report_input()
    gaps = tuple(
        dataclasses.replace(g, rank=None, steps=(), status="at_target", gap=0, priority=0)
        for g in report.result.gaps
    )
    quiet = dataclasses.replace(report, result=dataclasses.replace(report.result, gaps=gaps))
    board = build_context(quiet)["board"]
    assert board["actions"] == []
    assert board["decision"][1].startswith("Note that no area is below the target")
    assert "no action to take first" in render_html(build_context(quiet))


def test_the_report_says_what_the_definition_answers_show(context):
    items = {item["question_id"]: item for item in context["definition"]["answers"]}
    assert items["def-written"]["answer"].startswith("Yes: one statement covers")
    assert items["def-priority"]["answer"] == "Not known."
    assert "def-own-words" not in items and "register" not in items
    # Under the Citizen model, every group regarded as customers or stakeholders is flagged.
    assert context["definition"]["regard_differs"] == [
        "Service users",
        "Businesses",
        "Lobbies and pressure groups",
        "Media",
        "Elected members and board members",
        "Partner bodies",
        "Staff",
    ]
    assert context["definition"]["contradictions"] == []


def test_the_report_lists_answers_that_contradict_each_other(report):
    result = score_assessment(
        adoption=report.adoption,
        adoption_answers={
            **{k: v.answer for k, v in report.adoption_answers.items()},
            "lead-accountability": dataclasses.replace(
                report.adoption_answers["lead-accountability"].answer, value=1
            ),
        },
        definition=report.definition,
        definition_answers={
            **{k: v.answer for k, v in report.definition_answers.items()},
            "def-owner": dataclasses.replace(
                report.definition_answers["def-owner"].answer, value="senior-named"
            ),
        },
    )
    context = build_context(dataclasses.replace(report, result=result))
    (found,) = context["definition"]["contradictions"]
    assert found["text"].startswith("A named senior manager is said to answer")
    assert found["definition"].endswith(
        "A named senior manager (director or chief officer "
        "level) whose role includes it and who reports on it to "
        "elected members or the board"
    )
    assert found["adoption"].startswith(
        "Who is accountable for the way the organisation manages its relationships"
    )
    assert " level 1: Nobody is named as responsible" in found["adoption"]
    html = render_html(context)
    assert "Answers that contradict each other" in html and found["text"] in html
