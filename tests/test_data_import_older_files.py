"""A format-1 file written before a later column was added still imports: the column gets the value
a file of that time implies (docs/formats/assess-export.md, "Columns added later")."""

from __future__ import annotations

import copy

from export_helpers import export, import_file, signed
from sqlalchemy import select

from assess import db
from assess.data_format.serializer import LATER_COLUMNS
from assess.models import Organisation, User


def test_a_file_without_the_later_columns_imports_with_their_defaults(
    app, runner, make_app, tmp_path
):
    assert runner.invoke(args=["demo", "--quick"]).exit_code == 0
    document = copy.deepcopy(export(app, tmp_path / "all.json", "--all"))
    for kind, columns in LATER_COLUMNS.items():
        for record in document["records"][kind]:
            for column in columns:
                del record[column]
    older = tmp_path / "older.json"
    older.write_bytes(signed(document))
    target = make_app()
    result = import_file(target, older)
    assert result.exit_code == 0, result.output
    with target.app_context():
        session = db.session()
        assert session.scalars(select(User.language)).all()
        assert set(session.scalars(select(User.language))) == {None}
        assert set(session.scalars(select(Organisation.benchmark_opt_out))) == {False}
