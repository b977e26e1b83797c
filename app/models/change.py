"""The data version and the change feed that dashboards follow."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, BigInteger, Column, LargeBinary
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime


class DataVersion(SQLModel, table=True):
    """One counter per scope, bumped in every writing transaction.

    The row lock taken by the bump is held until commit, so writers of a scope commit one after
    another and the sequence numbers they take are visible in commit order: a feed reader that
    has seen N never later finds a change below N. See docs/decisions/0003.
    """

    __tablename__ = "data_version"

    scope: str = Field(primary_key=True, max_length=20)
    value: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))


class Change(SQLModel, table=True):
    __tablename__ = "change"

    seq: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    entity: str = Field(max_length=40)
    entity_id: UUID
    action: str = Field(max_length=20)  # created | updated | deleted
    version: int
    data: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    at: datetime = Field(sa_type=UTCDateTime)


class IdempotentRequest(SQLModel, table=True):
    """A POST with an Idempotency-Key: claimed before it runs, then its first answer, replayed
    for repeats. Scoped by the SHA-256 of the bearer token, so keys of different clients never
    meet; `status_code` is NULL while the first attempt is still running, in the process named
    by `holder` (app.holders: its lock says whether that process lives)."""

    __tablename__ = "idempotent_request"

    token_hash: str = Field(primary_key=True, max_length=64)
    key: str = Field(primary_key=True, max_length=200)
    fingerprint: str = Field(max_length=64)
    status_code: int | None = None
    headers: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    body: bytes = Field(default=b"", sa_type=LargeBinary)
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)
    holder: str | None = Field(default=None, max_length=20)
