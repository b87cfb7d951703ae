"""Importing a province from its files on a real PostgreSQL (issue 18): the sample imports, the
dry run finds every planted error with its row, a re-import changes nothing, a changed file
gives exactly its events, a crash part-way is completed by a re-run, a Windows-1258 CSV keeps
its diacritics, personal details stay out of the log, and the audit trail names the file."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest
from psycopg import sql

from bench.import_files import TODAY, members_file, tree_file
from domain.base import Actor
from domain.member import Member
from infra.application import EVENTS_TABLE
from infra.bulk_write import write_events
from services.imports import service, store
from services.imports.report import Report
from services.membership import cards

pytestmark = pytest.mark.integration

ADMIN = Actor("admin", "tenant_admin", "req-import")
SAMPLES = Path(__file__).parents[2] / "services" / "demo" / "samples"
TREE_HEADER = "Mã tổ chức,Tên tổ chức,Cấp,Mã tổ chức cấp trên,Ngày thành lập\n"
MEMBER_HEADER = (
    "Số thẻ đảng viên,Họ và tên,Ngày sinh,Giới tính,Ngày vào Đảng,Ngày chính thức,Mã chi bộ,"
    "Tình trạng,Từ ngày,Mã chi bộ sinh hoạt tạm thời,Nơi cư trú,Số điện thoại\n"
)


def imported(app, kind: str, data: bytes, name: str = "tep.csv") -> Report:
    _, checked = service.check(app, kind, data, name, ADMIN, TODAY)
    assert checked.ok, [p.line() for p in checked.problems]
    _, report = service.run(app, kind, data, name, checked.sha256, ADMIN, TODAY)
    assert report.ok, [p.line() for p in report.problems]
    return report


def events(app) -> list[tuple[str, str]]:
    with app.recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(
            sql.SQL("SELECT topic, state FROM {}.{} ORDER BY notification_id").format(
                sql.Identifier(app.schema), sql.Identifier(EVENTS_TABLE)
            )
        )
        return [(r["topic"], bytes(r["state"]).decode()) for r in cursor.fetchall()]


TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """As Windows saves Vietnamese: a letter with its vowel mark, then the tone as a mark."""
    out = []
    for char in text:
        try:
            out.append(char.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
            out.append((base + "".join(c for c in parts if c in TONES)).encode("cp1258"))
    return b"".join(out)


def small_tree(app) -> None:
    imported(app, "tree", (TREE_HEADER + (
        "T,Đảng bộ tỉnh Thử,Đảng bộ tỉnh,,01/01/2000\n"
        "X1,Đảng bộ xã Một,Đảng bộ trực thuộc,T,01/07/2025\n"
        "C1,Chi bộ cơ sở Một,Chi bộ cơ sở,X1,01/07/2025\n"
        "C2,Chi bộ cơ sở Hai,Chi bộ cơ sở,X1,01/07/2025\n"
    )).encode())  # fmt: skip


def test_the_sample_files_import_and_a_reimport_writes_nothing(app):
    tree = (SAMPLES / "cay-to-chuc.csv").read_bytes()
    members = (SAMPLES / "dang-vien.csv").read_bytes()
    assert imported(app, "tree", tree).counts["new"] == 9
    report = imported(app, "members", members, "dang-vien.csv")
    assert report.counts["new"] == 120
    position = app.log_position
    again = imported(app, "members", members, "dang-vien.csv")
    assert again.counts == {"unchanged": 120, "events": 0, "details": 0}
    assert imported(app, "tree", tree).counts == {"unchanged": 9}
    assert app.log_position == position
    xlsx = imported(app, "members", (SAMPLES / "dang-vien.xlsx").read_bytes(), "dang-vien.xlsx")
    assert xlsx.encoding == "XLSX"
    assert xlsx.counts["unchanged"] == 120
    assert app.log_position == position


def test_the_dry_run_finds_every_planted_error_with_its_row(app):
    small_tree(app)
    position = app.log_position
    data = (MEMBER_HEADER + (
        "A001,Nguyễn Văn An,01/01/1970,Nam,01/01/2000,01/01/2001,C1,Đang sinh hoạt,,,,\n"  # 2: fine
        "A002,Lê Thị Bình,01/01/1971,Nữ,01/01/2000,01/01/2001,ZZ9,Đang sinh hoạt,,,,\n"  # 3
        "A001,Trần Văn Cường,01/01/1972,Nam,01/01/2000,01/01/2001,C1,Đang sinh hoạt,,,,\n"  # 4
        "A004,Phạm Thị Dung,01/01/1973,Nữ,01/05/2010,01/05/2009,C1,Đang sinh hoạt,,,,\n"  # 5
        "A005,Hoàng Văn Em,01/01/1990,Nam,01/03/2025,,C2,Đang sinh hoạt,,,,\n"  # 6: warning
        "A006,Vũ Văn Phong,31/02/1980,Nam,01/01/2000,,C2,Đang sinh hoạt,,,,\n"  # 7
        "A007,Đỗ Thị Giang,01/01/1980,Nữ,01/01/2000,01/01/2001,X1,Đang sinh hoạt,,,,\n"  # 8
    )).encode()  # fmt: skip
    _, report = service.check(app, "members", data, "loi.csv", ADMIN, TODAY)
    found = {(p.row, p.column, p.severity) for p in report.problems}
    assert (3, "Mã chi bộ", "error") in found  # unknown cell code
    assert (4, "Số thẻ đảng viên", "error") in found  # a card number twice
    assert (5, "Ngày chính thức", "error") in found  # official before admission
    assert (6, "Ngày chính thức", "warning") in found  # probation over 12 months
    assert (7, "Ngày sinh", "error") in found  # not a date
    assert (8, "Mã chi bộ", "error") in found  # a committee, not a cell
    assert not any(p.row == 2 for p in report.problems)
    assert "trùng với dòng 2" in next(p.message for p in report.problems if p.row == 4)
    assert app.log_position == position  # a dry run writes no event
    with pytest.raises(service.ImportHasErrors):
        service.run(app, "members", data, "loi.csv", report.sha256, ADMIN, TODAY)
    assert app.log_position == position


def test_a_level_that_does_not_fit_its_parent_is_reported(app):
    data = (TREE_HEADER + (
        "T,Đảng bộ tỉnh Thử,Đảng bộ tỉnh,,01/01/2000\n"
        "C9,Chi bộ lạc chỗ,Chi bộ,T,01/01/2020\n"
        "X9,Xã,Đảng bộ trực thuộc,KHONGCO,01/01/2020\n"
    )).encode()  # fmt: skip
    _, report = service.check(app, "tree", data, "cay.csv", ADMIN, TODAY)
    assert {(p.row, p.column) for p in report.problems} == {
        (3, "Cấp"), (4, "Mã tổ chức cấp trên"),
    }  # fmt: skip


def test_nothing_is_written_without_the_hash_of_a_checked_file(app):
    small_tree(app)
    data = (MEMBER_HEADER + "B1,Lê Văn Hải,01/01/1970,Nam,01/01/2000,01/01/2001,C1,"
            "Đang sinh hoạt,,,,\n").encode()  # fmt: skip
    with pytest.raises(service.NotChecked):
        service.run(app, "members", data, "m.csv", service.sha256_of(data), ADMIN, TODAY)
    _, report = service.check(app, "members", data, "m.csv", ADMIN, TODAY)
    with pytest.raises(service.HashMismatch):
        service.run(app, "members", data + b"\n", "m.csv", report.sha256, ADMIN, TODAY)


def test_a_changed_file_gives_exactly_the_events_of_its_changes(app):
    small_tree(app)
    row = "{card},{name},01/01/1970,Nam,01/01/2000,01/01/2001,{cell},{status},{since},{host},,\n"
    first = MEMBER_HEADER + "".join(
        row.format(card=f"K00{i}", name=f"Người Số {i}", cell="C1", status="Đang sinh hoạt",
                   since="", host="")
        for i in range(1, 5)
    )  # fmt: skip
    imported(app, "members", first.encode())
    position = app.log_position
    changed = first.replace(
        "K001,Người Số 1,01/01/1970,Nam,01/01/2000,01/01/2001,C1",
        "K001,Người Số 1,01/01/1970,Nam,01/01/2000,01/01/2001,C2",
    )
    changed = changed.replace(
        "C1,Đang sinh hoạt,,,,\nK003", "C1,Miễn sinh hoạt,01/09/2026,,,\nK003"
    )
    report = imported(app, "members", changed.encode(), "v2.csv")
    assert report.counts == {"changed": 2, "unchanged": 2, "events": 6}
    new = [topic.partition(":")[2] for topic, _ in events(app)[position:]]
    assert sorted(new) == sorted([
        "Member.TransferredBetweenCells", "CellRoster.Changed", "CellRoster.Changed",
        "Member.Exempted", "CellRoster.Changed", "CellRoster.Opened",
    ])  # fmt: skip
    moved = cards.member_by_card(app, "K001")
    assert moved.cell_id != cards.member_by_card(app, "K004").cell_id
    assert cards.member_by_card(app, "K002").exempted_on(date(2026, 10, 1))


def members_in_batches_of_50(app, monkeypatch):
    """A tree imported, then a file of 120 members checked, to be run 50 rows a batch:
    (the file, the import's id, the check)."""
    imported(app, "tree", tree_file(0.001))
    data = members_file(0.001)
    import_id, checked = service.check(app, "members", data, "m.csv", ADMIN, TODAY)
    monkeypatch.setattr("services.imports.members.BATCH", 50)
    return data, import_id, checked


def test_a_crash_part_way_is_completed_by_a_rerun_without_duplicates(app, monkeypatch):
    data, _, checked = members_in_batches_of_50(app, monkeypatch)
    calls = []

    def crashing(application, aggregates, also):
        calls.append(1)
        if len(calls) == 2:
            raise ConnectionError("the server went away")
        return write_events(application, aggregates, also)

    with pytest.raises(ConnectionError):
        service.run(app, "members", data, "m.csv", checked.sha256, ADMIN, TODAY, writer=crashing)
    written = sum(1 for topic, _ in events(app) if topic.endswith("Member.Enrolled"))
    assert written == 50
    report = service.run(app, "members", data, "m.csv", checked.sha256, ADMIN, TODAY)[1]
    assert report.counts["new"] == 70
    assert report.counts["unchanged"] == 50
    enrolled = [state for topic, state in events(app) if topic.endswith("Member.Enrolled")]
    assert len(enrolled) == 120


def test_a_batch_commits_its_events_details_and_progress_together(app, monkeypatch):
    """One commit per batch: a batch that fails after its details and progress were sent
    leaves none of them, and the batches before it keep all three."""
    data, import_id, checked = members_in_batches_of_50(app, monkeypatch)
    calls = []

    def failing_at_commit(application, aggregates, also):
        calls.append(1)
        if len(calls) < 2:
            return service.bulk_save(application, aggregates, also)

        def also_then_fail(cursor):
            also(cursor)
            raise ConnectionError("the server went away before the commit")

        return write_events(application, aggregates, also_then_fail, durable=False)

    with pytest.raises(ConnectionError):
        service.run(app, "members", data, "m.csv", checked.sha256, ADMIN, TODAY,
                    writer=failing_at_commit)  # fmt: skip
    enrolled = sum(1 for topic, _ in events(app) if topic.endswith("Member.Enrolled"))
    assert enrolled == 50
    with app.recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(
            sql.SQL("SELECT count(*) AS n FROM {}.{}").format(
                sql.Identifier(app.schema), sql.Identifier(store.DETAILS)
            )
        )
        assert cursor.fetchone()["n"] == 50  # every row of the file has details
    found = store.find_import(app, import_id)
    assert found is not None
    assert (found["done_rows"], found["status"]) == (50, "failed")
    report = service.run(app, "members", data, "m.csv", checked.sha256, ADMIN, TODAY)[1]
    assert (report.counts["new"], report.counts["unchanged"]) == (70, 50)
    assert store.find_import(app, import_id)["done_rows"] == 120


def test_a_windows_1258_csv_keeps_its_diacritics(app):
    small_tree(app)
    text = MEMBER_HEADER + (
        "W001,Nguyễn Thị Hường,02/03/1980,Nữ,01/01/2005,01/01/2006,C1,Đang sinh hoạt,,,"
        "Thôn Đồng Ích,\n"
    )
    data = cp1258(text)
    assert data.decode("cp1258") != text  # the tones are stored as combining marks
    report = imported(app, "members", data, "cp1258.csv")
    assert report.encoding == "Windows-1258"
    member = cards.member_by_card(app, "W001")
    assert member.full_name == "Nguyễn Thị Hường"
    assert store.details_of(app, member.id)["residence"] == "Thôn Đồng Ích"
    utf16 = imported(app, "members", text.encode("utf-16"), "utf16.csv")
    assert utf16.encoding == "UTF-16"
    assert utf16.counts["unchanged"] == 1


def test_personal_details_stay_out_of_the_log_and_can_be_erased(app):
    small_tree(app)
    data = (MEMBER_HEADER + "P001,Lê Văn Tâm,01/01/1970,Nam,01/01/2000,01/01/2001,C1,"
            "Đang sinh hoạt,,,Số 7 phố Hàng Bạc,0912345678\n").encode()  # fmt: skip
    imported(app, "members", data, "rieng-tu.csv")
    log = " ".join(state for _, state in events(app))
    assert "Hàng Bạc" not in log
    assert "0912345678" not in log
    member = cards.member_by_card(app, "P001")
    assert isinstance(member, Member)
    assert store.details_of(app, member.id)["phone"] == "0912345678"
    assert store.erase_details(app, member.id)
    assert store.details_of(app, member.id) is None


def test_every_event_of_an_import_names_its_file_in_the_audit_trail(app, database):
    from projections.audit_trail import AUDIT_TRAIL
    from projections.engine import catch_up

    small_tree(app)
    data = (MEMBER_HEADER + "Q001,Lê Văn Quý,01/01/1970,Nam,01/01/2000,01/01/2001,C1,"
            "Đang sinh hoạt,,,,\n").encode()  # fmt: skip
    imported(app, "members", data, "dang-vien-2026.csv")
    catch_up(database, app.schema, AUDIT_TRAIL)
    with database.connect() as conn:
        rows = conn.execute(
            sql.SQL("SELECT kind, sentence FROM {}.audit_trail").format(sql.Identifier(app.schema))
        ).fetchall()
    from_file = [s for k, s in rows if "(nhập từ tệp «dang-vien-2026.csv»)" in s]
    assert len(from_file) == 5  # enrolled, card number, card record, roster opened and changed
    assert any("Lê Văn Quý" in s for s in from_file)


def test_a_synthetic_province_exports_and_reimports_to_the_same_state(app, database):
    from infra.application import TenantApplication
    from infra.tenancy import provision
    from services.bootstrap import schema_parts
    from services.imports.export import export
    from tests.conftest import drop_tenant, new_slug

    imported(app, "tree", tree_file(0.002))
    imported(app, "members", members_file(0.002, seed=7))
    tree, members = export(app, "tree", TODAY), export(app, "members", TODAY, "xlsx")
    other_tenant, _ = provision(database, new_slug(), "Tỉnh Nhận Dữ Liệu", schema_parts())
    other = TenantApplication(other_tenant.slug, other_tenant.schema, database)
    try:
        imported(other, "tree", tree, "cay.csv")
        imported(other, "members", members, "dang-vien.xlsx")
        assert export(other, "tree", TODAY) == tree
        assert sorted(export(other, "members", TODAY).splitlines()) == sorted(
            export(app, "members", TODAY).splitlines()
        )
    finally:
        other.close()
        drop_tenant(database, other_tenant)


def test_a_tree_built_through_the_api_exports_and_reimports_onto_itself(app):
    from uuid import uuid4

    from domain.base import SYSTEM
    from domain.org_unit import Level, OrgUnit
    from services.imports.export import export

    root = OrgUnit.found(uuid4(), "Tỉnh", Level.PROVINCE, None, date(2000, 1, 1), SYSTEM)
    commune = OrgUnit.found(uuid4(), "Xã", Level.DIRECT, root, date(2020, 1, 1), SYSTEM)
    app.save_all(root, commune)
    exported = export(app, "tree", TODAY)
    assert str(root.id) in exported.decode("utf-8-sig")  # no code: its id stands for it
    position = app.log_position
    assert imported(app, "tree", exported).counts == {"unchanged": 2}
    assert app.log_position == position


def test_an_export_then_import_keeps_the_unit_codes_case_exactly(app):
    from services.imports.export import export

    imported(app, "tree", (TREE_HEADER + (
        "Tn,Đảng bộ tỉnh Thử,Đảng bộ tỉnh,,01/01/2000\n"
        "tn.Xa1,Đảng bộ xã Một,Đảng bộ trực thuộc,TN,01/07/2025\n"  # parent in another case
        "Tn.xa1.Cb,Chi bộ cơ sở Một,Chi bộ cơ sở,TN.XA1,01/07/2025\n"
    )).encode())  # fmt: skip
    imported(app, "members", (MEMBER_HEADER + (
        "TN00000001,Nguyễn Văn An,01/02/1980,Nam,03/02/2010,03/02/2011,tn.xa1.cb,"
        "Đang sinh hoạt,,,,\n"
    )).encode())  # fmt: skip
    tree = export(app, "tree", TODAY).decode("utf-8-sig").splitlines()
    assert [line.split(",")[0] for line in tree[1:]] == ["Tn", "tn.Xa1", "Tn.xa1.Cb"]
    assert [line.split(",")[3] for line in tree[1:]] == ["", "Tn", "tn.Xa1"]
    members = export(app, "members", TODAY).decode("utf-8-sig").splitlines()
    assert ",Tn.xa1.Cb," in members[1]  # the cell's code as the tree file wrote it
    position = app.log_position
    assert imported(app, "tree", "\n".join(tree).encode()).counts == {"unchanged": 3}
    assert app.log_position == position  # the export reads back as the same tree
    # A later file writing a code in another case is the same unit; its case is kept from then.
    again = imported(app, "tree", (TREE_HEADER + (
        "TN.XA1,Đảng bộ xã Một,Đảng bộ trực thuộc,Tn,01/07/2025\n"
    )).encode())  # fmt: skip
    assert again.counts == {"changed": 1, "events": 1}
    assert export(app, "tree", TODAY).decode("utf-8-sig").splitlines()[2].startswith("TN.XA1,")


def test_the_tree_as_of_a_day_has_that_days_parents_and_names(app):
    from datetime import datetime, timedelta

    from domain.base import SYSTEM
    from services.imports.export import VIETNAM, export
    from services.imports.units import UnitIndex

    small_tree(app)
    imported(
        app, "tree", (TREE_HEADER + "X2,Đảng bộ xã Hai,Đảng bộ trực thuộc,T,01/07/2025\n").encode()
    )
    index = UnitIndex.load(app)
    cell, one, two = (index.find(c) for c in ("C1", "X1", "X2"))
    cell.move(one, two, {two.parent_id}, date(2026, 9, 1), SYSTEM)  # a move dated in the past
    one.rename("Đảng bộ xã Một Mới", SYSTEM)  # recorded now: counts from today
    app.save_all(cell, one, two)

    def rows(day: date) -> dict[str, list[str]]:
        lines = export(app, "tree", day).decode("utf-8-sig").splitlines()[1:]
        return {line.split(",")[0]: line.split(",") for line in lines}

    before, after = rows(date(2026, 8, 31)), rows(date(2026, 9, 1))
    assert before["C1"][3] == "X1"
    assert after["C1"][3] == "X2"
    assert list(after).index("X2") < list(after).index("C1")  # parents still come first
    today = datetime.now(VIETNAM).date()
    assert rows(today - timedelta(days=1))["X1"][1] == "Đảng bộ xã Một"
    assert rows(today)["X1"][1] == "Đảng bộ xã Một Mới"
    assert "X2" not in rows(date(2025, 6, 30))  # founded 01/07/2025
