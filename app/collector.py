"""Python's cyclic garbage collector, paused while a bulk job builds its objects.

An import of 10,000 rows makes about a million objects (cells, planned tasks, history, feed and
tally rows) that nearly all live until it ends. The collector runs whenever allocations
outnumber deallocations by its threshold, and a full run traverses every live object again, so
a bulk job pays for its own heap over and over: on a 10,000-row plan matrix that was half of
the planning and a third of the writing (bench/import.py). While it is paused, reference
counting still frees every object that is not part of a cycle; cycles made meanwhile are
collected once it resumes.

The collector is one per process: while any bulk job runs, no thread collects cycles. A job
takes seconds, and the requests served meanwhile leave little cyclic garbage, so the cost is
a little memory held for that long. Jobs running at once share the pause: the last one to
end resumes the collector, and only if it was running when the first began.
"""

import functools
import gc
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class _Pause:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._resume = False

    def enter(self) -> None:
        with self._lock:
            if self._holders == 0:
                self._resume = gc.isenabled()
                gc.disable()
            self._holders += 1

    def leave(self) -> None:
        with self._lock:
            self._holders -= 1
            if self._holders == 0 and self._resume:
                gc.enable()


_pause = _Pause()


@contextmanager
def paused() -> Iterator[None]:
    """The collector paused for the block (or, as a decorator, the function's call).

    A job's steps, each paused, are best paused as a whole too (a decorator on the function
    that runs them all): a step that resumes the collector while the job's objects live on
    for the next step has them all traversed at once, up to 0.4 s for a 10,000-row import.
    When a function returns, its objects are freed before the collector resumes."""
    _pause.enter()
    try:
        yield
    finally:
        _pause.leave()


def paused_until_returned(job: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """`paused` for a coroutine function, held across its awaits until it returns (the
    decorator `paused` gives a coroutine function would end the pause when the call made the
    coroutine, before it ran)."""

    @functools.wraps(job)
    async def paused_job(*args: P.args, **kwargs: P.kwargs) -> T:
        with paused():
            return await job(*args, **kwargs)

    return paused_job
