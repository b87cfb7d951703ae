"""Lists of people read in Vietnamese order: by given name, Đ after D, tones after letters."""

from __future__ import annotations

from uuid import uuid4

import pytest

from services.web.data import by_given_name, vi_key

pytestmark = pytest.mark.unit


def test_letters_follow_the_vietnamese_alphabet():
    words = ["Đức", "Dũng", "Ân", "An", "Ánh", "Uyên", "Ưng", "Vinh", "Hà", "Hạnh", "Hải"]
    assert sorted(words, key=vi_key) == [
        "An", "Ánh", "Ân", "Dũng", "Đức", "Hà", "Hải", "Hạnh", "Uyên", "Ưng", "Vinh",
    ]  # fmt: skip


def test_people_are_ordered_by_given_name_then_whole_name():
    names = {uuid4(): n for n in ("Phạm Minh Đức", "Nguyễn Văn An", "Trần Thị An", "Lê Dũng")}
    ordered = [names[i] for i in by_given_name(names)]
    assert ordered == ["Nguyễn Văn An", "Trần Thị An", "Lê Dũng", "Phạm Minh Đức"]
