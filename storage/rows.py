"""Plain rows for bulk INSERTs: every column of a table, with the model's defaults applied.

Building a SQLModel table object runs pydantic's default machinery field by field, which
costs a bulk insert of mail more than the SQL does; a dict with the same values goes
straight to an executemany (SQLite) or, on PostgreSQL, into one statement for several
tables (insert_all()).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any, cast

from pydantic_core import PydanticUndefined
from sqlalchemy import JSON, String, Table, TextClause, TypeDecorator, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel, select
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


log = logging.getLogger(__name__)


@cache
def _string_columns(model: type[SQLModel]) -> tuple[tuple[str, int | None, bool], ...]:
    """(column, length or None, is JSON) of the columns that hold strings."""
    out: list[tuple[str, int | None, bool]] = []
    for column in model.__table__.columns:  # type: ignore[attr-defined]
        if isinstance(column.type, JSON):
            out.append((str(column.name), None, True))
            continue
        kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
        if isinstance(kind, String):  # Text, and SQLModel's AutoString (a String inside)
            out.append((str(column.name), kind.length, False))
    return tuple(out)


def fit_strings(model: type[SQLModel], row: dict[str, Any]) -> list[str]:
    """Make `row`'s strings storable on both databases, in place: NUL characters removed
    (PostgreSQL refuses them in text and JSON; SQLite took them) and each string cut to
    its column's length (PostgreSQL raises StringDataRightTruncation; SQLite ignores the
    length). Returns the names of the columns cut, for the caller's warning."""
    cut: list[str] = []
    for name, length, is_json in _string_columns(model):
        value = row.get(name)
        if is_json:
            if value is not None:
                row[name] = _without_nul(value)
            continue
        if not isinstance(value, str):
            continue
        if "\x00" in value:
            value = row[name] = value.replace("\x00", "")
        if length is not None and len(value) > length:
            row[name] = value[:length]
            cut.append(name)
    return cut


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    return value


def full_row(model: type[SQLModel], values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` plus the model's default for every other column; a missing required column
    or a name that is not a column raises KeyError (a typo must not vanish silently).
    Strings are made storable (fit_strings()); a cut nobody warned of is logged."""
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
    for name in fit_strings(model, row):
        log.warning("%s.%s cut to its column's length", model.__name__, name)
    return row


@dataclass(frozen=True)
class Rows:
    """Plain rows for one table (insert_all()): dicts of column values, completed with the
    model's defaults; `keep_existing` names a unique key whose rows already present are
    left alone (ON CONFLICT DO NOTHING)."""

    model: type[SQLModel]
    rows: Sequence[Mapping[str, Any]]
    keep_existing: tuple[str, ...] = ()


async def insert_all(session: AsyncSession, groups: Sequence[Rows]) -> None:
    """INSERT the rows of several tables (no ORM objects, no ids back).

    PostgreSQL: ONE statement for all the tables, each table's rows sent as one JSON
    document and unpacked by the server (json_populate_recordset): each statement is a
    round trip to the server, and a batch's transaction waits for every one of them
    (docs/email.md has the measurements). SQLite (in-process, no round trips): an
    executemany of one cached statement per table.

    Values are what an INSERT would bind: JSON columns as JSON, datetimes in ISO form with
    their offset (the columns are timestamptz), enums as their values. A unique violation
    is SQLAlchemy's IntegrityError and the statement inserts nothing, as for an INSERT.
    """
    groups = [g for g in groups if g.rows]
    if not groups:
        return
    if session.get_bind().dialect.name != "postgresql":
        for group in groups:
            full = [full_row(group.model, row) for row in group.rows]
            statement = sqlite.insert(table_of(group.model))
            if group.keep_existing:
                keys = list(group.keep_existing)
                statement = statement.on_conflict_do_nothing(index_elements=keys)
            await session.exec(statement, params=full)
        return
    shape = tuple((g.model, g.keep_existing) for g in groups)
    params = {f"rows_{n}": _json_rows(g) for n, g in enumerate(groups)}
    await session.exec(_statement(shape), params=params)  # type: ignore[call-overload]


async def insert_returning(
    session: AsyncSession, model: type[SQLModel], rows: Sequence[Mapping[str, Any]]
) -> list[Any]:
    """PostgreSQL only: INSERT full_row() dicts in one statement, as insert_all() does, and
    load the inserted rows back as `model` objects from its RETURNING (one round trip)."""
    params = {"rows_0": _json_rows(Rows(model, rows))}
    result = await session.exec(_returning(model), params=params)
    return list(result.scalars().all())


@cache
def _returning(model: type[SQLModel]) -> Any:
    statement = text(_insert_sql(model, (), "rows_0") + " RETURNING *")
    return select(model).from_statement(statement.columns(*table_of(model).columns))


def _json_rows(group: Rows) -> str:
    full = [full_row(group.model, row) for row in group.rows]
    return json.dumps(full, ensure_ascii=False, separators=(",", ":"), default=_json_value)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"cannot store {type(value).__name__} as a column value")


@cache
def _statement(shape: tuple[tuple[type[SQLModel], tuple[str, ...]], ...]) -> TextClause:
    """WITH rows_0 AS (INSERT ...), ... INSERT ...: one statement for every table."""
    parts = [_insert_sql(model, keep, f"rows_{n}") for n, (model, keep) in enumerate(shape)]
    *first, last = parts
    ctes = ", ".join(f"inserted_{n} AS ({sql})" for n, sql in enumerate(first))
    return text(f"WITH {ctes} {last}" if ctes else last)


@cache
def _insert_sql(model: type[SQLModel], keep_existing: tuple[str, ...], param: str) -> str:
    table = table_of(model)
    quote = postgresql.dialect().identifier_preparer.quote
    name = quote(table.name)
    columns = ", ".join(quote(c.name) for c in table.columns if not c.primary_key)
    sql = (
        f"INSERT INTO {name} ({columns}) SELECT {columns} "
        f"FROM json_populate_recordset(NULL::{name}, CAST(:{param} AS json))"
    )
    if keep_existing:
        sql += f" ON CONFLICT ({', '.join(quote(c) for c in keep_existing)}) DO NOTHING"
    return sql
