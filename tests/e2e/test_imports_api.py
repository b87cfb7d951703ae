"""Imports over HTTP: upload for a dry run, confirm by hash, follow the record; export the same
template back (round trip with the sample files); personal details read and erased."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

SAMPLES = Path(__file__).parents[2] / "services" / "demo" / "samples"


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def upload(client, tenant, kind: str, name: str) -> dict:
    response = client.post(
        f"/api/v1/t/{tenant.slug}/imports",
        params={"kind": kind, "file_name": name},
        content=(SAMPLES / name).read_bytes(),
        headers={"content-type": "text/csv"},
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_upload_check_confirm_and_export_the_same_rows(client, tenant):
    base = f"/api/v1/t/{tenant.slug}"
    checked = upload(client, tenant, "tree", "cay-to-chuc.csv")
    assert checked["status"] == "checked"
    assert checked["errors"] == 0
    assert checked["encoding"] == "UTF-8 (BOM)"
    wrong = client.post(f"{base}/imports/{checked['id']}/confirm", json={"sha256": "0" * 64})
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "import_hash_mismatch"
    done = client.post(
        f"{base}/imports/{checked['id']}/confirm", json={"sha256": checked["sha256"]}
    )
    assert done.status_code == 201, done.text
    assert done.json()["status"] == "done"
    assert done.json()["counts"]["new"] == 9
    members = upload(client, tenant, "members", "dang-vien.csv")
    assert members["counts"]["new"] == 120
    done = client.post(
        f"{base}/imports/{members['id']}/confirm", json={"sha256": members["sha256"]}
    )
    assert done.json()["status"] == "done", done.text
    assert done.json()["done_rows"] == 120
    listed = client.get(f"{base}/imports").json()
    assert {i["id"] for i in listed} == {checked["id"], members["id"]}

    exported = client.get(f"{base}/exports/members", params={"on": "2026-10-15"})
    assert exported.status_code == 200
    assert "attachment" in exported.headers["content-disposition"]
    sample = rows_of((SAMPLES / "dang-vien.csv").read_bytes())
    got = rows_of(exported.content)
    assert got[0] == sample[0]
    assert sorted(got[1:]) == sorted(sample[1:])
    tree = rows_of(client.get(f"{base}/exports/tree", params={"on": "2026-10-15"}).content)
    assert sorted(tree) == sorted(rows_of((SAMPLES / "cay-to-chuc.csv").read_bytes()))

    member = client.get(f"{base}/members/by-card/TN00000001").json()
    details = client.get(f"{base}/members/{member['id']}/details").json()
    assert details["ethnicity"] == "Kinh"
    assert client.delete(f"{base}/members/{member['id']}/details").status_code == 204
    assert client.get(f"{base}/members/{member['id']}/details").json()["phone"] is None
