"""Admissions and membership on a real PostgreSQL: a transfer between two provinces through the
signed payload, the deadlines read model (subtree, removal flags), and reload of every new event."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.base import SYSTEM
from domain.lifecycle import NotedKind, RemovalGround
from domain.member import DepartureReason, Member, MemberStatus
from domain.member_errors import LetterOverdueNeedsReason
from domain.org_unit import Level, OrgUnit
from infra.application import TenantApplication
from infra.tenancy import provision
from infra.transfer_payload import PayloadRejected, key_id
from projections.deadlines import DEADLINES, items_query
from projections.engine import catch_up, install
from projections.org_tree import ORG_TREE
from services.bootstrap import schema_parts
from services.membership import lifecycle as membership
from services.membership import org
from tests.builders import ADMIN, official
from tests.conftest import drop_tenant, new_slug

pytestmark = pytest.mark.integration


def tree(app):
    day = date(2015, 1, 1)
    root = OrgUnit.found(uuid4(), "Tỉnh", Level.PROVINCE, None, day, SYSTEM)
    a = OrgUnit.found(uuid4(), "Xã A", Level.DIRECT, root, day, SYSTEM)
    cell_a = OrgUnit.found(uuid4(), "Chi bộ cơ sở A", Level.GRASSROOTS_CELL, a, day, SYSTEM)
    b = OrgUnit.found(uuid4(), "Xã B", Level.DIRECT, root, day, SYSTEM)
    cell_b = OrgUnit.found(uuid4(), "Chi bộ cơ sở B", Level.GRASSROOTS_CELL, b, day, SYSTEM)
    app.save_all(root, a, cell_a, b, cell_b)
    return a.id, cell_a.id, b.id, cell_b.id


def enrol(app, cell, name="Đỗ Văn Hùng"):
    return official(
        app, ADMIN, cell, name, birth_date=date(1970, 2, 2), admitted_on=date(1995, 1, 1),
        official_on=date(1996, 1, 1),
    ).id  # fmt: skip


@pytest.fixture
def other(database):
    created, _ = provision(database, new_slug(), "Tỉnh Nhận", schema_parts())
    application = TenantApplication(created.slug, created.schema, database)
    yield application
    application.close()
    drop_tenant(database, created)


def signed_transfer(app, other, member_id, letter_number, letter_on):
    """The member transferred out of ``app`` to ``other``: the signed document, and the keys
    the receiving province trusts."""
    key = Ed25519PrivateKey.generate()
    _, _, document = membership.transfer_out(
        app,
        ADMIN,
        member_id=member_id,
        letter_number=letter_number,
        letter_on=letter_on,
        to_province=other.slug,
        to_organisation="Chi bộ cơ sở A",
        signing_key=key,
    )
    return document, {key_id(key.public_key()): key.public_key()}


def arrive(app, transfer, cell_id, presented_on):
    """The signed document presented to ``app``'s cell on ``presented_on``."""
    document, trusted = transfer
    return membership.transfer_in(
        app, ADMIN, document=document, trusted_keys=trusted, cell_id=cell_id,
        presented_on=presented_on,
    )  # fmt: skip


def test_transfer_between_provinces_only_through_the_signed_payload(app, other):
    _, cell_a, _, _ = tree(app)
    _, receiving_cell, _, _ = tree(other)
    member_id = enrol(app, cell_a)
    transfer = signed_transfer(app, other, member_id, "GT 15/2026", date(2026, 1, 30))
    left = app.repository.get(member_id)
    assert left.departed == (DepartureReason.TRANSFERRED_OUT, date(2026, 1, 30))
    # Across Tết 2026 the 30 working days end on 20 March; the 23rd is late without a reason.
    with pytest.raises(LetterOverdueNeedsReason):
        arrive(other, transfer, receiving_cell, date(2026, 3, 23))
    with pytest.raises(PayloadRejected):
        arrive(app, transfer, cell_a, date(2026, 3, 2))  # not for A
    arrived, _ = arrive(other, transfer, receiving_cell, date(2026, 3, 20))
    reloaded = other.repository.get(arrived.id)
    assert reloaded.full_name == "Đỗ Văn Hùng"
    assert reloaded.status is MemberStatus.OFFICIAL
    assert reloaded.cell_id == receiving_cell
    assert org.load_roster(other, receiving_cell, ADMIN).official_count(date(2026, 3, 20)) == 1


def test_deadlines_read_model_by_subtree_with_removal_flags(app, database, tenant):
    a, cell_a, b, cell_b = tree(app)
    flagged, other_flagged = enrol(app, cell_a, "Vắng Ba Tháng"), enrol(app, cell_b, "Ở Xã B")
    for member_id in (flagged, other_flagged):
        for month in (1, 3, 5):
            membership.note_month(
                app,
                ADMIN,
                member_id=member_id,
                kind=NotedKind.DUES_UNPAID,
                month=date(2025, month, 1),
                excused=False,
            )
    membership.transfer_out(
        app,
        ADMIN,
        member_id=enrol(app, cell_a, "Chuyển Đi"),
        letter_number="GT-1",
        letter_on=date(2026, 1, 30),
        to_province="ha_noi",
        to_organisation="Chi bộ X",
        signing_key=Ed25519PrivateKey.generate(),
    )
    with database.connect() as conn:
        install(conn, tenant.schema, [ORG_TREE, DEADLINES])
    for projection in (ORG_TREE, DEADLINES):
        assert catch_up(database, tenant.schema, projection).error is None

    def items(unit, until):
        query = items_query(lambda s, t: f'"{s}"."{t}"', tenant.schema, unit is not None)
        query = query.replace("$1::uuid", "%(unit)s::uuid").replace("$2::date", "%(until)s::date")
        query = query.replace("$3::int", "3")
        with database.connect() as conn:
            rows = conn.execute(query, {"unit": unit, "until": until}).fetchall()
        return sorted((r[0], r[3]) for r in rows)

    assert items(a, date(2026, 3, 19)) == [("removal_flag", "Vắng Ba Tháng")]
    assert items(a, date(2026, 3, 20)) == [
        ("removal_flag", "Vắng Ba Tháng"),
        ("transfer_letter", "Chuyển Đi"),
    ]
    assert items(b, date(2026, 3, 20)) == [("removal_flag", "Ở Xã B")]
    membership.remove(
        app,
        ADMIN,
        member_id=flagged,
        ground=RemovalGround.MISSED_MEETINGS_OR_DUES,
        decision_number="5-QĐ",
        on=date(2025, 12, 1),
    )
    assert catch_up(database, tenant.schema, DEADLINES).error is None
    assert items(a, date(2026, 3, 19)) == []
    assert len(items(None, date(2026, 3, 20))) == 2


def test_suspension_and_death_reload_from_the_log(app):
    _, cell_a, _, _ = tree(app)
    member_id = enrol(app, cell_a)
    membership.suspend(
        app, ADMIN, member_id=member_id, start=date(2025, 1, 2), reason="Bị tạm giam"
    )
    roster = org.load_roster(app, cell_a, ADMIN)
    assert roster.standing(member_id, date(2025, 1, 3)).suspended
    membership.end_suspension(app, ADMIN, member_id=member_id, on=date(2025, 4, 1))
    membership.record_death(app, ADMIN, member_id=member_id, on=date(2025, 9, 9), note="")
    member = app.repository.get(member_id)
    assert isinstance(member, Member)
    assert member.suspended_since is None
    assert member.departed == (DepartureReason.DECEASED, date(2025, 9, 9))
