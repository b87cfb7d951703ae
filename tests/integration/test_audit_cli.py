"""The audit commands end to end: seal, export, verify against a kept seal, replay."""

from __future__ import annotations

import pytest
from psycopg import sql

from services.cli import main
from tests.integration.test_audit_chain import write_history

pytestmark = pytest.mark.integration


@pytest.fixture
def env(database, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database.url)
    monkeypatch.setenv("CHIBO_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def test_seal_then_verify_against_the_kept_seal_after_tampering(app, tenant, database, env, capsys):
    write_history(app, 3)
    kept = env / "seal.json"
    assert main(["audit", "seal", tenant.slug, "--out", str(kept)]) == 0
    assert main(["audit", "verify", tenant.slug, "--against", str(kept)]) == 0
    assert "TOÀN VẸN / RESULT: INTACT" in capsys.readouterr().out

    with database.connect() as conn, conn.transaction():
        conn.execute("SET LOCAL session_replication_role = replica")
        conn.execute(
            sql.SQL("DELETE FROM {}.chibo_events WHERE notification_id = 2").format(
                sql.Identifier(tenant.schema)
            )
        )
    assert main(["audit", "verify", tenant.slug, "--against", str(kept)]) == 1
    out = capsys.readouterr().out
    assert "SỰ KIỆN ĐẦU TIÊN BỊ CAN THIỆP / FIRST TAMPERED EVENT: Sự kiện #2" in out
    assert "bị xóa" in out
    assert "(external, #1–#4): KHÔNG CÒN ĐÚNG" in out


def test_export_writes_one_file_per_seal(app, tenant, env, capsys):
    write_history(app, 1)
    main(["audit", "seal", tenant.slug])
    write_history(app, 1)
    main(["audit", "seal", tenant.slug])
    assert main(["audit", "seal", tenant.slug]) == 0
    assert "nothing new to seal" in capsys.readouterr().out
    assert main(["audit", "seals", tenant.slug, "--dir", str(env / "out")]) == 0
    files = sorted(p.name for p in (env / "out").iterdir())
    assert files == [f"{tenant.slug}-seal-1.json", f"{tenant.slug}-seal-2.json"]


def test_verify_refuses_an_unreadable_seal_file(tenant, env, capsys):
    (env / "bad.json").write_text("{}")
    assert main(["audit", "verify", tenant.slug, "--against", str(env / "bad.json")]) == 2


def test_replay_until_a_position_and_until_a_date(app, tenant, database, env, capsys):
    write_history(app, 2)
    assert main(["replay", tenant.slug, "--until", "2"]) == 0
    assert f"{tenant.schema}_replay_2" in capsys.readouterr().out
    assert main(["replay", tenant.slug, "--until", "2000-01-01"]) == 0
    assert f"{tenant.schema}_replay_0" in capsys.readouterr().out
    with database.connect() as conn:
        for position in (0, 2):
            conn.execute(
                sql.SQL("DROP SCHEMA {} CASCADE").format(
                    sql.Identifier(f"{tenant.schema}_replay_{position}")
                )
            )


def test_replays_are_listed_and_dropped_from_the_console(app, tenant, database, env, capsys):
    """Issue 12 §5: a replay schema can be listed and dropped, not only made."""
    write_history(app, 2)
    assert main(["replay", tenant.slug, "--list"]) == 0
    assert "Chưa có bản dựng lại nào" in capsys.readouterr().out
    for position in ("2", "1"):
        assert main(["replay", tenant.slug, "--until", position]) == 0
    capsys.readouterr()
    assert main(["replay", tenant.slug, "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[:2] for line in lines] == [
        ["#1", f"{tenant.schema}_replay_1"],
        ["#2", f"{tenant.schema}_replay_2"],
    ]
    assert all("dựng lúc" in line and "bảng đọc" in line for line in lines)
    assert main(["replay", tenant.slug, "--drop", "1"]) == 0
    assert main(["replay", tenant.slug, "--drop", "1"]) == 1
    assert "Không có bản dựng lại ở vị trí #1" in capsys.readouterr().err
    assert main(["replay", tenant.slug, "--list"]) == 0
    out = capsys.readouterr().out
    assert f"{tenant.schema}_replay_2" in out
    assert f"{tenant.schema}_replay_1" not in out
    assert main(["replay", tenant.slug, "--drop", "2"]) == 0
