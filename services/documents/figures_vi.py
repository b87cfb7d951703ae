"""Vietnamese labels of the per-level view's figures, in the order a report shows them.

A figure without a label here would reach a spreadsheet under its code; the report test
checks that every figure the read side computes has one.
"""

from __future__ import annotations

FIGURES_VI = {
    "cells": "Số chi bộ",
    "due": "Số kỳ sinh hoạt phải tổ chức",
    "held": "Số kỳ sinh hoạt thường kỳ đã tổ chức",
    "on_time": "Tổ chức đúng hạn",
    "late": "Tổ chức muộn",
    "missing": "Không tổ chức (thiếu)",
    "thematic_held": "Số buổi sinh hoạt chuyên đề",
    "cell_quarters": "Số chi bộ-quý",
    "cell_quarters_with_thematic": "Số chi bộ-quý có sinh hoạt chuyên đề",
    "expected": "Lượt đảng viên phải dự",
    "present": "Lượt đảng viên có mặt",
    "excused": "Lượt vắng có lý do",
    "unexcused": "Lượt vắng không lý do",
    "attendance_rate": "Tỷ lệ dự họp",
    "rated_tot": "Xếp loại Tốt",
    "rated_kha": "Xếp loại Khá",
    "rated_trung_binh": "Xếp loại Trung bình",
    "rated_kem": "Xếp loại Kém",
    "unrated": "Chưa xếp loại",
    "members_absent_over_3_in_a_row": "Đảng viên vắng có lý do quá 3 kỳ liên tiếp",
    "superior_planned": "Lượt cấp ủy cấp trên được phân công dự",
    "superior_fulfilled": "Lượt cấp ủy cấp trên đã dự",
    "superior_missed": "Lượt cấp ủy cấp trên không dự được",
    "superior_pending": "Lượt cấp ủy cấp trên chưa dự",
    "superior_unplanned": "Lượt dự không theo phân công",
    "superior_fulfilment_rate": "Tỷ lệ cấp ủy cấp trên dự theo phân công",
    "rotation_cells": "Số chi bộ có lượt tự phê bình xoay vòng",
    "rotation_eligible": "Đảng viên đến lượt tự phê bình",
    "rotation_taken": "Đảng viên đã tự phê bình",
    "rotation_coverage": "Tỷ lệ tự phê bình xoay vòng",
    "petitions_raised": "Kiến nghị mới",
    "petitions_open": "Kiến nghị đang giải quyết",
    "petitions_overdue": "Kiến nghị quá hạn",
    "petitions_resolved": "Kiến nghị đã giải quyết",
    "admissions_applicants": "Quần chúng đang xét kết nạp",
    "admissions_awaiting_decision": "Chờ quyết định kết nạp",
    "admissions_awaiting_ceremony": "Chờ lễ kết nạp",
    "admissions_awaiting_recognition_vote": "Chờ chi bộ xét công nhận chính thức",
    "admissions_awaiting_recognition_decision": "Chờ quyết định công nhận chính thức",
    "admissions_overdue": "Hồ sơ kết nạp quá hạn",
    "admissions_overdue_decision": "Quá hạn quyết định kết nạp",
    "admissions_overdue_ceremony": "Quá hạn tổ chức lễ kết nạp",
    "admissions_overdue_recognition": "Quá hạn công nhận chính thức",
    "admissions_admitted": "Đảng viên mới kết nạp",
    "meetings_with_papers": "Kỳ sinh hoạt có đăng tài liệu",
    "papers_not_posted_one_day_before": "Kỳ sinh hoạt gửi tài liệu không đủ một ngày trước",
}

RATES = {"attendance_rate", "superior_fulfilment_rate", "rotation_coverage"}
"""Figures that are shares (0..1), shown as percentages."""


def figure_label(name: str) -> str:
    return FIGURES_VI.get(name, name)


def is_rate(name: str) -> bool:
    return name in RATES or name.endswith(("_rate", "_coverage"))
