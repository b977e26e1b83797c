from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field


class ChangePublic(BaseModel):
    seq: int = Field(description="Position in the feed: pass the last one seen as `after`.")
    entity: str
    entity_id: UUID
    action: str = Field(description="created, updated or deleted.")
    version: int
    at: datetime
    data: dict[str, Any] | None = Field(
        description="The new representation; null for a delete (a tombstone)."
    )
