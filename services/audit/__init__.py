"""Audit (kiểm tra): the trail, seals, aggregates as of a point, and read-model replay."""
