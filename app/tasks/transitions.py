"""The task workflow of DESIGN.md, as data, and the one pure function that applies it."""

from app.errors import Forbidden, InvalidTransition, invalid
from app.i18n import N_
from app.models import TaskStatus as S

ALLOWED: dict[S, frozenset[S]] = {
    S.not_started: frozenset({S.in_progress, S.blocked, S.cancelled}),
    S.in_progress: frozenset({S.blocked, S.completed, S.cancelled}),
    S.blocked: frozenset({S.in_progress, S.cancelled}),
    S.completed: frozenset({S.in_progress}),
    S.cancelled: frozenset({S.not_started}),
}
# Reopening undoes a decision already recorded, so it is a coordinator's call and needs a reason.
REOPENS: frozenset[tuple[S, S]] = frozenset(
    {(S.completed, S.in_progress), (S.cancelled, S.not_started)}
)
NOTE_REQUIRED: frozenset[S] = frozenset({S.blocked, S.cancelled})


def is_reopen(current: S, target: S) -> bool:
    return (current, target) in REOPENS


def needs_note(current: S, target: S) -> bool:
    """Reopening and moving to blocked or cancelled say why."""
    return is_reopen(current, target) or target in NOTE_REQUIRED


def check(current: S, target: S, *, note: str | None, may_reopen: bool) -> None:
    """Refuse a move the table does not list (409), a reopen by someone who may not (403) and a
    move that needs a note without one (422), in that order."""
    if target not in ALLOWED[current]:
        raise InvalidTransition(
            N_("A task cannot go from {current} to {target}."),
            current=current.value,
            target=target.value,
        )
    reopen = is_reopen(current, target)
    if reopen and not may_reopen:
        raise Forbidden(N_("Only a coordinator or an admin may reopen a task."))
    if needs_note(current, target) and not (note and note.strip()):
        raise invalid("note", N_("Moving to {target} needs a note."), target=target.value)
