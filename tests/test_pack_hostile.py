"""Hostile questionnaire packs: every one is refused with a plain sentence naming the file at
fault, nothing is kept, and nothing is ever written outside the check's own folder."""

from __future__ import annotations

import io
import stat
import zipfile

import pytest
from pack_helpers import english_only, manifest, pack_zip, questionnaire_files, zip_bytes
from sqlalchemy import select

from assess import db, pack_archive
from assess.models import QuestionnairePack, QuestionnaireVersion
from assess.services import packs

SMALL = pack_archive.Limits(
    archive_bytes=64 * 1024, members=5, member_bytes=32 * 1024, total_bytes=48 * 1024, ratio=20
)


def _messages(app, data: bytes) -> list[str]:
    with app.test_request_context():
        result = packs.check(data, "hostile.zip")
        assert not result.ok
        assert db.session().scalars(select(QuestionnairePack)).all() == []
        return [str(p) for p in result.problems]


def _pack_members(**replace: str | bytes) -> dict[str, str | bytes]:
    members: dict[str, str | bytes] = {"pack.yaml": manifest(), **questionnaire_files()}
    members.update(replace)
    return members


# ---- the archive ------------------------------------------------------------------------------


def test_a_zip_bomb_is_stopped_by_what_it_holds_not_what_it_claims():
    bomb = zip_bytes({"adoption.yaml": b"a" * (5 * 1024 * 1024)})
    assert len(bomb) < 10 * 1024  # kilobytes that unpack to five megabytes
    with pytest.raises(pack_archive.ArchiveError) as refused:
        pack_archive.read(bomb)
    assert str(refused.value) == (
        "adoption.yaml unpacks to more than 100 times its packed size: it looks like a zip bomb"
    )
    many = zip_bytes({f"q{i}.yaml": b"a" * (3 * 1024 * 1024) for i in range(4)})
    with pytest.raises(pack_archive.ArchiveError, match="the zip unpacks to more than 8 MB"):
        pack_archive.read(many)


def test_a_member_that_lies_about_its_size_is_still_stopped():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("adoption.yaml", b"a" * (200 * 1024))
    data = bytearray(buffer.getvalue())
    # Rewrite the declared sizes (local header and central directory) to 10 bytes.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        data[at + offset : at + offset + 4] = (10).to_bytes(4, "little")
    with pytest.raises(pack_archive.ArchiveError) as refused:
        pack_archive.read(bytes(data), SMALL)
    assert "adoption.yaml" in str(refused.value)


def test_a_high_ratio_member_is_called_a_zip_bomb():
    data = zip_bytes({"adoption.yaml": b"a" * (100 * 1024)})
    limits = pack_archive.Limits(member_bytes=10 * 1024 * 1024, ratio=20)
    with pytest.raises(pack_archive.ArchiveError, match="zip bomb"):
        pack_archive.read(data, limits)


def test_a_huge_file_and_a_huge_archive_are_refused():
    big = zip_bytes({"adoption.yaml": bytes(range(256)) * 160}, compression=zipfile.ZIP_STORED)
    with pytest.raises(pack_archive.ArchiveError, match="larger than 32 KB once unpacked"):
        pack_archive.read(big, SMALL)
    with pytest.raises(pack_archive.ArchiveError, match="the zip is larger than 64 KB"):
        pack_archive.read(b"PK" + b"\0" * (70 * 1024), SMALL)


def test_too_many_members_and_too_much_in_total_are_refused():
    many = zip_bytes({f"f{i}.yaml": "a: 1" for i in range(6)})
    with pytest.raises(pack_archive.ArchiveError, match="holds 6 files; a pack has at most 5"):
        pack_archive.read(many, SMALL)
    total = zip_bytes(
        {f"f{i}.yaml": bytes(range(256)) * 80 for i in range(3)}, compression=zipfile.ZIP_STORED
    )
    with pytest.raises(pack_archive.ArchiveError, match="unpacks to more than 48 KB"):
        pack_archive.read(total, SMALL)


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("../adoption.yaml", "climbs out of its folder"),
        ("pack/../../etc/adoption.yaml", "climbs out of its folder"),
        ("/etc/adoption.yaml", "an absolute path"),
        ("C:/adoption.yaml", "an absolute path"),
        ("pack\\adoption.yaml", "a backslash"),
    ],
)
def test_paths_that_would_escape_are_refused(app, name, says):
    messages = _messages(app, zip_bytes({name: "id: x"}))
    assert len(messages) == 1 and says in messages[0], messages


