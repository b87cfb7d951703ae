"""Wire types (msgspec Structs) of the HTTP API, one module per feature."""
