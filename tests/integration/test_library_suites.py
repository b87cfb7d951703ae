"""The eventsourcing library's own recorder suites, run against our configuration.

Someone else's suite is the best proof that a tenant schema on PostgreSQL keeps the library's
guarantees: contiguous, non-interleaving notification ids, optimistic concurrency, selection.
"""

from __future__ import annotations

import pytest
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.tests.persistence import (
    ApplicationRecorderTestCase,
    NonInterleavingNotificationIDsBaseCase,
)

from infra.application import TenantApplication

pytestmark = pytest.mark.integration


class OnTenantSchema:
    """The suites' recorder is the test tenant's own: its tables live in the tenant's schema."""

    app: TenantApplication

    @pytest.fixture(autouse=True)
    def _tenant_app(self, app: TenantApplication) -> None:
        self.app = app

    def create_recorder(self) -> PostgresApplicationRecorder:
        recorder = self.app.recorder
        assert isinstance(recorder, PostgresApplicationRecorder)
        assert recorder.datastore.schema == self.app.schema
        return recorder


class TestTenantSchemaApplicationRecorder(
    OnTenantSchema, ApplicationRecorderTestCase[PostgresApplicationRecorder]
):
    pass


class TestTenantSchemaNonInterleavingIds(OnTenantSchema, NonInterleavingNotificationIDsBaseCase):
    insert_num = 300
