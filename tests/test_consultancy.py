"""Consultants across clients: every client organisation on one page with its assessments, their
progress and workshop sessions; the consultancy's name and logo (PNG or JPEG only, size-limited,
re-encoded) on the reports of assessments where they facilitated, and who facilitated."""

from __future__ import annotations

import io

import pytest
from helpers import login, post
from PIL import Image, PngImagePlugin
from sqlalchemy import select
from workshop_helpers import answer_level, join, open_room, start_assessment

from assess import db
from assess.models import ConsultancyBrand, Membership
from assess.reporting import build_context, render_html
from assess.services import assessments, reports


def _png(width: int = 800, height: int = 400, text: str | None = None) -> bytes:
    image = Image.new("RGB", (width, height), (29, 79, 145))
    info = PngImagePlugin.PngInfo()
    if text:
        info.add_text("Comment", text)
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 60), (200, 10, 10)).save(out, format="JPEG")
    return out.getvalue()


def _upload(client, name: str, data: bytes, filename: str, **extra):
    return post(
        client,
        "/account/consultancy",
        {"name": name, "logo": (io.BytesIO(data), filename), "action": "save", **extra},
        content_type="multipart/form-data",
    )


def _brand(app, user_id: int) -> ConsultancyBrand | None:
    with app.app_context():
        brand = db.session().get(ConsultancyBrand, user_id)
        if brand is not None:
            db.session().expunge(brand)
        return brand


def test_a_facilitator_sees_every_client_with_assessments_progress_and_sessions(
    app, make_user, make_org, add_member
):
    room = open_room(app, make_user, make_org)
    answer_level(join(app, room.code, "Ada"), room.session_id, "lead-commitment", 3)
    with app.app_context():
        membership = db.session().scalar(
            select(Membership).where(Membership.organisation_id == room.organisation_id)
        )
        user = membership.user
        first_name = membership.organisation.name
        db.session().expunge(user)
    second = make_org(name="Second Client Council")
    third = make_org(name="Answering Only Council")
    add_member(user, second, "facilitator")
    add_member(user, third, "respondent")
    start_assessment(app, second.id, user)
    page = room.client.get("/clients")
    assert page.status_code == 200
    whole = page.get_data(as_text=True)
    assert 'href="/clients">Your clients</a>' in whole  # the header links to the page
    text = whole[whole.index("<main") :]
    assert first_name in text and "Second Client Council" in text
    assert "Answering Only Council" not in text  # a respondent there, not their client
    assert text.count("Stakeholders 2026</a>") == 2
    assert "Senior team</a>" in text and "1 participant" in text
    assert f"/workshops/{room.session_id}/room" in text
    assert f'href="/organisations/{second.id}"' in text
    assert "0 of " in text and "questions answered" in text
    # An assessment nobody has answered yet is not started, not "in progress".
    second_part = text[text.index("Second Client Council") :]
    assert 'tag--todo">Not started</strong>' in second_part[: second_part.index("</li>")]
    assert text.count('tag--progress">In progress</strong>') == 0


def test_the_clients_page_needs_signing_in_and_is_empty_for_non_facilitators(
    app, client, make_user, make_org
):
    assert client.get("/clients").headers["Location"] == "/login?next=/clients"
    admin = make_user()
    make_org(name="Own Council", members={admin: "admin"})
    login(client, admin)
    whole = client.get("/clients").get_data(as_text=True)
    text = whole[whole.index("<main") :]
    assert "You are not a facilitator in any organisation yet" in text
    assert "Own Council" not in text
    assert 'href="/clients"' not in client.get("/account").get_data(as_text=True)