def test_a_symbolic_link_is_refused(app):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("adoption.yaml")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    messages = _messages(app, buffer.getvalue())
    assert messages == [
        "hostile.zip: adoption.yaml is a symbolic link: a pack holds only plain files"
    ]


def test_the_same_name_twice_is_refused(app):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("adoption.yaml", "id: a")
        with pytest.warns(UserWarning, match="Duplicate name"):
            archive.writestr("adoption.yaml", "id: b")
    assert _messages(app, buffer.getvalue()) == ["hostile.zip: the zip holds adoption.yaml twice"]


def test_an_encrypted_member_is_refused(app):
    data = bytearray(zip_bytes({"adoption.yaml": "id: a"}))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        data[at + offset] |= 0x1
    messages = _messages(app, bytes(data))
    assert messages == [
        "hostile.zip: adoption.yaml is encrypted: packs are not protected with a password"
    ]


@pytest.mark.parametrize("data", [b"", b"not a zip at all", b"PK\x03\x04" + b"\xff" * 100])
def test_something_that_is_not_a_zip_is_refused(app, data):
    messages = _messages(app, data)
    assert len(messages) == 1
    assert "empty" in messages[0] or "not a zip archive" in messages[0]


def test_a_zip_hidden_behind_something_else_is_refused(app):
    polyglot = b"GIF89a" + b"\0" * 64 + pack_zip()
    assert _messages(app, polyglot) == [
        "hostile.zip: the file is not a zip archive, or it is damaged"
    ]


def test_a_damaged_member_is_refused(app):
    data = bytearray(zip_bytes({"adoption.yaml": "id: adoption\n" * 200}))
    start = data.find(b"PK\x03\x04") + 30 + len("adoption.yaml")
    data[start + 5 : start + 25] = b"\x00" * 20
    messages = _messages(app, bytes(data))
    assert messages == ["hostile.zip: adoption.yaml in the zip is damaged"]


# ---- the files --------------------------------------------------------------------------------


def test_files_that_are_not_part_of_a_pack_are_named(app):
    messages = _messages(
        app, zip_bytes(_pack_members(**{"run.sh": "rm -rf /", "sub/adoption.yaml": "id: x"}))
    )
    assert any(m.startswith("run.sh: is not part of a pack") for m in messages), messages
    assert any(m.startswith("sub/adoption.yaml: is in a folder of its own") for m in messages)


def test_what_zip_programs_add_is_skipped(app):
    data = zip_bytes(
        {**_pack_members(), "__MACOSX/._adoption.yaml": b"\0\5\26\7", ".DS_Store": b"\0\0\0\1"}
    )
    with app.test_request_context():
        assert packs.check(data).ok


@pytest.mark.parametrize(
    ("encoding", "prefix"), [("utf-16", b""), ("latin-1", b""), ("cp1252", b"")]
)
def test_a_file_in_another_encoding_is_named(app, encoding, prefix):
    # English only: Welsh letters such as ŵ have no Latin-1 form.
    text = questionnaire_files(english_only)["definition.yaml"].replace("Does", "Dées")
    members = _pack_members(**{"definition.yaml": prefix + text.encode(encoding)})
    messages = _messages(app, zip_bytes(members))
    assert any(m.startswith("definition.yaml: the file is not UTF-8 text") for m in messages), (
        messages
    )


