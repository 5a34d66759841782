"""Import the bundled default unit list on first run (when the unit table is empty)."""

from __future__ import annotations

from domain.registry_rows import decode_csv
from settings import Settings
from storage.db import Database
from storage.registry import count_units
from storage.registry_import import import_units


async def seed_default_units(db: Database, settings: Settings) -> int:
    """Import `org.units_csv` if no unit exists yet; returns how many were imported."""
    async with db.session() as session:
        if await count_units(session=session) > 0:
            return 0
    path = settings.org.units_csv
    if not path.is_file():
        return 0
    # Read as `units import` reads: the same encodings and delimiters Excel writes.
    created, _updated = await import_units(db, decode_csv(path.read_bytes()).text)
    return created
