"""Meetings (sinh hoạt chi bộ): commands, routes, wire types and route policies."""
