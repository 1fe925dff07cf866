"""Set-wise writes and reads for the intake's hot path, without per-row ORM objects.

On PostgreSQL rows go in with COPY and ids come from the table's sequence beforehand; parameters
are bound server-side (no Python quoting of long key lists). SQLite, the embedded default, gets
the same calls with executemany. Callers must hold the intake lock (see `lock_municipality`) so
that reserving ids and inserting by key are not raced.
"""

import weakref
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import orjson
import psycopg
import psycopg.types.json
from django.db import IntegrityError, connection
from django.db.models import Field, Model

Row = Sequence[Any]


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def table(model: type[Model]) -> str:
    return model._meta.db_table


def column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, Field), f"{name} is not a concrete field"
    return str(field.column)


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def lock_slots(municipality_id: int, slots: Iterable[int]) -> None:
    """Serialise intake per municipality and household slot until the transaction ends.

    Households are spread over a fixed number of slots; locks are taken in ascending order, so
    two transactions never wait on each other in a circle.
    """
    with connection.cursor() as cursor:
        if is_postgres():
            for slot in sorted(set(slots)):
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [municipality_id, slot])
        else:
            # A write takes SQLite's database lock for the rest of the transaction.
            cursor.execute(
                "UPDATE core_municipality SET code = code WHERE id = %s", [municipality_id]
            )


def select(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Run a query; on PostgreSQL write `= ANY(%s)` with a list, on SQLite it is expanded."""
    connection.ensure_connection()
    if is_postgres():
        sql, params = _packed_arrays(sql, params)
        with psycopg.Cursor(connection.connection) as cursor:
            # Never a prepared (generic) plan: it cannot see how long the list is and drifts to
            # sequential scans as the tables grow.
            cursor.execute(sql, params, prepare=False)
            return cursor.fetchall()
    sql, params = _expand_any(sql, params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


ARRAY_SEPARATOR = "\x1f"  # ASCII unit separator: never in keys, names or numbers


def _packed_arrays(sql: str, params: Sequence[Any]) -> tuple[str, list[Any]]:
    """Lists go to PostgreSQL as one separated string, split server-side: dumping a long list as
    an array parameter costs more in Python than the whole query costs the server."""
    parts = sql.split("%s")
    out = [parts[0]]
    packed: list[Any] = []
    for param, tail in zip(params, parts[1:], strict=True):
        texts = list(map(str, param)) if isinstance(param, (list, tuple)) else []
        if texts and not any(ARRAY_SEPARATOR in t for t in texts):
            kind = "bigint" if isinstance(param[0], int) else "text"
            out.append(f"string_to_array(%s, chr(31))::{kind}[]")
            packed.append(ARRAY_SEPARATOR.join(texts))
        else:
            out.append("%s")
            packed.append(param)
        out.append(tail)
    return "".join(out), packed


def _expand_any(sql: str, params: Sequence[Any]) -> tuple[str, list[Any]]:
    """SQLite has no arrays: `col = ANY(%s)` with a list becomes `col IN (%s, %s, ...)`."""
    parts = sql.split("%s")
    out = [parts[0]]
    flat: list[Any] = []
    for param, tail in zip(params, parts[1:], strict=True):
        if isinstance(param, (list, tuple)):
            head = out[-1].rstrip()
            if head.upper().endswith("= ANY("):
                out[-1] = head[: -len("= ANY(")] + " IN ("
            out.append(", ".join(["%s"] * len(param)) if param else "NULL")
            flat.extend(param)
        else:
            out.append("%s")
            flat.append(param)
        out.append(tail)
    return "".join(out), flat


_sequences: dict[str, str] = {}


def reserve_ids(model: type[Model], count: int) -> list[int]:
    """Primary keys for rows about to be inserted."""
    if count == 0:
        return []
    name = table(model)
    with connection.cursor() as cursor:
        if is_postgres():
            if name not in _sequences:
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [name])
                _sequences[name] = cursor.fetchone()[0]
            # The sequence named once, not looked up per row: that is ten times faster.
            cursor.execute(
                "SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
                [_sequences[name], count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {name}")
        start = int(cursor.fetchone()[0]) + 1
        # AUTOINCREMENT tables remember their highest id even after deletes.
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [name])
        row = cursor.fetchone()
        if row is not None:
            start = max(start, int(row[0]) + 1)
        return list(range(start, start + count))


def insert(model: type[Model], columns: Sequence[str], rows: Iterable[Row]) -> int:
    """Insert rows (binary COPY on PostgreSQL). JSON columns take Python values."""
    connection.ensure_connection()
    if is_postgres():
        try:
            return _copy(model, columns, rows)
        except psycopg.errors.IntegrityError as exc:
            # Raised as Django's, so callers handle a raw COPY like any ORM write.
            raise IntegrityError(str(exc)) from exc
    json_columns = {
        i
        for i, c in enumerate(columns)
        if model._meta.get_field(c).get_internal_type() == "JSONField"
    }
    prepared = [
        [
            _json(v) if i in json_columns and v is not None else _sqlite_value(v)
            for i, v in enumerate(row)
        ]
        for row in rows
    ]
    names = ", ".join(column(model, c) for c in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table(model)} ({names}) VALUES ({placeholders})", prepared
        )
    return len(prepared)


def _sqlite_value(value: Any) -> Any:
    """A time as Django stores it on SQLite: in UTC, without an offset. SQLite compares times
    as text, so a row written with its local offset ("09:00:00+02:00") would sort two hours
    off against the ORM's rows and query parameters (a day's first signal counted in the day
    before)."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


