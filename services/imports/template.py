"""The import template (mẫu tệp nhập): columns, their Vietnamese headers and accepted values.

The same columns are written by the export, so a province can round-trip its data. Headers are
matched without diacritics, case or punctuation ("Số thẻ đảng viên", "so_the_dang_vien" and
"SO THE DANG VIEN" are one column); the English key is accepted too.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from domain.org_unit import Level


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    header: str
    """The Vietnamese header the export writes and the template shows."""
    required: bool
    meaning: str


TREE_COLUMNS = (
    Column("code", "Mã tổ chức", True, "mã của tổ chức trong tệp của tỉnh, duy nhất"),
    Column("name", "Tên tổ chức", True, "tên đầy đủ"),
    Column("level", "Cấp", True, "Đảng bộ tỉnh, Đảng bộ trực thuộc, Đảng bộ cơ sở, ..."),
    Column("parent_code", "Mã tổ chức cấp trên", False, "trống cho Đảng bộ tỉnh"),
    Column("founded_on", "Ngày thành lập", True, "dd/mm/yyyy: từ ngày này tổ chức tồn tại"),
)

MEMBER_COLUMNS = (
    Column("card", "Số thẻ đảng viên", True, "duy nhất trong tỉnh"),
    Column("full_name", "Họ và tên", True, ""),
    Column("birth_date", "Ngày sinh", True, "dd/mm/yyyy"),
    Column("gender", "Giới tính", True, "Nam, Nữ, Khác"),
    Column("admitted_on", "Ngày vào Đảng", True, "dd/mm/yyyy"),
    Column("official_on", "Ngày chính thức", False, "trống với đảng viên dự bị"),
    Column("cell_code", "Mã chi bộ", True, "mã tổ chức (tệp cây tổ chức) của chi bộ"),
    Column("status", "Tình trạng", True, "Đang sinh hoạt, Miễn sinh hoạt, Sinh hoạt tạm thời"),
    Column("status_since", "Từ ngày", False, "ngày bắt đầu miễn / sinh hoạt tạm thời"),
    Column("host_cell_code", "Mã chi bộ sinh hoạt tạm thời", False, "khi sinh hoạt tạm thời"),
    Column("joined_cell_on", "Ngày vào chi bộ", False, "trống: ngày vào Đảng"),
    Column("ethnicity", "Dân tộc", False, "thông tin cá nhân, lưu riêng, xóa được"),
    Column("education", "Trình độ học vấn", False, "thông tin cá nhân, lưu riêng, xóa được"),
    Column("theory", "Lý luận chính trị", False, "thông tin cá nhân, lưu riêng, xóa được"),
    Column("residence", "Nơi cư trú", False, "thông tin cá nhân, lưu riêng, xóa được"),
    Column("phone", "Số điện thoại", False, "thông tin cá nhân, lưu riêng, xóa được"),
    Column("email", "Thư điện tử", False, "thông tin cá nhân, lưu riêng, xóa được"),
)
DETAIL_KEYS = ("ethnicity", "education", "theory", "residence", "phone", "email")
"""Personal fields beyond what the rules need: kept in ``member_details``, never in the log."""


@lru_cache(maxsize=4096)
def plain(text: str) -> str:
    """Lower case without diacritics, words joined by ``_``: how headers and words are matched."""
    value = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    value = "".join(c for c in value if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "_", value).strip("_")


def header_keys(columns: tuple[Column, ...]) -> dict[str, str]:
    found = {plain(c.header): c.key for c in columns}
    found.update({c.key: c.key for c in columns})
    return found


LEVEL_WORDS: dict[str, Level] = {
    **{level.value: level for level in Level},
    "dang_bo_tinh": Level.PROVINCE,
    "dang_bo_thanh_pho": Level.PROVINCE,
    "dang_bo_truc_thuoc": Level.DIRECT,
    "dang_bo_truc_thuoc_tinh": Level.DIRECT,
    "dang_bo_co_so": Level.GRASSROOTS_COMMITTEE,
    "chi_bo_co_so": Level.GRASSROOTS_CELL,
    "dang_bo_bo_phan": Level.SUB_COMMITTEE,
    "chi_bo": Level.CELL,
    "chi_bo_truc_thuoc": Level.CELL,
}
LEVEL_HEADER = {
    Level.PROVINCE: "Đảng bộ tỉnh",
    Level.DIRECT: "Đảng bộ trực thuộc",
    Level.GRASSROOTS_COMMITTEE: "Đảng bộ cơ sở",
    Level.GRASSROOTS_CELL: "Chi bộ cơ sở",
    Level.SUB_COMMITTEE: "Đảng bộ bộ phận",
    Level.CELL: "Chi bộ",
}
GENDER_WORDS = {"nam": "nam", "nu": "nu", "khac": "khac", "male": "nam", "female": "nu"}
GENDER_HEADER = {"nam": "Nam", "nu": "Nữ", "khac": "Khác"}

ACTIVE, EXEMPTED, TEMPORARY = "active", "exempted", "temporary"
STATUS_WORDS = {
    ACTIVE: ACTIVE,
    EXEMPTED: EXEMPTED,
    TEMPORARY: TEMPORARY,
    "dang_sinh_hoat": ACTIVE,
    "sinh_hoat": ACTIVE,
    "mien_sinh_hoat": EXEMPTED,
    "sinh_hoat_tam_thoi": TEMPORARY,
    "chuyen_sinh_hoat_tam_thoi": TEMPORARY,
}
STATUS_HEADER = {
    ACTIVE: "Đang sinh hoạt",
    EXEMPTED: "Miễn sinh hoạt",
    TEMPORARY: "Sinh hoạt tạm thời",
}
