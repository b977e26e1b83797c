"""Why a row failed, in English and Indonesian, named by the file's column."""

from typing import Any, cast

from pydantic import ValidationError

from app.errors import AppError, Invalid
from app.exchange.cells import Problem
from app.i18n import VALIDATION_ID, text

# (column, English, Indonesian)
Message = tuple[str, str, str]
# Owners as the task schemas take them: {"organisation": ref, "role": "lead" | "support"}.
Owners = list[dict[str, Any]]
# Service fields that have another name in the file.
FIELD_COLUMNS = {"assignee_id": "assignee_email", "owners": "lead_owner"}


class RowFailure(Exception):
    def __init__(self, messages: list[Message]) -> None:
        super().__init__(messages)
        self.messages = messages


def failure(*problems: Problem) -> RowFailure:
    return RowFailure([translated(problem) for problem in problems])


def translated(problem: Problem) -> Message:
    key, params = problem.key, problem.params
    return problem.column, text(key, "en", **params), text(key, "id", **params)


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
    if isinstance(error, Invalid) and error.errors:
        item = error.errors[0]
        return RowFailure([(column_of(item["field"], owners), item["message"], error.message_id)])
    assert isinstance(error, AppError)
    key = error.detail_key or error.slug
    return RowFailure([(column, text(key, "en", **error.params), text(key, "id", **error.params))])


def _validation(item: Any, owners: Owners) -> Message:
    field = ".".join(str(part) for part in item.get("loc", ()))
    english = str(item.get("msg", ""))
    return column_of(field, owners), english, VALIDATION_ID.get(item.get("type", ""), english)


class ImportInvalid(AppError):
    """422: the rows that failed, each error as {row, field, message}; nothing was written."""

    status, slug = 422, "validation"

    def __init__(self, failures: list[tuple[int, RowFailure]], locale: str) -> None:
        super().__init__("exchange.rows-invalid", count=len(failures))
        errors = [
            {"row": row, "field": column, "message": indonesian if locale == "id" else english}
            for row, failed in failures
            for column, english, indonesian in failed.messages
        ]
        # Row numbers stay numbers in the problem body; AppError's annotation says text only.
        self.errors = cast(list[dict[str, str]], errors)