# Connections whose JSON dumper is already ours. psycopg's set_json_dumps derives a new dumper
# class from the connection's current one at every call, so calling it at every COPY on a
# long-lived connection built an ever deeper chain of classes: each COPY slower than the last.
_JSON_SET: weakref.WeakSet[Any] = weakref.WeakSet()


def _copy(model: type[Model], columns: Sequence[str], rows: Iterable[Row]) -> int:
    """Binary COPY: about twice as cheap as text for both Python and the server."""
    db_columns = [column(model, c) for c in columns]
    types = [_pg_type(model, c) for c in columns]
    count = 0
    conn = connection.connection
    if conn not in _JSON_SET:
        psycopg.types.json.set_json_dumps(_json, context=conn)
        _JSON_SET.add(conn)
    with conn.cursor() as cursor:
        copy_sql = f"COPY {table(model)} ({', '.join(db_columns)}) FROM STDIN (FORMAT BINARY)"
        with cursor.copy(copy_sql) as copy:
            copy.set_types(types)
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def _pg_type(model: type[Model], name: str) -> str:
    """The column's type as COPY's binary format names it ("varchar(32)" -> "varchar")."""
    field = model._meta.get_field(name)
    assert isinstance(field, Field)
    db_type = str(field.db_type(connection)).split("(")[0].strip()
    return PG_TYPE_NAMES.get(db_type, db_type)


PG_TYPE_NAMES = {"timestamp with time zone": "timestamptz", "character varying": "varchar"}


def update(model: type[Model], columns: Sequence[str], rows: Sequence[Row]) -> None:
    """Update rows by id: each row is (id, *values for columns)."""
    if not rows:
        return
    db_columns = [column(model, c) for c in columns]
    json_columns = {
        i + 1
        for i, c in enumerate(columns)
        if model._meta.get_field(c).get_internal_type() == "JSONField"
    }
    assignments = ", ".join(f"{c} = %s" for c in db_columns)
    sql = f"UPDATE {table(model)} SET {assignments} WHERE id = %s"
    params = [
        [
            *[_json(v) if i in json_columns else _sqlite_value(v) for i, v in enumerate(row)][1:],
            row[0],
        ]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def update_objects(objects: Sequence[Model], fields: Sequence[str]) -> None:
    """Write `fields` of these objects, one prepared UPDATE by id each (psycopg pipelines
    them): what Django's `bulk_update` does, without its CASE expression per field, which costs
    more than the rest of an engine batch's writes together."""
    if not objects:
        return
    model = type(objects[0])
    names = [model._meta.get_field(f).attname for f in fields]  # type: ignore[union-attr]
    update(model, fields, [(o.pk, *(getattr(o, n) for n in names)) for o in objects])


def as_date(value: Any) -> date | None:
    """Dates from `select`: SQLite hands them back as text."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def analyze(models: Sequence[type[Model]]) -> None:
    """Refresh the planner's statistics: during a large delivery the tables grow faster than
    autovacuum notices, and plans made for small tables turn into full scans."""
    if is_postgres():
        with connection.cursor() as cursor:
            # A small sample: the planner needs the tables' size, not fine distributions.
            cursor.execute("SET default_statistics_target = 10")
            cursor.execute(f"ANALYZE {', '.join(table(m) for m in models)}")
            cursor.execute("RESET default_statistics_target")
