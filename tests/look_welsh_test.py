import subprocess
from assess.services import assessments, organisations, reports


def test_look(make_app, runner_factory=None):
    app = make_app(BABEL_TRANSLATION_DIRECTORIES="/tmp/cy-trans")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "--quick"]).exit_code == 0
    with app.test_request_context():
        (org,) = [o for o in organisations.all_organisations() if "Demo" in o.name]
        a = assessments.for_organisation(org.id)[0]
        pdf = reports.render(a, locale="cy").pdf
    open("/tmp/look/cy.pdf", "wb").write(pdf)