def test_a_png_logo_is_re_encoded_and_shrunk_before_it_is_kept(app, client, make_user):
    user = make_user()
    login(client, user)
    response = _upload(client, "Bright Advisers", _png(text="secret metadata"), "logo.png")
    assert response.status_code == 302, response.get_data(as_text=True)
    brand = _brand(app, user.id)
    assert brand.name == "Bright Advisers"
    stored = Image.open(io.BytesIO(brand.logo_png))
    assert stored.format == "PNG" and stored.size == (480, 240)
    assert b"secret metadata" not in brand.logo_png
    served = client.get("/account/consultancy/logo.png")
    assert served.mimetype == "image/png" and served.data == brand.logo_png
    assert _upload(client, "Bright Advisers", _jpeg(), "logo.jpg").status_code == 302
    assert Image.open(io.BytesIO(_brand(app, user.id).logo_png)).format == "PNG"


def test_svg_gif_text_and_oversized_logos_are_refused_and_nothing_changes(app, client, make_user):
    user = make_user()
    login(client, user)
    assert _upload(client, "Kept Name", _png(), "logo.png").status_code == 302
    kept = _brand(app, user.id).logo_png
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, format="GIF")
    for data, filename in (
        (svg, "logo.svg"),
        (svg, "logo.png"),
        (gif.getvalue(), "logo.gif"),
        (b"not a picture", "logo.jpg"),
    ):
        refused = _upload(client, "Other Name", data, filename)
        assert refused.status_code == 400, filename
        text = refused.get_data(as_text=True)
        assert "PNG or JPEG" in text and 'href="#logo"' in text
        brand = _brand(app, user.id)
        assert (brand.name, brand.logo_png) == ("Kept Name", kept)
    app.config["CONSULTANCY_LOGO_MAX_BYTES"] = 2048
    big = _upload(client, "Other Name", _png(2000, 2000), "logo.png")
    assert big.status_code == 400 and "of up to 2 KB" in big.get_data(as_text=True)
    assert _brand(app, user.id).name == "Kept Name"
    nameless = _upload(client, " ", _jpeg(), "logo.jpg")
    assert nameless.status_code == 400
    assert "Enter the consultancy" in nameless.get_data(as_text=True)


def test_the_report_names_the_consultancy_next_to_the_client_and_who_facilitated(
    app, make_user, make_org
):
    room = open_room(app, make_user, make_org)
    assert _upload(room.client, "Bright Advisers", _png(), "logo.png").status_code == 302
    with app.test_request_context():
        assessment = assessments.get(room.assessment_id)
        html = render_html(build_context(reports.report_input(assessment)))
        client_name = assessment.organisation.name
    cover = html[html.index('id="cover"') : html.index('id="contents"')]
    # The client's name is isolated, as every name in the report is (its direction is its own).
    assert f'Prepared for <bdi dir="auto">\u2068{client_name}\u2069</bdi> with Bright Advisers' in (
        cover
    )
    assert "Workshops facilitated by Fay Facilitator" in cover
    assert '<img class="prepared-by__logo" src="data:image/png;base64,' in cover


def test_a_report_without_a_workshop_names_no_consultancy(app, make_user, make_org):
    user = make_user()
    organisation = make_org(members={user: "facilitator"})
    assessment_id = start_assessment(app, organisation.id, user)
    with app.test_request_context():
        html = render_html(build_context(reports.report_input(assessments.get(assessment_id))))
    assert "prepared-by" not in html.split('id="contents"')[0].split("</style>")[-1]


def test_only_pictures_pillow_reads_as_png_or_jpeg_are_re_encoded(app):
    from assess.services import ServiceError
    from assess.services.consultancy import reencode_logo

    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, format="GIF")
    huge = io.BytesIO()
    Image.new("1", (6000, 6000)).save(huge, format="PNG")
    broken = _png()[:60] + b"\0" * 200
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"/>'
    with app.app_context():
        for data, message in (
            (svg, "not a PNG or JPEG picture"),
            (gif.getvalue(), "Choose a PNG or JPEG file"),
            (broken, "not a PNG or JPEG picture"),
            (huge.getvalue(), "too many pixels"),
        ):
            with pytest.raises(ServiceError, match=message):
                reencode_logo(data)
        png, width, height = reencode_logo(_jpeg())
    assert Image.open(io.BytesIO(png)).format == "PNG" and (width, height) == (120, 60)
