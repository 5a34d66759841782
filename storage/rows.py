"""Plain rows for bulk INSERTs: every column of a table, with the model's defaults applied.

Building a SQLModel table object runs pydantic's default machinery field by field (a
profile of bulk mail intake showed it as a third of the transaction's time); a dict with the
same values goes straight to an executemany, a multi-row INSERT or (PostgreSQL) a COPY.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any, cast

from pydantic_core import PydanticUndefined
from sqlalchemy import Table, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession


def dialect_insert(session: Any) -> Any:
    """The dialect's insert() (PostgreSQL or SQLite), which has on_conflict_do_nothing()."""
    name = session.get_bind().dialect.name
    return postgresql.insert if name == "postgresql" else sqlite.insert


def table_of(model: type[SQLModel]) -> Table:
    """The Core table: bulk statements on it skip the ORM's per-row, per-value bookkeeping
    (an ORM bulk INSERT coerces every value of every row into a bound parameter)."""
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


@cache
def _defaults(model: type[SQLModel]) -> tuple[tuple[str, Callable[[], Any] | None, Any], ...]:
    """(column, default factory or None, default value) for every column but the key."""
    out = []
    for column in model.__table__.columns:  # type: ignore[attr-defined]
        if column.primary_key:
            continue
        info = model.model_fields[column.name]
        factory = cast("Callable[[], Any] | None", info.default_factory)
        out.append((str(column.name), factory, info.default))
    return tuple(out)


@cache
def _columns(model: type[SQLModel]) -> frozenset[str]:
    return frozenset(name for name, _, _ in _defaults(model))


def full_row(model: type[SQLModel], values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` plus the model's default for every other column; a missing required column
    or a name that is not a column raises KeyError (a typo must not vanish silently)."""
    unknown = set(values) - _columns(model)
    if unknown:
        raise KeyError(f"{model.__name__} has no column {sorted(unknown)}")
    row: dict[str, Any] = {}
    for name, factory, default in _defaults(model):
        if name in values:
            row[name] = values[name]
        elif factory is not None:
            row[name] = factory()
        elif default is PydanticUndefined:
            raise KeyError(f"{model.__name__}.{name} is required")
        else:
            row[name] = default
    return row


async def copy_rows(
    session: AsyncSession, model: type[SQLModel], rows: Sequence[Mapping[str, Any]]
) -> None:
    """PostgreSQL: INSERT full_row() dicts with one `COPY ... FROM STDIN` in the session's
    transaction. An executemany costs psycopg ~25 us of Python per row (a pipelined
    execution each) and the server a statement per row; COPY streams the rows. Values go
    through the same bind processors as an INSERT (JSON wrapped, datetimes as UTC), and a
    driver error is raised as SQLAlchemy's matching exception (a unique violation as
    IntegrityError), as an INSERT's would be."""
    if not rows:
        return
    import psycopg  # the PostgreSQL driver: imported only where it is used

    connection = await session.connection()
    dialect = connection.dialect
    table = table_of(model)
    names = list(rows[0])
    processors = [table.c[name].type._cached_bind_processor(dialect) for name in names]
    quote = dialect.identifier_preparer.quote
    sql = (
        f"COPY {dialect.identifier_preparer.format_table(table)} "
        f"({', '.join(quote(name) for name in names)}) FROM STDIN"
    )
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None  # a live psycopg AsyncConnection
    try:
        async with driver.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                values = [row[name] for name in names]
                await copy.write_row(
                    [v if p is None else p(v) for v, p in zip(values, processors, strict=True)]
                )
    except psycopg.Error as exc:
        raise DBAPIError.instance(sql, None, exc, psycopg.Error, dialect=dialect) from exc


async def insert_rows(
    session: AsyncSession, model: type[SQLModel], rows: list[dict[str, Any]]
) -> None:
    """INSERT plain dicts (no ORM objects, no ids back), completed with the model's defaults:
    COPY on PostgreSQL, an executemany of one cached statement on SQLite."""
    if not rows:
        return
    full = [full_row(model, row) for row in rows]
    if session.get_bind().dialect.name == "postgresql":
        await copy_rows(session, model, full)
    else:
        await session.exec(insert(table_of(model)), params=full)
