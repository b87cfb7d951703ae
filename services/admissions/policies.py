"""Who may move an admission case (kết nạp đảng viên) along, and read it and the deadlines."""

from __future__ import annotations

from domain.admission import AdmissionCase
from services.security.policy import (
    READERS,
    WRITERS,
    PolicyTable,
    T,
    allow,
    parent_of,
    unit_in_body,
    unit_in_query,
    unit_of_aggregate,
)

CASE = (unit_of_aggregate("case_id", AdmissionCase),)
ABOVE_CASE = (parent_of(unit_of_aggregate("case_id", AdmissionCase)),)
"""Committee decisions on an admission: the scope must reach above the cell."""

POLICIES: PolicyTable = {
    # admissions (kết nạp đảng viên) and the life of a membership
    ("POST", f"{T}/admissions"): allow(*WRITERS, units=(unit_in_body("cell_id"),)),
    ("GET", f"{T}/admissions/{{case_id}}"): allow(*READERS, units=CASE),
    **{
        ("POST", f"{T}/admissions/{{case_id}}/{action}"): allow(*WRITERS, units=CASE)
        for action in (
            "course",
            "dossier",
            "introducers",
            "introduction-by-organisation",
            "cell-vote",
            "ceremony",
            "recognition-vote",
            "close",
            "no-youth-union",
        )
    },
    **{
        ("POST", f"{T}/admissions/{{case_id}}/{action}"): allow(*WRITERS, units=ABOVE_CASE)
        for action in (
            "committee-vote",
            "decision",
            "recognition-decision",
            "deadline-extensions",
        )
    },
    ("GET", f"{T}/deadlines"): allow(*READERS, units=(unit_in_query("unit_id", required=False),)),
}
