"""What every sub-command opens first: the container built from the environment's settings.

Its own module (not the package ``__init__``), so the sub-command modules import it without an
import cycle through :mod:`services.cli`, which lists them.
"""

from __future__ import annotations

from infra.settings import load_settings
from services.bootstrap import Container, build_container


def open_container() -> Container:
    return build_container(load_settings())
