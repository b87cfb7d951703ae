"""``chibo import``, ``chibo export`` and ``chibo tenant migrate`` from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from psycopg import sql

from services import cli
from services.cli import wiring
from services.imports.store import DETAILS, IMPORTS

pytestmark = pytest.mark.integration

SAMPLES = Path(__file__).parents[2] / "services" / "demo" / "samples"


@pytest.fixture
def console(container, monkeypatch):
    monkeypatch.setattr(wiring, "open_container", lambda: container)
    monkeypatch.setattr(container, "close", lambda: None)
    return lambda *argv: cli.main(list(argv))


def test_import_the_samples_after_a_dry_run_then_export(console, tenant, tmp_path, capsys):
    tree = str(SAMPLES / "cay-to-chuc.csv")
    assert console("import", "tree", tenant.slug, tree, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "0 lỗi" in out
    sha = out.rsplit("--confirm ", 1)[1].split()[0]
    assert console("import", "tree", tenant.slug, tree, "--confirm", sha) == 0
    members = str(SAMPLES / "dang-vien.xlsx")
    assert console("import", "members", tenant.slug, members) == 0  # no --confirm: a dry run
    sha = capsys.readouterr().out.rsplit("--confirm ", 1)[1].split()[0]
    assert console("import", "members", tenant.slug, members, "--confirm", sha) == 0
    out = capsys.readouterr()
    assert "thêm mới: 120" in out.out
    assert "120/120" in out.err  # the progress bar's last state
    target = tmp_path / "dang-vien.csv"
    assert console("export", "members", tenant.slug, "--on", "15/10/2026", "-o", str(target)) == 0
    assert sorted(target.read_text("utf-8-sig").splitlines()) == sorted(
        (SAMPLES / "dang-vien.csv").read_text("utf-8-sig").splitlines()
    )


def test_a_file_with_errors_is_refused_with_its_rows(console, tenant, tmp_path, capsys):
    bad = tmp_path / "loi.csv"
    bad.write_text("Mã tổ chức,Tên tổ chức,Cấp,Mã tổ chức cấp trên,Ngày thành lập\n"
                   "T,Tỉnh,Đảng bộ tỉnh,,32/01/2000\n", "utf-8")  # fmt: skip
    assert console("import", "tree", tenant.slug, str(bad)) == 1
    assert "Lỗi — dòng 2, cột «Ngày thành lập»" in capsys.readouterr().out


def test_migrate_gives_an_older_province_the_new_tables_and_changes_nothing_twice(
    console, tenant, database
):
    with database.connect() as conn:
        for name in (IMPORTS, DETAILS):
            conn.execute(sql.SQL("DROP TABLE {}.{}").format(
                sql.Identifier(tenant.schema), sql.Identifier(name)))  # fmt: skip
    assert console("tenant", "migrate", "--tenant", tenant.slug) == 0
    assert console("tenant", "migrate", "--tenant", tenant.slug) == 0
    with database.connect() as conn:
        for name in (IMPORTS, DETAILS):
            found = conn.execute("SELECT to_regclass(%s)", (f"{tenant.schema}.{name}",)).fetchone()
            assert found is not None
            assert found[0] is not None
    # The province's own role may use them (granted by the same provisioning); SET LOCAL, so
    # the pooled connection goes back without the role.
    with database.connect() as conn, conn.transaction():
        conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(f"chibo_{tenant.schema}")))
        conn.execute(sql.SQL("SELECT count(*) FROM {}.{}").format(
            sql.Identifier(tenant.schema), sql.Identifier(DETAILS)))  # fmt: skip


@pytest.mark.parametrize("command", [("tenant", "migrate"), ("migrate",)])
def test_a_province_that_cannot_be_migrated_fails_the_command(
    console, tenant, database, capsys, command
):
    """The container logs a province whose tables it cannot install and goes on with the
    others; the command must still say so in its exit code, or an operator's script moves on."""
    with database.connect() as conn:
        # Something in the way of an install: a view where the imports table should be (its
        # CREATE TABLE IF NOT EXISTS skips the name, and the index on it then fails).
        conn.execute(sql.SQL("DROP TABLE {}.{} CASCADE").format(
            sql.Identifier(tenant.schema), sql.Identifier(IMPORTS)))  # fmt: skip
        conn.execute(sql.SQL("CREATE VIEW {}.{} AS SELECT 1 AS x").format(
            sql.Identifier(tenant.schema), sql.Identifier(IMPORTS)))  # fmt: skip
    assert console(*command, "--tenant", tenant.slug) == 1
    assert f"{tenant.slug}: cập nhật bảng thất bại" in capsys.readouterr().err
