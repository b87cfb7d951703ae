"""Plausible Vietnamese names for demo and synthetic data, seeded so runs repeat exactly.

Surname weights follow the commonly cited shares (Nguyễn ≈ 38%, Trần ≈ 11%, Lê ≈ 9.5% …).
"""

from __future__ import annotations

import random

SURNAMES = (
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 4),
    ("Phan", 4), ("Vũ", 4), ("Võ", 3), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2),
    ("Ngô", 2), ("Dương", 1), ("Lý", 1),
)  # fmt: skip
MIDDLE_MALE = ("Văn", "Hữu", "Đức", "Minh", "Quang", "Thanh", "Công", "Xuân", "Tiến", "Ngọc")
MIDDLE_FEMALE = ("Thị", "Thị", "Thị", "Ngọc", "Thanh", "Thu", "Minh", "Hồng", "Phương", "Kim")
GIVEN_MALE = (
    "An", "Bình", "Cường", "Dũng", "Hùng", "Hải", "Khang", "Long", "Minh", "Nam", "Phúc",
    "Quân", "Sơn", "Tâm", "Thắng", "Thiện", "Trung", "Tuấn", "Việt", "Vinh",
)  # fmt: skip
GIVEN_FEMALE = (
    "Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga",
    "Ngân", "Nhung", "Oanh", "Phương", "Quyên", "Thảo", "Trang", "Yến",
)  # fmt: skip
PLACES = (
    "Tùy Sơn", "Vọng Sơn", "Hợp Lý", "Quang Yên", "Triệu Đề", "Ngọc Mỹ", "Đồng Ích", "Liễn Sơn",
    "Bàn Giản", "Xuân Lôi", "Tử Du", "Văn Quán", "Thái Hòa", "Sơn Đông", "Cao Phong", "Tiên Lữ",
)  # fmt: skip

_SURNAME_NAMES = tuple(name for name, _ in SURNAMES)
_SURNAME_WEIGHTS = tuple(weight for _, weight in SURNAMES)


def full_name(rng: random.Random) -> tuple[str, str]:
    """A (full name, gender) pair; gender is ``nam`` or ``nu``."""
    surname = rng.choices(_SURNAME_NAMES, _SURNAME_WEIGHTS)[0]
    if rng.random() < 0.55:
        return f"{surname} {rng.choice(MIDDLE_MALE)} {rng.choice(GIVEN_MALE)}", "nam"
    return f"{surname} {rng.choice(MIDDLE_FEMALE)} {rng.choice(GIVEN_FEMALE)}", "nu"
