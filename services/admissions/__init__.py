"""Admissions (kết nạp đảng viên): commands, routes, wire types and route policies."""
