from itertools import product

import pytest

from app.errors import Forbidden, Invalid, InvalidTransition
from app.models import TaskStatus as S
from app.tasks.transitions import check

# DESIGN.md's table, written out pair by pair so that the test does not restate the code.
LISTED = {
    (S.not_started, S.in_progress),
    (S.not_started, S.blocked),
    (S.not_started, S.cancelled),
    (S.in_progress, S.blocked),
    (S.in_progress, S.completed),
    (S.in_progress, S.cancelled),
    (S.blocked, S.in_progress),
    (S.blocked, S.cancelled),
    (S.completed, S.in_progress),
    (S.cancelled, S.not_started),
}
PAIRS = list(product(S, S))


@pytest.mark.parametrize(("current", "target"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_check_allows_exactly_the_listed_transitions(current: S, target: S) -> None:
    def attempt() -> None:
        check(current, target, note="a reason", may_reopen=True)

    if (current, target) in LISTED:
        attempt()
    else:
        with pytest.raises(InvalidTransition):
            attempt()


def test_table_has_25_pairs_of_which_10_are_listed() -> None:
    assert (len(PAIRS), len(LISTED)) == (25, 10)


@pytest.mark.parametrize("target", [S.blocked, S.cancelled])
@pytest.mark.parametrize("note", [None, "", "   "])
def test_check_refuses_blocked_or_cancelled_without_note(target: S, note: str | None) -> None:
    with pytest.raises(Invalid) as refused:
        check(S.in_progress, target, note=note, may_reopen=True)

    assert refused.value.errors == [
        {"field": "note", "message": f"Moving to {target} needs a note."}
    ]


@pytest.mark.parametrize(
    ("current", "target"), [(S.completed, S.in_progress), (S.cancelled, S.not_started)]
)
def test_check_refuses_reopen_without_the_right(current: S, target: S) -> None:
    with pytest.raises(Forbidden):
        check(current, target, note="found a gap", may_reopen=False)


@pytest.mark.parametrize(
    ("current", "target"), [(S.completed, S.in_progress), (S.cancelled, S.not_started)]
)
def test_check_refuses_reopen_without_note(current: S, target: S) -> None:
    with pytest.raises(Invalid):
        check(current, target, note=None, may_reopen=True)


def test_check_allows_progress_without_note_or_reopen_right() -> None:
    check(S.not_started, S.in_progress, note=None, may_reopen=False)
    check(S.in_progress, S.completed, note=None, may_reopen=False)


def test_check_reports_409_before_role_and_note() -> None:
    with pytest.raises(InvalidTransition):
        check(S.completed, S.blocked, note=None, may_reopen=False)
