"""Driver-level INSERT and UPDATE statements for the writes the controller makes per trial.

A run is inserted, updated and given events several times per trial. Going through
SQLAlchemy's expression layer costs about 0.15 ms per statement to key, compile-cache
and bind; these statements are plain SQL text built once per table and set of columns,
executed with the driver's ``executemany`` (through ``exec_driver_sql``, so errors are
still SQLAlchemy's and the store's retry logic still applies).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

__all__ = ["insert_rows", "insert_sql", "update_rows"]


def _mark(paramstyle: str) -> str:
    return "?" if paramstyle == "qmark" else "%s"


@functools.lru_cache(maxsize=128)
def insert_sql(table: str, columns: tuple[str, ...], paramstyle: str) -> str:
    """``INSERT INTO table (columns) VALUES (?, ...)`` in the driver's parameter style."""
    marks = ", ".join(_mark(paramstyle) for _ in columns)
    names = ", ".join(f'"{c}"' for c in columns)
    return f'INSERT INTO "{table}" ({names}) VALUES ({marks})'


@functools.lru_cache(maxsize=128)
def _update_sql(table: str, columns: tuple[str, ...], key: str, paramstyle: str) -> str:
    mark = _mark(paramstyle)
    sets = ", ".join(f'"{c}" = {mark}' for c in columns)
    return f'UPDATE "{table}" SET {sets} WHERE "{key}" = {mark}'


@functools.lru_cache(maxsize=16)
def _defaults(table: sa.Table) -> dict[str, Any]:
    """The scalar Python-side defaults SQLAlchemy would fill in for omitted columns."""
    return {c.name: c.default.arg for c in table.columns
            if c.default is not None and c.default.is_scalar}


def insert_rows(conn: sa.Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]
                ) -> None:
    """Insert ``rows`` (column → value) in order, with the table's scalar defaults for
    omitted columns: one ``executemany`` per stretch of rows with the same columns."""
    if not rows:
        return
    defaults = _defaults(table)
    full = [{**{k: v for k, v in defaults.items() if k not in row}, **row} for row in rows]
    style = conn.dialect.paramstyle
    for columns, stretch in itertools.groupby(full, key=lambda r: tuple(r)):
        conn.exec_driver_sql(insert_sql(table.name, columns, style),
                             [tuple(r.values()) for r in stretch])


def update_rows(conn: sa.Connection, table: sa.Table, key: str,
                updates: Sequence[tuple[Any, Mapping[str, Any]]]) -> None:
    """Apply ``(key value, fields)`` updates in order, one ``executemany`` per stretch of
    consecutive updates that set the same fields (order matters: a run can be marked
    started and ended in one transaction)."""
    style = conn.dialect.paramstyle
    for columns, stretch in itertools.groupby(updates, key=lambda u: tuple(u[1])):
        if not columns:
            continue
        conn.exec_driver_sql(_update_sql(table.name, columns, key, style),
                             [(*fields.values(), ident) for ident, fields in stretch])
