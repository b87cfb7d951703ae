"""Read models built from each province's log, checkpointed in the same transaction."""
