"""A yardstick: the task list as the FastAPI and SQLModel tutorials write an endpoint (a plain
`def`, a session per request, the ORM rows returned through the response model), on the same
database as Pantau (PANTAU_DATABASE_URL). No authentication, no owners, no ETag."""

import os
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, FastAPI, Query
from sqlmodel import Session, create_engine, select

from app.models import Task

engine = create_engine(os.environ["PANTAU_DATABASE_URL"])
app = FastAPI()


def get_session() -> Iterator[Session]:
    with Session(engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


@app.get("/tasks")
def read_tasks(
    session: SessionDep, offset: int = 0, limit: Annotated[int, Query(le=100)] = 100
) -> list[Task]:
    return list(session.exec(select(Task).offset(offset).limit(limit)).all())
