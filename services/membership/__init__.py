"""Membership: org units (tổ chức đảng), members (đảng viên) and the life of a membership."""
