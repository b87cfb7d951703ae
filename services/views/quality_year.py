"""A cell's yearly quality rating (xếp loại chất lượng sinh hoạt cả năm), issue 12 §4.

Each month's rating is the regular meeting's, as the meetings read model keeps it
(``meeting_cell_month.rating``); the year is judged by the province's yearly rule in force on
31 December of that year (``domain.quality_year``). Months without an assessed regular meeting
are listed, and the year is then provisional.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import anyio
import msgspec
from litestar import Request, get
from litestar.params import FromPath, FromQuery

from domain.base import InvalidValue
from domain.quality import Rating
from domain.quality_year import YearlyLevel, rate_year
from infra.db_roles import tenant_read_connection
from services.context import Ctx
from services.membership.org import settings_on
from services.views.routes import readside_of

MONTHS_SQL = (
    "SELECT month, rating FROM {s}.meeting_cell_month"
    " WHERE cell_id = $1::uuid AND year = $2::int AND rating IS NOT NULL ORDER BY month"
)


class MonthRating(msgspec.Struct):
    month: int
    rating: Rating


class YearlyRatingView(msgspec.Struct):
    cell_id: UUID
    year: int
    rating: Rating
    provisional: bool
    """True while some month has no assessed regular meeting."""
    months: list[MonthRating]
    missing_months: list[int]
    counts: dict[str, int]
    rule: list[YearlyLevel]
    """The province's yearly rule in force on 31 December of the year."""
    warnings: list[str]
    """Sentences, Vietnamese first then English, about what the rating rests on."""


def warnings_for(missing: tuple[int, ...]) -> list[str]:
    if not missing:
        return []
    months = ", ".join(str(m) for m in missing)
    return [
        f"Chưa có đánh giá chất lượng sinh hoạt thường kỳ các tháng {months}: xếp loại cả năm "
        f"là tạm tính / months {months} have no assessed regular meeting: the yearly rating is "
        "provisional"
    ]


@get(
    "/api/v1/t/{tenant:str}/units/{unit_id:uuid}/quality/year",
    summary="Xếp loại chất lượng sinh hoạt cả năm / yearly quality rating of a cell",
)
async def yearly_rating(
    request: Request[Any, Any, Any], ctx: Ctx, unit_id: FromPath[UUID], year: FromQuery[int]
) -> YearlyRatingView:
    """The year's rating from each month's regular-meeting rating, by the province's rule."""
    if not 1900 <= year <= 2200:
        raise InvalidValue("Năm không hợp lệ", "year must be between 1900 and 2200", year=year)
    settings = await anyio.to_thread.run_sync(settings_on, ctx.app, date(year, 12, 31))
    schema = ctx.app.schema
    async with tenant_read_connection(readside_of(request), schema) as conn:
        rows = await conn.fetch(MONTHS_SQL.format(s=schema), unit_id, year)
    monthly = {int(r["month"]): Rating(r["rating"]) for r in rows}
    result = rate_year(monthly, settings.yearly_rule)
    return YearlyRatingView(
        cell_id=unit_id,
        year=year,
        rating=result.rating,
        provisional=result.provisional,
        months=[MonthRating(m, r) for m, r in sorted(monthly.items())],
        missing_months=list(result.missing_months),
        counts={r.value: n for r, n in result.counts.items()},
        rule=list(settings.yearly_rule.levels),
        warnings=warnings_for(result.missing_months),
    )


ROUTES: list[Any] = [yearly_rating]
