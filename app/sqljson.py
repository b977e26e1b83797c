"""JSON written by the database, one spelling per dialect: for hot reads whose rows only go on
to the response, so that Python passes each row's document along instead of converting,
assembling and encoding its columns (docs/decisions/0010).

Every construct writes what pydantic writes for the same value: canonical UUIDs, instants in
UTC as `Z` with microseconds only when there are some, dates as `YYYY-MM-DD`. The tests of each
representation built with them compare the bytes on both databases.
"""

from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Dialect,
    Select,
    String,
    TypeDecorator,
    case,
    func,
    literal_column,
    null,
    select,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal


class _Text(FunctionElement[str]):
    type = String()
    inherit_cache = True


class json_object(_Text):
    """A JSON object from alternating keys and values; a value built by a construct of this
    module is embedded as JSON, any other as a JSON string, number or null."""

    inherit_cache = True


class json_text(_Text):
    """A JSON value as text, as the driver returns it: the document a row carries. On
    PostgreSQL the text has spaces after colons and commas, which JSON ignores."""

    inherit_cache = True


class embedded_json(_Text):
    """A column of JSON text (or null), embedded as JSON in a json_object."""

    inherit_cache = True


class uuid_text(_Text):
    """A UUID column as its canonical text (SQLite keeps 32 hex digits)."""

    inherit_cache = True


class iso_instant(_Text):
    """A UTCDateTime column as RFC 3339 text in UTC."""

    inherit_cache = True


class iso_date(_Text):
    """A Date column as `YYYY-MM-DD`."""

    inherit_cache = True


class json_array(_Text):
    """The `doc` column of a subquery's rows as a JSON array ([] when there are none), in the
    order of the subquery's `order_by` columns (rendered apart: see the dialects below)."""

    inherit_cache = True
    _traverse_internals = [  # noqa: RUF012 - SQLAlchemy's own declaration
        ("rows", InternalTraversal.dp_clauseelement),
        ("order_by", InternalTraversal.dp_plain_obj),
    ]

    def __init__(self, rows: Select[Any], *order_by: str) -> None:
        self.rows = rows
        self.order_by = order_by
        super().__init__()


def key(name: str) -> ColumnElement[str]:
    """A key of json_object, or a constant text value, written into the statement: a bound
    parameter has no type PostgreSQL's json_build_object could infer."""
    if not name.isidentifier():
        raise ValueError(name)
    return literal_column(f"'{name}'", String)


class EncodedJSON(TypeDecorator[str]):
    """JSON text already encoded (a document written by the constructs of this module), bound
    to a JSON column as it is instead of decoded and encoded again: the bind of a bulk write
    that passes documents on. PostgreSQL casts it to json (the type's bind cast); SQLite keeps
    JSON as text anyway."""

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> None:
        return None


def nullable(condition: ColumnElement[bool], document: ColumnElement[str]) -> ColumnElement[str]:
    """`document`, or JSON null where `condition` holds (a missing optional relation)."""
    return case((condition, null()), else_=document)


# -- SQLite ----------------------------------------------------------------------------------


@compiles(json_object, "sqlite")
def _json_object_sqlite(element: json_object, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_object({compiler.process(element.clause_expr.element, **kw)})"


@compiles(json_text, "sqlite")
def _json_text_sqlite(element: json_text, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clause_expr.element, **kw)  # JSON is text here


@compiles(embedded_json, "sqlite")
def _embedded_json_sqlite(element: embedded_json, compiler: SQLCompiler, **kw: Any) -> str:
    # json() marks the text as JSON, so that json_object embeds it instead of quoting it.
    return f"json({compiler.process(element.clause_expr.element, **kw)})"


@compiles(uuid_text, "sqlite")
def _uuid_text_sqlite(element: uuid_text, compiler: SQLCompiler, **kw: Any) -> str:
    hex_ = compiler.process(element.clause_expr.element, **kw)
    parts = " || '-' || ".join(
        f"substr({hex_}, {start}, {length})"
        for start, length in ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))
    )
    return f"CASE WHEN {hex_} IS NULL THEN NULL ELSE {parts} END"  # stored lower case


@compiles(iso_instant, "sqlite")
def _iso_instant_sqlite(element: iso_instant, compiler: SQLCompiler, **kw: Any) -> str:
    # Stored as naive UTC text, 'YYYY-MM-DD HH:MM:SS.ffffff' (app.models.base.UTCDateTime).
    text = compiler.process(element.clause_expr.element, **kw)
    whole = f"replace(substr({text}, 1, 19), ' ', 'T')"
    return (
        f"CASE WHEN {text} IS NULL THEN NULL "
        f"WHEN length({text}) = 19 OR substr({text}, 20) = '.000000' THEN {whole} || 'Z' "
        f"ELSE {whole} || substr({text}, 20) || 'Z' END"
    )


@compiles(iso_date, "sqlite")
def _iso_date_sqlite(element: iso_date, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clause_expr.element, **kw)  # stored as 'YYYY-MM-DD'


@compiles(json_array, "sqlite")
def _json_array_sqlite(element: json_array, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite before 3.44 has no ORDER BY in an aggregate; it aggregates the rows of an ordered
    # subquery in their order (an aggregate over it is not flattened into it).
    rows = element.rows.order_by(*(literal_column(name) for name in element.order_by))
    found = rows.subquery("s")
    array = select(func.json_group_array(func.json(found.c.doc))).scalar_subquery()
    return compiler.process(func.json(array), **kw)


# -- PostgreSQL ------------------------------------------------------------------------------


@compiles(json_object, "postgresql")
def _json_object_pg(element: json_object, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_build_object({compiler.process(element.clause_expr.element, **kw)})"


@compiles(json_text, "postgresql")
def _json_text_pg(element: json_text, compiler: SQLCompiler, **kw: Any) -> str:
    # As text: the driver would parse json into Python objects.
    return f"CAST({compiler.process(element.clause_expr.element, **kw)} AS TEXT)"


@compiles(embedded_json, "postgresql")
def _embedded_json_pg(element: embedded_json, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clause_expr.element, **kw)} AS JSON)"


@compiles(uuid_text, "postgresql")
def _uuid_text_pg(element: uuid_text, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clause_expr.element, **kw)} AS TEXT)"


@compiles(iso_instant, "postgresql")
def _iso_instant_pg(element: iso_instant, compiler: SQLCompiler, **kw: Any) -> str:
    utc = f"({compiler.process(element.clause_expr.element, **kw)} AT TIME ZONE 'UTC')"
    return (
        f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') "
        f"|| CASE WHEN date_trunc('second', {utc}) = {utc} THEN '' ELSE to_char({utc}, '.US') END "
        f"|| 'Z'"
    )


@compiles(iso_date, "postgresql")
def _iso_date_pg(element: iso_date, compiler: SQLCompiler, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clause_expr.element, **kw)}, 'YYYY-MM-DD')"


@compiles(json_array, "postgresql")
def _json_array_pg(element: json_array, compiler: SQLCompiler, **kw: Any) -> str:
    found = element.rows.subquery("s")
    ordered = aggregate_order_by(found.c.doc, *(found.c[name] for name in element.order_by))
    array = select(func.json_agg(ordered)).scalar_subquery()
    return compiler.process(func.coalesce(array, literal_column("'[]'::json")), **kw)
