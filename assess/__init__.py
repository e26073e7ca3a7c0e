"""assess: how mature is a public body's stakeholder management, and what should it do next."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask_wtf import CSRFProtect

from assess import (
    access,
    cli,
    config,
    context,
    db,
    errors,
    i18n,
    limits,
    mail,
    passwords,
    security,
    sessions,
    templating,
    uploads,
)
from assess.paths import STATIC_DIR
from assess.services import questionnaires
from assess.views.forms import kept as kept_forms

csrf = CSRFProtect()


def create_app(
    test_config: Mapping[str, Any] | None = None, *, strict_questionnaires: bool = True
) -> Flask:
    """Build the application: configuration, extensions and blueprints; nothing else.

    The questionnaires are loaded and checked once, here. A broken questionnaire, or one changed
    without a new ``version``, raises :class:`~assess.questionnaire.problems.QuestionnaireError`;
    the ``assess`` command passes ``strict_questionnaires=False`` so that it logs the problem and
    still runs (``assess questionnaires validate`` then says what is wrong).
    """
    # The instance folder holds the SQLite file and the generated secret key. It can be moved with
    # ASSESS_INSTANCE_PATH (or INSTANCE_PATH in test_config); Flask's default is ./instance in a
    # checkout and <prefix>/var/assess-instance for an installed package.
    instance_path = (test_config or {}).get("INSTANCE_PATH")
    instance_path = instance_path or os.environ.get("ASSESS_INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_path=str(instance_path) if instance_path else None,
        instance_relative_config=True,
        static_folder=str(STATIC_DIR),
    )
    config.load(app, test_config)
    app.request_class = uploads.Request
    db.init_app(app)
    i18n.init_app(app)
    csrf.init_app(app)
    passwords.init_app(app)
    mail.init_app(app)
    sessions.init_app(app)
    access.init_app(app)
    context.init_app(app)
    templating.init_app(app)
    cli.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    kept_forms.init_app(app)
    questionnaires.init_app(app, strict=strict_questionnaires)

    from assess.api import views as api_views
    from assess.views import (
        action_plan,
        answer_marks,
        api_tokens,
        assessments,
        audit,
        auth,
        benchmark,
        consensus,
        consensus_register,
        consultancy,
        csv_data,
        data_export,
        finalising,
        health,
        home,
        language,
        next_assessment,
        operator,
        organisations,
        packs,
        preparing,
        privacy,
        progress_review,
        register,
        reports,
        results,
        start,
        surveys,
        targets,
        trends,
        workshop_register,
        workshop_room,
        workshops,
    )

    app.register_blueprint(health.bp)
    app.register_blueprint(home.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(organisations.bp)
    app.register_blueprint(operator.bp)
    app.register_blueprint(packs.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(assessments.bp)
    app.register_blueprint(results.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(privacy.bp)
    app.register_blueprint(language.bp)
    app.register_blueprint(finalising.bp)
    app.register_blueprint(targets.bp)
    app.register_blueprint(workshops.bp)
    app.register_blueprint(workshop_room.bp)
    app.register_blueprint(workshop_register.bp)
    app.register_blueprint(consensus.bp)
    app.register_blueprint(consensus_register.bp)
    app.register_blueprint(consultancy.bp)
    app.register_blueprint(start.bp)
    app.register_blueprint(answer_marks.bp)
    app.register_blueprint(surveys.bp)
    app.register_blueprint(register.bp)
    app.register_blueprint(action_plan.bp)
    app.register_blueprint(next_assessment.bp)
    app.register_blueprint(trends.bp)
    app.register_blueprint(progress_review.bp)
    app.register_blueprint(preparing.bp)
    app.register_blueprint(csv_data.bp)
    app.register_blueprint(data_export.bp)
    app.register_blueprint(api_tokens.bp)
    api_views.init_app(app)
    app.register_blueprint(benchmark.bp)
    # After the blueprints: the limiter wraps the views they registered.
    limits.init_app(app)
    return app