def test_a_utf8_file_with_a_byte_order_mark_is_read(app):
    members = _pack_members()
    members["definition.yaml"] = b"\xef\xbb\xbf" + str(members["definition.yaml"]).encode()
    with app.test_request_context():
        result = packs.check(zip_bytes(members))
    assert result.ok, result.problems


def test_yaml_tags_that_would_construct_objects_are_refused(app, tmp_path):
    marker = tmp_path / "constructed"
    evil = (
        f"id: !!python/object/apply:os.system ['touch {marker}']\n"
        "version: '1'\nkind: definition\ntitle: {en: x}\nsections: []\n"
    )
    messages = _messages(app, zip_bytes(_pack_members(**{"definition.yaml": evil})))
    assert not marker.exists()
    assert any(
        m.startswith("definition.yaml: line 1, column 5: YAML syntax error") for m in messages
    ), messages


def test_yaml_aliases_are_refused_before_they_expand(app):
    laughs = "a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']\n"
    for n in range(ord("b"), ord("j")):
        prev = chr(n - 1)
        laughs += f"{chr(n)}: &{chr(n)} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
    messages = _messages(app, zip_bytes(_pack_members(**{"definition.yaml": laughs})))
    assert messages == [
        "definition.yaml: uses YAML aliases (*name): write each value out in full; a pack may "
        "not use them"
    ]


def test_duplicate_ids_are_refused_naming_the_question(app):
    def twice(files):
        questions = files["adoption.yaml"]["sections"][0]["questions"]
        questions[1]["id"] = questions[0]["id"]

    messages = _messages(app, pack_zip(twice))
    assert any("adoption.yaml" in m and "twice" in m for m in messages), messages


def test_a_key_written_twice_is_refused(app):
    text = str(questionnaire_files()["definition.yaml"]).replace(
        "kind: definition", "kind: definition\nkind: adoption", 1
    )
    messages = _messages(app, zip_bytes(_pack_members(**{"definition.yaml": text})))
    assert any("key `kind` is written twice" in m for m in messages), messages


def test_two_files_of_one_kind_and_two_files_with_one_id_are_refused(app):
    files = questionnaire_files()
    messages = _messages(app, zip_bytes(_pack_members(**{"copy.yaml": files["adoption.yaml"]})))
    assert any("are all of kind adoption" in m or "is also the id of" in m for m in messages)


def test_valid_yaml_whose_show_if_points_at_nothing_is_refused(app):
    def dangling(files):
        files["definition.yaml"]["sections"][0]["questions"][1]["show_if"] = {
            "question": "no-such-question",
            "any_of": ["x"],
        }

    messages = _messages(app, pack_zip(dangling))
    assert any("definition.yaml" in m and "no-such-question" in m for m in messages), messages


def test_a_questionnaire_stored_with_other_content_under_the_same_version_is_refused(app):
    with app.test_request_context():
        first = packs.check(pack_zip())
        assert first.ok
        row, _result = packs.stage(pack_zip(), "p.zip", None)
        packs.install(row, None)

    def reworded(files):
        files["adoption.yaml"]["sections"][0]["questions"][0]["text"] = {"en": "Other words"}

    with app.test_request_context():
        result = packs.check(pack_zip(reworded, pack_id="parish-light", version="1.1.0"))
    messages = [str(p) for p in result.problems]
    assert any(
        "changed but its version is still 2.1.0+parish-light: bump `version`" in m for m in messages
    ), messages
    with app.app_context():
        versions = (
            db.session()
            .scalars(
                select(QuestionnaireVersion).where(
                    QuestionnaireVersion.questionnaire_id == "adoption"
                )
            )
            .all()
        )
        assert [v.version for v in versions] == ["2.1.0+parish-light"]


def test_nothing_is_written_outside_the_checks_folder(app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    members = _pack_members(**{"../escaped.yaml": "id: x"})
    _messages(app, zip_bytes(members))
    assert list(tmp_path.iterdir()) == []
    assert not (tmp_path.parent / "escaped.yaml").exists()
