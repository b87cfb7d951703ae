"""Application services and the HTTP API (Litestar): commands go to the tenant's log."""
