"""The garbage collector's pause for bulk jobs (app.collector): held while any job runs, and
left as it was found."""

import gc
import threading
from collections.abc import Iterator

import anyio
import pytest

from app.collector import paused, paused_until_returned


@pytest.fixture(autouse=True)
def _collector_restored() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    (gc.enable if enabled else gc.disable)()


def test_the_collector_is_paused_for_the_block_and_runs_again_after() -> None:
    gc.enable()

    with paused():
        during = gc.isenabled()

    assert (during, gc.isenabled()) == (False, True)


def test_the_collector_runs_again_after_a_job_that_raised() -> None:
    gc.enable()

    with pytest.raises(RuntimeError), paused():
        raise RuntimeError

    assert gc.isenabled()


def test_jobs_at_once_share_the_pause_until_the_last_ends() -> None:
    gc.enable()
    first_in, second_done = threading.Event(), threading.Event()
    seen: list[bool] = []

    def second_job() -> None:
        first_in.wait()
        with paused():
            pass
        seen.append(gc.isenabled())  # the first job still runs
        second_done.set()

    other = threading.Thread(target=second_job)
    other.start()
    with paused():
        first_in.set()
        second_done.wait()
    other.join()

    assert (seen, gc.isenabled()) == ([False], True)


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()

    with paused():
        pass

    assert not gc.isenabled()


def test_as_a_decorator_it_pauses_each_call() -> None:
    gc.enable()

    @paused()
    def job() -> bool:
        return gc.isenabled()

    assert (job(), job(), gc.isenabled()) == (False, False, True)


def test_a_coroutine_function_holds_the_pause_across_its_awaits_until_it_returns() -> None:
    gc.enable()
    seen: list[bool] = []

    @paused_until_returned
    async def job(steps: int) -> int:
        for _ in range(steps):
            await anyio.sleep(0)
            seen.append(gc.isenabled())
        return steps

    assert anyio.run(job, 3) == 3
    assert (seen, gc.isenabled()) == ([False] * 3, True)


def test_objects_freed_as_the_job_returns_leave_nothing_to_collect_on_resuming() -> None:
    # Objects that outlive a pause are all traversed by the first collection after it; a
    # job's objects freed before it resumes are not (app.exchange.service.run).
    gc.enable()
    gc.collect()

    @paused()
    def job() -> int:
        made = [{"row": n} for n in range(50_000)]
        return len(made)

    job()

    assert gc.get_count()[0] < 1_000
