"""Why a row failed, in the reader's language, named by the file's column."""

from collections.abc import Callable
from functools import partial
from typing import Any, cast

from pydantic import ValidationError

from app.errors import AppError, Invalid
from app.exchange.cells import Problem
from app.i18n import Phrase, plural, validation_message

# (column, the message: given a language, its words)
Refusal = tuple[str, Callable[[str], str]]
# Owners as the task schemas take them: {"organisation": ref, "role": "lead" | "support"}.
Owners = list[dict[str, Any]]
# Service fields that have another name in the file.
FIELD_COLUMNS = {"assignee_id": "assignee_email", "owners": "lead_owner"}


class RowFailure(Exception):
    def __init__(self, messages: list[Refusal]) -> None:
        super().__init__(messages)
        self.messages = messages


def failure(*problems: Problem) -> RowFailure:
    return RowFailure([translated(problem) for problem in problems])


def translated(problem: Problem) -> Refusal:
    return problem.column, Phrase(problem.message, problem.params)


def column_of(field: str, owners: Owners) -> str:
    parts = field.split(".")
    if parts[0] == "owners" and len(parts) > 1 and parts[1].isdigit():
        index = int(parts[1])
        if index < len(owners):
            return "lead_owner" if owners[index]["role"] == "lead" else "support_owners"
    return FIELD_COLUMNS.get(parts[0], parts[0])


def explained(error: Exception, owners: Owners, *, column: str = "id") -> RowFailure:
    """A service's refusal of a row as messages on the row's columns; `column` takes the errors
    that name no field."""
    if isinstance(error, RowFailure):
        return error
    if isinstance(error, ValidationError):
        return RowFailure([_validation(item, owners) for item in error.errors()])
    if isinstance(error, Invalid):
        return RowFailure([(column_of(error.field, owners), error.words)])
    assert isinstance(error, AppError)
    return RowFailure([(column, Phrase(error.detail or error.title, error.params))])


def _validation(item: Any, owners: Owners) -> Refusal:
    field = ".".join(str(part) for part in item.get("loc", ()))
    words = partial(validation_message, item.get("type", ""), str(item.get("msg", "")))
    return column_of(field, owners), words


class ImportInvalid(AppError):
    """422: the rows that failed, each error as {row, field, message}; nothing was written."""

    status, slug, title = 422, Invalid.slug, Invalid.title

    def __init__(self, failures: list[tuple[int, RowFailure]], locale: str) -> None:
        super().__init__(
            plural(
                "{count} row has errors, so nothing was imported: see errors.",
                "{count} rows have errors, so nothing was imported: see errors.",
            ),
            count=len(failures),
        )
        errors = [
            {"row": row, "field": column, "message": words(locale)}
            for row, failed in failures
            for column, words in failed.messages
        ]
        # Row numbers stay numbers in the problem body; AppError's annotation says text only.
        self.errors = cast(list[dict[str, str]], errors)
