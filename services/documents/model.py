"""The shape of a party document (văn bản của Đảng), shared by every kind and every format.

A document is a header in the form of HD 36-HD/VPTW (issuing body top left, "ĐẢNG CỘNG SẢN
VIỆT NAM" top right, number and symbol, place and date, title) and a list of blocks. The
Word and PDF renderers draw the same structure, so the two formats cannot drift apart, and the
structure's JSON is the canonical content whose SHA-256 an approval records.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import msgspec

VN = ZoneInfo("Asia/Ho_Chi_Minh")


class Run(msgspec.Struct, frozen=True):
    """A stretch of text in one style."""

    text: str
    bold: bool = False
    italic: bool = False


class Para(msgspec.Struct, frozen=True, tag="p"):
    runs: tuple[Run, ...]
    center: bool = False


class Heading(msgspec.Struct, frozen=True, tag="h"):
    text: str


class Bullets(msgspec.Struct, frozen=True, tag="ul"):
    items: tuple[str, ...]


class Table(msgspec.Struct, frozen=True, tag="table"):
    """A table; ``numeric`` lists the columns aligned right (numbers are right-aligned)."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[int, ...] = ()
    widths: tuple[float, ...] = ()  # relative column widths; equal when empty


class Signature(msgspec.Struct, frozen=True):
    """One signature block: e.g. ("T/M CHI BỘ", "BÍ THƯ", name)."""

    above: str
    role: str
    name: str


class Signatures(msgspec.Struct, frozen=True, tag="sig"):
    blocks: tuple[Signature, ...]


Block = Para | Heading | Bullets | Table | Signatures


class Document(msgspec.Struct, frozen=True):
    """One document: the HD 36 header, the blocks, and a footer line (the version's check)."""

    issuer_above: str  # the superior body, e.g. "ĐẢNG BỘ XÃ TÙY SƠN"
    issuer: str  # the issuing body, e.g. "CHI BỘ THÔN 1"
    number: str  # "Số 11-BB/CB"
    place_date: str  # "Vĩnh Phúc, ngày 03 tháng 11 năm 2023"
    title: str
    subtitle: str
    blocks: tuple[Block, ...]
    landscape: bool = False


def canonical(doc: Document) -> str:
    """The canonical JSON of a document: what an approval hashes and stores."""
    return msgspec.json.encode(doc).decode("utf-8")


def from_canonical(content: str) -> Document:
    return msgspec.json.decode(content, type=Document)


def para(*parts: str | Run, center: bool = False) -> Para:
    """A paragraph from strings and runs: ``para(bold("Chủ trì: "), "Nguyễn Văn An")``."""
    return Para(tuple(p if isinstance(p, Run) else Run(p) for p in parts), center=center)


def bold(text: str) -> Run:
    return Run(text, bold=True)


def italic(text: str) -> Run:
    return Run(text, italic=True)


def vn_date(day: date) -> str:
    """dd/mm/yyyy."""
    return day.strftime("%d/%m/%Y")


def vn_time(at: datetime) -> str:
    """ "14 giờ 05 phút, ngày 03/11/2023" in Asia/Ho_Chi_Minh."""
    local = at.astimezone(VN)
    return f"{local:%H} giờ {local:%M} phút, ngày {vn_date(local.date())}"


PLACE_PREFIXES = ("Đảng bộ tỉnh ", "Đảng bộ thành phố ", "Tỉnh ủy ", "Thành ủy ", "Đảng bộ ")


def place_of(province: str) -> str:
    """The place a document is dated from: the province's name without "Đảng bộ tỉnh"."""
    for prefix in PLACE_PREFIXES:
        if province.startswith(prefix):
            province = province.removeprefix(prefix)
            break
    return province[:1].upper() + province[1:]


def place_and_date(place: str, day: date) -> str:
    """ "Cần Thơ, ngày 03 tháng 11 năm 2023" as the form writes it; with no place (a document
    not dated from one province, such as the audit trail), the date alone, with no comma."""
    where = f"{place}, " if place else ""
    return f"{where}ngày {day:%d} tháng {day:%m} năm {day:%Y}"


def vnd(amount: int) -> str:
    """800000 → "800.000 đồng"."""
    return f"{amount:,}".replace(",", ".") + " đồng"


def percent(part: int, whole: int) -> str:
    """A share as "94,1%" (Vietnamese decimal comma); "—" when there is no whole."""
    if whole <= 0:
        return "—"
    return f"{100 * part / whole:.1f}%".replace(".", ",")
