"""Import files of a synthetic province (tệp nhập giả lập), for the import benchmark and tests.

At scale 1: about 100 directly subordinate committees, 6,000 cells and 120,000 members, in the
template of ``services/imports/template.py``. The files are a pure function of
``(scale, seed)``. Most members are official and active; a few are probationary (some of them
past 12 months: warnings), exempted or temporarily active in a neighbouring cell.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta

from services.demo.names import PLACES, full_name
from services.imports.template import MEMBER_COLUMNS, TREE_COLUMNS

CELLS_AT_SCALE_1 = 6_000
MEMBERS_PER_CELL = 20
CELLS_PER_COMMITTEE = 6
COMMITTEES_PER_DIRECT = 10
TODAY = date(2026, 10, 15)


def cell_codes(scale: float) -> list[str]:
    cells = max(2, round(CELLS_AT_SCALE_1 * scale))
    return [_cell_code(i) for i in range(cells)]


def _cell_code(i: int) -> str:
    committee = i // CELLS_PER_COMMITTEE
    direct = committee // COMMITTEES_PER_DIRECT
    return f"TN.{direct + 1:03d}.{committee % COMMITTEES_PER_DIRECT + 1:02d}.{i % 6 + 1}"


def tree_file(scale: float) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in TREE_COLUMNS])
    writer.writerow(["TN", "Đảng bộ tỉnh Thử Nghiệm", "Đảng bộ tỉnh", "", "01/01/2000"])
    seen: set[str] = set()
    for i, code in enumerate(cell_codes(scale)):
        _, direct, committee, _ = code.split(".")
        place = PLACES[int(direct) % len(PLACES)]
        direct_code, committee_code = f"TN.{direct}", f"TN.{direct}.{committee}"
        if direct_code not in seen:
            seen.add(direct_code)
            writer.writerow([direct_code, f"Đảng bộ xã {place} {direct}", "Đảng bộ trực thuộc",
                             "TN", "01/07/2025"])  # fmt: skip
        if committee_code not in seen:
            seen.add(committee_code)
            writer.writerow([committee_code, f"Đảng bộ cơ sở {place} {direct}.{committee}",
                             "Đảng bộ cơ sở", direct_code, "01/07/2025"])  # fmt: skip
        writer.writerow([code, f"Chi bộ thôn {place} {i + 1}", "Chi bộ", committee_code,
                         "01/07/2025"])  # fmt: skip
    return ("\ufeff" + out.getvalue()).encode()


def members_file(scale: float, seed: int = 2026) -> bytes:
    rng = random.Random(seed)
    cells = cell_codes(scale)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in MEMBER_COLUMNS])
    number = 0
    for position, cell in enumerate(cells):
        for _ in range(MEMBERS_PER_CELL):
            number += 1
            writer.writerow(member_row(rng, number, cell, cells[(position + 1) % len(cells)]))
    return ("\ufeff" + out.getvalue()).encode()


def member_row(rng: random.Random, number: int, cell: str, neighbour: str) -> list[str]:
    name, gender = full_name(rng)
    birth = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 52))
    admitted = birth + timedelta(days=365 * 19 + rng.randrange(365 * 15))
    admitted = min(admitted, TODAY - timedelta(days=30))
    official = admitted + timedelta(days=365) if admitted + timedelta(days=400) < TODAY else None
    draw = rng.random()
    status, since, host = "Đang sinh hoạt", "", ""
    if draw < 0.03 and official:
        status, since = "Miễn sinh hoạt", f"{TODAY - timedelta(days=rng.randrange(400)):%d/%m/%Y}"
    elif draw < 0.04 and official:
        status, since, host = "Sinh hoạt tạm thời", "01/09/2026", neighbour
    return [
        f"TN{number:08d}", name, f"{birth:%d/%m/%Y}", "Nam" if gender == "nam" else "Nữ",
        f"{admitted:%d/%m/%Y}", f"{official:%d/%m/%Y}" if official else "", cell, status, since,
        host, f"{max(admitted, date(2025, 7, 1)):%d/%m/%Y}", "Kinh", "12/12", rng.choice(("", "Sơ cấp", "Trung cấp", "Cao cấp")),
        f"Thôn {rng.choice(PLACES)}", f"09{rng.randrange(10**8):08d}", "",
    ]  # fmt: skip
