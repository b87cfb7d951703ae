"""The audit read model: one readable row per event, under the right unit; the chain projection."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest
from psycopg import sql

from domain.base import SYSTEM, Actor
from domain.member import Member, MemberStatus
from domain.org_unit import Level, OrgUnit
from domain.roster import CellRoster
from domain.user import Role, UserAccount
from infra.audit.verify import verify
from projections.audit_chain import AUDIT_CHAIN
from projections.audit_trail import AUDIT_TRAIL, event_topics, sentence
from projections.engine import catch_up

pytestmark = pytest.mark.integration

SECRETARY = Actor("bt-hoa", "secretary", "req-42")


def build(app):
    root = OrgUnit.found(uuid4(), "Đảng bộ tỉnh", Level.PROVINCE, None, date(2020, 1, 1), SYSTEM)
    commune = OrgUnit.found(
        uuid4(), "Đảng ủy xã Hợp Lý", Level.DIRECT, root, date(2020, 1, 1), SYSTEM
    )
    base = OrgUnit.found(
        uuid4(), "Đảng bộ thôn", Level.GRASSROOTS_COMMITTEE, commune, date(2020, 1, 1), SYSTEM
    )
    cell = OrgUnit.found(uuid4(), "Chi bộ thôn Đông", Level.CELL, base, date(2020, 1, 1), SYSTEM)
    app.save_all(root, commune, base, cell)
    roster = CellRoster.open(cell.id, SECRETARY)
    member = Member.enrol(
        uuid4(), "Nguyễn Văn An", date(1960, 5, 1), "nam", cell.id, MemberStatus.OFFICIAL,
        date(1990, 1, 1), date(1991, 1, 1), date(2020, 1, 1), SECRETARY,
    )  # fmt: skip
    roster.enrol(member.id, MemberStatus.OFFICIAL, date(2020, 1, 1), SECRETARY)
    app.save_all(roster, member)
    member.exempt(date(2025, 3, 1), None, "Tuổi cao, sức yếu", SECRETARY)
    app.save_all(member)
    return root, commune, cell, member


def trail(database, tenant):
    with database.connect() as conn:
        cur = conn.execute(
            sql.SQL(
                "SELECT notification_id, aggregate_id, aggregate_version, kind, actor, actor_role,"
                " actor_name,"
                " request_id, org_unit_id, reason, sentence FROM {}.audit_trail ORDER BY 1"
            ).format(sql.Identifier(tenant.schema))
        )
        names = [c.name for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def test_every_event_becomes_one_row_with_who_when_which_request(app, tenant, database):
    build(app)
    result = catch_up(database, tenant.schema, AUDIT_TRAIL)
    assert result.error is None
    rows = trail(database, tenant)
    assert [r["notification_id"] for r in rows] == list(range(1, app.log_position + 1))
    enrolled = next(r for r in rows if r["kind"] == "Member.Enrolled")
    assert (enrolled["actor"], enrolled["actor_role"], enrolled["request_id"]) == (
        "bt-hoa", "secretary", "req-42",
    )  # fmt: skip


def test_sentence_reads_in_vietnamese_with_the_cell_and_the_reason(app, tenant, database):
    _, _, cell, member = build(app)
    catch_up(database, tenant.schema, AUDIT_TRAIL)
    exempted = next(r for r in trail(database, tenant) if r["kind"] == "Member.Exempted")
    assert exempted["sentence"] == (
        "Đ/c bt-hoa (bí thư chi bộ) miễn sinh hoạt cho đảng viên Nguyễn Văn An từ ngày 01/03/2025"
        " tại Chi bộ thôn Đông; lý do: Tuổi cao, sức yếu."
    )
    assert exempted["reason"] == "Tuổi cao, sức yếu"
    # The exemption names no cell: the member's cell is carried over from the enrolment.
    assert exempted["org_unit_id"] == cell.id
    assert exempted["aggregate_id"] == member.id
    assert exempted["aggregate_version"] == 2


def test_rows_sit_under_their_unit_so_a_subtree_filter_finds_them(app, tenant, database):
    root, _commune, cell, _ = build(app)
    catch_up(database, tenant.schema, AUDIT_TRAIL)
    rows = trail(database, tenant)
    assert {r["org_unit_id"] for r in rows if r["kind"].startswith(("Member.", "CellRoster."))} == {
        cell.id
    }
    founded_root = next(r for r in rows if r["aggregate_id"] == root.id)
    assert founded_root["org_unit_id"] == root.id
    assert founded_root["sentence"].startswith("Hệ thống thành lập tổ chức «Đảng bộ tỉnh»")


def test_batches_carry_names_and_units_over_to_the_next_batch(app, tenant, database):
    build(app)
    catch_up(database, tenant.schema, AUDIT_TRAIL, batch_size=2)
    exempted = next(r for r in trail(database, tenant) if r["kind"] == "Member.Exempted")
    assert "Nguyễn Văn An" in exempted["sentence"]
    assert "Chi bộ thôn Đông" in exempted["sentence"]


def test_the_actor_is_named_by_full_name_and_role_not_by_account_id(app, tenant, database):
    """Issue 12 §5: a person reads who acted — the account's holder, the console, the system."""
    _, _, cell, member = build(app)
    console = Actor("cli:root", "system", "cli")
    secretary = UserAccount.open("bt.hoa", "Nguyễn Thị Hoa", Role.SECRETARY, cell.id, None, console)
    superior = UserAccount.open(
        "cu.tam", "Hoàng Minh Tâm", Role.SUPERIOR_MEMBER, cell.id, None, console
    )
    app.save_all(secretary, superior)
    member.end_exemption(date(2025, 6, 1), Actor(str(secretary.id), "secretary", "req-1"))
    app.save_all(member)
    member.exempt(date(2025, 7, 1), None, "Ốm", Actor(str(superior.id), "superior_member", "r2"))
    app.save_all(member)
    # One event at a time: the account's name must carry over from an earlier batch too.
    catch_up(database, tenant.schema, AUDIT_TRAIL, batch_size=1)
    rows = trail(database, tenant)
    ended, again = [r for r in rows if r["aggregate_id"] == member.id][-2:]
    assert (ended["actor"], ended["actor_name"]) == (str(secretary.id), "Nguyễn Thị Hoa")
    assert ended["sentence"].startswith("Đ/c Nguyễn Thị Hoa (bí thư chi bộ) chấm dứt miễn")
    assert again["sentence"].startswith("Đ/c Hoàng Minh Tâm (cấp ủy viên cấp trên) miễn")
    opened = next(r for r in rows if r["aggregate_id"] == secretary.id)
    assert opened["actor_name"] == "Người vận hành máy chủ «root» (dòng lệnh)"
    assert opened["sentence"].startswith(
        "Người vận hành máy chủ «root» (dòng lệnh) mở tài khoản người dùng"
    )
    founded = rows[0]
    assert (founded["actor"], founded["actor_name"]) == ("system", "Hệ thống")
    assert not any(str(secretary.id) in r["sentence"] for r in rows)


def test_an_account_the_trail_does_not_know_is_never_shown_by_its_id():
    stranger = str(uuid4())
    text = sentence("Widget.Frobbed", stranger, "secretary", {}, None, None)
    assert text == "Tài khoản chưa rõ tên (bí thư chi bộ) ghi nhận thay đổi «Widget.Frobbed»."


def test_unknown_kinds_get_a_generic_sentence():
    text = sentence("Widget.Frobbed", "u1", "tenant_admin", {}, "Cái gì đó", None)
    assert text == "Đ/c u1 (quản trị tỉnh) ghi nhận thay đổi «Widget.Frobbed» của «Cái gì đó»."


def test_consumes_every_event_class_declared_in_the_domain():
    topics = event_topics()
    assert "domain.member:Member.Exempted" in topics
    assert "domain.org_unit:OrgUnit.Renamed" in topics
    assert AUDIT_TRAIL.topics == topics


def test_chain_projection_keeps_the_chain_up_with_the_log(app, tenant, database):
    build(app)
    catch_up(database, tenant.schema, AUDIT_CHAIN)
    report = verify(database, tenant.schema)
    assert report.ok
    assert report.chain_head == app.log_position
    assert report.unchained == 0
