"""The rules of party-cell activity (sinh hoạt chi bộ), as event-sourced aggregates.

Imports only the standard library and ``eventsourcing.domain`` (a test enforces it).
"""
