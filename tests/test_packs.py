"""Questionnaire packs: checked like ``assess questionnaires validate``, shown as a diff, installed,
chosen per organisation; an assessment keeps the questionnaires (and pack) it was answered on."""

from __future__ import annotations

import io
import re

import pytest
from answering import section_url, start
from finalise_helpers import answered_draft, finalise
from helpers import PASSWORD, csrf_token, login, post
from pack_helpers import (
    FIRST_ADOPTION,
    pack_zip,
    rename_first_adoption_question,
)
from report_helpers import page_texts
from sqlalchemy import select

from assess import audit, db
from assess.models import Assessment, AuditEvent, OrganisationPack, QuestionnairePack
from assess.services import accounts, assessments, pack_diff, packs
from assess.services.questionnaires import current_questionnaires

NEW_TEXT = "Does the parish council's clerk keep a list of who it must talk to?"


def _upload(client, data: bytes, name: str = "parish-light.zip"):
    return client.post(
        "/operator/packs",
        data={"csrf_token": csrf_token(client), "pack": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _install_through_pages(client, data: bytes) -> int:
    response = _upload(client, data)
    assert response.status_code == 302, response.get_data(as_text=True)
    pack_id = int(re.search(r"/operator/packs/(\d+)$", response.headers["Location"]).group(1))
    response = post(client, f"/operator/packs/{pack_id}/install")
    assert response.headers["Location"].endswith(f"/operator/packs/{pack_id}/organisations")
    return pack_id


@pytest.fixture
def operator(app, client, make_user):
    user = make_user(operator=True)
    login(client, user)
    return user


# ---- the check ---------------------------------------------------------------------------------


def test_a_pack_made_of_the_shipped_files_with_its_own_versions_passes(app):
    with app.test_request_context():
        result = packs.check(pack_zip())
    assert result.problems == []
    assert result.ok
    assert result.manifest.id == "parish-light"
    assert {q.version for q in result.qset} == {"2.1.0+parish-light"}


def test_a_pack_zipped_from_its_folder_reads_the_same(app):
    with app.test_request_context():
        result = packs.check(pack_zip(folder="parish-light/"))
    assert result.ok, result.problems


def test_a_questionnaire_version_the_instance_does_not_ship_needs_a_label_of_its_own(app):
    def plain_version(files):
        files["adoption.yaml"]["version"] = "2.2.0"

    with app.test_request_context():
        result = packs.check(pack_zip(plain_version))
    assert [str(p) for p in result.problems] == [
        "adoption.yaml: version: version 2.2.0 is not one the instance ships: a pack's own "
        'versions carry a label after a +, such as "2.2.0+parish-light", so that a later '
        "release of assess cannot ship other questions under it"
    ]


def test_the_instances_own_version_number_with_other_content_is_refused(app):
    def same_number(files):
        files["adoption.yaml"]["version"] = "2.1.0"
        files["adoption.yaml"]["sections"][0]["questions"][0]["text"] = {"en": NEW_TEXT}

    with app.test_request_context():
        result = packs.check(pack_zip(same_number))
    messages = [str(p) for p in result.problems]
    assert any(
        m.startswith("adoption.yaml: version: version 2.1.0 of adoption is the instance's own")
        for m in messages
    ), messages


def test_the_instances_own_file_unchanged_may_travel_in_a_pack(app):
    with app.test_request_context():
        result = packs.check(pack_zip(unlabelled=("definition.yaml",)))
    assert result.ok, result.problems
    assert result.qset.definition.version == "2.1.0"


def test_every_problem_names_the_file_and_the_question(app):
    def broken(files):
        question = files["adoption.yaml"]["sections"][0]["questions"][0]
        question["show_if"] = {"question": "no-such-question", "any_of": [3]}
        files["definition.yaml"]["sections"][0]["questions"][0]["typo_key"] = True

    with app.test_request_context():
        result = packs.check(pack_zip(broken))
    messages = [str(p) for p in result.problems]
    first = FIRST_ADOPTION["id"]
    assert any(m.startswith("adoption.yaml:") and f"({first})" in m for m in messages), messages
    assert any(
        m.startswith("definition.yaml:") and "unknown key `typo_key`" in m for m in messages
    ), messages
    assert not result.ok


def test_valid_yaml_whose_references_are_not_is_refused_with_the_reference_named(app):
    def bad_target(files):
        files["adoption.yaml"]["sections"][0]["targets"]["no-such-model"] = 3

    with app.test_request_context():
        result = packs.check(pack_zip(bad_target))
    assert any(
        "the target points at nothing" in str(p) and "no-such-model" in str(p)
        for p in result.problems
    ), result.problems


def test_a_pack_whose_adoption_areas_do_not_fit_the_instances_survey_needs_its_own(app):
    def rename_area(files):
        files["adoption.yaml"]["sections"][0]["id"] = "renamed-area"

    with app.test_request_context():
        without = packs.check(pack_zip(rename_area))
        with_own = packs.check(pack_zip(_rename_area_and_survey, perception=True))
    assert any("add a perception.yaml" in str(p) for p in without.problems), without.problems
    assert with_own.ok, with_own.problems
    assert with_own.qset.perception is not None


def _rename_area_and_survey(files):
    old = files["adoption.yaml"]["sections"][0]["id"]
    files["adoption.yaml"]["sections"][0]["id"] = "renamed-area"
    for question in files["perception.yaml"]["sections"][0]["questions"]:
        if question.get("area") == old:
            question["area"] = "renamed-area"


def test_a_missing_manifest_and_a_missing_kind_are_each_reported(app):
    from pack_helpers import questionnaire_files, zip_bytes

    files = questionnaire_files()
    files.pop("model-fit.yaml")
    with app.test_request_context():
        result = packs.check(zip_bytes(files), "pack.zip")
    messages = [str(p) for p in result.problems]
    assert "pack.yaml: is missing: it names the pack (id, version and title)" in messages
    files["pack.yaml"] = "id: p\nversion: '1'\ntitle: {en: P}\n"
    with app.test_request_context():
        result = packs.check(zip_bytes(files), "pack.zip")
    assert [str(p) for p in result.problems] == [
        "pack.zip: there is no questionnaire of kind model-fit"
    ]


def test_a_bad_manifest_is_explained_in_plain_words(app):
    from pack_helpers import questionnaire_files, zip_bytes

    members = {**questionnaire_files(), "pack.yaml": "id: Parish Light\nversion: '1'\n"}
    with app.test_request_context():
        result = packs.check(zip_bytes(members))
    messages = [str(p) for p in result.problems]
    assert "pack.yaml: missing key `title`" in messages
    assert any(m.startswith("pack.yaml: id: `Parish Light` is not a valid id") for m in messages)


def test_the_pack_page_says_how_much_is_translated(app, client, operator):
    from pack_helpers import english_only

    def welsh(files):
        english_only(files)
        question = files["adoption.yaml"]["sections"][0]["questions"][0]
        question["text"]["cy"] = "Sut mae uwch arweinwyr yn dangos hyn?"
        files["adoption.yaml"]["title"]["cy"] = "Mabwysiadu"

    response = _upload(client, pack_zip(welsh))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    with app.test_request_context():
        qset = packs.check(pack_zip(welsh)).qset
        (done, total) = packs.translations(qset)["cy"]
    assert done == 2 and total > 100
    assert f"cy: 2 of {total} texts translated; the rest show in English" in page
    plain = client.get(_upload(client, pack_zip(english_only, version="2.0.0")).headers["Location"])
    assert "English only" in plain.get_data(as_text=True)


# ---- the diff ----------------------------------------------------------------------------------


def _drop_and_map(files):
    """Rename the first adoption question (its answers carried by a mapping), drop the second
    without a mapping, add one, change an option's wording and a level's description."""
    section = files["adoption.yaml"]["sections"][0]
    first, second = section["questions"][0], section["questions"][1]
    old_id = first["id"]
    first["id"] = "renamed-question"
    section["recommendations"] = [
        r for r in section.get("recommendations", []) if r["question"] != second["id"]
    ]
    for recommendation in section["recommendations"]:
        if recommendation["question"] == old_id:
            recommendation["question"] = "renamed-question"
    section["questions"].remove(second)
    files["adoption.yaml"]["carry_over"] = [{"from": [old_id], "to": ["renamed-question"]}]
    third = section["questions"][1] if len(section["questions"]) > 1 else None
    if third is not None and third["type"] == "level":
        third["levels"][2] = {"en": "A new description of level two."}


def test_the_diff_names_added_removed_and_changed_questions_with_what_carries_over(app):
    with app.test_request_context():
        result = packs.check(pack_zip(_drop_and_map))
        assert result.ok, result.problems
        changes = pack_diff.diff(result.qset, "parish-light")
    assert changes.against is None  # against the instance's own questionnaires
    adoption = next(q for q in changes.questionnaires if q.kind == "adoption")
    shipped = current_questionnaires(app).adoption
    section = shipped.sections[0]
    first, second = section.questions[0], section.questions[1]
    assert adoption.old_version == "2.1.0" and adoption.new_version == "2.1.0+parish-light"
    assert [qid for qid, _t in adoption.added] == ["renamed-question"]
    removed = {r.question_id: r for r in adoption.removed}
    assert removed[first.id].carried_to == ["renamed-question"]
    assert removed[first.id].not_carried is None
    assert removed[second.id].carried_to == []
    assert "no mapping carries its answers" in removed[second.id].not_carried
    total = sum(1 for _ in shipped.questions())
    assert adoption.total == total and adoption.carried == total - 1
    definition = next(q for q in changes.questionnaires if q.kind == "definition")
    assert definition.unchanged and definition.carried == definition.total


def test_the_diff_lists_changed_options_and_levels(app):
    def reword(files):
        for question in files["definition.yaml"]["sections"][0]["questions"]:
            if question["type"] == "single":
                question["options"][0]["label"] = {"en": "New wording"}
                question["options"].append({"id": "added-option", "label": {"en": "Another"}})
                break
        files["adoption.yaml"]["sections"][0]["questions"][0]["levels"][4] = {"en": "New four."}

    with app.test_request_context():
        result = packs.check(pack_zip(reword))
        assert result.ok, result.problems
        changes = pack_diff.diff(result.qset, "parish-light")
    definition = next(q for q in changes.questionnaires if q.kind == "definition")
    (changed,) = definition.changed
    assert [str(c) for c in changed.changes][:2] == [
        "Option added-option was added.",
        f"Option {_first_single_option(app)} has new wording.",
    ]
    assert "its options changed" in changed.not_carried
    adoption = next(q for q in changes.questionnaires if q.kind == "adoption")
    assert [str(c) for c in adoption.changed[0].changes] == ["Level 4 has a new description."]
    assert adoption.changed[0].not_carried is None


def _first_single_option(app) -> str:
    definition = current_questionnaires(app).definition
    for question in definition.sections[0].questions:
        if question.type == "single":
            return question.options[0].id
    raise AssertionError


# ---- the operator's pages ----------------------------------------------------------------------


def test_upload_shows_the_check_and_the_diff_then_installs_and_chooses_organisations(
    app, client, operator, make_org
):
    council = make_org(name="Little Snoring Parish Council")
    other = make_org(name="Great Snoring Town Council")
    response = _upload(client, pack_zip(rename_first_adoption_question(NEW_TEXT)))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "No problems" in page
    assert "1 question changed" in page
    assert "The question&#39;s text changed." in page
    assert "Compared with the site\u2019s own questionnaires" in page
    pack_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        assert packs.get(pack_id).status == "staged"
        assert packs.questionnaires_for(council.id).pack_id is None  # staged: nobody uses it
    response = post(client, f"/operator/packs/{pack_id}/install")
    assert response.status_code == 302
    choose = client.get(f"/operator/packs/{pack_id}/organisations").get_data(as_text=True)
    assert "Little Snoring Parish Council" in choose and "Now: the site\u2019s own" in choose
    response = post(
        client, f"/operator/packs/{pack_id}/organisations", {"organisation": [str(council.id)]}
    )
    assert response.status_code == 302
    with app.app_context():
        assert packs.questionnaires_for(council.id).pack_id == pack_id
        assert packs.questionnaires_for(other.id).pack_id is None
        actions = [e.action for e in db.session().scalars(select(AuditEvent))]
        assert audit.PACK_UPLOADED in actions and audit.PACK_INSTALLED in actions
        chosen = (
            db.session()
            .scalars(select(AuditEvent).where(AuditEvent.action == audit.PACK_CHOSEN))
            .one()
        )
        assert chosen.organisation_id == council.id
        assert chosen.new_value == {"pack": "parish-light", "version": "1.0.0"}
    # Unticking sends the organisation back to the site's own questionnaires.
    post(client, f"/operator/packs/{pack_id}/organisations", {})
    with app.app_context():
        assert db.session().get(OrganisationPack, council.id) is None


def test_a_pack_with_problems_is_refused_with_every_problem_and_nothing_is_kept(
    app, client, operator
):
    def broken(files):
        files["adoption.yaml"]["sections"][0]["questions"][0]["typo_key"] = 1
        files["definition.yaml"]["sections"][0]["questions"][0]["text"] = "plain"

    response = _upload(client, pack_zip(broken))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The pack has 2 problems, so nothing was kept" in page
    assert "unknown key `typo_key`" in page
    assert "should be text keyed by locale" in page
    with app.app_context():
        assert db.session().scalars(select(QuestionnairePack)).all() == []


def test_an_empty_upload_and_a_non_zip_say_so(client, operator):
    response = client.post(
        "/operator/packs",
        data={"csrf_token": csrf_token(client)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Choose the pack&#39;s zip file." in response.get_data(as_text=True)
    response = _upload(client, b"this is not a zip", "notes.txt")
    assert response.status_code == 400
    assert "the file is not a zip archive, or it is damaged" in response.get_data(as_text=True)


def test_a_file_far_over_the_limit_is_refused_on_the_page(make_app):
    app = make_app(PACK_MAX_BYTES=1024)
    with app.test_request_context():
        accounts.create_operator("Op", "op@example.org", PASSWORD)
    client = app.test_client()
    post(client, "/login", {"email": "op@example.org", "password": PASSWORD})
    response = _upload(client, b"x" * (200 * 1024))
    assert response.status_code == 413
    assert "larger than" in response.get_data(as_text=True)


def test_the_pages_are_for_operators_only(app, client, make_user, make_org):
    member = make_user()
    make_org(members={member: "admin"})
    login(client, member)
    assert client.get("/operator/packs").status_code == 403
    assert _upload(client, pack_zip()).status_code == 403


def test_the_same_version_installs_once(app, client, operator):
    data = pack_zip()
    _install_through_pages(client, data)
    response = _upload(client, data)
    assert response.status_code == 400
    assert "version 1.0.0 of the pack parish-light is already installed" in response.get_data(
        as_text=True
    )


def test_a_staged_upload_can_be_discarded_and_an_installed_pack_cannot(app, client, operator):
    response = _upload(client, pack_zip())
    pack_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert post(client, f"/operator/packs/{pack_id}/discard").status_code == 302
    with app.app_context():
        assert packs.get(pack_id) is None
    pack_id = _install_through_pages(client, pack_zip())
    post(client, f"/operator/packs/{pack_id}/discard")
    with app.app_context():
        assert packs.get(pack_id).status == "installed"


def test_the_next_version_is_compared_with_the_installed_one_and_offered_to_its_users(
    app, client, operator, make_org
):
    council = make_org(name="Parish")
    first = _install_through_pages(client, pack_zip())
    post(client, f"/operator/packs/{first}/organisations", {"organisation": [str(council.id)]})

    def second_version(files):
        files["adoption.yaml"]["version"] = "2.1.1+parish-light"
        files["adoption.yaml"]["sections"][0]["questions"][0]["text"] = {"en": NEW_TEXT}

    response = _upload(client, pack_zip(second_version, version="1.1.0"))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Compared with the installed version Parish light 1.0.0." in page
    assert "version 2.1.0+parish-light to 2.1.1+parish-light" in page
    second = int(response.headers["Location"].rsplit("/", 1)[1])
    post(client, f"/operator/packs/{second}/install")
    choose = client.get(f"/operator/packs/{second}/organisations").get_data(as_text=True)
    # The organisation on the earlier version is ticked, so saving moves it on.
    assert re.search(rf'id="organisation-{council.id}"[^>]*checked', choose)
    assert "Now: Parish light 1.0.0" in choose
    post(client, f"/operator/packs/{second}/organisations", {"organisation": [str(council.id)]})
    with app.app_context():
        assert packs.questionnaires_for(council.id).pack_id == second
    # Each installed version is compared with the one installed before it.
    assert "Compared with the installed version Parish light 1.0.0." in client.get(
        f"/operator/packs/{second}"
    ).get_data(as_text=True)
    assert "Compared with the site\u2019s own questionnaires" in client.get(
        f"/operator/packs/{first}"
    ).get_data(as_text=True)


# ---- assessments keep what they were answered on -------------------------------------------


def test_installing_a_pack_never_changes_an_assessment_already_started(
    app, client, operator, make_user, make_org
):
    admin = make_user()
    council = make_org(members={admin: "admin"})
    old_id = answered_draft(app, council, admin)
    pack_id = _install_through_pages(client, pack_zip(rename_first_adoption_question(NEW_TEXT)))
    post(client, f"/operator/packs/{pack_id}/organisations", {"organisation": [str(council.id)]})

    member = app.test_client()
    login(member, admin)
    start_page = member.get(f"/organisations/{council.id}/assessments").get_data(as_text=True)
    assert "New assessments use the questionnaire pack “Parish light 1.0.0”" in start_page
    new_id = start(member, council.id, "Parish assessment")
    section = FIRST_ADOPTION
    with app.app_context():
        old = db.session().get(Assessment, old_id)
        new = db.session().get(Assessment, new_id)
        assert old.questionnaire_pack_id is None
        assert new.questionnaire_pack_id == pack_id
        assert assessments.questionnaires_of(new).adoption.version == "2.1.0+parish-light"
        first_section = assessments.questionnaires_of(new).adoption.sections[0].id
        started = (
            db.session()
            .scalars(
                select(AuditEvent).where(
                    AuditEvent.action == audit.ASSESSMENT_STARTED,
                    AuditEvent.object_id == str(new_id),
                )
            )
            .one()
        )
        assert started.new_value["questionnaire_pack"] == pack_id
    old_page = member.get(section_url(old_id, "adoption", first_section)).get_data(as_text=True)
    new_page = member.get(section_url(new_id, "adoption", first_section)).get_data(as_text=True)
    old_text = section["text"]["en"]
    assert old_text in old_page and NEW_TEXT not in old_page
    assert NEW_TEXT.replace("'", "&#39;") in new_page


@pytest.mark.slow
def test_an_old_assessments_report_still_shows_the_old_text_after_a_pack_renames_it(
    app, client, operator, make_user, make_org
):
    admin = make_user()
    council = make_org(members={admin: "admin"})
    old_id = answered_draft(app, council, admin)
    pack_id = _install_through_pages(client, pack_zip(rename_first_adoption_question(NEW_TEXT)))
    post(client, f"/operator/packs/{pack_id}/organisations", {"organisation": [str(council.id)]})
    stored = finalise(app, old_id, admin)
    text = " ".join(" ".join(page_texts(stored.pdf)).split())
    assert " ".join(FIRST_ADOPTION["text"]["en"].split()) in text
    assert NEW_TEXT not in text
    member = app.test_client()
    login(member, admin)
    results = member.get(f"/assessments/{old_id}/results")
    assert results.status_code == 200
    assert NEW_TEXT not in results.get_data(as_text=True)


# ---- the command line -------------------------------------------------------------------------


def test_the_command_prints_problems_and_installs_nothing(app, runner, tmp_path):
    def broken(files):
        files["definition.yaml"]["version"] = "9.9.9"

    path = tmp_path / "pack.zip"
    path.write_bytes(pack_zip(broken))
    result = runner.invoke(args=["questionnaires", "install", str(path), "--yes"])
    assert result.exit_code == 1
    assert result.stdout.startswith("definition.yaml: version: version 9.9.9 is not one")
    with app.app_context():
        assert db.session().scalars(select(QuestionnairePack)).all() == []


def test_the_command_shows_the_diff_installs_and_assigns(app, runner, tmp_path, make_org):
    council = make_org()
    path = tmp_path / "parish.zip"
    path.write_bytes(pack_zip(rename_first_adoption_question(NEW_TEXT)))
    result = runner.invoke(
        args=["questionnaires", "install", str(path), "--organisation", str(council.id)],
        input="y\n",
    )
    assert result.exit_code == 0, result.output
    assert "Compared with the instance's own questionnaires." in result.stdout
    assert f"~ {FIRST_ADOPTION['id']}: The question's text changed." in result.stdout
    assert "Installed parish-light 1.0.0; 1 organisation(s)" in result.stdout
    with app.app_context():
        assert packs.questionnaires_for(council.id).adoption.version == "2.1.0+parish-light"


def test_the_command_asks_before_installing(app, runner, tmp_path):
    path = tmp_path / "parish.zip"
    path.write_bytes(pack_zip())
    result = runner.invoke(args=["questionnaires", "install", str(path)], input="n\n")
    assert result.exit_code == 1
    assert "Nothing was installed." in result.stdout
    with app.app_context():
        assert db.session().scalars(select(QuestionnairePack)).all() == []


def test_the_command_refuses_an_unknown_organisation_before_installing(app, runner, tmp_path):
    path = tmp_path / "parish.zip"
    path.write_bytes(pack_zip())
    result = runner.invoke(
        args=["questionnaires", "install", str(path), "--organisation", "999", "--yes"]
    )
    assert result.exit_code == 1
    with app.app_context():
        assert db.session().scalars(select(QuestionnairePack)).all() == []
