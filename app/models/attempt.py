from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime


class AttemptCount(SQLModel, table=True):
    """Attempts of one kind (`bucket`) by one client or address (`key`, a hash) in one fixed
    window: kept in the database so that every replica counts the same (app.limits)."""

    __tablename__ = "attempt_count"

    bucket: str = Field(primary_key=True, max_length=40)
    key: str = Field(primary_key=True, max_length=64)
    window_start: datetime = Field(sa_type=UTCDateTime, primary_key=True, index=True)
    count: int = 0
