"""HTTP routes of the province settings: read them as of a day, change them from a day."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import get, post
from litestar.params import FromQuery, JSONBody

from services.context import Ctx
from services.tenants import settings
from services.tenants.settings import SettingsChange, SettingsView
from services.written import Written, written

BASE = "/api/v1/t/{tenant:str}/settings"


@get(BASE, sync_to_thread=True, summary="Cấu hình của tỉnh / province settings")
def read_settings(ctx: Ctx, on: FromQuery[date | None] = None) -> SettingsView:
    """The settings in force on ``on`` (default today), and every dated change."""
    return settings.read(ctx.app, on or date.today())


@post(BASE, sync_to_thread=True, summary="Đổi cấu hình từ một ngày / change settings from a day")
def change_settings(ctx: Ctx, data: JSONBody[SettingsChange]) -> Written:
    """Values left out stay as they are on ``effective_on``; history keeps the old ones."""
    return written(settings.change(ctx.app, ctx.actor, data))


ROUTES: list[Any] = [read_settings, change_settings]
