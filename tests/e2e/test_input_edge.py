"""The HTTP edge (issue 13 §1–2): control characters, the inputs that gave 500, 405 ``Allow``."""

from __future__ import annotations

import pytest

from tests.e2e.test_meetings_api import base, build_cell

MEETING = {
    "kind": "regular",
    "year": 2023,
    "month": 11,
    "scheduled_at": "2023-11-03T14:00:00+07:00",
    "place": "Phòng họp khoa",
    "agenda": ["Thông tin thời sự"],
}


def schedule(client, tenant, cell, **extra):
    return client.post(f"{base(tenant)}/meetings", json={**MEETING, "cell_id": cell, **extra})


pytestmark = pytest.mark.e2e


def refused_naming(response, field):
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"code", "message", "message_en", "details"}
    assert field in body["message"]
    assert field in body["message_en"]
    return body


def test_a_nul_in_a_meeting_topic_is_refused_and_never_stored(client, tenant, database):
    cell, _, _ = build_cell(client, tenant)
    response = schedule(client, tenant, cell, topic="Học tập\u0000 Nghị quyết")
    body = refused_naming(response, "$.topic")
    assert body["details"]["field"] == "$.topic"
    assert body["details"]["character"] == "U+0000"
    with database.connect() as conn:
        rows = conn.execute(
            f"SELECT count(*) FROM \"{tenant.schema}\".chibo_events WHERE topic LIKE '%%Meeting%%'"
        ).fetchone()
    assert rows == (0,)


def test_control_characters_are_refused_in_every_text_field_but_lines_in_long_texts(client, tenant):
    cell, _, _ = build_cell(client, tenant)
    # A short field (a place, at most 200 characters) takes no line break either.
    refused_naming(schedule(client, tenant, cell, place="Phòng\nhọp"), "$.place")
    # Nested: the second agenda item.
    refused_naming(
        schedule(client, tenant, cell, agenda=["Thời sự", "Báo cáo\x1b[31m"]), "$.agenda[1]"
    )
    # A long text keeps its line breaks and tabs.
    ok = schedule(client, tenant, cell, agenda=["Thời sự:\n\t- trong nước\r\n\t- quốc tế"])
    assert ok.status_code == 201, ok.text
    # A query parameter is checked the same way.
    refused_naming(client.get(f"{base(tenant)}/audit/trail?actor=a%00b"), "actor")


def test_the_inputs_that_gave_500_name_their_field(client, tenant):
    b = base(tenant)
    refused_naming(client.get(f"{b}/audit/seals/51671773727"), "seq")
    refused_naming(client.get(f"{b}/deadlines?removal_months=6027599118089"), "removal_months")
    refused_naming(client.get(f"{b}/audit/trail?before=1e20"), "before")
    unit = "509a2288-4098-5371-9ea1-315d597104e2"
    refused_naming(client.get(f"{b}/supervision/units/{unit}/rotation?year=17179"), "year")
    refused_naming(
        client.post(
            f"{b}/units",
            content=b'{"name": "\xff\xfe"}',
            headers={"content-type": "application/json"},
        ),
        "UTF-8",
    )
    deep = b"[" * 5000 + b"]" * 5000
    refused_naming(
        client.post(f"{b}/units", content=deep, headers={"content-type": "application/json"}),
        "body",
    )


def test_a_405_says_which_methods_are_allowed(client, tenant):
    response = client.delete(f"{base(tenant)}/units")
    assert response.status_code == 405
    assert "POST" in response.headers["allow"].replace(" ", "").split(",")
    assert set(response.json()) == {"code", "message", "message_en", "details"}


def test_the_openapi_documents_the_real_error_shape_and_every_status(client, tenant):
    schema = client.get("/schema/openapi.json").json()
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "message", "message_en", "details"}
    paths = schema["paths"]
    command = paths["/api/v1/t/{tenant}/units/{unit_id}/rename"]["post"]["responses"]
    assert {"400", "401", "403", "404", "409", "422"} <= set(command)
    login = paths["/api/v1/t/{tenant}/auth/login"]["post"]["responses"]
    assert "429" in login
    for item in paths.values():
        for operation in item.values():
            for status, response in operation["responses"].items():
                if status.startswith("4"):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref == "#/components/schemas/Error"
    lists = paths["/api/v1/t/{tenant}/views/lists"]["get"]
    assert {"name": "tenant", "in": "path"}.items() <= lists["parameters"][0].items()


def test_the_openapi_documents_each_file_format_a_route_answers(client, tenant):
    """An XLSX audit trail answered while only JSON was documented failed the fuzzing pass."""
    paths = client.get("/schema/openapi.json").json()["paths"]

    def media(path: str) -> set[str]:
        return set(paths[f"/api/v1/t/{{tenant}}{path}"]["get"]["responses"]["200"]["content"])

    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert {xlsx, "application/pdf"} <= media("/audit/trail/export")
    assert {xlsx, "text/csv", "application/json"} <= media("/views/lists/{list_name}")
    assert {"application/pdf", "application/json"} <= media("/audit/verification")
    assert "application/vnd.openxmlformats-officedocument.wordprocessingml.document" in media(
        "/meetings/{meeting_id}/documents/{kind}/file"
    )


def test_an_options_request_is_answered_not_failed(client, tenant):
    """Litestar's generated OPTIONS handlers pass the input guard too (fuzzing sent them)."""
    response = client.options(f"/api/v1/t/{tenant.slug}/units")
    assert response.status_code < 500, response.text
