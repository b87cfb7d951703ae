"""Per-level views and inspection lists over the read side, with read-your-writes."""
