"""The projection engine: reads a province's log in batches, applies it, commits the checkpoint.

The entry point the workers, the CLI and the tests use; the work is in four rooms:

- :mod:`projections.batches`: one batch of one (tenant, projection) pair in one transaction
  (the pair's advisory lock, the checkpoint, the ordering argument);
- :mod:`projections.catchup`: batch after batch up to the log's end, failures recorded;
- :mod:`projections.rebuild`: drop, install and replay one read model;
- :mod:`projections.installation`: the read models' tables, once per process and pair.
"""

from __future__ import annotations

from projections.batches import BATCH_SIZE, dependencies_position, lock_key, read_batch, run_batch
from projections.catchup import CatchUp, catch_up, catch_up_all
from projections.installation import install, install_read_models
from projections.rebuild import REBUILD_BATCH_SIZE, ProjectionBusy, rebuild
from projections.status import Status, status

__all__ = [
    "BATCH_SIZE",
    "REBUILD_BATCH_SIZE",
    "CatchUp",
    "ProjectionBusy",
    "Status",
    "catch_up",
    "catch_up_all",
    "dependencies_position",
    "install",
    "install_read_models",
    "lock_key",
    "read_batch",
    "rebuild",
    "run_batch",
    "status",
]
