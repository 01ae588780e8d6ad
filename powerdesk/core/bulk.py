"""Fast bulk inserts for millions of rows (demo data, imports): COPY on PostgreSQL,
``executemany`` on SQLite. Rows are plain tuples in the order of ``fields``; no model
instances are built, no signals are sent and no primary keys come back."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Field as DjangoField
from django.db.models import Model


def bulk_insert_rows(
    model: type[Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert ``rows`` into ``model``'s table; return how many. Call inside a transaction."""
    meta = model._meta
    columns: list[str] = []
    for name in fields:
        field = meta.get_field(name)
        if not isinstance(field, DjangoField) or field.column is None:
            raise ValueError(f"{model.__name__}.{name} is not a concrete column")
        columns.append(field.column)
    table = connection.ops.quote_name(meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg 3 cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        placeholders = ", ".join(["%s"] * len(columns))
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= 10_000:
                cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})", batch)  # noqa: S608 - names from model meta
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})", batch)  # noqa: S608 - names from model meta
            count += len(batch)
    return count
