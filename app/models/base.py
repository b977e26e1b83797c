"""Shared column types and conventions for every table."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import (
    DateTime,
    Dialect,
    Enum,
    MetaData,
    TypeDecorator,
)
from sqlmodel import Field, SQLModel

# Named constraints give stable, reviewable migration diffs on both databases.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC instant on both databases.

    SQLite stores datetimes as naive text, so values are normalised to UTC on the way in and
    marked UTC on the way out; PostgreSQL keeps them as timestamptz.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        # TypeDecorator answers `object`; cursors (app.http.paging) need to parse values back.
        return datetime

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are refused: pass an aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_id() -> UUID:
    return uuid4()


def str_enum(enum: type[StrEnum], length: int = 24) -> Any:
    """VARCHAR, not a native PostgreSQL enum: native types survive a downgrade and break the
    next upgrade, and adding a value needs no migration dance."""
    return Enum(enum, native_enum=False, length=length, values_callable=_enum_values)


def _enum_values(enum: type[StrEnum]) -> list[str]:
    return [member.value for member in enum]


def id_field() -> Any:
    return Field(default_factory=new_id, primary_key=True)


def created_at_field() -> Any:
    return Field(default_factory=utc_now, sa_type=UTCDateTime, nullable=False)


class Versioned(SQLModel):
    """Columns of every resource a client can change: optimistic concurrency and timestamps."""

    version: int = Field(default=1, nullable=False)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()
