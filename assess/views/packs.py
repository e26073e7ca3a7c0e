"""The operator's questionnaire packs: upload, the check's report and the diff, install, and the
organisations that use each pack."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.exceptions import RequestEntityTooLarge

from assess import access, uploads
from assess.errors import render_error
from assess.i18n import translate
from assess.models import QuestionnairePack
from assess.services import ServiceError, pack_diff, packs

bp = Blueprint("packs", __name__, url_prefix="/operator/packs")


class UploadForm(FlaskForm):
    """The pack's zip (the view checks it; the form carries the CSRF token)."""

    pack = FileField()


class ConfirmForm(FlaskForm):
    """A confirmation with nothing to fill in."""


def load_pack(pack_id: int, **_: object) -> access.Loaded | None:
    """Any pack version: packs belong to the instance, not to an organisation."""
    pack = packs.get(pack_id)
    return access.Loaded(pack, None) if pack else None


def _locale() -> str:
    return str(get_locale() or "en")


def _limit_text() -> str:
    return f"{int(current_app.config['PACK_MAX_BYTES']) / (1024 * 1024):.0f} MB"


def _index(
    problems: list[packs.Problem] | None = None, error: str | None = None, status: int = 200
) -> ResponseReturnValue:
    rows = packs.all_packs()
    return render_template(
        "packs/index.html",
        packs=rows,
        users={row.id: len(packs.users_of(row)) for row in rows if row.status == "installed"},
        form=UploadForm(formdata=None),
        problems=problems or [],
        error=error,
        limit=_limit_text(),
        locale=_locale(),
        translate=translate,
    ), status


@bp.get("")
@access.requires("instance.operate")
def index() -> ResponseReturnValue:
    """The installed and staged packs, and the form to upload one."""
    return _index()


@bp.post("")
@access.requires("instance.operate")
@uploads.accepts_upload("PACK_MAX_BYTES")
def upload() -> ResponseReturnValue:
    """Check an uploaded pack: its problems on this page, or on to its diff when it has none."""
    form = UploadForm()
    if not form.validate_on_submit():
        return _index(error=gettext("The form had expired. Choose the pack again."), status=400)
    file = form.pack.data
    if file is None or not getattr(file, "filename", ""):
        return _index(error=gettext("Choose the pack's zip file."), status=400)
    limit = int(current_app.config["PACK_MAX_BYTES"])
    data = file.stream.read(limit + 1)
    staged, result = packs.stage(data, file.filename, current_user)
    if staged is None:
        return _index(problems=result.problems, status=400)
    flash(gettext("The pack has no problems. Check what it changes, then install it."), "success")
    return redirect(url_for(".show", pack_id=staged.id))


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    """A file far over the limit is refused before it is read: say so on the packs page."""
    if request.endpoint != "packs.upload":
        return render_error(error)
    return _index(
        error=gettext(
            "The file is larger than %(most)s, so it cannot be a questionnaire pack.",
            most=_limit_text(),
        ),
        status=413,
    )


@bp.get("/<int:pack_id>")
@access.requires("instance.operate", load=load_pack)
def show(pack: QuestionnairePack, pack_id: int) -> ResponseReturnValue:
    """A pack version: its check, what it changes against the installed version, and install."""
    result = packs.recheck(pack) if pack.status == "staged" else None
    qset = (
        result.qset
        if result is not None and result.qset is not None
        else (packs.pack_questionnaires(pack) if pack.status == "installed" else None)
    )
    changes = pack_diff.diff(qset, pack.pack_id, before=pack) if qset is not None else None
    return render_template(
        "packs/show.html",
        pack=pack,
        result=result,
        changes=changes,
        qset=qset,
        translations=packs.translations(qset) if qset is not None else {},
        users=packs.users_of(pack) if pack.status == "installed" else [],
        form=ConfirmForm(),
        locale=_locale(),
        translate=translate,
        label=packs.label,
    )


@bp.post("/<int:pack_id>/install")
@access.requires("instance.operate", load=load_pack)
def install(pack: QuestionnairePack, pack_id: int) -> ResponseReturnValue:
    """Install a staged pack, then choose the organisations that use it."""
    if not ConfirmForm().validate_on_submit():
        flash(gettext("The form had expired. Install the pack again."), "error")
        return redirect(url_for(".show", pack_id=pack.id))
    try:
        packs.install(pack, current_user)
    except packs.PackRefused:
        flash(gettext("The pack now has problems, so it was not installed."), "error")
        return redirect(url_for(".show", pack_id=pack.id))
    except ServiceError as refusal:
        flash(translate(refusal.message), "error")
        return redirect(url_for(".show", pack_id=pack.id))
    flash(
        gettext("The pack is installed. Choose the organisations whose new assessments use it."),
        "success",
    )
    return redirect(url_for(".organisations", pack_id=pack.id))


@bp.post("/<int:pack_id>/discard")
@access.requires("instance.operate", load=load_pack)
def discard(pack: QuestionnairePack, pack_id: int) -> ResponseReturnValue:
    """Forget an upload that was not installed."""
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for(".show", pack_id=pack.id))
    try:
        packs.discard(pack, current_user)
    except ServiceError as refusal:
        flash(translate(refusal.message), "error")
        return redirect(url_for(".show", pack_id=pack.id))
    flash(gettext("The upload was discarded."), "success")
    return redirect(url_for(".index"))


@bp.route("/<int:pack_id>/organisations", methods=["GET", "POST"])
@access.requires("instance.operate", load=load_pack)
def organisations(pack: QuestionnairePack, pack_id: int) -> ResponseReturnValue:
    """Tick the organisations whose new assessments use this pack version."""
    if pack.status != "installed":
        flash(gettext("Install the pack before choosing the organisations that use it."), "error")
        return redirect(url_for(".show", pack_id=pack.id))
    form = ConfirmForm()
    error = None
    if request.method == "POST":
        if not form.validate_on_submit():
            error = gettext("The form had expired. Choose the organisations again.")
        else:
            try:
                chosen = [int(v) for v in request.form.getlist("organisation")]
            except ValueError:
                error = gettext("Choose organisations from the list.")
            else:
                try:
                    added, removed = packs.set_users(pack, chosen, current_user)
                except ServiceError as refusal:
                    error = translate(refusal.message)
                else:
                    flash(
                        gettext(
                            "Saved: %(added)d organisations now use the pack for new "
                            "assessments and %(removed)d went back to the site's own "
                            "questionnaires. Assessments already started are unchanged.",
                            added=added,
                            removed=removed,
                        ),
                        "success",
                    )
                    return redirect(url_for(".show", pack_id=pack.id))
    current = packs.assignments()
    return render_template(
        "packs/organisations.html",
        pack=pack,
        form=form,
        error=error,
        organisations=packs.organisations_to_choose(),
        current=current,
        ticked={
            org_id
            for org_id, used in current.items()
            if used.id == pack.id or used.pack_id == pack.pack_id
        },
        locale=_locale(),
        label=packs.label,
    ), (400 if error else 200)
