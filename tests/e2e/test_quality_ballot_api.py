"""The post-meeting quality ballot and the attending superior's confirmation over HTTP
(issue 12 §4, seed 000)."""

from __future__ import annotations

import pytest

from domain.user import Role
from tests.e2e.auth_helpers import bearer, token
from tests.e2e.test_meetings_api import all_present, base, guest, ok, opened, post, refused

pytestmark = pytest.mark.e2e

FAIR = {"attendance": 15, "preparation": 15, "conduct": 15, "principles": 15, "implementation": 15}


def ballot_url(tenant, meeting):
    return f"{base(tenant)}/meetings/{meeting}/quality/ballot"


def test_members_vote_on_the_rating_and_the_attending_superior_confirms(client, tenant):
    _, meeting, officials, probationers = opened(client, tenant, 5, 1)
    all_present(client, tenant, meeting, officials + probationers)
    superior = guest(
        client, tenant, meeting, "Trần Văn Bình", "Đảng ủy viên phụ trách", superior=True
    )
    other = guest(client, tenant, meeting, "Lê Khách")

    # Nothing to vote on before the assessment.
    nothing = client.post(ballot_url(tenant, meeting), json={"votes_for": 5})
    refused(nothing, 409, "quality_not_assessed")
    post(client, tenant, meeting, "minutes", {"text": "Biên bản"})
    assert post(client, tenant, meeting, "quality", FAIR)["rating"] == "kha"

    # 5 official members present vote (the probationary member has no vote here).
    too_many = client.post(ballot_url(tenant, meeting), json={"votes_for": 6})
    refused(too_many, 400, "quality_ballot_counts_exceed_voters")
    rejected = post(client, tenant, meeting, "quality/ballot", {"votes_for": 2, "against": 3})
    assert (rejected["rating"], rejected["result"]) == ("kha", "failed")
    confirm = {"guest_id": superior}
    refused(
        client.post(f"{base(tenant)}/meetings/{meeting}/quality/confirm", json=confirm),
        422,
        "quality_ballot_rejected",
    )
    agreed = post(client, tenant, meeting, "quality/ballot", {"votes_for": 4, "against": 1})
    assert agreed["result"] == "passed"

    # Only a superior guest of this meeting confirms.
    refused(
        client.post(f"{base(tenant)}/meetings/{meeting}/quality/confirm", json={"guest_id": other}),
        422,
        "confirmer_not_attending_superior",
    )
    superior_token = bearer(token(client_container(client), tenant.slug, Role.SUPERIOR_MEMBER))
    done = client.post(
        f"{base(tenant)}/meetings/{meeting}/quality/confirm", json=confirm, headers=superior_token
    )
    assert done.status_code == 201, done.text
    view = ok(client.get(ballot_url(tenant, meeting)), 200)
    assert (view["rating"], view["voters"], view["votes_for"], view["against"]) == ("kha", 5, 4, 1)
    assert (view["agreed"], view["confirmed_by"]) == (True, "Trần Văn Bình")
    refused(
        client.post(f"{base(tenant)}/meetings/{meeting}/quality/confirm", json=confirm),
        409,
        "quality_already_confirmed",
    )


def test_a_new_assessment_after_the_ballot_needs_a_new_ballot(client, tenant):
    _, meeting, officials, probationers = opened(client, tenant, 3, 0)
    all_present(client, tenant, meeting, officials + probationers)
    superior = guest(client, tenant, meeting, "Cấp Trên", superior=True)
    post(client, tenant, meeting, "minutes", {"text": "Biên bản"})
    post(client, tenant, meeting, "quality", FAIR)
    post(client, tenant, meeting, "quality/ballot", {"votes_for": 3})
    lower = {**FAIR, "conduct": 5, "principles": 5}
    assert post(client, tenant, meeting, "quality", lower)["rating"] == "trung_binh"
    refused(
        client.post(
            f"{base(tenant)}/meetings/{meeting}/quality/confirm", json={"guest_id": superior}
        ),
        409,
        "quality_ballot_outdated",
    )


def client_container(client):
    return client.app.state.container
